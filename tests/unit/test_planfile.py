"""The YAML plan format: what it accepts and how it explains what it refuses."""

import datetime as dt
from pathlib import Path

import pytest

from storage.models import Rag, Status
from storage.planfile import PlanError, load_plan_file, load_plan_text

GOOD = """
partnership:
  name: Test CSP
  slug: test
  financial_year_start: 1 April
organisations:
  - {name: Stroud District Council, kind: responsible authority}
people:
  - {name: Ann Lead, organisation: Stroud District Council, role: coordinator, email: ann@example.org}
priorities:
  - code: P1
    title: Reduce ASB
    measures:
      - {name: ASB per 1000, baseline: "55.0", target: 37, direction: lower is better,
         readings: [{period: Q1 2023/24, value: "50"}]}
    actions:
      - {ref: A-1, title: Launch the pledge, due: Q3 2026/27, rag: Amber, status: In progress}
      - {ref: A-2, title: Keep going, due: Ongoing}
      - {ref: A-3, title: UK date, due: 03/04/2027}
groups:
  - {name: ASB Group, kind: task and finish, lead: Ann Lead, priorities: [P1], ends: 31 March 2027}
meetings:
  - {date: 12/06/2026, time: "10:00"}
  - {date: 2026-09-11, time: 2.30pm}
"""


def test_a_good_plan_loads_with_uk_dates_and_words() -> None:
    plan = load_plan_text(GOOD, "good.yaml")
    actions = plan.priorities[0].actions
    fy = plan.partnership.fy if plan.partnership else None
    assert fy is not None
    assert actions[0].rag is Rag.AMBER and actions[0].status is Status.IN_PROGRESS
    assert actions[0].due_parts(fy) == (dt.date(2026, 12, 31), None)
    assert actions[1].due_parts(fy) == (None, "Ongoing")
    assert actions[2].due_parts(fy) == (dt.date(2027, 4, 3), None)
    assert plan.groups[0].ends == dt.date(2027, 3, 31)
    assert plan.meetings[0].time == dt.time(10, 0)
    assert plan.meetings[1].time == dt.time(14, 30)
    assert plan.priorities[0].measures[0].baseline == 55.0
    assert plan.priorities[0].measures[0].readings[0].period == "Q1 2023/24"


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        load_plan_text(text, "bad.yaml")
    assert "nothing was imported" in str(info.value)
    return str(info.value).splitlines()[1:]


def test_errors_name_file_line_path_and_fix() -> None:
    bad = GOOD.replace("due: 03/04/2027", "due: 31/02/2027").replace("rag: Amber", "rag: purple")
    lines = _problems(bad)
    assert any(
        line.strip().startswith("bad.yaml:19: priorities[0].actions[2].due:")
        and "31/03/2027" in line
        for line in lines
    ), lines
    assert any(
        "priorities[0].actions[0].rag" in line and "amber, green, red" in line for line in lines
    )


def test_unknown_field_suggests_the_nearest() -> None:
    lines = _problems(GOOD.replace("{ref: A-2, title: Keep going", "{ref: A-2, titel: Keep going"))
    text = "\n".join(lines)
    assert "priorities[0].actions[1].titel: unknown field 'titel'; did you mean 'title'?" in text
    assert "priorities[0].actions[1].title: title is required here" in text


def test_cross_references_are_checked() -> None:
    bad = GOOD.replace("priorities: [P1]", "priorities: [P9]").replace("{ref: A-2,", "{ref: A-1,")
    text = "\n".join(_problems(bad))
    assert "groups[0].priorities[0]: no priority 'P9' in this plan; use one of: P1" in text
    assert (
        "priorities[0].actions[1].ref: ref 'A-1' is already used at priorities[0].actions[0].ref"
        in text
    )


def test_yaml_traps_are_not_sprung() -> None:
    # YAML 1.1 would read 10:00 as 600, "no" as False and 2027-03-31 as a date object.
    plan = load_plan_text(
        "partnership: {name: Norway}\nactions:\n  - {title: no, due: 2027-03-31, ref: '007'}\n",
        "t.yaml",
    )
    assert plan.actions[0].title == "no"
    assert plan.actions[0].ref == "007"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "a plan file is a mapping"),
        ("partnership: {name: X\n", "not valid YAML"),
        ("partnership: {name: X}\npartnership: {name: Y}\n", "this key appears twice"),
        ("partnership: {name: X, timezone: Mars/Olympus}\n", "not a time zone"),
        ("partnership: {name: X}\npeople: [{name: A, email: not-an-email}]\n", "an email address"),
        ("partnership: {name: X}\npeople: [{name: A, slack: bob}]\n", "Slack user id"),
        ("partnership: {name: X}\nmeetings: [{date: 12/06/2026, time: '25:00'}]\n", "time of day"),
        ("partnership: {name: X}\nmeasures: [{name: M, baseline: lots}]\n", "baseline_text"),
        ("partnership: {name: X}\nactions: [{title: ''}]\n", "must not be empty"),
        ("partnership: {name: X}\nactions: {title: A}\n", "should be a list"),
        (
            "partnership: {name: X}\nmeasures: [{name: M, readings: [{period: soon, value: 1}]}]\n",
            "a period is a quarter",
        ),
    ],
)
def test_bad_files_get_a_sentence_each(text: str, expected: str) -> None:
    with pytest.raises(PlanError) as info:
        load_plan_text(text, "x.yaml")
    assert expected in str(info.value)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("partnership: {name: Caf\xe9}\n".encode("latin-1"))
    with pytest.raises(PlanError, match="UTF-8"):
        load_plan_file(path)
