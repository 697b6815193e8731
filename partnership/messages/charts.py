"""The words of the digest's pictures: chart labels and the alt text that says the figures.

Alt text is for a screen-reader user and for a person whose phone did not load
the picture: it says what the chart shows in one sentence, figures first
(:func:`measure_alt`, :func:`rag_alt`, :func:`returns_alt`). The chart labels
are short so they stay readable at the size Slack shows an image.
"""

from __future__ import annotations

# What the latest point's word says, by the measure's state (partnership.measures).
STATE_WORDS = {
    "on track": "ON TRACK",
    "slightly off": "SLIGHTLY OFF",
    "off track": "OFF TRACK",
    "no data": "NOT JUDGED",
}
# A RAG cell's word, by the rolled-up RAG; an empty cell had no snapshot then.
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "not rated": "Not rated"}
NO_SNAPSHOT = "–"
# A returns cell's word, by its state.
RETURN_WORDS = {
    "in": "In",
    "late": "In late",
    "missing": "Missing",
    "due": "Not due",
    "none": "–",
}
NOW_COLUMN = "Now"
BASELINE = "Baseline"
TARGET = "Target"
PATH = "Path to target"
RAG_TITLE = "Priorities' RAG at each meeting"
RETURNS_TITLE = "Quarterly returns by group"


def better_label(direction: str) -> str:
    """The chart's corner label: which way is better, with an arrow that shows it."""
    if direction == "lower":
        return "↓ lower is better"
    if direction == "higher":
        return "↑ higher is better"
    return "no direction set"


def target_label(target: str, by: str) -> str:
    """The target line's label: ``Target 32 by 31/03/2027``."""
    return f"{TARGET} {target}" + (f" by {by}" if by else "")


def baseline_label(baseline: str, period: str) -> str:
    """The baseline line's label: ``Baseline 40 (2025/26)``."""
    return f"{BASELINE} {baseline}" + (f" ({period})" if period else "")


def measure_alt(
    *,
    name: str,
    latest: list[tuple[str, str, str]],
    earlier: list[tuple[str, str]],
    baseline: str,
    target: str,
    target_date: str,
    direction: str,
    state: str,
    reason: str,
) -> str:
    """A measure chart in words, e.g. ``Crime per 1,000: 81 in Q2 2027/28, baseline 81.5, …``.

    ``latest`` holds (part, figure, period) for each line of the chart (the part
    empty for a measure of one line); ``earlier`` the earlier readings of a
    one-line measure as (figure, period), oldest first.
    """
    if len(latest) == 1:
        _, figure, period = latest[0]
        said = f"{figure} in {period}"
    else:
        said = ", ".join(
            f"{part or 'whole measure'} {figure} in {period}" for part, figure, period in latest
        )
    parts = [f"{name}: {said}"]
    if baseline:
        parts.append(f"baseline {baseline}")
    if target:
        parts.append(f"target {target}" + (f" by {target_date}" if target_date else ""))
    text = ", ".join(parts)
    if earlier:
        text += "; earlier " + ", ".join(f"{figure} in {period}" for figure, period in earlier)
    text += "; " + (f"{direction} is better" if direction else "no direction set")
    return text + f"; {state}" + (f": {reason}" if reason else "")


def rag_alt(*, columns: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """The RAG grid in words: each priority's RAG at each meeting, oldest first, then now.

    ``columns`` are the meetings' dates, the last one "now"; a priority with no
    snapshot at a meeting (added since) says nothing for it.
    """
    if not rows:
        return f"{RAG_TITLE}: there are no priorities in the plan yet."
    said = []
    for label, words in rows:
        at = [
            f"{word.lower()} " + ("now" if i == len(columns) - 1 else f"on {col}")
            for i, (col, word) in enumerate(zip(columns, words, strict=True))
            if word != NO_SNAPSHOT
        ]
        said.append(f"{label}: {', '.join(at)}")
    return f"{RAG_TITLE}. " + "; ".join(said) + "."


def rag_column(date: str) -> str:
    """A meeting column's heading: the meeting's date."""
    return date


def returns_alt(*, columns: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """The returns grid in words: for each quarter, which groups' returns were in."""
    if not rows:
        return f"{RETURNS_TITLE}: no sub-group owes quarterly returns."
    said = []
    for i, col in enumerate(columns):
        got = [
            label for label, words in rows if words[i] in (RETURN_WORDS["in"], RETURN_WORDS["late"])
        ]
        missing = [label for label, words in rows if words[i] == RETURN_WORDS["missing"]]
        owed = sum(1 for _, words in rows if words[i] != RETURN_WORDS["none"])
        line = f"{col}: {len(got)} of {owed} in"
        if missing:
            line += f", missing from {', '.join(missing)}"
        said.append(line)
    return f"{RETURNS_TITLE}. " + "; ".join(said) + "."


# The digest's charts, uploaded into its thread (bot/schedule/digest_charts.py).
def charts_comment(*, n: int, left_out: list[str] | None = None) -> str:
    """The line the digest's charts are shared with in its thread."""
    noun = "chart" if n == 1 else "charts"
    said = (
        f"{n} {noun} for this digest. Each picture's description says its figures in words;"
        " a long one is written out in full below."
    )
    if left_out:
        said += " " + charts_left_out(shown=None, left_out=left_out)
    return said


# How many left-out measures a sentence names before "and N more".
LEFT_OUT_NAMED = 12


def charts_left_out(*, shown: int | None, left_out: list[str]) -> str:
    """Which measures' charts a digest's thread leaves out, and where to see them."""
    named = ", ".join(left_out[:LEFT_OUT_NAMED])
    if len(left_out) > LEFT_OUT_NAMED:
        named += f" and {len(left_out) - LEFT_OUT_NAMED} more"
    n = len(left_out)
    which = "chart is" if n == 1 else "charts are"
    where = (
        f"The digest's Slack thread carries {shown} of these charts (the worst off first): "
        if shown is not None
        else ""
    )
    return (
        f"{where}{n} measure {which} not posted in Slack ({named}), which shows ten files at"
        " most; the board paper has every chart: `/csp digest paper` or"
        " `csp-bot digest --format pdf -o paper.pdf`."
    )


def charts_would_attach(*, n: int, titles: str) -> str:
    """What the printing sender says instead of drawing the charts."""
    noun = "chart" if n == 1 else "charts"
    return f"would attach {n} {noun} in the digest's thread: {titles}"


def chart_words(*, title: str, words: str) -> str:
    """A chart's figures written out in full, for a description Slack would cut short."""
    return f"{title}: {words}"
