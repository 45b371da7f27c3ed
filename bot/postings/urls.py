"""A posting's address as the same job whatever form it takes, and the job id it carries.

The same Greenhouse job is at boards.greenhouse.io and job-boards.greenhouse.io (and
behind a company page's `?gh_jid=`), with or without tracking parameters; a Lever job with
or without `/apply`. `url_key` makes them one key. `job_ref` reads the board and the job
id, so two requisitions of one title and place on one board stay two postings.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final
from urllib.parse import unquote_plus

# Parameters that say where a click came from, not which job it is.
_TRACKING: Final = re.compile(
    r"^(utm_.*|gh_src|src|source|ref|referrer|lever-source.*|lever-origin|iis|iisn|trk)$",
    re.IGNORECASE,
)
# Boards whose job ids are unique across the board's companies.
_ATS: Final = ("greenhouse", "lever", "ashby")
_GREENHOUSE_HOSTS: Final = re.compile(r"^(job-)?boards(\.eu)?\.greenhouse\.io$")
_GREENHOUSE_JOB: Final = re.compile(r"^/(?:v1/boards/)?([^/]+)/jobs/(\d+)")
_LEVER: Final = re.compile(r"^jobs(\.eu)?\.lever\.co$")
_UUID: Final = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_LEVER_JOB: Final = re.compile(rf"^/([^/]+)/({_UUID})", re.IGNORECASE)
_ASHBY_JOB: Final = re.compile(rf"^/([^/]+)/({_UUID})", re.IGNORECASE)
_WORKDAY: Final = re.compile(r"^([^.]+)\.wd\d+\.myworkdayjobs\.com$")
_WORKDAY_JOB: Final = re.compile(r"_([A-Za-z]*-?\d[\w-]*)$")
# scheme://host/path?query#fragment, read with one regex (urllib's is ten times slower,
# and a first poll reads 10,000 addresses).
_PARTS: Final = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//([^/?#]*)([^?#]*)(?:\?([^#]*))?")
# A job id in any other address: a UUID, or the last run of five or more digits.
_ANY_ID: Final = re.compile(rf"({_UUID}|\d{{5,}})", re.IGNORECASE)
_ID_PARAMS: Final = ("gh_jid", "jobid", "job_id", "jid", "jobreqid", "requisitionid", "req")


def _split(url: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The host (lower case, without www.), the path and the query's pairs."""
    found = _PARTS.match(url)
    if found is None:
        return "", url.strip(), []
    host = found[1].lower().rpartition("@")[2].removeprefix("www.")
    pairs = [pair.partition("=") for pair in (found[3] or "").split("&") if pair]
    return host, found[2], [(unquote_plus(k), unquote_plus(v)) for k, _, v in pairs]


@lru_cache(maxsize=65536)
def job_ref(url: str) -> tuple[str, str] | None:
    """(board, job id) when the address says them: ('greenhouse', '4001'), ('lever',
    uuid), ('workday:adobe', 'R149380'), or an id on a company's own site ('atlassian.com',
    '10594'). None when it carries no id."""
    host, path, pairs = _split(url)
    query = {k.lower(): v for k, v in pairs}
    if _GREENHOUSE_HOSTS.match(host) or host == "boards-api.greenhouse.io":
        found = _GREENHOUSE_JOB.match(path)
        token = found[2] if found else query.get("token", "")
        return ("greenhouse", token) if token.isdigit() else None
    if query.get("gh_jid", "").isdigit():  # a company page showing its Greenhouse board
        return ("greenhouse", query["gh_jid"])
    if _LEVER.match(host) and (found := _LEVER_JOB.match(path)):
        return ("lever", found[2].lower())
    if host == "jobs.ashbyhq.com" and (found := _ASHBY_JOB.match(path)):
        return ("ashby", found[2].lower())
    workday = _WORKDAY.match(host)
    if workday and (found := _WORKDAY_JOB.search(path.rstrip("/"))):
        return (f"workday:{workday[1]}", found[1].upper())
    return _any_ref(host, path, query)


def _any_ref(host: str, path: str, query: dict[str, str]) -> tuple[str, str] | None:
    for name in _ID_PARAMS:
        if query.get(name):
            return (host, query[name].lower())
    ids = _ANY_ID.findall(path)
    return (host, ids[-1].lower()) if ids and host else None


@lru_cache(maxsize=65536)
def url_key(url: str) -> str:
    """One key per job, whatever form its address takes: the board and job id where the
    address says them, else the address without scheme, `www.`, tracking parameters,
    fragment or trailing slash."""
    if not url.strip():
        return ""
    ref = job_ref(url)
    if ref is not None and (ref[0] in _ATS or ref[0].startswith("workday:")):
        return f"{ref[0]}/{ref[1]}"
    host, path, pairs = _split(url)
    kept = sorted(f"{k}={v}" for k, v in pairs if not _TRACKING.match(k))
    return f"{host}{path.rstrip('/')}" + (f"?{'&'.join(kept)}" if kept else "")


def distinct_jobs(a: str, b: str) -> bool:
    """Two addresses of two different jobs on one board: same board, different job ids."""
    first, second = job_ref(a), job_ref(b)
    return first is not None and second is not None and first[0] == second[0] and first != second
