"""What the bot says about files: a spreadsheet or plan sent in from Slack, a file sent out."""

from __future__ import annotations

MAX_MB = 10

# ----------------------------------------------------------------------- import form

IMPORT_TITLE = "Import a plan"
IMPORT_LABEL = "Spreadsheet or plan file"
IMPORT_HINT = (
    "An action table (.xlsx or .csv) or a plan file (.yaml), up to 10 MB. Nothing is "
    "written until you have seen the preview and pressed Import."
)
IMPORT_STARTED = (
    ":hourglass_flowing_sand: Reading your file; the preview will appear here shortly. "
    "Nothing is written until you press Import."
)
IMPORT_IN_CONSOLE = (
    "In Slack, `/csp import` opens a form to attach the file. Here, use "
    "`csp-bot import FILE --dry-run` to see what it would do, then without `--dry-run`."
)
NO_FILE = "Choose one file: an action table (.xlsx or .csv) or a plan file (.yaml)."

# ----------------------------------------------------------------------- bad files

EMPTY = "{name} is empty; save the action table in it and send it again."
NOT_FOUND = (
    "Slack could not find that file for the bot (it may have been deleted, or be in "
    "another workspace). Upload it again with `/csp import`."
)
DOWNLOAD_FAILED = (
    "The bot could not download your file from Slack, so nothing was imported. "
    "Try `/csp import` again in a minute."
)
DOWNLOAD_SLOW = (
    "Slack took too long to hand the bot your file, so nothing was imported. "
    "Try `/csp import` again in a minute."
)


def too_big(*, name: str, size: int) -> str:
    """A file over the 10 MB cap."""
    return (
        f"{name} is {size / 1_000_000:.1f} MB; the bot imports files up to {MAX_MB} MB. "
        "Save only the action table (one sheet, no pictures) and send that."
    )


def wrong_kind(*, name: str) -> str:
    """A file of a kind the bot does not import."""
    return (
        f"{name}: the bot imports action tables (.xlsx or .csv) and plan files (.yaml). "
        "Save the spreadsheet as Excel Workbook (.xlsx) or CSV UTF-8 (.csv) and send that."
    )


def macro_workbook(*, name: str) -> str:
    """A macro-enabled workbook (.xlsm, or an .xlsx holding a VBA project)."""
    return (
        f"{name} is a macro-enabled workbook; the bot does not open those. In Excel, "
        "choose File > Save As > Excel Workbook (.xlsx) and send that copy."
    )


def not_a_workbook(*, name: str, looks_like: str) -> str:
    """A file named .xlsx that is something else (a web page, a CSV, a damaged file)."""
    return (
        f"{name} is not an Excel workbook ({looks_like}). Open it in Excel and save it "
        "as Excel Workbook (.xlsx) or CSV UTF-8 (.csv), then send it again."
    )


def zip_bomb(*, name: str, size: int) -> str:
    """A workbook that would unpack to far more than any action plan."""
    return (
        f"{name} would unpack to {size / 1_000_000:,.0f} MB, far more than any action "
        "plan; the bot will not open it. Save the action table alone as a new .xlsx."
    )


def one_column(*, name: str, label: str) -> str:
    """A table of one column: the wrong separator, or not the action table."""
    return (
        f'{name} has only one column ("{label}"). An action table needs the action and at '
        "least who leads it or when it is due. If the columns are there, the file was "
        "saved with a separator the bot does not read: save it as CSV UTF-8 or .xlsx."
    )


def plan_problems(*, name: str, problems: str) -> str:
    """A plan file (YAML) that does not validate."""
    return f"{name} is not a plan the bot can import:\n{problems}"


def no_rows(*, name: str) -> str:
    """A table with a header and no action rows at all."""
    return f"{name} has a header row but no action rows to import."


# ----------------------------------------------------------------------- preview and import

PREVIEW_GONE = (
    "That preview has expired or was already used, so nothing was imported. "
    "Send the file again with `/csp import` to see a fresh preview."
)
PLAN_CHANGED = (
    "The plan has changed since this preview (someone updated it meanwhile), so nothing "
    "was imported: the preview no longer says what would happen. Send the file again "
    "with `/csp import` to see a fresh preview."
)
CANCELLED = "Import cancelled; nothing was written."
ALL_ROWS_REFUSED = (
    "Some rows cannot be read, so Import would not import the whole file. Fix those rows "
    "and send the file again, or press *Import the readable rows*."
)


WORKSPACE_IN_PLAN = (
    "This plan file names the Slack workspace or the admitted workspaces of the "
    "partnership; only the bot's operator may change those (`csp-bot import` on the "
    "server). Remove the `team_id:` and `admitted:` lines under `slack:` and send it again."
)


def plan_of_another(*, name: str, plan: str, here: str) -> str:
    """A plan file of another partnership, sent from this one."""
    return (
        f"{name} is the plan of {plan}, not {here}; nothing was imported. Send it from "
        f"{plan}'s own channel, or send {here}'s plan."
    )


def preview_text(*, name: str) -> str:
    """The notification line of a preview."""
    return f"Preview of {name}: nothing is written until you press Import."


def imported_text(*, name: str) -> str:
    """The notification line once a file is imported."""
    return f"Imported {name}."


def import_label(*, readable: bool) -> str:
    """The Import button of a preview without conflicts."""
    return "Import the readable rows" if readable else "Import"


def import_keeping(*, readable: bool) -> str:
    """The Import button that keeps the bot's value in each conflict."""
    return f"{import_label(readable=readable)} (keep the bot's values)"


def import_taking_file(*, readable: bool) -> str:
    """The Import button that takes the file's value in each conflict (``--prefer-file``)."""
    return f"{import_label(readable=readable)}, taking the file's values"


BAD_CHOICE = (
    "That button does not match its preview, so nothing was imported. Send the file "
    "again with `/csp import` and press one of the preview's own buttons."
)


def other_partnership(*, name: str) -> str:
    """A preview pressed from another partnership."""
    return (
        f"That preview belongs to another partnership, not {name}; nothing was imported. "
        "Preview the file from your own partnership's channel."
    )


# ----------------------------------------------------------------------- files sent out

UPLOAD_FAILED = (
    "Slack would not take the file, so it was not sent. Try again in a minute; "
    "`csp-bot export` on the server writes the same file."
)
DM_FAILED = (
    "The bot could not open a direct message with you, so the file was not sent. "
    "Open the bot's Messages tab once, then try again."
)


ONLY_IN_SLACK = (
    "This sends a file to your direct messages in Slack, so it works only in Slack. "
    "Here, use `{instead}`."
)
NOT_IN_PLAN = (
    "The bot does not know you yet, so it has nowhere to send the file. Ask your "
    "coordinator to add you (`/csp person add`)."
)


def export_format(*, typed: str) -> str:
    """An export format that is neither csv nor xlsx."""
    return (
        f"`{typed}` is not a format the plan is exported in: use `/csp export xlsx` "
        "or `/csp export csv`."
    )


def paper_refused(*, partnership: str, coordinators: str) -> str:
    """Someone neither chair nor coordinator asking for the board paper."""
    who = f" ({coordinators})" if coordinators else ""
    return (
        f"Sorry, only the chairs and coordinators{who} of {partnership} can get the board "
        "paper before the meeting. `/csp priority status` shows where every priority stands now."
    )


def export_sent(*, what: str, names: str) -> str:
    """A file sent to the asker's direct messages."""
    return f"{what} sent to your direct messages: {names}."


def file_sent(*, what: str, names: str) -> str:
    """The fallback text of a file sent out."""
    return f"{what}: {names}"
