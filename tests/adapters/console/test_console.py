"""The console adapter is the newcomer's first contact and the demo: drive it as they would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli.main import main
from adapters.command_text import parse_command
from adapters.console import render
from bot.errors import UserError
from bot.model import Field, Message

NAMES = ("help", "admin setup", "admin officers add", "admin status")
CLI = [sys.executable, "-c", "import sys; from adapters.cli.main import main; sys.exit(main())"]


def _clubbot(*args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOG_LEVEL")}
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_a_command_line_splits_into_the_longest_known_name_and_its_options():
    line = '/admin setup timezone:"America/New_York" alerts:#officers'
    assert parse_command(line, NAMES) == (
        "admin setup",
        {"timezone": "America/New_York", "alerts": "#officers"},
    )
    assert parse_command("/admin status", NAMES) == ("admin status", {})


def test_an_unknown_command_keeps_its_words_so_the_core_can_say_it_is_unknown():
    assert parse_command("/deadlinez soon", NAMES) == ("deadlinez soon", {})


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('/admin setup timezone:"America/New_York', "Close every quote"),
        ("/admin setup America/New_York", "Write options as name:value"),
    ],
)
def test_a_malformed_line_gets_a_clear_error(line, complaint):
    with pytest.raises(UserError, match=complaint):
        parse_command(line, NAMES)


def test_a_message_renders_as_plain_text_lines():
    message = Message(title="Status", text="All good.", fields=(Field(name="Next", value="a\nb"),))
    assert render(message) == ["** Status **", "All good.", "Next:", "  a", "  b"]


def test_the_demo_runs_a_week_of_problems_restarts_without_repeats_and_reports_a_403(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("[post #daily-problem] ** Daily problem ·") == 7
    assert out.count("[post #officers] ** Weekly officer digest · console-club **") == 1
    assert "Weekly officer digest: already claimed by the run before the restart" in out
    assert "Only club officers can run /admin setup." in out
    assert "[reply] You already solved" in out
    assert "hasn't been posted in this club yet" in out
    assert "[post #officers] ** A channel refuses my posts **" in out
    assert "#daily-problem refuses my posts (403 Missing Access)" in out
    assert "[dm @sam] ** 3 days left: Fall career fair RSVP **" in out
    assert "[post #deadlines] ** Internship windows · week of 23 Nov **" in out
    assert "[post #mock-interviews]   • kim + lee + sam (coding)" in out
    assert "[dm @lee]   • Wed 25 Nov 04:30 IST" in out
    assert "[error]" not in out
    assert "Traceback" not in out


def test_the_console_reads_a_script_from_stdin_and_keeps_the_club_in_its_file(tmp_path):
    db = tmp_path / "club.db"
    script = ":as alex officer\n/admin setup timezone:Asia/Kolkata alerts:#officers\n:advance 8d\n"
    first = _clubbot(
        "console", "--db", str(db), "--now", "2026-11-16T10:00+05:30", stdin=script, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "[post #officers] ** Weekly officer digest · console-club **" in first.stdout
    assert "[console] now: Tue 24 Nov 2026, 10:00 IST" in first.stdout
    again = _clubbot(
        "console",
        "--db",
        str(db),
        "--now",
        "2026-11-24T11:00+05:30",
        stdin=":as alex officer\n/admin status\n",
        cwd=tmp_path,
    )
    assert "  Time zone: Asia/Kolkata" in again.stdout
    assert "Weekly officer digest, Mon 23 Nov 09:00: posted" in again.stdout


def test_a_session_on_a_kept_club_posts_the_problem_its_first_command_moved_into_the_past(
    tmp_path,
):
    """The problem at 09:00; a session opened at 08:30 on the club's file moves it to 08:00
    first thing: the day's problem goes out then, not the next day."""
    db, officer = tmp_path / "club.db", ":as alex officer\n"
    setup = officer + "/admin setup timezone:America/New_York problems:#daily-problem\n"
    _clubbot(
        "console", "--db", str(db), "--now", "2026-08-02T10:00-04:00", stdin=setup, cwd=tmp_path
    )
    moved = _clubbot(
        "console",
        "--db",
        str(db),
        "--now",
        "2026-08-03T08:30-04:00",
        stdin=officer + "/admin problem settings time:8am\n",
        cwd=tmp_path,
    )
    assert moved.returncode == 0, moved.stderr
    assert "[post #daily-problem] ** Daily problem · Mon 03 Aug: " in moved.stdout
    assert "[reply] Mon 03 Aug's problem went out now: its new time had passed." in moved.stdout


def test_the_console_explains_a_line_it_cannot_run_and_goes_on(tmp_path):
    result = _clubbot(
        "console", "--db", str(tmp_path / "c.db"), stdin="hello\n:fly\n/help\n", cwd=tmp_path
    )
    assert result.returncode == 0
    assert "[error] Start a command with / (try /help)" in result.stdout
    assert "[error] Unknown console action :fly. Try :help." in result.stdout
    assert "`/help` — What you can run here" in result.stdout


def test_the_console_never_loads_a_platform_sdk(tmp_path):
    probe = (
        "import sys; from adapters.cli.main import main; main(['demo']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('discord', 'slack_bolt', 'slack_sdk')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_calendar_command_writes_a_clubs_ics_to_stdout(tmp_path):
    db = tmp_path / "club.db"
    _clubbot(
        "console", "--db", str(db), stdin=":as a officer\n/admin setup timezone:UTC\n", cwd=tmp_path
    )
    result = _clubbot("calendar", "--club", "1", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert "UID:google-step:" in result.stdout
    missing = _clubbot("calendar", "--club", "9", "--db", str(db), cwd=tmp_path)
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        "clubbot calendar: there is no club 9",
    )


def test_a_club_moves_to_another_database_with_export_and_import(tmp_path):
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _clubbot(
        "console",
        "--db",
        str(old),
        cwd=tmp_path,
        stdin=":as a officer\n/admin setup timezone:Asia/Kolkata alerts:#officers\n",
    )
    listed = _clubbot("clubs", "--db", str(old), cwd=tmp_path)
    assert listed.stdout.split("\t")[:3] == ["1", "console", "console-club"]
    exported = _clubbot("export", "--club", "1", "--db", str(old), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    (tmp_path / "club.json").write_text(exported.stdout)
    imported = _clubbot("import", str(tmp_path / "club.json"), "--db", str(new), cwd=tmp_path)
    assert imported.stdout.strip() == "Imported as club 1."
    again = _clubbot("import", str(tmp_path / "club.json"), "--db", str(new), cwd=tmp_path)
    assert again.returncode == 1
    assert "already has a club (id 1)" in again.stderr
    status = _clubbot(
        "console", "--db", str(new), cwd=tmp_path, stdin=":as a officer\n/admin status\n"
    )
    assert "  Time zone: Asia/Kolkata" in status.stdout


def test_db_upgrade_creates_the_schema_and_is_idempotent(tmp_path):
    db = tmp_path / "fresh.db"
    for _ in range(2):
        result = _clubbot("db", "upgrade", "--db", str(db), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "is up to date." in result.stdout
    assert db.stat().st_size > 0


def test_a_bad_now_is_refused_with_an_example(tmp_path):
    result = _clubbot("console", "--now", "next tuesday", cwd=tmp_path)
    assert result.returncode == 2
    assert "is not an ISO date-time, e.g. 2026-11-16T09:00-05:00" in result.stderr


def test_a_backup_is_a_working_copy_and_never_overwrites(tmp_path):
    db, copy = tmp_path / "club.db", tmp_path / "copy.db"
    _clubbot(
        "console",
        "--db",
        str(db),
        cwd=tmp_path,
        stdin=":as a officer\n/admin setup timezone:Asia/Kolkata\n",
    )
    result = _clubbot("backup", str(copy), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Backed up to {copy} (")
    status = _clubbot(
        "console", "--db", str(copy), cwd=tmp_path, stdin=":as a officer\n/admin status\n"
    )
    assert "  Time zone: Asia/Kolkata" in status.stdout
    again = _clubbot("backup", str(copy), "--db", str(db), cwd=tmp_path)
    assert (again.returncode, again.stderr.strip()) == (
        1,
        f"clubbot backup: {copy} exists already; name a new file",
    )
    missing = _clubbot(
        "backup", str(tmp_path / "x.db"), "--db", str(tmp_path / "none.db"), cwd=tmp_path
    )
    assert missing.returncode == 1
    assert "there is no database at" in missing.stderr
