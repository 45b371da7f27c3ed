"""The core stays platform-neutral: nothing under bot/ imports a platform SDK."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SDKS = {"discord", "slack_bolt", "slack_sdk"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "bot").rglob("*.py")), ids=lambda p: p.name)
def test_the_core_imports_no_platform_sdk_and_no_adapter(path):
    imported = _imports(path)
    assert not imported & SDKS, f"{path} imports {imported & SDKS}"
    assert "adapters" not in imported, f"{path} imports the adapters"


def test_only_the_scheduler_imports_apscheduler():
    users = [p.name for p in (ROOT / "bot").rglob("*.py") if "apscheduler" in _imports(p)]
    assert users == ["scheduler.py"]


def test_the_idle_bot_does_not_load_what_only_a_pairing_round_or_a_calendar_needs():
    # numpy (and its BLAS thread), rustworkx and icalendar are ~16 MB of a ~85 MB idle process.
    probe = (
        "import sys, bot.runtime, bot.commands, adapters.console_adapter; "
        "print(sorted({'numpy', 'rustworkx', 'icalendar'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_the_store_commits_write_sessions_before_anything_else_runs():
    """SQLite runs on the event loop's thread (bot/store/db.py): `sessions.begin()` would
    commit in a task of its own, holding the write lock across a suspension."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"async with [\w.]*sessions\.begin\(\)", line)
    ]
    assert offenders == []
