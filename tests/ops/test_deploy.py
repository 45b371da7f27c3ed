"""docs/deploy.md's steps, run as far as this machine allows, and the unit it ships.

A scratch folder stands in for /srv/clubbot (and for /etc/systemd/system); `sudo -u USER`
runs the command as ourselves, and `systemctl`, `git` and `pip` are stand-ins that record
what they were asked. Everything `clubbot` does is real.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.store import schema
from tests.ops.conftest import ROOT

DOC = ROOT / "docs" / "deploy.md"
UNIT = ROOT / "deploy" / "clubbot.service"
STAND_INS = {
    "sudo": 'if [ "$1" = "-u" ]; then shift 2; fi\nexec "$@"\n',
    "systemctl": 'echo "systemctl $*" >> "$CALLS"\n',
    "git": 'echo "git $*" >> "$CALLS"\n',
}


def guide_blocks() -> dict[str, str]:
    """The shell blocks of docs/deploy.md marked `<!-- tested: NAME -->`."""
    found = re.findall(r"<!-- tested: ([\w-]+) -->\n```sh\n(.*?)```", DOC.read_text(), re.S)
    return dict(found)


def _script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@dataclass(frozen=True)
class Host:
    srv: Path  # stands in for /srv/clubbot
    etc: Path  # stands in for /etc/systemd/system
    bin: Path
    calls: Path

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        text = guide_blocks()[name]
        text = text.replace("/srv/clubbot", str(self.srv))
        text = text.replace("/etc/systemd/system", str(self.etc))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "LOG_"))}
        env.update(PATH=f"{self.bin}:{env['PATH']}", CALLS=str(self.calls), PYTHONPATH=str(ROOT))
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", text],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    def revision(self, database: str = "clubbot.db") -> str:
        with closing(sqlite3.connect(self.srv / database)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            return str(row[0])

    def backups(self) -> list[str]:
        return sorted(p.name for p in self.srv.glob("clubbot.db.*.bak"))


@pytest.fixture
def host(tmp_path: Path) -> Host:
    srv, etc, stand_ins = tmp_path / "srv", tmp_path / "etc", tmp_path / "bin"
    for folder in (srv / ".venv" / "bin", etc, stand_ins):
        folder.mkdir(parents=True)
    shutil.copytree(ROOT / "deploy", srv / "deploy")
    cli = "import sys; from adapters.cli.main import main; sys.exit(main())"
    _script(srv / ".venv" / "bin" / "clubbot", f'exec {sys.executable} -c "{cli}" "$@"\n')
    _script(srv / ".venv" / "bin" / "pip", 'echo "pip $*" >> "$CALLS"\n')
    for name, body in STAND_INS.items():
        _script(stand_ins / name, body)
    return Host(srv=srv, etc=etc, bin=stand_ins, calls=tmp_path / "calls.txt")


def _ok(ran: subprocess.CompletedProcess[str]) -> str:
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout


@pytest.mark.timeout(600)  # eight clubbot processes, one after another
def test_the_deploy_guide_installs_upgrades_and_rolls_back(host: Host) -> None:
    assert set(guide_blocks()) == {
        "configure",
        "first-start",
        "service",
        "backup",
        "upgrade",
        "rollback",
        "restore",
    }
    _ok(host.run("configure"))
    assert (host.srv / ".env").stat().st_mode & 0o777 == 0o600
    first = _ok(host.run("first-start"))
    assert first.splitlines()[-1] == f"{host.srv}/clubbot.db is up to date ({schema.head()})."
    _ok(host.run("service"))
    assert (host.etc / "clubbot.service").read_text() == UNIT.read_text()
    _ok(host.run("backup"))
    (copy,) = (host.srv / "backups").iterdir()
    assert copy.name.startswith("clubbot-")
    assert copy.stat().st_size > 0

    # The installed code is newer than the database: the guide's upgrade applies it.
    host.calls.write_text("")
    subprocess.run([host.srv / ".venv/bin/clubbot", "db", "downgrade", "0005"], cwd=host.srv)
    upgraded = _ok(host.run("upgrade"))
    assert "pending: 0006 A club's configuration version" in upgraded
    assert f"applied {schema.migrations()[-1]}" in upgraded
    assert host.revision() == schema.head()
    assert any(name.startswith("clubbot.db.0005-") for name in host.backups())
    assert host.calls.read_text().splitlines() == [
        "git pull",
        "pip install .",
        "systemctl stop clubbot",
        "systemctl restart clubbot",
    ]

    rolled_back = _ok(host.run("rollback"))
    assert "reverted 0006 A club's configuration version" in rolled_back
    assert host.revision() == "0005"

    newest = max(host.srv.glob("clubbot.db.*.bak"), key=lambda p: p.stat().st_mtime)
    _ok(host.run("restore"))
    assert host.revision() == host.revision(newest.name) == schema.head()


def test_the_unit_restarts_on_failure_with_the_environment_file() -> None:
    unit = configparser.ConfigParser(interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(UNIT.read_text())
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/srv/clubbot/.env"
    assert service["ExecStart"] == "/srv/clubbot/.venv/bin/clubbot discord"
    assert service["User"] == "clubbot"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(host: Host, tmp_path: Path) -> None:
    # verify checks that ExecStart exists, so the unit points at the stand-in install.
    unit = tmp_path / "clubbot.service"
    unit.write_text(UNIT.read_text().replace("/srv/clubbot", str(host.srv)))
    ran = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert (ran.returncode, ran.stderr) == (0, "")
