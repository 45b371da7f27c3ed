"""One bot process of the crash trials: a real runtime on a shared PostgreSQL database,
posting through the real Discord or Slack adapter to a mock in the parent process, or to a
file (a platform with no way to recognise a post sent twice).

    python -m tests.adapters.crash.worker URL PLATFORM TARGET START END LATENCY

PLATFORM is discord, slack or file; TARGET the mock's API URL, or the file to append to.
It prints `posting` when its first post starts, so the parent can kill it mid-fan-out,
then drives its own simulated clock from START to END through the scheduler.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from dataclasses import dataclass
from datetime import datetime

import discord

from adapters.console import ConsoleDirectory
from adapters.discord.posting import DiscordPoster
from adapters.slack.posting import SlackPoster
from adapters.slack.workspace import SingleWorkspace, web_client
from bot.clock import ManualClock
from bot.model import Message, Place
from bot.posting import Poster, PostKey
from bot.runtime import open_runtime


@dataclass
class FilePoster:
    """Appends one line per post (O_APPEND: processes don't mix lines), `latency` seconds
    a post, half of it before the line is written."""

    out: str
    latency: float

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        await asyncio.sleep(self.latency / 2)
        line = json.dumps({"channel": place.channel_id, "title": message.title})
        fd = os.open(self.out, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        await asyncio.sleep(self.latency / 2)
        return f"{os.getpid()}-{message.title}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        return await self.post(place, message, key=key)


@dataclass
class Announcing:
    """Says `posting` once, when the first post starts."""

    poster: Poster
    said: bool = False

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        if not self.said:
            self.said = True
            print("posting", flush=True)
        return await self.poster.post(place, message, key=key)

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        return await self.poster.dm(place, user_id, message, key=key)


async def _poster(platform: str, target: str, latency: float) -> tuple[Poster, object]:
    if platform == "discord":
        discord.http.Route.BASE = target
        client = discord.Client(intents=discord.Intents.none())
        await client.login("fake-token")
        return DiscordPoster(client), client
    if platform == "slack":
        return SlackPoster(SingleWorkspace(web_client("xoxb-trial", base_url=target))), None
    return FilePoster(target, latency), None


async def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("url", "platform", "target", "start", "end"):
        parser.add_argument(name)
    parser.add_argument("latency", type=float)
    args = parser.parse_args()
    clock = ManualClock(datetime.fromisoformat(args.start))
    poster, client = await _poster(args.platform, args.target, args.latency)
    runtime = await open_runtime(
        database_url=args.url,
        clock=clock,
        poster=Announcing(poster),
        directory=ConsoleDirectory(),
        owner=f"fanout-{os.getpid()}",
    )
    try:
        await runtime.scheduler.catch_up()
        await runtime.scheduler.run_until(clock, datetime.fromisoformat(args.end))
    finally:
        await runtime.close()
        if isinstance(client, discord.Client):
            await client.close()
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
