"""The deployment files parse and agree with each other, the code and the README.

What a test cannot run (systemd, Caddy, a buildpack) is checked for what it
would read: the unit files as systemd's INI dialect, every ``csp-bot`` command
line in them, in ``deploy/csp-bot-admin`` calls and in the ``Procfile`` parsed
by the real argument parser, the Caddyfile's proxy target against the web
unit's address, and the files a Python buildpack looks for.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import tomllib

import pytest

from bot.cli.parser import build_parser
from bot.settings import load_settings
from tests.conftest import REPO
from tests.process.test_readme import README, commands

DEPLOY = REPO / "deploy"
UNITS = ("csp-bot-web.service", "csp-bot-clock.service")
CHECKOUT = "/home/csp/csp-bot"
BINARY = f"{CHECKOUT}/.venv/bin/csp-bot"
DATA = "/var/lib/csp-bot"
ENV_FILE = "/etc/csp-bot.env"


def unit(name: str) -> configparser.ConfigParser:
    """A systemd unit file read as INI (keys keep their case; duplicate keys are an error)."""
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"), source=name)
    return parser


def csp_args(command_line: str) -> list[str]:
    """The arguments after the csp-bot binary in a command line."""
    words = shlex.split(command_line)
    return words[1:]


def parses(args: list[str]) -> None:
    """``args`` are a valid csp-bot command line (argparse exits on a bad one)."""
    build_parser().parse_args(args)


@pytest.mark.parametrize("name", UNITS)
def test_unit_files_parse_and_run_the_installed_bot(name: str) -> None:
    parsed = unit(name)
    assert set(parsed.sections()) == {"Unit", "Service", "Install"}
    service = parsed["Service"]
    assert service["User"] == "csp"
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["WorkingDirectory"] == DATA
    assert service["Restart"] == "always"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in parsed["Unit"]["After"]
    exec_start = service["ExecStart"]
    assert exec_start.startswith(BINARY + " ")
    args = csp_args(exec_start)
    parses(args)
    assert args[0] == ("serve" if "web" in name else "clock")


def test_the_web_unit_listens_where_caddy_forwards() -> None:
    args = build_parser().parse_args(csp_args(unit("csp-bot-web.service")["Service"]["ExecStart"]))
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    body = "\n".join(line for line in caddy.splitlines() if not line.lstrip().startswith("#"))
    assert body.count("{") == body.count("}") == 1
    [target] = re.findall(r"^\s*reverse_proxy\s+(\S+)\s*$", body, re.M)
    assert target == f"{args.host}:{args.port}"
    # Loopback only: nothing reaches the bot except through the proxy.
    assert args.host == "127.0.0.1"


def test_admin_wrapper_runs_as_the_services_do() -> None:
    script = DEPLOY / "csp-bot-admin"
    assert os.access(script, os.X_OK)
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True).returncode == 0
    text = script.read_text(encoding="utf-8")
    web = unit("csp-bot-web.service")["Service"]
    assert f"--uid={web['User']}" in text
    assert f"--working-directory={web['WorkingDirectory']}" in text
    assert f"--property=EnvironmentFile={web['EnvironmentFile']}" in text
    assert f'{BINARY} "$@"' in text


def test_every_csp_bot_command_the_server_guide_runs_parses() -> None:
    """`csp-bot-admin ARGS` and the units' commands are real csp-bot command lines."""
    admin = f"{CHECKOUT}/deploy/csp-bot-admin "
    calls = [c.text.split(admin, 1)[1] for c in commands() if admin in c.text]
    assert {"import plan.yaml", "plan list", "db upgrade"} <= set(calls)
    for call in calls:
        parses(shlex.split(call))


def test_env_example_names_only_real_settings_and_the_units_data_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = [
        line
        for line in (DEPLOY / "csp-bot.env.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    values = dict(line.split("=", 1) for line in lines)
    assert set(values) == {"DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
    for key in values:
        assert f"`{key}`" in README, key
    assert values["DATABASE_URL"] == f"sqlite:///{DATA}/csp-bot.db"
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.database_url.endswith(f"{DATA}/csp-bot.db")


def test_every_deploy_file_the_readme_names_exists() -> None:
    named = set(re.findall(r"deploy/([\w.-]+)", README))
    assert named, "the README names no deploy/ file"
    for name in named:
        assert (DEPLOY / name).is_file(), name
    for path in (DEPLOY).iterdir():
        assert f"deploy/{path.name}" in README, f"{path.name} is not in the README"


def test_procfile_lines_are_real_command_lines() -> None:
    for line in (REPO / "Procfile").read_text(encoding="utf-8").splitlines():
        kind, command = line.split(":", 1)
        words = shlex.split(command.replace("$PORT", "5000").replace("${WEB_CONCURRENCY:-2}", "2"))
        assert words[0] == "csp-bot", line
        parses(words[1:])
        assert kind in {"web", "clock", "release"}


def test_a_python_buildpack_can_detect_and_build_the_app() -> None:
    """requirements.txt (detection) installs this project; .python-version meets pyproject's."""
    requirements = [
        line.strip()
        for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert requirements == ["."]
    version = (REPO / ".python-version").read_text(encoding="utf-8").strip()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    minimum = pyproject["project"]["requires-python"].removeprefix(">=")
    as_tuple = tuple(int(x) for x in version.split("."))
    assert as_tuple >= tuple(int(x) for x in minimum.split("."))
    assert "`.python-version`" in README and "`requirements.txt`" in README


def test_readme_server_paths_match_the_units() -> None:
    """The guide installs where the units look: checkout, data directory, env file."""
    text = " ".join(c.text for c in commands())
    assert f'git clone "$REPO_URL" {CHECKOUT}' in text
    assert f"{CHECKOUT}/.venv/bin/pip install {CHECKOUT}" in text
    assert f"-m 700 {DATA}" in text
    assert "/etc/systemd/system/" in text and "systemctl daemon-reload" in text
    # The env file exists before the first import, which goes through it.
    order = [c.text for c in commands()]
    first_env = next(i for i, t in enumerate(order) if ENV_FILE in t)
    first_import = next(i for i, t in enumerate(order) if "csp-bot-admin import" in t)
    assert first_env < first_import
