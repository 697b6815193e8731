"""The scheduler: what is due, found in our own tables, sent once through the outbox.

The clock (``bot/schedule/clock.py``) only wakes :func:`bot.schedule.run.run_due`;
every sweep module here turns "now" into the messages that are due for one
partnership (:mod:`returns`, :mod:`digests`, :mod:`nudges`, :mod:`rollup`), and
:mod:`outbox` claims, sends and marks each one exactly once. The sweeps and the
outbox import no Slack: sending goes through the :class:`~bot.schedule.base.Sender`
protocol, implemented for Slack (and the terminal) in :mod:`sender`; only the
clock, the process itself, wires in Slack's clients (``bot/slack/client.py``).
"""
