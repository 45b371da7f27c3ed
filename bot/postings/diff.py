"""What a fetched list changes in what is known: pure, and fast on a 10,000-entry list.

A posting is the same posting when its id matches, else its address (the job board and job
id where it says them: the old and new Greenhouse hosts are one), else its company, title
and places normalised while it is open, unless the two are different job ids of one board
(the real list repeats ids and urls, and re-publishes old entries under new ids; a company
re-posting last year's closed title is a new posting). Only the id-less matches pay for
normalising text.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.postings.listing import Posting
from bot.postings.urls import distinct_jobs, url_key


def signature_of(posting: Posting) -> str:
    """A short stable digest of what makes a stored posting need an update. CRC-32 costs
    a third of a cryptographic hash, which matters 10,000 times a poll; a collision only
    delays one update until the posting changes again."""
    p = posting
    parts = (p.title, p.url, "|".join(p.locations), "|".join(p.terms), p.sponsorship)
    text = "\x1f".join(parts) + ("\x1f1" if p.active else "\x1f0")
    return f"{zlib.crc32(text.encode()):08x}"


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownPosting:
    """The little of a stored posting that diffing needs (kept small: 10,000 of them)."""

    id: int
    source: str
    ext_id: str
    url: str
    fingerprint: str
    active: bool
    signature: str


class Known:
    """Every stored posting indexed by (source, id), address (as `url_key` reads it) and
    fingerprint."""

    def __init__(self, postings: Iterable[KnownPosting]) -> None:
        # source -> its id -> the posting
        self.by_id: dict[str, dict[str, KnownPosting]] = {}
        self.by_url: dict[str, KnownPosting] = {}
        self.by_fingerprint: dict[str, KnownPosting] = {}
        for known in postings:
            self.by_id.setdefault(known.source, {})[known.ext_id] = known
            if known.url:
                self.by_url.setdefault(url_key(known.url), known)
            if known.active:  # a closed posting's text comes back next cycle, anew
                self.by_fingerprint.setdefault(known.fingerprint, known)

    def of_source(self, source: str) -> list[KnownPosting]:
        return list(self.by_id.get(source, {}).values())


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    new: list[Posting] = field(default_factory=list)
    # (stored id, the posting as it reads now)
    changed: list[tuple[int, Posting]] = field(default_factory=list)
    # Stored ids of postings that left the list: shown as closed from now on.
    gone: list[int] = field(default_factory=list)
    duplicates: int = 0


def diff(source: str, fetched: Sequence[Posting], known: Known) -> Changes:
    changes, seen = Changes(), _Seen()
    matched: set[int] = set()
    duplicates = 0
    of_source = known.by_id.get(source, {})
    # Stored postings this fetch lists as open, closed ones included (they reopen): their
    # text tells a twin listed under another id, before or after them.
    for posting in fetched:
        stored = of_source.get(posting.ext_id)
        if stored is not None and posting.active:
            seen.texts.setdefault(stored.fingerprint, stored.url)
    for posting in fetched:
        if posting.ext_id in seen.ids:
            duplicates += 1
            continue
        seen.ids.add(posting.ext_id)
        stored = of_source.get(posting.ext_id)
        if stored is not None:
            matched.add(stored.id)
            # Back in the list after it left (a partial list, a flicker): open again.
            reopened = posting.active and not stored.active
            if reopened or stored.signature != signature_of(posting):
                changes.changed.append((stored.id, posting))
            seen.urls.add(url_key(posting.url))
            continue
        same = _twin(posting, known)
        if same is not None or seen.has(posting):
            duplicates += 1
            if same is not None:
                matched.add(same.id)
            continue
        seen.add(posting)
        changes.new.append(posting)
    gone = [k.id for k in known.of_source(source) if k.active and k.id not in matched]
    return Changes(new=changes.new, changed=changes.changed, gone=gone, duplicates=duplicates)


def _twin(posting: Posting, known: Known) -> KnownPosting | None:
    """The stored posting this one is (same address, else same text while open, unless
    the two are different jobs of one board), or None."""
    key = url_key(posting.url)
    same = known.by_url.get(key) if key else None
    if same is not None:
        return same
    twin = known.by_fingerprint.get(posting.fingerprint)
    return None if twin is None or distinct_jobs(twin.url, posting.url) else twin


@dataclass
class _Seen:
    """What one fetch has shown so far: ids, addresses and the open postings' text."""

    ids: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    # fingerprint -> the address of the first open posting with that text
    texts: dict[str, str] = field(default_factory=dict)

    def has(self, posting: Posting) -> bool:
        key = url_key(posting.url)
        if key and key in self.urls:
            return True
        first = self.texts.get(posting.fingerprint)
        return first is not None and not distinct_jobs(first, posting.url)

    def add(self, posting: Posting) -> None:
        if posting.url:
            self.urls.add(url_key(posting.url))
        if posting.active:
            self.texts.setdefault(posting.fingerprint, posting.url)
