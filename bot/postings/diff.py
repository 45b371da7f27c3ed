"""What a fetched list changes in what is known: pure, and fast on a 10,000-entry list.

A posting is the same posting when its id matches, else its url, else its company, title
and locations normalised while it is open (the real list repeats ids and urls, and
re-publishes old entries under new ids; a company re-posting last year's closed title is a
new posting). Only the id-less matches pay for normalising text.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.postings.listing import Posting


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
    """Every stored posting indexed by (source, id), url and fingerprint."""

    def __init__(self, postings: Iterable[KnownPosting]) -> None:
        # source -> its id -> the posting
        self.by_id: dict[str, dict[str, KnownPosting]] = {}
        self.by_url: dict[str, KnownPosting] = {}
        self.by_fingerprint: dict[str, KnownPosting] = {}
        for known in postings:
            self.by_id.setdefault(known.source, {})[known.ext_id] = known
            if known.url:
                self.by_url.setdefault(known.url, known)
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
    changes = Changes()
    matched: set[int] = set()
    ids: set[str] = set()
    urls: set[str | None] = set()
    fingerprints: set[str] = set()
    duplicates = 0
    of_source = known.by_id.get(source, {})
    for posting in fetched:
        if posting.ext_id in ids:
            duplicates += 1
            continue
        ids.add(posting.ext_id)
        stored = of_source.get(posting.ext_id)
        if stored is not None:
            matched.add(stored.id)
            # Back in the list after it left (a partial list, a flicker): open again.
            reopened = posting.active and not stored.active
            if reopened or stored.signature != signature_of(posting):
                changes.changed.append((stored.id, posting))
            urls.add(posting.url)
            continue
        fingerprint = posting.fingerprint
        url = posting.url or None  # an entry without a url is told apart by the rest
        same = known.by_url.get(url or "") or known.by_fingerprint.get(fingerprint)
        if same is not None or url in urls or fingerprint in fingerprints:
            duplicates += 1
            if same is not None:
                matched.add(same.id)
            continue
        if url:
            urls.add(url)
        if posting.active:
            fingerprints.add(fingerprint)
        changes.new.append(posting)
    gone = [k.id for k in known.of_source(source) if k.active and k.id not in matched]
    return Changes(new=changes.new, changed=changes.changed, gone=gone, duplicates=duplicates)
