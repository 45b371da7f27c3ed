"""Expected failures reach the operator as a line or two saying what to do; the traceback
only with LOG_LEVEL=DEBUG. Run as processes: what reaches the terminal is the point."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import _postgres_url
from tests.ops.conftest import CLI, run_process

# Port 9 (discard) on this host: nothing listens, so a connection is refused at once.
NOWHERE = "127.0.0.1:9"
DISCORD_AT = """
import sys, discord.http
discord.http.Route.BASE = sys.argv.pop(1) + "/api/v10"
""" + CLI.replace("import sys; ", "")


def test_a_bad_database_url_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    ran = run_process("clubs", cwd=tmp_path, env={"DATABASE_URL": "mysql://db/club"})
    assert ran.code == 2
    assert ran.err_lines == [
        "clubbot: DATABASE_URL: clubbot can't use mysql:// URLs; e.g. "
        "sqlite+aiosqlite:///clubbot.db or postgresql+asyncpg://user:password@host/db"
    ]


def test_a_database_that_is_down_is_one_line_and_debug_shows_the_traceback(
    tmp_path: Path,
) -> None:
    down = {"DATABASE_URL": f"postgresql://postgres@{NOWHERE}/club"}
    ran = run_process("discord", cwd=tmp_path, env={**down, "DISCORD_TOKEN": "t"})
    assert ran.code == 1
    assert ran.err_lines == [
        f"clubbot: can't reach PostgreSQL at {NOWHERE}/club (Connect call failed "
        f"('127.0.0.1', 9)); is it running? check DATABASE_URL"
    ]
    debug = run_process("clubs", cwd=tmp_path, env={**down, "LOG_LEVEL": "DEBUG"})
    assert "Traceback (most recent call last)" in debug.err
    assert debug.err_lines[-1].startswith("clubbot: can't reach PostgreSQL")


def test_discord_without_network_retries_briefly_then_says_what_failed(tmp_path: Path) -> None:
    ran = run_process(
        "discord",
        cwd=tmp_path,
        env={"DISCORD_TOKEN": "t.t.t", "CLUBBOT_CONNECT_WITHIN": "3s"},
        code=DISCORD_AT.replace("sys.argv.pop(1)", f"'http://{NOWHERE}'"),
    )
    assert ran.code == 1, "non-zero: systemd starts it again"
    said = ran.err_lines[-1]
    tries = [line for line in ran.err_lines if "trying again in" in line]
    assert tries, "tried again"
    assert all("logging in to Discord failed (ClientConnectorError" in t for t in tries)
    assert "giving up" in ran.err_lines[-2]
    assert said.startswith(f"clubbot: logging in to Discord failed {len(tries) + 1} times in ")
    assert said.endswith(
        "the last time: can't reach 127.0.0.1:9 (Connect call failed ('127.0.0.1', 9)); "
        "check the network, DNS or proxy, then start again; exiting so the service manager "
        "starts me again"
    )
    assert "Traceback" not in ran.err


class _Refusing(BaseHTTPRequestHandler):
    """Discord's answer to a token it does not know."""

    def do_GET(self) -> None:
        body = b'{"message": "401: Unauthorized", "code": 0}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_discord() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_refused_discord_token_says_where_to_get_a_new_one(
    tmp_path: Path, refusing_discord: str
) -> None:
    code = DISCORD_AT.replace("sys.argv.pop(1)", repr(refusing_discord))
    ran = run_process("discord", cwd=tmp_path, env={"DISCORD_TOKEN": "t.t.t"}, code=code)
    assert ran.code == 1
    assert len(ran.err_lines) <= 3, ran.err
    assert ran.err_lines[-1] == (
        "clubbot: Discord refused DISCORD_TOKEN; copy the bot's token again from the "
        "Developer Portal (Bot > Reset Token), see docs/discord.md"
    )


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (("discord",), "clubbot discord: set DISCORD_TOKEN (see docs/discord.md)."),
        (("slack",), "clubbot slack: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN"),
        (("slack", "manifest", "--http"), "clubbot slack manifest --http: add --url https://"),
    ],
)
def test_what_is_missing_is_named_in_one_line(
    tmp_path: Path, command: tuple[str, ...], says: str
) -> None:
    ran = run_process(*command, cwd=tmp_path)
    assert ran.code == 2
    assert len(ran.err_lines) == 1
    assert ran.err_lines[0].startswith(says)
    assert ran.out == ""


@pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL is not set")
def test_a_database_that_refuses_says_why_in_one_line(tmp_path: Path) -> None:
    missing = make_url(str(_postgres_url())).set(database="clubbot_no_such_database")
    url = missing.render_as_string(hide_password=False)
    ran = run_process("clubs", cwd=tmp_path, env={"DATABASE_URL": url})
    assert ran.code == 1
    assert len(ran.err_lines) == 1
    assert ran.err_lines[0].endswith(
        'refused: database "clubbot_no_such_database" does not exist; check DATABASE_URL'
    )
