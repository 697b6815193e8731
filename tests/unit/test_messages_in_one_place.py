"""Every sentence a UserError or Refused carries is a name from partnership.messages.

Read from the source with ``ast``: in ``commands/``, ``partnership/`` (outside
``partnership/messages/``) and ``bot/``, the message given to ``UserError(...)``
or ``Refused(...)`` may be a call (``say.no_group(...)``), a name or an
attribute (``say.WHICH_ACTION``, a re-raised ``exc.message``), but not a string
literal, an f-string, or text glued together with ``+`` or ``%``: those belong
in ``partnership/messages/`` (docs/architecture.md, "A message"). The same
holds for a reply's fallback ``Reply(..., text=...)`` and a form's
``Form(title=...)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

CHECKED = ("commands", "partnership", "bot")
EXEMPT = ("partnership/messages",)
RAISERS = {"UserError", "Refused"}
# Calls whose keyword is a sentence too: a reply's fallback text, a form's title.
WORDED_KEYWORDS = {"Reply": "text", "Form": "title"}


def _is_text(node: ast.expr) -> bool:
    """Whether ``node`` writes a sentence in place: a literal, an f-string, or text joined."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) or _is_text(node.orelse)
    return False


def _message(call: ast.Call) -> ast.expr | None:
    """The sentence a call is given: a UserError/Refused's message, a Reply's text..."""
    name = _name(call.func)
    if name in WORDED_KEYWORDS:
        return next((k.value for k in call.keywords if k.arg == WORDED_KEYWORDS[name]), None)
    if name not in RAISERS:
        return None
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "message"), None)


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def inline_sentences(root: Path) -> Iterator[str]:
    """``path:line`` of every UserError/Refused (or Reply text, Form title) written in place."""
    for top in CHECKED:
        for path in sorted((root / top).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if any(rel.startswith(e + "/") for e in EXEMPT):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), rel)
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    message = _message(node)
                    if message is not None and _is_text(message):
                        yield f"{rel}:{node.lineno}"


def test_every_user_error_takes_its_sentence_from_partnership_messages() -> None:
    assert list(inline_sentences(REPO)) == []


def test_the_check_catches_a_planted_sentence(tmp_path: Path) -> None:
    files = {
        "commands/a.py": 'raise UserError("Say it here.")\n',
        "commands/framework/b.py": 'raise Refused(f"Sorry, {who}.", fields={})\n',
        "partnership/c.py": 'raise UserError(message="Which? " + hint)\n',
        "partnership/d.py": 'raise context.UserError(exc.message + " Nothing was saved.")\n',
        "bot/slack/e.py": 'raise UserError("A" if x else say.B)\n',
        "bot/schedule/h.py": 'Reply("t", {}, text=f"{n} sent")\nForm(name="f", title="Add it")\n',
        # Allowed: names from partnership.messages, a message held in a variable, a join of them.
        "bot/cli/f.py": (
            "raise UserError(say.WHICH)\nraise UserError(say.no_group(text=t))\n"
            'raise UserError(exc.message, fields={"x": "y"})\nraise UserError(" ".join(parts))\n'
            'Reply("t", {}, text=say.sent(n=2))\nForm(name="f", title=say.ADD)\n'
        ),
        # The messages themselves may write sentences (they are the one place).
        "partnership/messages/g.py": 'raise UserError("Fine here.")\n',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert list(inline_sentences(tmp_path)) == [
        "commands/a.py:1",
        "commands/framework/b.py:1",
        "partnership/c.py:1",
        "partnership/d.py:1",
        "bot/schedule/h.py:1",
        "bot/schedule/h.py:2",
        "bot/slack/e.py:1",
    ]
