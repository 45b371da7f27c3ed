"""Text as postings are compared: lower case, accents and punctuation gone; and what
members mean by the words they search and filter with: a query read as concepts, each a
group of synonyms (`ml` is also machine learning and AI, `intern` also internship)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

_SPACE = re.compile(r"[^a-z0-9]+")


def normal(text: str) -> str:
    """Lower case, accents and punctuation gone: 'Café  Inc.' -> 'cafe inc'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SPACE.sub(" ", ascii_text.lower()).strip()


# Each group: phrases that mean the same to someone searching internships.
SYNONYMS: Final = (
    ("ml", "machine learning", "ai", "artificial intelligence"),
    ("intern", "interns", "internship", "internships", "co op", "coop", "summer analyst"),
    ("research", "researcher", "researchers"),
    (
        "swe",
        "software engineer",
        "software engineering",
        "software developer",
        "sde",
        "software development engineer",
    ),
    ("quant", "quantitative"),
    ("pm", "product manager", "product management"),
    ("data science", "data scientist", "data scientists"),
    ("phd", "ph d", "doctoral"),
)
_GROUP: Final = {phrase: group for group in SYNONYMS for phrase in group}
_LONGEST: Final = max(len(p.split()) for p in _GROUP)

Concept = tuple[str, ...]


def concepts(query: str) -> list[Concept]:
    """The query's concepts, longest known phrase first: 'machine learning intern new
    york' is machine learning (and its synonyms), intern (and its), 'new', 'york'."""
    words, found, at = normal(query).split(), [], 0
    while at < len(words):
        for size in range(min(_LONGEST, len(words) - at), 0, -1):
            phrase = " ".join(words[at : at + size])
            if phrase in _GROUP or size == 1:
                found.append(same_as(phrase))
                at += size
                break
    return found


def _forms(word: str) -> Concept:
    """A word and its plural or singular: 'engineers' also finds 'engineer'."""
    other = word[:-1] if word.endswith("s") and len(word) > 3 else f"{word}s"
    return (word, other)


def all_found(wanted: list[Concept], text: str) -> bool:
    """Every concept found, whole, in `text` (padded with spaces)."""
    return all(any(f" {phrase} " in text for phrase in concept) for concept in wanted)


class WordIndex:
    """Which of some texts (padded with spaces, as `all_found` takes them) hold each word:
    a search tries only the texts that hold every word of a phrase, not all of them (a
    search of the 1,300 postings of a month tried each one, about 2.5 ms a query)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self._holding: dict[str, set[int]] = {}
        for n, text in enumerate(texts):
            for word in set(text.split()):
                self._holding.setdefault(word, set()).add(n)

    def found(self, wanted: list[Concept]) -> set[int]:
        """The positions of the texts `all_found(wanted, text)` is true of."""
        hits = set(range(len(self._texts)))
        for concept in wanted:
            hits &= set().union(*(self._holding_phrase(phrase) for phrase in concept))
            if not hits:
                break
        return hits

    def _holding_phrase(self, phrase: str) -> set[int]:
        words = phrase.split()
        if not words:  # nothing to look up: tried on every text, as `all_found` does
            return {n for n, text in enumerate(self._texts) if f" {phrase} " in text}
        # A phrase found whole is each of its words found whole; the words found in a
        # text are not always the phrase (another order, apart), so the few are tried.
        maybe = set.intersection(*(self._holding.get(w, set()) for w in words))
        return {n for n in maybe if f" {phrase} " in self._texts[n]}


def same_as(phrase: str) -> Concept:
    """A phrase and its synonyms ('ml': machine learning, ai, ...), or just its forms."""
    return _GROUP.get(phrase) or _forms(phrase)
