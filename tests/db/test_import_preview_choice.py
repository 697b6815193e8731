"""The Slack preview of a re-import shows the CLI's merge, and its buttons carry the choice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from partnership import import_preview
from partnership.context import UserError
from partnership.plan_import import read_upload
from storage.sync import apply_plan
from tests.kit import NOW, context, load_plans, run

HEADER = b"Ref,Action,Owner,Due date\n"
FIRST = HEADER + b"N-1,Open the hub,Lee Lead,30/06/2027\n"
CHANGED = HEADER + b"N-1,Open the hub,Lee Lead,31/12/2027\n"
BAD_ROW = b"N-3,Map the hotspots,Lee Lead,31/02/2027\n"
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside with N-1 imported from plan.csv, then moved by its lead in Slack."""
    load_plans(session)
    reply = import_preview.preview(context(session), "plan.csv", FIRST)
    import_preview.apply_pending(context(session), reply.data["token"], readable=False)
    outcome, text = run(
        context(session, person="Lee Lead", now=LATER), "action update N-1 due:30/09/2027"
    )
    assert outcome.ok, text
    session.commit()
    return session


def test_the_preview_lists_the_merge_as_the_cli_prints_it(plans: Session) -> None:
    reply = import_preview.preview(context(plans, now=LATER), "plan.csv", FIRST)
    savepoint = plans.begin_nested()
    incoming = read_upload("plan.csv", FIRST)
    cli = apply_plan(
        plans, incoming.plan, source_name="plan.csv", partnership=context(plans).partnership
    )
    savepoint.rollback()
    summary = cli.summary().splitlines()
    [line] = reply.data["kept"]["lines"]
    assert f"  {line}" in summary, summary
    assert "changed by Lee Lead on" in line and "the file still says 30/06/2027" in line
    assert reply.data["nothing"] and reply.data["buttons"] == [] and not reply.data["token"]


def test_readable_rows_with_a_conflict_offer_both_choices(plans: Session) -> None:
    reply = import_preview.preview(context(plans, now=LATER), "plan.csv", CHANGED + BAD_ROW)
    [conflict] = reply.data["conflicts"]["lines"]
    assert "file 31/12/2027, bot 30/09/2027 (changed by Lee Lead on" in conflict, conflict
    token = reply.data["token"]
    assert [(b["action_id"], b["value"]) for b in reply.data["buttons"]] == [
        ("import_readable", f"{token}:keep"),
        ("import_readable_file", f"{token}:file"),
        ("import_cancel", token),
    ]
    assert reply.data["buttons"][1]["text"] == "Import the readable rows, taking the file's values"
    plans.commit()
    with pytest.raises(UserError):  # all rows asked for, but one cannot be read
        import_preview.apply_pending(
            context(plans, now=LATER), token, readable=False, choice="file"
        )
    plans.rollback()
    done = import_preview.apply_pending(
        context(plans, now=LATER), token, readable=True, choice="file"
    )
    assert "took the file's value, as asked" in done.data["conflicts"]["lines"][0]
    plans.commit()
    n1 = run(context(plans, now=LATER), "action show N-1")[1]
    assert "31/12/2027" in n1, n1


def test_an_unknown_choice_is_refused(plans: Session) -> None:
    reply = import_preview.preview(context(plans, now=LATER), "plan.csv", CHANGED)
    plans.commit()
    with pytest.raises(UserError) as raised:
        import_preview.apply_pending(
            context(plans, now=LATER), reply.data["token"], readable=False, choice="both"
        )
    assert "does not match its preview" in raised.value.message


def test_a_buttons_value_reads_back_its_token_and_choice() -> None:
    assert import_preview.button_token("abc:file") == "abc"
    assert import_preview.button_choice("abc:file") == "file"
    assert import_preview.button_choice("abc") == "keep"  # a preview posted before the choice
