"""`/csp return show` and the digest's reports name each period the way the group's cycle does.

Riverside (tests/fixtures/plans/riverside.yaml) with returnskit's groups: Leadership
Group meetings on 10/12/2026 and 11/03/2027. The ASB Steering Group (Gina) is put on
twice a year, the Night-time Economy Group (Lee) on "before each meeting".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.render.documents import render_document
from partnership import cycles
from tests import kit
from tests.db import digestkit
from tests.db.returnskit import ctx_at
from tests.db.test_cycles import setup, stored, typed
from tests.sweepkit import at

ASB = "ASB Steering Group"
NTE = "Night-time Economy Group"
SPRING = dt.date(2027, 3, 11)


def cycled(session: Session) -> None:
    """The two groups on their own cycles; each submits a report for its period."""
    setup(session)
    cora = ctx_at(session, "Cora Coordinator", at("2027-01-25 10:00"))
    assert typed(cora, f'group cycle "{ASB}" cycle:"twice a year: September, March"').ok
    assert typed(cora, f'group cycle "{NTE}" cycle:"before each meeting: 5 working days"').ok
    gina = ctx_at(session, "Gina Grouplead", at("2027-04-12 10:00"))
    done = typed(
        gina, 'return submit quarter:"H2 2026/27" summary:"Half-year of patrols" rag:P1=green'
    )
    assert done.ok, done.error
    lee = ctx_at(session, "Lee Lead", at("2027-03-02 10:00"))
    line = f'return submit group:"{NTE}" quarter:11/03/2027 summary:"Late-night buses" rag:P2=amber'
    done = typed(lee, line)
    assert done.ok, done.error
    assert stored(session, ASB) == [cycles.half(2026, 2)]
    assert stored(session, NTE) == [cycles.meeting(SPRING)]


def shown(session: Session, who: str, line: str, now: str = "2027-04-20 10:00") -> str:
    """What a typed line answers (its blocks validated); fails on a refusal."""
    outcome, text = kit.run(ctx_at(session, who, at(now)), line)
    assert outcome.ok, text
    return text


def test_a_twice_yearly_group_is_read_by_its_half(session: Session) -> None:
    cycled(session)
    text = shown(session, "Mo Member", f'return show group:"{ASB}"')
    assert f"{ASB}: H2 2026/27 report" in text and "Half-year of patrols" in text
    for named in ("H2 2026/27", "H2", "2026/27 H2", "2026-12"):
        text = shown(session, "Mo Member", f'return show group:"{ASB}" {named}')
        assert "Half-year of patrols" in text, named
    # The lead needs no group; a half not reported on says which command shows where it stands.
    assert "H2 2026/27 report" in shown(session, "Gina Grouplead", "return show")
    outcome, text = kit.run(
        ctx_at(session, "Gina Grouplead", at("2027-04-20 10:00")), "return show H1 2026/27"
    )
    assert not outcome.ok and "H1 2026/27" in text and "/csp return status H1 2026/27" in text
    # A quarter is no period of this group's cycle (nor of any in use for it): how to name one.
    outcome, text = kit.run(
        ctx_at(session, "Gina Grouplead", at("2027-04-20 10:00")), "return show H7"
    )
    assert not outcome.ok and "H1 2027/28" in text, text


def test_a_before_each_meeting_group_is_read_by_its_meeting(session: Session) -> None:
    cycled(session)
    text = shown(session, "Mo Member", f'return show group:"{NTE}"')
    assert f"{NTE}: the 11/03/2027 meeting report" in text and "Late-night buses" in text
    for named in ("11/03/2027", "the 11/03/2027 meeting"):
        assert "Late-night buses" in shown(
            session, "Mo Member", f'return show group:"{NTE}" {named}'
        )
    outcome, text = kit.run(
        ctx_at(session, "Mo Member", at("2027-04-20 10:00")),
        f'return show group:"{NTE}" 12/03/2027',
    )
    assert not outcome.ok and "11/03/2027" in text, text


def test_the_digest_names_each_groups_period_and_its_button_reads_it(session: Session) -> None:
    cycled(session)
    data = digestkit.digest(session, SPRING, now=at("2027-04-20 10:00"))
    rows = {r["group"]: r for r in data["shown"]["reports"]["rows"]}
    assert rows[ASB]["quarter"] == "H2 2026/27"
    assert rows[ASB]["show"] == f'/csp return show group:"{ASB}" H2 2026/27'
    assert rows[NTE]["quarter"] == "the 11/03/2027 meeting"
    assert rows[NTE]["show"] == f'/csp return show group:"{NTE}" the 11/03/2027 meeting'
    text = digestkit.text_of(digestkit.slack(data))
    assert f"*{ASB}* — H2 2026/27 report" in text
    assert f"*{NTE}* — the 11/03/2027 meeting report" in text
    assert "Q12" not in text and "Q10311" not in text
    paper = render_document(data, "md")
    assert "H2 2026/27" in paper and "the 11/03/2027 meeting" in paper
    # Each row's button runs a line that `/csp return show` reads back to the same report.
    for name, words in ((ASB, "Half-year of patrols"), (NTE, "Late-night buses")):
        line = rows[name]["button"].removeprefix("in:riverside ")
        assert words in shown(session, "Mo Member", line), line


def test_a_group_that_changed_cycle_still_reads_its_earlier_quarter(session: Session) -> None:
    setup(session)
    gina = ctx_at(session, "Gina Grouplead", at("2027-01-18 11:00"))
    assert typed(
        gina, 'return submit quarter:"Q3 2026/27" summary:"A quarter\'s patrols" rag:P1=amber'
    ).ok
    cora = ctx_at(session, "Cora Coordinator", at("2027-04-12 10:00"))
    assert typed(cora, f'group cycle "{ASB}" cycle:"twice a year: September, March"').ok
    text = shown(session, "Mo Member", f'return show group:"{ASB}" Q3 2026/27')
    assert "Q3 2026/27 report" in text and "A quarter's patrols" in text
    # A quarter it has no report for is refused in its own cycle's words.
    outcome, text = kit.run(
        ctx_at(session, "Mo Member", at("2027-04-20 10:00")),
        f'return show group:"{ASB}" Q2 2026/27',
    )
    assert not outcome.ok and "H1 2027/28" in text, text
