"""Text people type is kept and shown literally: template syntax, mentions, NUL, placeholders."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.render.blocks import to_text
from commands.framework.dispatch import Outcome, dispatch_text
from tests import kit
from tests.db.fuzzkit import ANGLE, FuzzDB, ask, check_line, fuzz_db, mrkdwn_texts

__all__ = ["fuzz_db"]  # fixtures shared through the kit


INJECTIONS = [
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ config.items() }}",
    "{{ self.__init__.__globals__ }}",
    "{# hidden #}",
    "{{ 7*7 }}{% raw %}",
]


def _run_kept(db: FuzzDB, line: str, then: Callable[[Session], str]) -> tuple[Outcome, str]:
    """Run ``line`` as Cora, render it, then render ``then``'s line in the same transaction."""
    with db.factory() as session:
        ctx = ask(session, "riverside", "Cora Coordinator")
        outcome = dispatch_text(ctx, line)
        assert outcome.ok, kit.shown(outcome)
        session.flush()
        first = to_text(kit.rendered(outcome))
        follow = dispatch_text(ctx, then(session))
        assert follow.ok, kit.shown(follow)
        shown = first + "\n" + to_text(kit.rendered(follow))
        session.rollback()
    return outcome, shown


@pytest.mark.parametrize("typed", INJECTIONS)
def test_template_in_a_title_shows_literally(fuzz_db: FuzzDB, typed: str) -> None:
    """A title of ``{{ 7*7 }}`` is shown as typed when added and when shown, never as 49."""

    def newest(session: Session) -> str:
        from storage.models import Action

        action = session.scalars(select(Action).order_by(Action.id.desc())).first()
        assert action is not None and action.title == typed
        return f"action show {action.ref}"

    _, shown = _run_kept(fuzz_db, f'action add "{typed}" due:31/03/2027', newest)
    assert shown.count(typed) >= 2, shown
    if "7*7" in typed:
        assert "49" not in shown.replace(typed, ""), shown


@pytest.mark.parametrize("typed", INJECTIONS)
def test_template_in_a_note_shows_literally(fuzz_db: FuzzDB, typed: str) -> None:
    """A note of ``{{ 7*7 }}`` shows as typed in the action's history."""
    _, shown = _run_kept(fuzz_db, f"action update A-3 {typed}", lambda _s: "action show A-3")
    assert typed in shown, shown


@pytest.mark.parametrize(
    "line",
    [
        "action add <!channel> wake up due:31/03/2027",
        "action update A-3 <!here> <!everyone> <@UXXXX|x> <#C123|x> <https://evil.example|click>",
        "measure record M-1 37 <!channel> look",
    ],
)
def test_mentions_typed_in_text_are_kept_but_ping_nobody(fuzz_db: FuzzDB, line: str) -> None:
    """Typed mentions are saved as text and shown escaped: no ping, no link."""
    outcome = check_line(fuzz_db, "riverside", "Cora Coordinator", line)
    assert outcome.ok, kit.shown(outcome)
    mrkdwn = "\n".join(mrkdwn_texts(kit.rendered(outcome)))
    assert "&lt;!" in mrkdwn, mrkdwn  # shown, as text
    assert "<!" not in mrkdwn, mrkdwn
    assert "<!" in kit.shown(outcome)  # the console shows it as typed


# Free text holding a NUL character (U+0000), as a fuzzed or pasted line can.
NUL_LINES = [
    "action add Check\x00lighting due:31/03/2027",
    "action update A-3 venue \x00 booked",
    "measure record M-1 37 counted\x00twice",
    'person add "Nia\x00Null" role:member',
    'return submit group:"ASB Steering Group" rag:P1=green summary:"Good\x00quarter"',
]


@pytest.mark.parametrize("line", NUL_LINES, ids=lambda line: line.split("\x00")[0][:20])
def test_nul_in_free_text_is_handled(fuzz_db: FuzzDB, line: str) -> None:
    """A NUL in free text is dropped, so it is saved on both backends, never a database error."""
    outcome = check_line(fuzz_db, "riverside", "Cora Coordinator", line)
    assert outcome.ok, kit.shown(outcome)


def test_help_topic_placeholder_is_escaped(fuzz_db: FuzzDB) -> None:
    """``/csp help`` shows `<topic>` as text: no raw angle brackets in its mrkdwn."""
    with fuzz_db.factory() as session:
        ctx = ask(session, "riverside", "Cora Coordinator")
        outcome = dispatch_text(ctx, "help")
        texts = list(mrkdwn_texts(kit.rendered(outcome)))
        session.rollback()
    assert not any(ANGLE.search(t) for t in texts), [t for t in texts if ANGLE.search(t)]
