"""Where postings come from, and fetching one source politely.

A deployment polls the community list of the current cycle (the repository is renamed
every summer, so the default follows the date) and the company boards its clubs follow;
`CLUBBOT_POSTINGS_SOURCES` (bot.config) names its own lists instead. Each fetch is
conditional (ETag, If-Modified-Since), capped in size and time, and never raises: it says
what happened.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, Literal

import aiohttp

from bot.config import BOARD, PostingsSettings
from bot.errors import UserError
from bot.postings.listing import (
    Posting,
    Reader,
    SchemaError,
    read_community_list,
    read_greenhouse,
    read_lever,
)

SourceKind = Literal["list", "greenhouse", "lever"]
# The real list passed 4 MiB in its first autumn; 16 MiB leaves room and stops a runaway body.
MAX_BYTES = 16 * 1024 * 1024
TIMEOUT = timedelta(seconds=30)
_COMMUNITY_URL = (
    "https://raw.githubusercontent.com/SimplifyJobs/Summer{year}-Internships/dev/"
    ".github/scripts/listings.json"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    kind: SourceKind
    # What the club and the officers see, and the key of its state: 'greenhouse:stripe'.
    name: str
    url: str

    def reader(self) -> Reader:
        _, _, handle = self.name.partition(":")
        if self.kind == "greenhouse":
            return partial(read_greenhouse, board=handle)
        if self.kind == "lever":
            return partial(read_lever, company=handle)
        return read_community_list


def cycle_of(today: date) -> int:
    """The summer being recruited for: from July a list for next summer is the live one."""
    return today.year + 1 if today.month >= 7 else today.year


def community_list(today: date) -> Source:
    year = cycle_of(today)
    url = _COMMUNITY_URL.format(year=year)
    return Source(kind="list", name=f"SimplifyJobs/Summer{year}-Internships", url=url)


DOCUMENTED = PostingsSettings()


def board(spec: str, settings: PostingsSettings = DOCUMENTED) -> Source:
    """'greenhouse:stripe' or 'lever:netflix' -> the board's documented public endpoint."""
    named = BOARD.match(spec.strip().lower())
    if named is None:
        raise UserError(
            f"`{spec[:60]}` is not a board: write `greenhouse:<board>` (from "
            "boards.greenhouse.io/<board>) or `lever:<company>` (from jobs.lever.co/<company>)."
        )
    kind, handle = named[1], named[2]
    if kind == "greenhouse":
        url = f"{settings.greenhouse_api}/{handle}/jobs"
        return Source(kind="greenhouse", name=f"greenhouse:{handle}", url=url)
    url = f"{settings.lever_api}/{handle}?mode=json"
    return Source(kind="lever", name=f"lever:{handle}", url=url)


def deployment_sources(settings: PostingsSettings, today: date) -> list[Source]:
    """The lists this deployment polls: its own (`CLUBBOT_POSTINGS_SOURCES`, checked at
    start: `list:URL`, `greenhouse:<board>`, `lever:<company>`, a board with its own URL,
    e.g. a mirror, as `greenhouse:<board>=URL`) or this cycle's community list."""
    if not settings.sources:
        return [community_list(today)]
    sources = []
    for item in settings.sources:
        if item.startswith("list:"):
            url = item.removeprefix("list:")
            sources.append(Source(kind="list", name=_list_name(url), url=url))
        else:
            spec, _, url = item.partition("=")
            named = board(spec, settings)
            sources.append(Source(kind=named.kind, name=named.name, url=url or named.url))
    return sources


def sources_for(
    boards: Iterable[Iterable[str]], settings: PostingsSettings, today: date
) -> list[Source]:
    """The deployment's lists, then every board a club follows (clubs' `boards`), each once."""
    sources = {s.name: s for s in deployment_sources(settings, today)}
    for names in boards:
        for name in names:
            sources.setdefault(name, board(name, settings))
    return list(sources.values())


def polled_by(boards: Iterable[str], settings: PostingsSettings, today: date) -> set[str]:
    """The sources one club's postings come from: the deployment's lists and its boards."""
    return {s.name for s in sources_for([boards], settings, today)}


def _list_name(url: str) -> str:
    """'owner/Summer2027-Internships' for a GitHub raw URL, else the URL itself."""
    parts = url.split("/")
    if "raw.githubusercontent.com" in parts and len(parts) > 4:
        return "/".join(parts[3:5])
    return url[:200]


@dataclass(frozen=True, slots=True, kw_only=True)
class Validators:
    """What the last good answer said, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """One fetch: the postings (None when unchanged: a 304), or the error."""

    postings: list[Posting] | None = None
    validators: Validators = Validators()
    error: str | None = None


async def fetch(
    http: aiohttp.ClientSession,
    source: Source,
    known: Validators,
    *,
    max_bytes: int = MAX_BYTES,
    within: timedelta = TIMEOUT,
) -> Fetched:
    try:
        async with asyncio.timeout(within.total_seconds()):
            return await _fetch(http, source, known, max_bytes)
    except TimeoutError:
        return Fetched(error=f"no answer within {within.total_seconds():.0f} s")
    except aiohttp.ClientError as error:
        return Fetched(error=f"{type(error).__name__}: {error}"[:300])


async def _fetch(
    http: aiohttp.ClientSession, source: Source, known: Validators, max_bytes: int
) -> Fetched:
    headers = {"Accept": "application/json", "User-Agent": "clubbot (student club bot)"}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    async with http.get(source.url, headers=headers) as response:
        if response.status == 304:
            return Fetched(validators=known)
        if response.status != 200:
            return Fetched(error=f"HTTP {response.status}")
        if (response.content_length or 0) > max_bytes:
            return Fetched(error=f"the body is over {max_bytes // 2**20} MiB")
        body = await _read_capped(response, max_bytes)
        if body is None:
            return Fetched(error=f"the body is over {max_bytes // 2**20} MiB")
    validators = Validators(
        etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified")
    )
    return _parsed(source, body, validators)


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes | None:
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parsed(source: Source, body: bytes, validators: Validators) -> Fetched:
    try:
        document: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        return Fetched(error=f"not valid JSON ({str(error)[:120]})")
    try:
        postings = source.reader()(source.name, document)
    except SchemaError as error:
        return Fetched(error=f"the format changed: {error}")
    return Fetched(postings=postings, validators=validators)
