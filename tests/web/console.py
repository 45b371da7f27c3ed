"""`clubbot console --web` (or `demo --web`) as a newcomer runs it: a real process, its
lines typed on stdin and read back from stdout, its web side on a real port."""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

CLUBBOT = ("-c", "from adapters.cli.main import main; raise SystemExit(main())")
MARK = "[console] now: "
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ConsoleProcess:
    process: asyncio.subprocess.Process
    url: str
    seen: list[str] = field(default_factory=list)

    async def line(self, within: float = 60) -> str:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), within)
        assert raw, "the console ended: " + "\n".join(self.seen[-20:])
        text = raw.decode().rstrip("\n")
        self.seen.append(text)
        return text

    async def until(self, pattern: str, within: float = 60) -> list[str]:
        """The lines up to and including the first that matches `pattern`."""
        lines = []
        while True:
            lines.append(await self.line(within))
            if re.search(pattern, lines[-1]):
                return lines

    async def run(self, *lines: str) -> list[str]:
        """Type `lines`; what the console printed for them (`:now` marks the end)."""
        assert self.process.stdin is not None
        self.process.stdin.write("".join(f"{line}\n" for line in (*lines, ":now")).encode())
        await self.process.stdin.drain()
        return (await self.until(re.escape(MARK)))[:-1]

    async def quit(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(b":quit\n")
        await self.process.stdin.drain()
        return await asyncio.wait_for(self.process.wait(), 60)


def link(lines: list[str], pattern: str) -> str:
    """The first http(s) or webcal link on a line matching `pattern`."""
    for text in lines:
        if re.search(pattern, text):
            found = re.search(r"((?:https?|webcal)://\S+)", text)
            if found:
                return found.group(1)
    raise AssertionError(f"no link on a line matching {pattern!r} in:\n" + "\n".join(lines))


@asynccontextmanager
async def console_process(
    tmp_path: Path, *arguments: str, ready: str = r"The web side serves"
) -> AsyncIterator[ConsoleProcess]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *CLUBBOT,
        *arguments,
        "--web",
        f"127.0.0.1:{port}",
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'club.db'}"},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    console = ConsoleProcess(process=process, url=f"http://127.0.0.1:{port}")
    try:
        await console.until(ready, within=120)
        yield console
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
