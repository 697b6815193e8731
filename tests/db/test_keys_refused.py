"""SARA stages work, and a `key:` the bot does not know is refused, never saved as note text.

The rule (README, "Typing"): an unquoted word of letters followed by `:` or
`=` reads as a key; one the command has no key for is refused with the keys
it has and the line given back as typed. Links and times are no keys; quoting
keeps a colon in the note. ``measure record`` still reads its parts
(``male:78.1``) and refuses only what it did not read.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.render.documents import render_document
from bot.render.environment import render_blocks
from commands.framework.core import Form
from commands.framework.dispatch import MAX_COMMAND, dispatch_args
from commands.framework.registry import Args
from storage.models import Action, ActionUpdate, MeasureReading, Sara
from tests import kit
from tests.db.digestkit import digest, slack

UNKNOWN = "is not something `/csp action update` understands, so nothing was saved"


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    kit.load_plans(session)
    return session


def action(session: Session, ref: str) -> Action:
    pid = kit.partnership(session).id
    return session.scalars(
        select(Action).where(Action.partnership_id == pid, Action.ref == ref)
    ).one()


def entries(session: Session) -> int:
    return session.scalar(select(func.count(ActionUpdate.id))) or 0


def newest(session: Session, ref: str) -> ActionUpdate:
    """The action's latest history entry (by id: a table has no order of its own)."""
    found = session.scalars(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action(session, ref).id)
        .order_by(ActionUpdate.id)
    ).all()
    return found[-1]


# ------------------------------------------------------------ SARA


def test_sara_analysis_sets_the_stage_in_the_history(plans: Session) -> None:
    outcome, text = kit.run(kit.context(plans), "action update A-5 sara:analysis")
    assert outcome.ok, text
    assert action(plans, "A-5").sara_stage == Sara.ANALYSIS
    entry = newest(plans, "A-5")
    assert entry.changes["sara_stage"] == [None, "analysis"] and entry.note is None
    assert "SARA stage: none → analysis" in text
    outcome, text = kit.run(kit.context(plans), "action update A-5 stage:assess moved on")
    assert outcome.ok and action(plans, "A-5").sara_stage == Sara.ASSESSMENT, text
    assert newest(plans, "A-5").note == "moved on"
    outcome, text = kit.run(kit.context(plans), "action update A-5 sara:none")
    assert outcome.ok and action(plans, "A-5").sara_stage is None, text


def test_a_word_that_is_no_stage_is_refused(plans: Session) -> None:
    before = entries(plans)
    outcome, text = kit.run(kit.context(plans), "action update A-5 sara:thinking")
    assert not outcome.ok and "`thinking` is not a SARA stage" in text
    assert entries(plans) == before


def test_action_add_takes_a_stage(plans: Session) -> None:
    outcome, text = kit.run(kit.context(plans), "action add Map hotspots sara:scanning")
    assert outcome.ok, text
    added = plans.scalars(select(Action).order_by(Action.id.desc())).first()
    assert added is not None and added.sara_stage == Sara.SCANNING
    assert newest(plans, added.ref).changes["sara_stage"] == [None, "scanning"]


def test_the_update_form_offers_the_stages(plans: Session) -> None:
    ctx = kit.context(plans)
    form = kit.run(ctx, "action update A-5")[0].result
    assert isinstance(form, Form) and form.values["sara"] == "none"
    assert [v for _, v in form.options["sara"]] == [s.value for s in Sara] + ["none"]
    blocks = kit.valid_blocks(
        render_blocks("form_action_update", {"form": form, "values": form.values}), 100
    )
    assert any(b.get("block_id") == "sara" for b in blocks)
    values = {"ref": "A-5", "version": form.meta["version"], "sara": "response", "note": ""}
    outcome = dispatch_args(ctx, "action update", Args(values))
    assert outcome.ok, outcome.error
    plans.commit()
    assert action(plans, "A-5").sara_stage == Sara.RESPONSE
    forged = dispatch_args(ctx, "action update", Args({"ref": "A-5", "sara": "<!channel>"}))
    assert not forged.ok and forged.error is not None and "sara" in forged.error.fields


def test_priority_status_and_the_digest_count_problem_solving_by_stage(plans: Session) -> None:
    for ref, stage in (("A-1", "scanning"), ("A-2", "analysis"), ("A-5", "analysis")):
        assert kit.run(kit.context(plans), f"action update {ref} sara:{stage}")[0].ok
    assert kit.run(kit.context(plans), "action update A-3 sara:assessment status:complete")[0].ok
    outcome, text = kit.run(kit.context(plans), "priority status")
    assert outcome.ok, text
    whole = "Problem-solving (SARA), open: 1 scanning · 2 analysis · 0 response · 0 assessment"
    assert f"{whole}; 1 complete" in text
    assert "open: 0 scanning · 0 analysis · 0 response · 0 assessment; 1 complete" in text  # P2
    data = digest(plans)
    assert data["sara"]["open"] == 3 and data["sara"]["complete"] == 1
    assert whole in json.dumps(slack(data), ensure_ascii=False)
    assert "Problem-solving actions (SARA), open: 1 scanning, 2 analysis" in render_document(
        data, "md"
    )


# ------------------------------------------------------------ unknown keys


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("sarah:analysis", "Did you mean `sara:analysis`?"),
        ("venue: town hall, 10:30", "`venue:` " + UNKNOWN),
        ("rga:amber venue booked", "Did you mean `rag:amber`?"),
        ("agenda:item two", "Its keys are `rag:`, `status:`, `due:`, `owner:`, `sara:`, `note:`"),
        ("NB: see below", '`"NB: …"`'),
        ("ratio x=3", "`x:` " + UNKNOWN),
    ],
)
def test_an_unknown_key_is_refused_and_the_line_given_back(
    plans: Session, typed: str, says: str
) -> None:
    before = entries(plans)
    line = f"action update A-3 long note worth keeping {typed}"
    outcome, text = kit.run(kit.context(plans), line)
    assert not outcome.ok and says in text, text
    assert entries(plans) == before
    assert "What you typed, to copy and change:" in text and f"```/csp {line}```" in text


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("see https://example.org/a?b=c at 10:30", "see https://example.org/a?b=c at 10:30"),
        ("mail mailto:x@example.org, Q3: fine, 3:1", "mail mailto:x@example.org, Q3: fine, 3:1"),
        ('"venue: confirmed"', "venue: confirmed"),
        ('note:"venue: confirmed, agenda: two items"', "venue: confirmed, agenda: two items"),
    ],
)
def test_links_times_and_quoted_colons_stay_in_the_note(
    plans: Session, typed: str, note: str
) -> None:
    outcome, text = kit.run(kit.context(plans), f"action update A-3 {typed}")
    assert outcome.ok, text
    assert newest(plans, "A-3").note == note


def test_a_refused_line_as_long_as_slack_allows_is_given_back_whole(plans: Session) -> None:
    head = "action update A-3 venue: hall "
    line = head + "x" * (MAX_COMMAND - len(head) - 10)
    outcome, _ = kit.run(kit.context(plans), line)
    assert not outcome.ok
    blocks = kit.rendered(outcome)  # valid, every section under 3,000 characters
    given = "".join(b["text"]["text"].strip("`") for b in blocks if b["type"] == "section")
    assert f"/csp {line}" in given


def test_measure_parts_still_read_and_other_keys_are_refused(plans: Session) -> None:
    ctx = kit.context(plans)
    outcome, text = kit.run(ctx, 'measure record M-1 36 period:"Q2 2026/27" venue:hall')
    assert not outcome.ok and "`venue:` is not something `/csp measure record`" in text, text
    assert plans.scalar(select(func.count()).select_from(MeasureReading)) == 1  # the plan's own
    outcome, text = kit.run(ctx, 'measure record M-1 36 period:"Q2 2026/27" "venue: hall"')
    assert outcome.ok, text
