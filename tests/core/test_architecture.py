"""The architecture holds: the import contracts (import-linter, configured in pyproject.toml)
keep the layers and the features apart and the platform SDKs out of bot/; a few rules no
import graph can see are checked here too."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_idle_bot_does_not_load_what_only_a_pairing_round_or_a_calendar_needs():
    # numpy (and its BLAS thread) and rustworkx are most of ~16 MB of a ~85 MB idle process
    # (icalendar is the tests' oracle only now: bot/windows/ics.py writes the feeds).
    probe = (
        "import sys, bot.runtime, adapters.console, adapters.cli.main; "
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


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages and their contracts, copied so a test may break an import."""
    root = tmp_path_factory.mktemp("tree")
    for name in ("bot", "adapters"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root)
    return root


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        ("bot/store/clubs.py", "import bot.windows", "bot.store.clubs -> bot.windows"),
        ("bot/windows/posts.py", "import bot.pairing", "bot.windows.posts -> bot.pairing"),
        (
            "bot/pairing/rounds.py",
            "import bot.problems.bank",
            "bot.pairing.rounds -> bot.problems.bank",
        ),
        ("bot/problems/posts.py", "import bot.runtime", "bot.problems.posts -> bot.runtime"),
        ("bot/model.py", "import discord", "bot.model -> discord"),
        (
            "adapters/slack/app.py",
            "import adapters.discord.render",
            "adapters.slack.app -> adapters.discord.render",
        ),
        ("adapters/console/render.py", "import slack_sdk", "adapters.console.render -> slack_sdk"),
        (
            "adapters/discord/render.py",
            "import slack_bolt",
            "adapters.discord.render -> slack_bolt",
        ),
        (
            "adapters/slack/render.py",
            "import adapters.cli.main",
            "adapters.slack.render -> adapters.cli",
        ),
    ],
    ids=[
        "core->feature",
        "feature->feature",
        "past-__init__",
        "feature->root",
        "sdk",
        "platform->platform",
        "console->sdk",
        "discord->slack-sdk",
        "platform->cli",
    ],
)
def test_a_wrong_import_breaks_a_contract(tree_copy, module, wrong_import, broken):
    path = tree_copy / module
    original = path.read_text(encoding="utf-8")
    path.write_text(f"{original}\n{wrong_import}  # noqa\n", encoding="utf-8")
    try:
        result = _lint_imports(tree_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert broken in result.stdout
