"""What a club wants to see: parsed from officers' words, kept as JSON in the club's
settings, applied to postings as a pure predicate."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Final

from bot.errors import UserError
from bot.postings.listing import Posting, normal
from bot.postings.places import COUNTRIES, Where, country_named, in_countries, place_words, where
from bot.postings.sources import board
from bot.postings.words import same_as

SETTING: Final = "postings"
SPONSORSHIP: Final = ("any", "offers", "no-citizenship")
# Category words officers write -> the community list's categories in both vocabularies:
# the short names new rows carry since 2026 and the long ones older rows keep.
CATEGORIES: Final = {
    "software": ("Software", "Software Engineering"),
    "product": ("Product", "Product Management"),
    "data": ("AI/ML/Data", "Data Science, AI & Machine Learning"),
    "quant": ("Quant", "Quantitative Finance"),
    "hardware": ("Hardware", "Hardware Engineering"),
    "other": ("Other",),
}
_CATEGORY_OF: Final = {normal(name): word for word, names in CATEGORIES.items() for name in names}
# Lists before 2026 and company boards have no category (and a list may add a name we do
# not know yet): the title tells most of it.
_TITLE_CATEGORY: Final = (
    ("quant", re.compile(r"\b(quant|quantitative|trading|trader)\b")),
    (
        "data",
        re.compile(
            r"\b(data|machine learning|ml|ai|research scientist|applied scientist|analytics|"
            r"deep learning|computer vision|nlp|llm)\b"
        ),
    ),
    ("hardware", re.compile(r"\b(hardware|electrical|embedded|asic|fpga|firmware)\b")),
    ("product", re.compile(r"\b(product manager|product management|pm)\b")),
    ("software", re.compile(r"\b(software|swe|developer|engineer|engineering|backend|frontend)\b")),
)


def category_of(posting: Posting) -> str:
    """The posting's category word: its own (either vocabulary), or read off its title."""
    own = _CATEGORY_OF.get(normal(posting.category)) if posting.category else None
    if own is not None:
        return own
    title = normal(posting.title)
    return next((word for word, pattern in _TITLE_CATEGORY if pattern.search(title)), "other")


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """A posting's text normalised once, so a thousand clubs' filters cost a lookup each."""

    # Each text normalised and padded with spaces (several values joined by " | "),
    # so a word is matched whole with one `in`.
    company_key: str
    company: str
    category: str
    title: str
    terms: str
    # Every place under every name a member may use for it (bot.postings.places), and
    # each place's names on their own, with its country and whether it is remote.
    locations: str
    places: tuple[str, ...]
    where: tuple[Where, ...]
    degrees: str
    sponsorship: str

    @property
    def searchable(self) -> str:
        """What a search is matched against: title, company and every name of every place."""
        return f"{self.title}{self.company}{self.locations}"


def facts_of(posting: Posting) -> Facts:
    def padded(values: tuple[str, ...]) -> str:
        return "".join(f" {normal(v)} |" for v in values)

    company_key = posting.company_key
    places = tuple("".join(f" {w} |" for w in place_words(p)) for p in posting.locations)
    return Facts(
        company_key=company_key,
        company=f" {company_key} ",
        category=category_of(posting),
        title=f" {normal(posting.title)} ",
        terms=padded(posting.terms),
        locations="".join(places),
        places=places,
        where=tuple(where(p) for p in posting.locations),
        degrees=padded(posting.degrees),
        sponsorship=posting.sponsorship,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    enabled: bool = False
    categories: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    sponsorship: str = "any"
    locations: tuple[str, ...] = ()
    degrees: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    # Countries to keep ('us', 'canada'...; 'remote' for remote postings there or anywhere
    # unsaid) and places to leave out (a posting only there is left out).
    countries: tuple[str, ...] = ()
    exclude_locations: tuple[str, ...] = ()

    def matches(self, facts: Facts) -> bool:
        return self.compiled()(facts)

    def compiled(self) -> Callable[[Facts], bool]:
        """The filter as one predicate with its words padded once: a club's filter is
        tried against every posting of a poll."""
        exclude, companies = _padded(self.exclude), _padded(self.companies)
        categories = frozenset(self.categories)
        terms, places = _padded(self.terms), _padded(self.locations)
        degrees = _padded(self.degrees)
        keywords = _padded(tuple(p for k in self.keywords for p in same_as(k)))
        sponsorship = self.sponsorship
        nations, leave_out = in_countries(self.countries), _padded(self.exclude_locations)

        def matches(facts: Facts) -> bool:
            if exclude and _found(exclude, facts.company):
                return False
            if companies and not _found(companies, facts.company):
                return False
            if categories and facts.category not in categories:
                return False
            if terms and not _found(terms, facts.terms):
                return False
            if places and not _found(places, facts.locations):
                return False
            if nations is not None and facts.where and not nations(facts.where):
                return False
            if leave_out and facts.places and all(_found(leave_out, p) for p in facts.places):
                return False
            if degrees and facts.degrees and not _found(degrees, facts.degrees):
                return False
            if keywords and not _found(keywords, facts.title):
                return False
            return sponsorship == "any" or _sponsorship_fits(sponsorship, facts.sponsorship)

        return matches

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def describe(self) -> list[str]:
        if not self.enabled:
            return ["Live postings are off: `/admin postings settings enabled:yes` turns them on."]
        shown = {
            "Categories": ", ".join(self.categories),
            "Terms": ", ".join(self.terms),
            "Sponsorship": "" if self.sponsorship == "any" else self.sponsorship,
            "Locations": ", ".join(self.locations),
            "Degrees": ", ".join(self.degrees),
            "Countries": ", ".join(self.countries),
            "Leaving out places": ", ".join(self.exclude_locations),
            "Only these companies": ", ".join(self.companies),
            "Leaving out": ", ".join(self.exclude),
            "Title keywords": ", ".join(self.keywords),
            "Company boards": ", ".join(self.boards),
        }
        return [f"{name}: {value or 'any'}" for name, value in shown.items()]


def _padded(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f" {w} " for w in words)


def _found(padded: tuple[str, ...], text: str) -> bool:
    # A loop, not any(): this runs for a thousand clubs times every posting.
    for word in padded:  # noqa: SIM110
        if word in text:
            return True
    return False


def _sponsorship_fits(wanted: str, said: str) -> bool:
    if wanted == "offers":
        return said == "Offers Sponsorship"
    if wanted == "no-citizenship":
        return said != "U.S. Citizenship is Required"
    return True


def filter_of(settings: Mapping[str, str]) -> Filter:
    """The club's filter; a stored value that no longer parses reads as the default."""
    raw = settings.get(SETTING)
    if not raw:
        return Filter()
    try:
        values: dict[str, Any] = json.loads(raw)
        read: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in values.items()
        }
        return Filter(**read)
    except (ValueError, TypeError):
        return Filter()


# --- officers' words ------------------------------------------------------------

_LIST_OPTIONS: Final = ("terms", "locations", "degrees", "companies", "exclude", "keywords")


def changed(current: Filter, args: Mapping[str, str]) -> Filter:
    """`current` with what the officer wrote; 'default' (or 'any') clears one option."""
    updated = current
    if "enabled" in args:
        updated = replace(updated, enabled=_yes_no(args["enabled"]))
    elif args:  # setting any filter turns the feature on
        updated = replace(updated, enabled=True)
    for name in _LIST_OPTIONS:
        if name in args:
            words: dict[str, Any] = {name: _words(args[name])}
            updated = replace(updated, **words)
    if "categories" in args:
        updated = replace(updated, categories=_categories(args["categories"]))
    if "sponsorship" in args:
        updated = replace(updated, sponsorship=_sponsorship(args["sponsorship"]))
    if "boards" in args:
        updated = replace(updated, boards=_boards(args["boards"]))
    if "country" in args:
        updated = replace(updated, countries=_countries(args["country"]))
    if "exclude_locations" in args:
        updated = replace(updated, exclude_locations=_words(args["exclude_locations"]))
    return updated


def _countries(text: str) -> tuple[str, ...]:
    words = _words(text)
    unknown = [w for w in words if not country_named(w)]
    if unknown:
        raise UserError(
            f"`{', '.join(unknown)[:60]}` is not a country I know. Write countries and `remote`, "
            f'e.g. `country:"us, remote"` (of {", ".join(COUNTRIES)}).'
        )
    return tuple(dict.fromkeys(country_named(w) for w in words))


def _cleared(text: str) -> bool:
    return text.strip().lower() in ("default", "any", "all", "none", "")


def _words(text: str) -> tuple[str, ...]:
    if _cleared(text):
        return ()
    words = tuple(dict.fromkeys(w for w in (normal(p) for p in text.split(",")) if w))
    if len(words) > 25:
        raise UserError("At most 25 entries per option, separated by commas.")
    return words


def _categories(text: str) -> tuple[str, ...]:
    words = _words(text)
    unknown = [w for w in words if w not in CATEGORIES]
    if unknown:
        raise UserError(
            f"Unknown categor{'y' if len(unknown) == 1 else 'ies'}: {', '.join(unknown)[:100]}. "
            f"Pick from {', '.join(CATEGORIES)}, e.g. `categories:software,data`."
        )
    return words


def _sponsorship(text: str) -> str:
    value = text.strip().lower()
    if value not in SPONSORSHIP:
        raise UserError(
            "`sponsorship` is `any`, `offers` (only postings that offer visa sponsorship) or "
            "`no-citizenship` (leave out postings that require U.S. citizenship)."
        )
    return value


def _boards(text: str) -> tuple[str, ...]:
    if _cleared(text):
        return ()
    return tuple(dict.fromkeys(board(p).name for p in text.split(",") if p.strip()))[:10]


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("yes", "no", "on", "off", "true", "false"):
        raise UserError("`enabled` is `yes` or `no`.")
    return value in ("yes", "on", "true")
