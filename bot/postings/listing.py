"""One posting, whatever list or board it came from, and the readers of each format.

A reader turns a parsed JSON document into `Posting`s or raises `SchemaError` when the
document is not the format it expects (a list that changed its schema is reported, and
what was known is kept). Entries a reader cannot use are dropped one by one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from bot.postings.places import place_key
from bot.postings.words import normal

__all__ = ["Posting", "SchemaError", "normal"]


class SchemaError(ValueError):
    """The document is not the format its source is read as."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Posting:
    source: str
    ext_id: str
    company: str
    title: str
    url: str
    locations: tuple[str, ...]
    posted_at: datetime
    active: bool = True
    terms: tuple[str, ...] = ()
    sponsorship: str = ""
    category: str = ""
    degrees: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Company, title and places normalised (a place under any of its names: 'SF' is
        'San Francisco, CA'): the last resort for telling duplicates."""
        places = "|".join(sorted({place_key(p) for p in self.locations}))
        text = f"{normal(self.company)}\x1f{normal(self.title)}\x1f{places}"
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()

    @property
    def company_key(self) -> str:
        return normal(self.company)


def _text(value: object, limit: int = 300) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(t for t in (_text(v, 120) for v in value) if t)[:20]


def _instant(value: object) -> datetime | None:
    """Unix seconds (the community list), milliseconds (Lever) or ISO 8601 (Greenhouse)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _need_list(document: Any, what: str) -> list[Any]:
    if not isinstance(document, list):
        raise SchemaError(f"expected {what}, got {type(document).__name__}")
    return document


def _checked(postings: list[Posting], entries: list[Any], needs: str) -> list[Posting]:
    """Entries exist but none could be read: the schema changed under us."""
    if entries and not postings:
        raise SchemaError(f"none of {len(entries)} entries has {needs}")
    return postings


def read_community_list(source: str, document: Any) -> list[Posting]:
    """SimplifyJobs' listings.json, and its forks that write `season` instead of `terms`."""
    entries = _need_list(document, "a JSON array of postings")
    named = _NAMED_YEAR.search(source)
    year = int(named[1]) if named else None
    postings = [p for p in (_community_entry(source, e, year) for e in entries) if p is not None]
    return _checked(postings, entries, "id, company_name, title and date_posted")


# 'vanshb03/Summer2027-Internships': the summer a list (or its fork) is for.
_NAMED_YEAR = re.compile(r"Summer[-_ ]?(20\d\d)", re.IGNORECASE)
_YEAR = re.compile(r"^20\d\d$")


def _season_terms(entry: Mapping[str, Any], posted: datetime, named: int | None) -> tuple[str, ...]:
    """A fork's `"season": "Summer"` as the term the 2025/2026 lists write ("Summer 2027"):
    the year from the entry, else the list's name, else the summer recruited for when it
    was posted (from July, next summer's)."""
    seasons = _texts(entry.get("season"))
    given = str(entry.get("year", "")).strip()
    summer = posted.year + 1 if posted.month >= 7 else posted.year
    year = int(given) if _YEAR.match(given) else named or summer
    return tuple(
        f"{s} {year}" if s.lower() == "summer" or _YEAR.match(given) else s for s in seasons
    )


def _community_entry(source: str, entry: Any, named_year: int | None = None) -> Posting | None:
    if not isinstance(entry, Mapping):
        return None
    posted = _instant(entry.get("date_posted"))
    ext_id, url = _text(entry.get("id"), 200), _text(entry.get("url"), 1000)
    company, title = _text(entry.get("company_name"), 200), _text(entry.get("title"))
    # The real list has closed entries without a url: kept, so they are known as closed.
    if posted is None or not (ext_id and company and title):
        return None
    terms = _texts(entry.get("terms")) or _season_terms(entry, posted, named_year)
    return Posting(
        source=source,
        ext_id=ext_id,
        company=company,
        title=title,
        url=url,
        locations=_texts(entry.get("locations")),
        posted_at=posted,
        active=entry.get("active") is not False and entry.get("is_visible") is not False,
        terms=terms,
        sponsorship=_text(entry.get("sponsorship"), 60),
        category=_text(entry.get("category"), 80),
        degrees=_texts(entry.get("degrees")),
    )


# Company boards list every job; the club wants internships.
_INTERNSHIP = re.compile(r"\b(intern|interns|internship|co-?op|apprentice)\b", re.IGNORECASE)


def read_greenhouse(source: str, document: Any, *, board: str) -> list[Posting]:
    """boards-api.greenhouse.io/v1/boards/<board>/jobs: {"jobs": [...], "meta": {...}}."""
    if not isinstance(document, Mapping) or not isinstance(document.get("jobs"), list):
        raise SchemaError('expected an object with a "jobs" array')
    jobs: list[Any] = document["jobs"]
    postings = [p for p in (_greenhouse_job(source, j, board) for j in jobs) if p is not None]
    return _checked(postings, [j for j in jobs if _is_internship(j, "title")], "id and title")


def _greenhouse_job(source: str, job: Any, board: str) -> Posting | None:
    if not _is_internship(job, "title"):
        return None
    location = job.get("location")
    posted = _instant(job.get("first_published")) or _instant(job.get("updated_at"))
    url, title = _text(job.get("absolute_url"), 1000), _text(job.get("title"))
    if posted is None or not url or job.get("id") is None:
        return None
    return Posting(
        source=source,
        ext_id=str(job["id"])[:200],
        company=_text(job.get("company_name"), 200) or board.title(),
        title=title,
        url=url,
        locations=_texts(location.get("name")) if isinstance(location, Mapping) else (),
        posted_at=posted,
    )


def read_lever(source: str, document: Any, *, company: str) -> list[Posting]:
    """api.lever.co/v0/postings/<company>?mode=json: a JSON array of postings."""
    entries = _need_list(document, "a JSON array of Lever postings")
    postings = [p for p in (_lever_posting(source, e, company) for e in entries) if p is not None]
    return _checked(postings, [e for e in entries if _is_internship(e, "text")], "id and text")


def _lever_posting(source: str, entry: Any, company: str) -> Posting | None:
    if not _is_internship(entry, "text"):
        return None
    categories = entry.get("categories")
    categories = categories if isinstance(categories, Mapping) else {}
    places = _texts(categories.get("allLocations")) or _texts(categories.get("location"))
    if entry.get("workplaceType") == "remote" and "Remote" not in places:
        places = (*places, "Remote")
    posted = _instant(entry.get("createdAt"))
    url = _text(entry.get("hostedUrl"), 1000) or _text(entry.get("applyUrl"), 1000)
    if posted is None or not url or not _text(entry.get("id")):
        return None
    return Posting(
        source=source,
        ext_id=_text(entry.get("id"), 200),
        company=company.replace("-", " ").title(),
        title=_text(entry.get("text")),
        url=url,
        locations=places,
        posted_at=posted,
    )


def _is_internship(entry: Any, title_key: str) -> bool:
    if not isinstance(entry, Mapping):
        return False
    text = entry.get(title_key)
    commitment = entry.get("categories", {})
    commitment = commitment.get("commitment") if isinstance(commitment, Mapping) else None
    words = f"{text if isinstance(text, str) else ''} {commitment or ''}"
    return bool(_INTERNSHIP.search(words))


Reader: TypeAlias = Callable[[str, Any], list[Posting]]


def dedupe_ids(postings: Iterable[Posting]) -> list[Posting]:
    """The first of each (source, id): the real list repeats ids."""
    seen: set[str] = set()
    kept = []
    for posting in postings:
        if posting.ext_id not in seen:
            seen.add(posting.ext_id)
            kept.append(posting)
    return kept
