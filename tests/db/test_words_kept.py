"""What a person types is never dropped: every word is read as a key, kept, or refused.

The rule (README, "Typing"): every word after the ref that is not a
recognised ``key:value`` is the note, as typed and in order; the note's own
keys (``note:``, ``comment:``, ``progress:``, ``update:``) just say where it
is; a ``word:`` that is no key is refused with the keys there are (the line
given back as typed; tests/db/test_keys_refused.py), and quoting keeps it. A hypothesis
property checks it over generated notes full of colons, quotes and keys.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commands.framework.args import OPEN_QUOTES, parse
from commands.framework.dispatch import dispatch_text
from commands.framework.registry import registry
from partnership.context import Reply
from storage.models import Action, ActionUpdate, MeasureReading
from tests import kit
from tests.db.fuzzkit import FUZZ, FuzzDB, ask, fuzz_db, snapshot

__all__ = ["fuzz_db"]  # the module-scoped database fixture, shared with the fuzz


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    kit.load_plans(session)
    return session


def newest_note(session: Session, ref: str = "A-3") -> str | None:
    """The note of an action's newest history entry."""
    return session.scalars(
        select(ActionUpdate.note)
        .join(Action, Action.id == ActionUpdate.action_id)
        .where(Action.ref == ref)
        .order_by(ActionUpdate.id.desc())
    ).first()


def entries(session: Session) -> int:
    """How many history entries there are."""
    return session.scalar(select(func.count(ActionUpdate.id))) or 0


# ------------------------------------------------------------ the lines


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("note: follow-up planned", "follow-up planned"),
        ("comment: survey booked", "survey booked"),
        ("progress:survey booked", "survey booked"),
        ("update: lighting survey booked", "lighting survey booked"),
        ("Notes: two sessions held", "two sessions held"),
        ('note:"survey booked" for May', "survey booked for May"),
        ("survey booked note: for May", "survey booked for May"),
        ("rag:amber note: slipping due:31/05/2027", "slipping"),
        ('"venue: town hall", 10:30', "venue: town hall, 10:30"),
        ('note:"venue: town hall" at 10:30', "venue: town hall at 10:30"),
        ('ratio "x=3" of 4', "ratio x=3 of 4"),
        ("see https://example.org/a?b=c", "see https://example.org/a?b=c"),
        ('"rga: amber" was a typo', "rga: amber was a typo"),
        ('"version:2" of the map', "version:2 of the map"),
        ("mail mailto:a@example.org", "mail mailto:a@example.org"),
        ("line one\nline two", "line one\nline two"),
        ("can't reach O'Neill yet", "can't reach O'Neill yet"),
    ],
)
def test_every_word_of_the_note_is_kept(plans: Session, typed: str, note: str) -> None:
    """The issue's lines, and colons, `=`, links, quotes and line breaks in prose."""
    outcome, text = kit.run(kit.context(plans), f"action update A-3 {typed}")
    assert outcome.ok, text
    assert newest_note(plans) == note


def test_a_word_that_is_no_key_is_refused_with_the_keys_there_are(plans: Session) -> None:
    """`venue:` is refused, naming the keys there are; nothing is written."""
    before = entries(plans)
    outcome, text = kit.run(kit.context(plans), "action update A-3 venue: town hall, 10:30")
    assert not outcome.ok, text
    assert "`venue:` is not something `/csp action update` understands" in text
    assert "`rag:`, `status:`, `due:`, `owner:`, `sara:`, `note:`" in text
    assert entries(plans) == before
    outcome, text = kit.run(kit.context(plans), "action update A-3 plain words only")
    assert outcome.ok and "understands" not in text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("rga:amber venue booked", "Did you mean `rag:amber`? Its keys are `rag:`, `status:`"),
        ("rga:amber venue booked", "To keep `rga:` as words of the note, put them in quotes"),
        ("stauts:done", "Did you mean `status:done`?"),
        ("rag: note: x", "`rag:` has nothing after it"),
        ("venue booked rag:", "`rag:` has nothing after it"),
        ("rag:purple venue booked", "`purple` is not a RAG rating"),
    ],
)
def test_what_is_not_understood_is_refused_and_named(plans: Session, typed: str, says: str) -> None:
    """A near-miss key, or a key with no value: refused, saying which, and nothing written."""
    before = entries(plans)
    outcome, text = kit.run(kit.context(plans), f"action update A-3 {typed}")
    assert not outcome.ok and says in text, text
    assert entries(plans) == before


def test_done_and_measure_record_take_the_note_keys(plans: Session) -> None:
    """`action done` and `measure record` read `update:`/`comment:` as their note too."""
    outcome, text = kit.run(kit.context(plans), "action done A-3 update: all sessions delivered")
    assert outcome.ok, text
    assert newest_note(plans) == "all sessions delivered"
    line = 'measure record M-1 37 period:"Q1 2026/27" replace:yes comment: "counted twice, venue: hall"'
    outcome, text = kit.run(kit.context(plans), line)
    assert outcome.ok, text
    reading = plans.scalars(select(MeasureReading).order_by(MeasureReading.id.desc())).first()
    assert reading is not None and reading.note is not None
    # The replaced value lives in the reading's history now, not in its note.
    assert reading.note == "counted twice, venue: hall"


def test_a_title_keeps_its_colons(plans: Session) -> None:
    """`action add` keeps a quoted `word:` in the title (unquoted, it is refused)."""
    outcome, text = kit.run(
        kit.context(plans), 'action add "Meet at venue: town hall, 10:30" due:31/03/2027'
    )
    assert outcome.ok, text
    title = plans.scalars(select(Action.title).order_by(Action.id.desc())).first()
    assert title == "Meet at venue: town hall, 10:30"
    outcome, text = kit.run(kit.context(plans), "action add Meet at venue: town hall")
    assert not outcome.ok and "words of the title, put them in quotes" in text


def test_a_command_without_free_text_refuses_the_words_it_does_not_know(plans: Session) -> None:
    """`action show` takes only a ref: anything more is named in the refusal."""
    outcome, text = kit.run(kit.context(plans), "action show A-3 venue: hall")
    assert not outcome.ok and "`venue:` is not something `/csp action show`" in text
    outcome, text = kit.run(kit.context(plans), "action show A-3 town hall")
    assert not outcome.ok and "I didn't understand `town hall`" in text


def test_the_parser_keeps_pieces_in_order_with_their_spacing() -> None:
    """No database: the free text is the pieces as typed, in order, spacing kept."""
    cmd = registry()["action update"]
    args = parse(cmd, 'A-3 one  two rag:red three\nfour note:"five six" seven')
    assert args.values == {
        "ref": "A-3",
        "rag": "red",
        "note": "one  two three\nfour five six seven",
    }
    assert parse(registry()["measure record"], "M-1 a:b c").kept == ["a"]


# ------------------------------------------------------------ the property

KEY_SHAPE = re.compile(r"([A-Za-z][A-Za-z_\-]*)[:=]")
UPDATE = registry()["action update"]
# Words of prose, many with colons, `=`, apostrophes, brackets and markup.
PROSE = [
    "venue:",
    "town",
    "hall,",
    "10:30",
    "Re:",
    "NB:",
    "Q3:",
    "ratio=3",
    "x=y",
    "https://example.org/a?b=c",
    "can't",
    "O'Neill",
    "(see",
    "below)",
    "3:1",
    "a:b:c",
    "*bold*",
    "<@U0LEE>",
    "@Lee",
    "{{",
    "7*7",
    "}}",
    "—",
    "café",
    "venue:hall",
    "agenda:",
    "item:",
    "7",
    "A-3",
    "rag",
    "amber",
    "note",
]
NOTE_KEYS = ["note", "comment", "progress", "update", "Notes", "NOTE", "Comment"]
SETTINGS = ["rag:amber", "rag:green", "status:in_progress", "due:31/05/2027", "by:30/06/2027"]


def plain_word() -> st.SearchStrategy[str]:
    """A word that is free text: no space, no opening quote, no key of the command."""
    generated = st.text(
        alphabet=st.sampled_from("abcXYZ019:=.,;!?-_/'’()&%#@*"), min_size=1, max_size=10
    )

    def free(word: str) -> bool:
        m = KEY_SHAPE.match(word)
        return word[0] not in OPEN_QUOTES and not (m and UPDATE.key_for(m[1]) is not None)

    return st.one_of(st.sampled_from(PROSE), generated).filter(free)


def phrase() -> st.SearchStrategy[tuple[str, list[str]]]:
    """A quoted phrase, which may hold keys: (as typed, its words)."""
    inner = st.lists(
        st.one_of(plain_word(), st.sampled_from([*SETTINGS, "note:", "rga:amber"])),
        min_size=1,
        max_size=4,
    )
    quotes = st.sampled_from([('"', '"'), ("“", "”"), ("'", "'")])

    def build(words: list[str], q: tuple[str, str]) -> tuple[str, list[str]]:
        words = [w for w in words if not set(w) & set(OPEN_QUOTES)]
        words = words or ["quoted"]
        return q[0] + " ".join(words) + q[1], words

    return st.builds(build, inner, quotes)


def part() -> st.SearchStrategy[tuple[str, list[str]]]:
    """One piece of a line and the note words it should add (none for a setting)."""
    word = plain_word().map(lambda w: (w, [w]))
    nothing: list[str] = []
    setting = st.sampled_from(SETTINGS).map(lambda s: (s, nothing))
    bare_key = st.sampled_from(NOTE_KEYS).map(lambda k: (k + ":", nothing))
    glued = st.tuples(st.sampled_from(NOTE_KEYS), plain_word()).map(
        lambda kw: (f"{kw[0]}:{kw[1]}", [kw[1]])
    )
    quoted_key = st.tuples(st.sampled_from(NOTE_KEYS), phrase()).map(
        lambda kp: (f"{kp[0]}:{kp[1][0]}", kp[1][1])
    )
    near_miss = st.sampled_from(["rga:amber", "stauts:done", "duee:today"]).map(
        lambda s: (s, nothing)
    )
    return st.one_of(word, word, word, phrase(), setting, bare_key, glued, quoted_key, near_miss)


def check_kept(db: FuzzDB, parts: list[tuple[str, list[str]]]) -> None:
    """Run one generated line: refused with nothing written, or the note is every word."""
    line = "action update A-3 " + " ".join(typed for typed, _ in parts)
    expected = [w for _, words in parts for w in words]
    with db.factory() as session:
        ctx = ask(session, "riverside", "Cora Coordinator")
        before = entries(session)
        outcome = dispatch_text(ctx, line)
        if not outcome.ok:
            assert isinstance(outcome.result, Reply) and outcome.result.data["message"]
            session.rollback()
            assert snapshot(session) == db.baseline, f"{line!r}: refused, but wrote"
            return
        session.flush()
        written = entries(session) > before
        note = newest_note(session) if written else None
        session.rollback()
    if expected:
        assert note is not None, f"{line!r}: the note {expected} was not saved"
    got = (note or "").split()
    assert got == " ".join(expected).split(), f"{line!r}: stored {note!r}, typed {expected}"


def test_nothing_typed_is_lost(fuzz_db: FuzzDB) -> None:
    """After `action update <ref> <generated>`: refused (nothing written) or every word kept."""

    @settings(FUZZ, max_examples=150)
    @given(parts=st.lists(part(), min_size=1, max_size=10))
    def prop(parts: list[tuple[str, list[str]]]) -> None:
        check_kept(fuzz_db, parts)

    prop()
