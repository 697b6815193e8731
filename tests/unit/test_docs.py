"""The documentation keeps up with the code it describes."""

import re

import pytest
from pydantic import BaseModel

from storage import headers, planfile
from tests.conftest import REPO
from tests.process.test_readme import _slug

README = (REPO / "README.md").read_text(encoding="utf-8")
PLAN_FORMAT = (REPO / "docs" / "plan-format.md").read_text(encoding="utf-8")
IMPORT_GUIDE = (REPO / "docs" / "spreadsheet-import.md").read_text(encoding="utf-8")


def test_quickstart_has_exactly_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quickstart, re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("csp-bot demo")
    assert commands[1].endswith("pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert f'TEST_CMD="{commands[1]}"' in ci


@pytest.mark.parametrize(
    "model",
    [
        planfile.PartnershipIn,
        planfile.OrganisationIn,
        planfile.PersonIn,
        planfile.PriorityIn,
        planfile.GroupIn,
        planfile.ActionIn,
        planfile.MeasureIn,
        planfile.ReadingIn,
        planfile.MeetingIn,
    ],
    ids=lambda m: m.__name__,
)
def test_plan_format_documents_every_field(model: type[BaseModel]) -> None:
    # Documented as `key` in a table, or inside a `{key, key}` list.
    braces = " ".join(re.findall(r"`\{([^}`]*)\}`", PLAN_FORMAT))
    for name in model.model_fields:
        key = "slack.team_id" if name == "slack" else name
        assert f"`{key}`" in PLAN_FORMAT or re.search(rf"\b{key}\b", braces), key


def test_import_guide_lists_every_recognised_header() -> None:
    for names in headers.SYNONYMS.values():
        for header in names:
            assert header in IMPORT_GUIDE, header


def test_readme_lists_every_sub_command() -> None:
    """The README's /csp table names every registered sub-command."""
    from commands.framework.registry import registry

    readme = (REPO / "README.md").read_text()
    for name in registry():
        assert f"`/csp {name}" in readme, name


def test_manifest_declares_the_command_and_home_tab() -> None:
    import yaml

    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/csp" and command["should_escape"] is True
    assert command["url"].endswith("/slack/events")
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"commands", "chat:write"} <= set(manifest["oauth_config"]["scopes"]["bot"])


def test_procfile_runs_web_clock_and_release() -> None:
    lines = dict(
        line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if line
    )
    assert "csp-bot serve --port $PORT" in lines["web"]
    assert lines["clock"].strip() == "csp-bot clock"
    assert "csp-bot db upgrade" in lines["release"]


def test_manifest_can_read_history_to_find_messages_sent_before_a_crash() -> None:
    import yaml

    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    assert {"im:history", "channels:history", "groups:history"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )


def _readme_headings() -> set[str]:
    """The README's section titles (outside code blocks), as written."""
    outside = re.sub(r"```.*?```", "", README, flags=re.S)
    return {m[1].strip() for m in re.finditer(r"^#{1,4} (.+)$", outside, re.M)}


def test_every_readme_section_named_in_the_code_exists() -> None:
    """An error that says "see the README's 'X' section" must name a real section."""
    headings = _readme_headings()
    named: list[tuple[str, str]] = []
    for folder in ("bot", "commands", "partnership", "storage", "templates"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix not in (".py", ".j2"):
                continue
            # One line, escaped quotes as printed: a message may span source lines.
            raw = path.read_text(encoding="utf-8").replace("\\'", "'").replace('\\"', '"')
            text = re.sub(r"\"\s+\"", "", " ".join(raw.split()))
            for m in re.finditer(r"README(?:'s|\.md)?\W{0,3}([^\n]{0,80})", text):
                named.append((path.name, m[0]))
    comments = re.findall(r"^# ?(.*)$", (REPO / "manifest.yml").read_text(encoding="utf-8"), re.M)
    manifest = " ".join(" ".join(comments).split())
    named += [("manifest.yml", m[0]) for m in re.finditer(r"README's [^.]*section", manifest)]
    assert named, "the test should find the README mentions it checks"
    for where, mention in named:
        quoted = re.search(r"README's [\"'“‘]([^\"'”’]+)[\"'”’] section", mention)
        anchor = re.search(r"README\.md#([\w\-]+)", mention)
        assert quoted or anchor, f"{where}: a README mention names no section: {mention!r}"
        if quoted:
            assert quoted[1] in headings, f"{where}: no README section {quoted[1]!r}"
        if anchor:
            assert anchor[1] in {_slug(h) for h in headings}, f"{where}: no #{anchor[1]}"


def test_no_document_names_a_path_of_the_machine_it_was_written_on() -> None:
    """docs/ and the README say `python benchmarks/…`, never a venv of ours (the deploy
    guide's /home/csp is the service account's home, meant as written)."""
    machine = re.compile(r"(?<![\w.])/(?:tmp|root|work|Users)/[\w.-]+")
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        found = machine.findall(path.read_text(encoding="utf-8"))
        assert not found, (path.name, found[:3])
