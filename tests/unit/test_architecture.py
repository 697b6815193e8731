"""The import rules of docs/architecture.md, read from the source with ``ast``.

Every import counts, a function's own included (a lazy import is still a
dependency). The rules, from the bottom up:

* ``storage`` imports nothing of ours above it;
* ``partnership`` (the domain) imports only ``storage`` and itself, and no
  Slack, Jinja2 or templates; ``partnership.messages`` (the sentences) imports
  nothing but the standard library and itself;
* ``commands`` imports only ``partnership``, ``storage`` and ``commands``, never
  ``bot`` or Slack; a sub-command module imports no other sub-command (only
  ``commands/__init__.py``, the list, names them all), and the framework none;
* ``bot.render`` imports nothing of the Slack edge, the scheduler or the CLI;
* ``bot.schedule`` imports no CLI and no sub-command module, and nothing of the
  Slack edge except in the clock, the process that wires Slack's clients in;
* no two of our modules import each other, however indirectly.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

OURS = ("bot", "commands", "partnership", "storage")
SLACK = ("slack_bolt", "slack_sdk")
# The one scheduler module that may use the Slack edge's clients (see the docstring).
SCHEDULE_USES_SLACK = {"bot.schedule.clock"}


def modules(root: Path) -> dict[str, Path]:
    """Every module of ours under ``root``, by dotted name."""
    found = {}
    for top in OURS:
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The modules ``name`` imports (``from pkg import mod`` names ``pkg.mod``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield full if full in known else base


def under(name: str, *packages: str) -> bool:
    """Whether ``name`` is one of ``packages`` or inside one."""
    return any(name == p or name.startswith(p + ".") for p in packages)


def is_sub_command(name: str) -> bool:
    """A /csp sub-command module: ``commands.<x>``, not the list nor the framework."""
    return under(name, "commands") and name != "commands" and not under(name, "commands.framework")


def graph(root: Path) -> dict[str, set[str]]:
    """Each of our modules and the modules it imports (ours and others')."""
    found = modules(root)
    known = set(found)
    return {name: set(imports(name, path, known)) - {name} for name, path in found.items()}


def broken_rules(edges: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a layer rule, as ``importer -> imported: rule``."""
    out = []
    for src, targets in sorted(edges.items()):
        for dst in sorted(targets):
            rule = None
            if under(src, "storage") and under(dst, "bot", "commands", "partnership"):
                rule = "storage imports nothing above it"
            elif (
                under(src, "partnership.messages")
                and not under(dst, "partnership.messages")
                and dst.partition(".")[0] not in sys.stdlib_module_names
            ):
                rule = "partnership.messages imports only the standard library"
            elif under(src, "partnership") and not (
                under(dst, "partnership", "storage") or not under(dst, *OURS)
            ):
                rule = "partnership imports only storage and itself"
            elif under(src, "partnership") and under(dst, *SLACK, "jinja2", "templates"):
                rule = "partnership knows no Slack and no templates"
            elif under(src, "commands") and under(dst, "bot", *SLACK):
                rule = "commands never imports bot or Slack"
            elif (
                src != "commands" and under(src, "commands") and is_sub_command(dst) and dst != src
            ):
                rule = "only commands/__init__.py names the sub-commands"
            elif under(src, "bot.render") and under(dst, "bot.slack", "bot.schedule", "bot.cli"):
                rule = "bot.render imports no edge, scheduler or CLI"
            elif under(src, "bot.schedule") and (under(dst, "bot.cli") or is_sub_command(dst)):
                rule = "bot.schedule imports no CLI and no sub-command"
            elif (
                under(src, "bot.schedule")
                and under(dst, "bot.slack")
                and src not in SCHEDULE_USES_SLACK
            ):
                rule = "bot.schedule imports no Slack edge (the clock aside)"
            if rule:
                out.append(f"{src} -> {dst}: {rule}")
    return out


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of our modules that import each other (Tarjan's strongly connected components)."""
    ours = {n: {d for d in ds if d in edges} for n, ds in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(ours[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(ours):
        if node not in index:
            visit(node)
    return found


def test_the_layers_import_only_downwards() -> None:
    assert broken_rules(graph(REPO)) == []


def test_no_module_imports_itself_through_others() -> None:
    assert circles(graph(REPO)) == []


def test_the_checks_catch_a_planted_violation(tmp_path: Path) -> None:
    # A tree that breaks each rule once, so a rule that silently passes is seen.
    files = {
        "storage/__init__.py": "",
        "storage/models.py": "from partnership import rollup\n",
        "partnership/__init__.py": "",
        "partnership/rollup.py": "import slack_sdk\nfrom bot.slack import app\n",
        "partnership/messages/__init__.py": "",
        "partnership/messages/words.py": (
            "import re\nfrom partnership.messages import x\nfrom storage import models\nimport jinja2\n"
        ),
        "commands/__init__.py": "from commands import a, b\n",
        "commands/a.py": "from commands.b import thing\n",
        "commands/b.py": "def f():\n    from bot.render import environment\n",
        "commands/framework/__init__.py": "",
        "bot/__init__.py": "",
        "bot/render/__init__.py": "",
        "bot/render/environment.py": "from bot.slack.app import x\n",
        "bot/slack/__init__.py": "",
        "bot/slack/app.py": "from bot.slack import views\n",
        "bot/slack/views.py": "from bot.slack.app import y\n",
        "bot/schedule/__init__.py": "",
        "bot/schedule/run.py": "from commands import a\nfrom bot.slack import views\n",
        "bot/schedule/clock.py": "from bot.slack import app\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    edges = graph(tmp_path)
    assert broken_rules(edges) == [
        "bot.render.environment -> bot.slack.app: bot.render imports no edge, scheduler or CLI",
        "bot.schedule.run -> bot.slack.views: bot.schedule imports no Slack edge (the clock aside)",
        "bot.schedule.run -> commands.a: bot.schedule imports no CLI and no sub-command",
        "commands.a -> commands.b: only commands/__init__.py names the sub-commands",
        "commands.b -> bot.render.environment: commands never imports bot or Slack",
        "partnership.messages.words -> jinja2: partnership.messages imports only the standard library",
        "partnership.messages.words -> storage.models: "
        "partnership.messages imports only the standard library",
        "partnership.rollup -> bot.slack.app: partnership imports only storage and itself",
        "partnership.rollup -> slack_sdk: partnership knows no Slack and no templates",
        "storage.models -> partnership.rollup: storage imports nothing above it",
    ]
    assert circles(edges) == [["bot.slack.app", "bot.slack.views"]]
