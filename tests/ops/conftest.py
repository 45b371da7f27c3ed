"""Running `clubbot` the way an operator does: in-process for speed, or as a process where
what reaches the terminal is the point."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from adapters.cli.main import main; sys.exit(main())"


@dataclass(frozen=True, slots=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.strip().splitlines()


Clubbot = Callable[..., Ran]


@pytest.fixture
def clubbot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Clubbot:
    """`clubbot ARGS` in-process, in an empty folder, with no DATABASE_URL or LOG_LEVEL."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "LOG_LEVEL", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> Ran:
        code = main(list(args))
        captured = capsys.readouterr()
        return Ran(code=code, out=captured.out, err=captured.err)

    return run


def run_process(*args: str, cwd: Path, env: dict[str, str] | None = None, code: str = CLI) -> Ran:
    """`clubbot ARGS` as its own process, with `env` over a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LOG_"))}
    base = {k: v for k, v in base.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    base["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, **(env or {})},
        timeout=120,
    )
    return Ran(code=result.returncode, out=result.stdout, err=result.stderr)
