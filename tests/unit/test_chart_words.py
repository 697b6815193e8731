"""The alt text and labels of the digest's pictures (partnership/messages/charts.py)."""

from __future__ import annotations

from partnership.messages import charts as words


def test_a_measure_alt_says_the_figures_the_direction_and_the_state() -> None:
    text = words.measure_alt(
        name="Crime per 1,000",
        latest=[("", "81", "Q2 2027/28")],
        earlier=[("83", "Q1 2027/28")],
        baseline="81.5",
        target="55.2",
        target_date="31/03/2028",
        direction="lower",
        state="off track",
        reason="behind the path to target",
    )
    assert text == (
        "Crime per 1,000: 81 in Q2 2027/28, baseline 81.5, target 55.2 by 31/03/2028; "
        "earlier 83 in Q1 2027/28; lower is better; off track: behind the path to target"
    )


def test_a_measure_with_parts_names_each_part() -> None:
    text = words.measure_alt(
        name="Life expectancy",
        latest=[("male", "77.9", "2022"), ("female", "82.2", "2022")],
        earlier=[],
        baseline="",
        target="",
        target_date="",
        direction="",
        state="no data",
        reason="no baseline, target or direction to judge it by",
    )
    assert text.startswith("Life expectancy: male 77.9 in 2022, female 82.2 in 2022; ")
    assert "no direction set" in text and text.endswith("to judge it by")


def test_the_rag_alt_reads_each_priority_across_the_meetings() -> None:
    text = words.rag_alt(
        columns=["10/09/2026", "10/12/2026", "Now"],
        rows=[("P1", [words.NO_SNAPSHOT, "Amber", "Red"]), ("P2", ["Green", "Green", "Green"])],
    )
    assert "P1: amber on 10/12/2026, red now" in text
    assert "P2: green on 10/09/2026, green on 10/12/2026, green now" in text
    assert words.rag_alt(columns=["Now"], rows=[]).endswith("no priorities in the plan yet.")


def test_the_returns_alt_counts_each_quarter_and_names_the_missing() -> None:
    text = words.returns_alt(
        columns=["Q1 2026/27", "Q2 2026/27"],
        rows=[("ASB group", ["In", "Missing"]), ("DA group", ["In late", "Not due"])],
    )
    assert "Q1 2026/27: 2 of 2 in" in text
    assert "Q2 2026/27: 0 of 2 in, missing from ASB group" in text


def test_the_labels_say_which_way_is_better() -> None:
    assert words.better_label("lower") == "↓ lower is better"
    assert words.better_label("higher") == "↑ higher is better"
    assert words.target_label("32", "31/03/2027") == "Target 32 by 31/03/2027"
    assert words.baseline_label("40", "") == "Baseline 40"
