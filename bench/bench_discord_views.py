"""Memory a long-running Discord process holds after N posts with a button.

    .venv/bin/python bench/bench_discord_views.py            # 10,000 posts, about a minute
    .venv/bin/python bench/bench_discord_views.py --posts 2000 --keep-views

Each post goes through `DiscordPoster.post` and discord.py's own `Messageable.send` (which
stores a still-running view in the client's view store); only the HTTP request is replaced
by a canned answer. `--keep-views` shows what the adapter did before it stopped its views.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import tracemalloc
from typing import Any

import discord

from adapters.discord.posting import DiscordPoster
from bot.model import Button, Message, Place

MESSAGE = Message(text="Two Sum", buttons=(Button(label="Solved", action="solved", value="x"),))
WHERE = Place(platform="discord", workspace_id="100", channel_id="200")


def _client() -> discord.Client:
    client = discord.Client(intents=discord.Intents.none())
    ids = iter(range(10**6, 10**8))

    async def send_message(channel_id: int, *, params: Any) -> dict[str, Any]:
        author = {"id": "9000", "username": "clubbot", "discriminator": "0", "avatar": None}
        return {
            "id": str(next(ids)),
            "channel_id": str(channel_id),
            "content": "",
            "author": author,
            "timestamp": "2026-11-16T15:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
        }

    client.http.send_message = send_message  # type: ignore[assignment,method-assign]
    return client


async def run(posts: int, *, keep_views: bool) -> None:
    client = _client()
    channel = discord.PartialMessageable(state=client._connection, id=int(WHERE.channel_id))
    poster = DiscordPoster(client)

    async def known_channel(channel_id: int) -> Any:
        return channel

    poster._channel = known_channel  # type: ignore[method-assign]
    if keep_views:
        discord.ui.View.stop = lambda self: None  # type: ignore[method-assign]
    tracemalloc.start()
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    started, marks = time.perf_counter(), []
    for sent in range(1, posts + 1):
        await poster.post(WHERE, MESSAGE)
        if sent % max(1, posts // 5) == 0:
            gc.collect()
            marks.append(f"{sent:,}: {(tracemalloc.get_traced_memory()[0] - base) / 1024:,.0f} KB")
    kept = len(client._connection._view_store._synced_message_views)
    print(f"{posts:,} posts in {time.perf_counter() - started:.0f} s (traced)")
    print("held after " + ", ".join(marks))
    print(f"views kept by discord.py: {kept:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--keep-views", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.posts, keep_views=args.keep_views))


if __name__ == "__main__":
    main()
