"""Places as the lists write them ("NYC", "SF", "Remote in USA", "Toronto, ON, Canada"), read
as people mean them: the city under its usual names, the areas it lies in, its country,
and whether it is remote. Pure, and cached per place: a list names a few hundred places.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Final, TypeAlias

from bot.postings.words import normal

# Cities under the names the lists and members use, each -> its one name here.
_CITY_NAMES: Final = {
    "nyc": "new york",
    "new york city": "new york",
    "manhattan": "new york",
    "brooklyn": "new york",
    "sf": "san francisco",
    "san fran": "san francisco",
    "la": "los angeles",
    "dc": "washington",
    "washington dc": "washington",
    "washington d c": "washington",
    "philly": "philadelphia",
    "st louis": "saint louis",
}
# What members call each city besides its name (the reverse of _CITY_NAMES, and more).
_NICKNAMES: Final = {
    "new york": ("nyc", "new york city"),
    "san francisco": ("sf",),
    "los angeles": ("la",),
    "washington": ("dc", "washington dc"),
}
# Areas members name -> the cities (and places) in them.
_AREAS: Final = {
    "bay area": (
        "san francisco", "sf bay area", "san jose", "palo alto", "mountain view", "sunnyvale",
        "santa clara", "menlo park", "redwood city", "san mateo", "cupertino", "oakland",
        "berkeley", "foster city", "fremont", "san carlos", "south san francisco", "burlingame",
        "emeryville", "milpitas", "los gatos", "newark ca", "san bruno", "belmont",
    ),
    "silicon valley": (
        "san jose", "palo alto", "mountain view", "sunnyvale", "santa clara", "menlo park",
        "cupertino", "redwood city", "milpitas", "los gatos",
    ),
}  # fmt: skip
_STATE_CODES: Final = (
    "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj "
    "nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc"
)
_US_STATES: Final = frozenset(_STATE_CODES.split())
_US_STATE_NAMES: Final = frozenset(
    {
        "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
        "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
        "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
        "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
        "new hampshire", "new jersey", "new mexico", "north carolina", "north dakota", "ohio",
        "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota",
        "tennessee", "texas", "utah", "vermont", "virginia", "washington",
        "west virginia", "wisconsin", "wyoming",
    }
)  # fmt: skip
_PROVINCE_CODES: Final = "ab bc mb nb nl ns nt nu on pe qc sk yt"
_CA_PROVINCES: Final = frozenset(_PROVINCE_CODES.split())
# Countries by the words that name them in a place (the last part, or anywhere).
_COUNTRIES: Final = {
    "us": ("usa", "us", "united states", "united states of america", "u s", "america"),
    "canada": ("canada",),
    "uk": ("uk", "united kingdom", "england", "scotland", "great britain", "britain"),
    "india": ("india",),
    "germany": ("germany",),
    "france": ("france",),
    "ireland": ("ireland",),
    "netherlands": ("netherlands",),
    "switzerland": ("switzerland",),
    "singapore": ("singapore",),
    "australia": ("australia",),
    "israel": ("israel",),
    "china": ("china",),
    "japan": ("japan",),
    "poland": ("poland",),
    "spain": ("spain",),
    "mexico": ("mexico",),
    "brazil": ("brazil",),
    "hong kong": ("hong kong",),
}
_COUNTRY_OF_WORD: Final = {w: c for c, words in _COUNTRIES.items() for w in words}
# Longest first, so 'united states of america' is read before 'america'.
_BY_LENGTH: Final = sorted(_COUNTRY_OF_WORD.items(), key=lambda wc: -len(wc[0]))
# Cities the lists name without a state or country.
_CITY_COUNTRY: Final = {
    "new york": "us", "san francisco": "us", "seattle": "us", "boston": "us", "chicago": "us",
    "austin": "us", "los angeles": "us", "washington": "us", "atlanta": "us", "denver": "us",
    "toronto": "canada", "vancouver": "canada", "montreal": "canada", "waterloo": "canada",
    "ottawa": "canada", "london": "uk", "bangalore": "india", "bengaluru": "india",
    "dublin": "ireland", "zurich": "switzerland", "berlin": "germany", "munich": "germany",
    "paris": "france", "amsterdam": "netherlands", "tel aviv": "israel",
}  # fmt: skip
COUNTRIES: Final = tuple(_COUNTRIES)


def city(place: str) -> str:
    """The place's city under its one name: 'NYC' and 'New York, NY' -> 'new york'."""
    head = normal(place.split(",")[0])
    for suffix in (" ny", " ca", " us", " usa"):  # 'NYC NY', written without the comma
        if head.endswith(suffix) and head[: -len(suffix)] in _CITY_NAMES:
            head = head[: -len(suffix)]
    return _CITY_NAMES.get(head, head)


def is_remote(place: str) -> bool:
    return "remote" in normal(place).split()


@lru_cache(maxsize=8192)
def country(place: str) -> str:
    """'us', 'canada', 'uk'... or '' when the place does not say. A country named wins,
    then a city known abroad ('Toronto, CA' is Canada's), then a state or province."""
    parts = [normal(p) for p in place.split(",") if normal(p)]
    named = next((_COUNTRY_OF_WORD[p] for p in reversed(parts) if p in _COUNTRY_OF_WORD), "")
    known = _CITY_COUNTRY.get(city(place), "")
    if named or known:
        return named or known
    last = parts[-1].split()[-1] if len(parts) == 1 and " " in parts[0] else ""
    for part in (*reversed(parts), last):  # 'Hartford CT' is written without its comma
        if part in _US_STATES or part in _US_STATE_NAMES:
            return "us"
        if part in _CA_PROVINCES:
            return "canada"
    words = f" {normal(place)} "
    return next((c for w, c in _BY_LENGTH if f" {w} " in words), "")


@lru_cache(maxsize=8192)
def place_words(place: str) -> tuple[str, ...]:
    """Every name a member may search the place by: as written, its city and that city's
    other names, the areas it lies in, its country's names, and 'remote'."""
    written, town = normal(place), city(place)
    words = {written, town, *_NICKNAMES.get(town, ())}
    words |= {area for area, towns in _AREAS.items() if town in towns or written in towns}
    nation = country(place)
    if nation:
        words |= {nation, *_COUNTRIES[nation]}
    if is_remote(place):
        words.add("remote")
    return tuple(sorted(w for w in words if w))


def place_key(place: str) -> str:
    """One place, however the list writes it, for telling twins apart: 'SF' and
    'San Francisco, CA' are one; 'Remote' and 'Remote in USA' are one."""
    return "remote" if is_remote(place) else city(place)


# A place as a country filter reads it: its country ('' when unsaid) and whether remote.
Where: TypeAlias = tuple[str, bool]


def where(place: str) -> Where:
    return (country(place), is_remote(place))


def country_named(word: str) -> str:
    """A country as a club writes it ('usa', 'United States', 'uk') -> its key; 'remote'
    stays; '' when unknown."""
    word = normal(word)
    return (
        "remote"
        if word == "remote"
        else _COUNTRY_OF_WORD.get(word, word if word in _COUNTRIES else "")
    )


def in_countries(wanted: Sequence[str]) -> Callable[[Sequence[Where]], bool] | None:
    """A predicate over a posting's places: one of them is in a wanted country, or (with
    'remote' wanted) remote in a wanted country or where none is said. None: no filter."""
    if not wanted:
        return None
    nations, remote = frozenset(wanted) - {"remote"}, "remote" in wanted

    def fits(places: Sequence[Where]) -> bool:
        for nation, far in places:
            if nation in nations or (remote and far and (not nation or not nations)):
                return True
        return False

    return fits
