"""Every sentence the bot says from Python, in one place per area.

Block Kit layouts live in ``templates/``; the sentences a rule raises or a
sender composes in Python (a :class:`~partnership.context.UserError`'s text, a
refusal, a notification's fallback text) live here, one module per area
(``actions``, ``meetings``, ``setup``…), so a message is changed in one place
and a reviewer reads the bot's voice without reading its logic.

The convention:

* a sentence with no parts is a module constant in capitals;
* a sentence with parts is a small function taking typed keyword arguments
  and returning the ``str`` (no I/O, no database: the caller looks things up
  and passes plain values);
* a sentence ends with what to type instead, or who may do it;
* text shown in Slack is escaped by the template that shows it, so a message
  returns plain text (backticks for commands are fine).

The file-problem texts of the importers stay in ``storage`` (which imports
nothing of ours); the edge's own few transport sentences may too.
"""
