"""One bot process for the multi-process tests: a real runtime on a shared database.

    python -m tests.core.processes.worker URL START END OUT [--hang-on TITLE] [--wait]

It drives its own simulated clock from START to END through the scheduler and
appends one line per delivered post to OUT (O_APPEND, so processes don't mix
lines). With --hang-on it blocks forever inside the post whose title starts with
TITLE, after claiming it: the state a process is in when it is killed mid-post. With
--wait it says "ready" once its runtime is open and starts its clock at a line on its
stdin: processes started together share the work, however slowly each one started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import datetime

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.model import Message, Place
from bot.posting import PostKey
from bot.runtime import open_runtime


class FilePoster:
    """Posts as lines of a file shared by the processes. Like Slack (its look-up of the
    message metadata) and Discord (the nonce), it can tell whether a post in doubt went
    out already: each process runs its own simulated clock, days apart at times, so one
    may take over a claim whose lease ran out by its clock while the first still records
    its post, and then it must look before posting again, as the real posters do."""

    def __init__(self, out: str, hang_on: str | None) -> None:
        self.out, self.hang_on = out, hang_on

    def _posted(self, key: str) -> str | None:
        if not os.path.exists(self.out):
            return None
        with open(self.out) as lines:
            for line in lines:
                row = json.loads(line)
                if row.get("key") == key:
                    return f"{row['pid']}-{row['title']}"
        return None

    async def post(self, place: Place, message: Message, *, key: PostKey | None = None) -> str:
        if self.hang_on and message.title.startswith(self.hang_on):
            print("hanging", flush=True)
            await asyncio.Event().wait()
        if key is not None and key.in_doubt:
            earlier = self._posted(key.key)
            if earlier is not None:
                return earlier
        row = {"pid": os.getpid(), "ws": place.workspace_id, "title": message.title}
        line = json.dumps({**row, "key": key.key if key is not None else None})
        fd = os.open(self.out, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        return f"{os.getpid()}-{message.title}"

    async def dm(
        self, place: Place, user_id: str, message: Message, *, key: PostKey | None = None
    ) -> str:
        return await self.post(place, message)


async def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("url", "start", "end", "out"):
        parser.add_argument(name)
    parser.add_argument("--hang-on")
    parser.add_argument("--wait", action="store_true")
    args = parser.parse_args()
    clock = ManualClock(datetime.fromisoformat(args.start))
    runtime = await open_runtime(
        database_url=args.url,
        clock=clock,
        poster=FilePoster(args.out, args.hang_on),
        directory=ConsoleDirectory(),
        owner=f"worker-{os.getpid()}",
    )
    try:
        if args.wait:
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        await runtime.scheduler.catch_up()
        await runtime.scheduler.run_until(clock, datetime.fromisoformat(args.end))
    finally:
        await runtime.close()
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
