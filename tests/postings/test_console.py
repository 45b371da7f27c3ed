"""The console replays list snapshots (`:postings FILE`): a posting is announced the day it
appears in the list, to the club and to the member who follows its company; with the web
side served too (`--web`), the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.console import free_port

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from adapters.cli.main import main; sys.exit(main())"]


@pytest.mark.parametrize("web", [False, True], ids=["console", "console-with-web"])
def test_the_example_replays_two_days_of_the_list(tmp_path, web):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "LOG_LEVEL", "CLUBBOT_POSTINGS_SOURCES")
    }
    script = (ROOT / "examples" / "postings.txt").read_text()
    done = subprocess.run(
        [
            *CLI,
            "console",
            *(["--web", f"127.0.0.1:{free_port()}"] if web else []),
            "--db",
            str(tmp_path / "c.db"),
            "--now",
            "2026-08-02T09:00-04:00",
        ],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    digests = [i for i, line in enumerate(lines) if line.endswith("** New internship postings **")]
    assert len(digests) == 2, "one digest per day with news, none for the 304s between"
    second_day = "\n".join(lines[digests[1] : digests[1] + 4])
    assert "Amazon:" in second_day
    assert "Software Development Engineer Intern" in second_day
    assert "posted today" in second_day
    assert "[dm @sam] ** New posting from a company you follow **" in done.stdout
    assert done.stdout.count("amazon.jobs/en/jobs/0000000") == 4  # post, DM, recent, search
    assert "posted 1d ago · closed" in done.stdout
