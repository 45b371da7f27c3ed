"""The server holds against idle and slow clients: a connection that sends no request
head in time is closed, past the cap the connection idle the longest makes room so a new
client is answered at once, a request whose body crawls is cut, the event loop's "out of
system resource" is logged once a minute, and `clubbot web` under systemd's default of
1,024 open files answers a new client within a second while one client holds 1,100 idle
sockets."""

from __future__ import annotations

import asyncio
import configparser
import logging
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.web import pages
from bot.web.connections import ACCEPT_FAILED, RESERVED_FILES, Limits
from bot.web.server import Server, make_app, serve
from tests.conftest import Club

FAST = Limits(head_timeout=1.0, keepalive_timeout=1.0, connections=16)
IDLE_SOCKETS = 1_100
CLUBBOT = (sys.executable, "-c", "from adapters.cli.main import main; raise SystemExit(main())")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def served(club: Club) -> AsyncIterator[Server]:
    from bot.web import Site

    app = make_app(bot=club.runtime.bot, site=Site(public_url="https://club.example.org"))
    server = await serve(app, f"127.0.0.1:{_free_port()}", limits=FAST)
    yield server
    await server.stop()


async def _closed_after(reader: asyncio.StreamReader, within: float) -> float:
    """Seconds until the server closed the connection (it sent nothing, or an error)."""
    started = time.monotonic()
    await asyncio.wait_for(reader.read(), within)
    return time.monotonic() - started


async def _healthz(port: int, within: float = 1.0) -> int:
    timeout = aiohttp.ClientTimeout(total=within)
    async with (
        aiohttp.ClientSession(timeout=timeout) as client,
        client.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        return response.status


async def test_a_silent_or_crawling_connection_is_closed(served: Server) -> None:
    idle_reader, idle = await asyncio.open_connection("127.0.0.1", served.port)
    slow_reader, slow = await asyncio.open_connection("127.0.0.1", served.port)
    slow.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

    async def crawl() -> None:
        for _ in range(20):  # a header line every 0.2 s, never the blank line
            await asyncio.sleep(0.2)
            if slow.is_closing():
                return
            slow.write(b"X-Slow: 1\r\n")

    crawler = asyncio.create_task(crawl())
    assert await _closed_after(idle_reader, 3) < 2.5
    assert await _closed_after(slow_reader, 3) < 2.5
    crawler.cancel()
    idle.close()
    slow.close()


async def test_a_kept_alive_connection_closes_after_its_idle_time(served: Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    started = time.monotonic()
    await asyncio.wait_for(reader.read(), 5)  # the rest of the answer, then the close
    assert time.monotonic() - started < 3
    writer.close()


async def test_past_the_cap_a_new_client_is_answered_at_once(served: Server) -> None:
    held = [await asyncio.open_connection("127.0.0.1", served.port) for _ in range(40)]
    assert await _healthz(served.port) == 200
    assert len(served.guard.live) <= FAST.connections
    assert served.guard.evicted >= 40 - FAST.connections
    for _, writer in held:
        writer.close()


async def test_a_request_whose_body_crawls_is_cut(
    served: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "REQUEST_TIMEOUT", 0.5)
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(
        b"POST /signin/" + b"A" * 22 + b"." + b"0" * 32 + b" HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ncsrf="
    )
    status = await asyncio.wait_for(reader.readline(), 3)
    assert status.startswith(b"HTTP/1.1 408"), status
    writer.close()


async def test_out_of_files_on_accept_is_logged_once_a_minute(
    served: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """The listening process runs out of open files while a client keeps connecting."""
    clients = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import socket, sys, time\n"
        "held = []\n"
        "for _ in range(60):\n"
        "    s = socket.socket(); s.setblocking(False)\n"
        f"    s.connect_ex(('127.0.0.1', {served.port})); held.append(s)\n"
        "    time.sleep(0.05)\n"
        "time.sleep(5)\n",
    )
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd"))
    caplog.set_level(logging.ERROR)
    resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + 2, hard))
    try:
        await asyncio.sleep(3.5)  # the loop retries accept() every second meanwhile
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        clients.kill()
        await clients.wait()
    reports = [r for r in caplog.records if "accept" in r.getMessage()]
    assert len(reports) == 1, [r.getMessage() for r in reports]
    assert "LimitNOFILE" in reports[0].getMessage()
    assert ACCEPT_FAILED not in caplog.text  # asyncio's own line, once a second, is gone


@pytest.fixture
def many_files() -> Iterator[None]:
    """This process holds the idle sockets: room for them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * IDLE_SOCKETS if hard == resource.RLIM_INFINITY else min(hard, 4 * IDLE_SOCKETS)
    if wanted < 2 * IDLE_SOCKETS:
        pytest.skip(f"the hard open-file limit ({hard}) can't hold {IDLE_SOCKETS} sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _systemd_default_files() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))


def _clubbot_web(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    environ = {
        **os.environ,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'club.db'}",
        "LOG_LEVEL": "INFO",
    }
    return subprocess.Popen(
        [*CLUBBOT, "web", "--listen", f"127.0.0.1:{port}"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_systemd_default_files,
    )


async def _started(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        assert process.poll() is None, process.communicate()[1].decode()[-2000:]
        try:
            if await _healthz(port) == 200:
                return
        except (aiohttp.ClientError, TimeoutError):
            await asyncio.sleep(0.1)
    raise AssertionError("clubbot web did not start")


def _hold(port: int, count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        sock = socket.socket()
        sock.settimeout(2)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue  # the server stopped accepting: the new client will say so
        held.append(sock)
    return held


async def test_clubbot_web_answers_while_1100_idle_sockets_are_held(
    tmp_path: Path, many_files: None
) -> None:
    port = _free_port()
    process = _clubbot_web(tmp_path, port)
    held: list[socket.socket] = []
    try:
        await _started(port, process)
        held = await asyncio.to_thread(_hold, port, IDLE_SOCKETS)
        await asyncio.sleep(2)  # held, idle, within the server's head timeout (10 s)
        started = time.monotonic()
        assert await _healthz(port, within=1.0) == 200
        assert time.monotonic() - started < 1.0
        assert process.poll() is None
    finally:
        for sock in held:
            sock.close()
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert stderr.count(ACCEPT_FAILED.encode()) == 0
    assert len(stderr) < 100_000, f"{len(stderr):,} bytes of log"


def test_the_docs_and_the_unit_say_what_the_server_does() -> None:
    root = Path(__file__).resolve().parents[2]
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read_string((root / "deploy" / "clubbot.service").read_text())
    files = int(unit["Service"]["LimitNOFILE"])
    docs = (root / "docs" / "web.md").read_text()
    limits = Limits()
    assert f"`LimitNOFILE={files}`" in docs
    assert files - limits.batch - RESERVED_FILES >= limits.connections  # room for the cap
    assert f"within {limits.head_timeout:g} s of connecting" in docs
    assert f"closed {limits.keepalive_timeout:g} s after its last" in docs
    assert f"at most {limits.connections:,} connections" in docs
    assert f"up to {limits.queue:,} connections not yet accepted" in docs
    assert f"cut at {pages.REQUEST_TIMEOUT:g} s (408)" in docs
