"""A company board is checked when an officer names it: a board that does not exist is
refused at once with the reason, instead of failing every hour for every club."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

import aiohttp

from bot.config import PostingsSettings
from bot.errors import UserError
from bot.postings.sources import Validators, board, fetch

# An officer waits for the answer: a board that takes longer is saved and checked hourly.
CHECK_WITHIN: Final = timedelta(seconds=10)
_WHERE: Final = {
    "greenhouse": "the part after boards.greenhouse.io/ (or job-boards.greenhouse.io/) in "
    "the company's jobs page address, e.g. `greenhouse:stripe`",
    "lever": "the part after jobs.lever.co/ in the company's jobs page address, "
    "e.g. `lever:netflix`",
}


async def check_boards(names: Sequence[str], settings: PostingsSettings) -> list[str]:
    """Fetch each board once: a 404 is a UserError saying why and what to write; any other
    failure is a note (the board is saved and polled hourly); a good answer says how many
    internships it lists now."""
    notes = []
    within = min(settings.timeout, CHECK_WITHIN)
    async with aiohttp.ClientSession() as http:
        for name in names:
            source = board(name, settings)
            fetched = await fetch(http, source, Validators(), within=within)
            if fetched.error is not None and fetched.error.startswith("HTTP 404"):
                raise UserError(
                    f"`{name}` answers 404: there is no such board. The name is "
                    f"{_WHERE[source.kind]}. Nothing was saved."
                )
            if fetched.error is not None:
                notes.append(f"I couldn't check {name} now ({fetched.error}); it's tried hourly.")
            else:
                count = len(fetched.postings or [])
                notes.append(f"{name} answers: {count} internship posting(s) listed now.")
    return notes
