"""The digest's charts as files to share: which, their names, alt text within Slack's limit."""

from __future__ import annotations

from partnership.digest_uploads import ALT_CHARS, chart_files, cut


def test_no_charts_no_files() -> None:
    empty_grid = {"key": "rag-grid", "title": "RAG", "rows": [], "alt": "RAG."}
    assert chart_files({}) == []
    data = {"meeting": {"date": "10/12/2026"}, "charts": {"measures": [], "rag": empty_grid}}
    assert chart_files(data) == []


def test_measures_then_grids_with_rows_named_for_the_meeting() -> None:
    measure = {"key": "measure-7", "title": "M-7 ASB incidents", "alt": "M-7: 39 in Q2."}
    grid = {"key": "returns-grid", "title": "Returns", "rows": [{"label": "ASB"}], "alt": "x"}
    data = {"meeting": {"date": "10/12/2026"}, "charts": {"measures": [measure], "returns": grid}}
    files = chart_files(data)
    assert [(f["draw"], f["filename"]) for f in files] == [
        ("measure", "digest-10-12-2026-measure-7.png"),
        ("grid", "digest-10-12-2026-returns-grid.png"),
    ]
    assert files[0]["alt"] == "M-7: 39 in Q2." and files[0]["words"] == ""
    assert files[0]["spec"] is measure


def test_long_words_are_cut_at_a_word_and_kept_in_full() -> None:
    words = " ".join(f"P{n}: amber then red now;" for n in range(200))
    measure = {"key": "measure-1", "title": "M-1", "alt": words}
    [file] = chart_files({"meeting": {"date": "10/12/2026"}, "charts": {"measures": [measure]}})
    assert len(file["alt"]) <= ALT_CHARS and file["alt"].endswith("…")
    assert words.startswith(file["alt"][:-1]) and file["words"] == words
    assert cut("short words") == "short words"
    assert cut("a" * 2000) == "a" * (ALT_CHARS - 1) + "…"
