"""What people type for a time zone, mapped to the zone they mean.

Abbreviations name a *season* of a zone (EST is New York in winter), so each maps
to the real zone that switches with daylight saving. A few abbreviations mean two
places; for those the reader asks instead of guessing. Keys are normalised the way
`bot.club_time.read_zone` normalises input: lower case, `_` and runs of spaces as
one space, a trailing "time" / "standard time" / "daylight time" dropped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """A zone and the words that tell a member which one it is."""

    key: str
    label: str


NEW_YORK = Region(key="America/New_York", label="US Eastern, New York")
CHICAGO = Region(key="America/Chicago", label="US Central, Chicago")
DENVER = Region(key="America/Denver", label="US Mountain, Denver")
PHOENIX = Region(key="America/Phoenix", label="Arizona, no daylight saving")
LOS_ANGELES = Region(key="America/Los_Angeles", label="US Pacific, Los Angeles")
HALIFAX = Region(key="America/Halifax", label="Atlantic, Halifax")
LONDON = Region(key="Europe/London", label="UK, London")
PARIS = Region(key="Europe/Paris", label="Central Europe, Paris")
ATHENS = Region(key="Europe/Athens", label="Eastern Europe, Athens")
KOLKATA = Region(key="Asia/Kolkata", label="India")
SHANGHAI = Region(key="Asia/Shanghai", label="China")
RIYADH = Region(key="Asia/Riyadh", label="Arabia, Riyadh")
UTC = Region(key="UTC", label="no daylight saving")

# Abbreviations and words that name one zone.
ALIASES: dict[str, Region] = {
    **dict.fromkeys(("est", "edt", "et", "eastern", "us eastern", "est5edt"), NEW_YORK),
    **dict.fromkeys(("cdt", "ct", "central", "us central", "cst6cdt"), CHICAGO),
    **dict.fromkeys(("mdt", "mt", "mountain", "us mountain", "mst7mdt"), DENVER),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific", "us pacific", "pst8pdt"), LOS_ANGELES),
    **dict.fromkeys(("akst", "akdt", "alaska"), Region(key="America/Anchorage", label="Alaska")),
    **dict.fromkeys(("hst", "hast", "hawaii"), Region(key="Pacific/Honolulu", label="Hawaii")),
    **dict.fromkeys(("adt", "atlantic"), HALIFAX),
    **dict.fromkeys(
        ("nst", "ndt", "newfoundland"), Region(key="America/St_Johns", label="Newfoundland")
    ),
    **dict.fromkeys(("bst", "uk", "united kingdom", "england", "britain", "scotland"), LONDON),
    **dict.fromkeys(("ist", "india", "indian"), KOLKATA),
    **dict.fromkeys(("cet", "cest", "met", "mez", "central european", "europe"), PARIS),
    **dict.fromkeys(("eet", "eest", "eastern european"), ATHENS),
    **dict.fromkeys(
        ("wet", "west", "western european"), Region(key="Europe/Lisbon", label="Lisbon")
    ),
    **dict.fromkeys(("msk", "moscow"), Region(key="Europe/Moscow", label="Moscow")),
    **dict.fromkeys(("jst", "japan"), Region(key="Asia/Tokyo", label="Japan")),
    **dict.fromkeys(("kst", "korea"), Region(key="Asia/Seoul", label="Korea")),
    **dict.fromkeys(("hkt",), Region(key="Asia/Hong_Kong", label="Hong Kong")),
    **dict.fromkeys(("sgt", "sg"), Region(key="Asia/Singapore", label="Singapore")),
    **dict.fromkeys(("pkt", "pakistan"), Region(key="Asia/Karachi", label="Pakistan")),
    **dict.fromkeys(("npt", "nepal"), Region(key="Asia/Kathmandu", label="Nepal")),
    **dict.fromkeys(("pht", "philippines"), Region(key="Asia/Manila", label="Philippines")),
    **dict.fromkeys(("wib",), Region(key="Asia/Jakarta", label="Western Indonesia")),
    **dict.fromkeys(("gst", "uae"), Region(key="Asia/Dubai", label="Gulf, Dubai")),
    **dict.fromkeys(("aest", "aedt"), Region(key="Australia/Sydney", label="Australia East")),
    **dict.fromkeys(("acst", "acdt"), Region(key="Australia/Adelaide", label="Australia Central")),
    **dict.fromkeys(("awst",), Region(key="Australia/Perth", label="Australia West")),
    **dict.fromkeys(("nzst", "nzdt", "nz"), Region(key="Pacific/Auckland", label="New Zealand")),
    **dict.fromkeys(("sast",), Region(key="Africa/Johannesburg", label="South Africa")),
    **dict.fromkeys(("wat",), Region(key="Africa/Lagos", label="West Africa")),
    **dict.fromkeys(("eat",), Region(key="Africa/Nairobi", label="East Africa")),
    **dict.fromkeys(("brt",), Region(key="America/Sao_Paulo", label="Brazil")),
    **dict.fromkeys(
        ("ict", "indochina"), Region(key="Asia/Bangkok", label="Indochina: Thailand, Vietnam")
    ),
    **dict.fromkeys(("east coast", "us east coast", "eastern us"), NEW_YORK),
    **dict.fromkeys(("west coast", "us west coast", "western us"), LOS_ANGELES),
    **dict.fromkeys(("utc", "uct", "z", "zulu", "coordinated universal", "universal"), UTC),
    # Cities and nicknames that are not the last part of an IANA name.
    **dict.fromkeys(
        (
            "nyc",
            "ny",
            "new york city",
            "manhattan",
            "brooklyn",
            "boston",
            "washington",
            "washington dc",
            "dc",
            "philadelphia",
            "philly",
            "atlanta",
            "miami",
            "pittsburgh",
            "baltimore",
            "princeton",
            "cambridge ma",
        ),
        NEW_YORK,
    ),
    **dict.fromkeys(
        (
            "sf",
            "san francisco",
            "bay area",
            "silicon valley",
            "san jose",
            "palo alto",
            "berkeley",
            "oakland",
            "seattle",
            "la",
            "portland",
            "san diego",
            "california",
        ),
        LOS_ANGELES,
    ),
    **dict.fromkeys(("austin", "dallas", "houston", "atx", "minneapolis", "st louis"), CHICAGO),
    **dict.fromkeys(("boulder", "salt lake city", "colorado"), DENVER),
    **dict.fromkeys(("arizona", "tucson"), PHOENIX),
    **dict.fromkeys(
        ("montreal", "ottawa", "waterloo", "quebec"),
        Region(key="America/Toronto", label="Canada Eastern, Toronto"),
    ),
    **dict.fromkeys(
        ("bangalore", "bengaluru", "mumbai", "bombay", "delhi", "new delhi", "hyderabad"), KOLKATA
    ),
    **dict.fromkeys(("chennai", "pune", "calcutta", "noida", "gurgaon", "gurugram"), KOLKATA),
    **dict.fromkeys(("beijing", "china", "shenzhen", "guangzhou", "hangzhou"), SHANGHAI),
    **dict.fromkeys(
        ("munich", "frankfurt", "hamburg", "germany"), Region(key="Europe/Berlin", label="Germany")
    ),
    **dict.fromkeys(("france",), PARIS),
    **dict.fromkeys(("edinburgh", "manchester", "oxford"), LONDON),
}

# Abbreviations that mean two places: the reader asks which.
AMBIGUOUS: dict[str, tuple[Region, Region]] = {
    "cst": (CHICAGO, SHANGHAI),
    "mst": (DENVER, PHOENIX),
    "ast": (HALIFAX, RIYADH),
    "gmt": (LONDON, UTC),
}

# Zones offered when a member types a fixed offset, ranked by how many members live there.
POPULAR: tuple[str, ...] = (
    "America/New_York",
    "America/Los_Angeles",
    "America/Chicago",
    "Asia/Kolkata",
    "Europe/London",
    "America/Denver",
    "Europe/Paris",
    "Asia/Shanghai",
    "America/Toronto",
    "America/Phoenix",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Europe/Berlin",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "America/Halifax",
    "America/St_Johns",
    "Pacific/Honolulu",
    "America/Anchorage",
    "Pacific/Auckland",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Seoul",
)

# IANA's bare abbreviation zones are fixed offsets ("EST" is UTC-5 all year); a club
# saved with one before the reader existed meant the real zone, and runs on it.
# "MST" is left alone: as saved it behaves like Arizona, which is what some clubs mean.
SAVED_BEFORE: dict[str, str] = {
    "EST": NEW_YORK.key,
    "HST": "Pacific/Honolulu",
    "CET": PARIS.key,
    "MET": PARIS.key,
    "EET": ATHENS.key,
    "WET": "Europe/Lisbon",
}


# Windows and Outlook zone names (CLDR's windowsZones, the zone each stands for worldwide),
# lower case as typed; an Outlook label's "(UTC-05:00) " prefix is dropped before lookup.
# "GMT Standard Time" is London here, though "GMT" alone is asked about.
WINDOWS: dict[str, str] = {
    "hawaiian standard time": "Pacific/Honolulu",
    "alaskan standard time": "America/Anchorage",
    "pacific standard time": "America/Los_Angeles",
    "pacific time (us & canada)": "America/Los_Angeles",
    "pacific standard time (mexico)": "America/Tijuana",
    "us mountain standard time": "America/Phoenix",
    "mountain standard time": "America/Denver",
    "mountain time (us & canada)": "America/Denver",
    "central america standard time": "America/Guatemala",
    "central standard time": "America/Chicago",
    "central time (us & canada)": "America/Chicago",
    "central standard time (mexico)": "America/Mexico_City",
    "canada central standard time": "America/Regina",
    "sa pacific standard time": "America/Bogota",
    "eastern standard time": "America/New_York",
    "eastern time (us & canada)": "America/New_York",
    "eastern standard time (mexico)": "America/Cancun",
    "us eastern standard time": "America/Indiana/Indianapolis",
    "venezuela standard time": "America/Caracas",
    "atlantic standard time": "America/Halifax",
    "atlantic time (canada)": "America/Halifax",
    "sa western standard time": "America/La_Paz",
    "pacific sa standard time": "America/Santiago",
    "newfoundland standard time": "America/St_Johns",
    "e. south america standard time": "America/Sao_Paulo",
    "argentina standard time": "America/Argentina/Buenos_Aires",
    "sa eastern standard time": "America/Cayenne",
    "montevideo standard time": "America/Montevideo",
    "azores standard time": "Atlantic/Azores",
    "cape verde standard time": "Atlantic/Cape_Verde",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "central europe standard time": "Europe/Budapest",
    "romance standard time": "Europe/Paris",
    "central european standard time": "Europe/Warsaw",
    "w. central africa standard time": "Africa/Lagos",
    "jordan standard time": "Asia/Amman",
    "gtb standard time": "Europe/Bucharest",
    "middle east standard time": "Asia/Beirut",
    "egypt standard time": "Africa/Cairo",
    "e. europe standard time": "Europe/Chisinau",
    "south africa standard time": "Africa/Johannesburg",
    "fle standard time": "Europe/Kyiv",
    "israel standard time": "Asia/Jerusalem",
    "arabic standard time": "Asia/Baghdad",
    "turkey standard time": "Europe/Istanbul",
    "arab standard time": "Asia/Riyadh",
    "russian standard time": "Europe/Moscow",
    "e. africa standard time": "Africa/Nairobi",
    "iran standard time": "Asia/Tehran",
    "arabian standard time": "Asia/Dubai",
    "pakistan standard time": "Asia/Karachi",
    "india standard time": "Asia/Kolkata",
    "sri lanka standard time": "Asia/Colombo",
    "nepal standard time": "Asia/Kathmandu",
    "bangladesh standard time": "Asia/Dhaka",
    "myanmar standard time": "Asia/Yangon",
    "se asia standard time": "Asia/Bangkok",
    "china standard time": "Asia/Shanghai",
    "singapore standard time": "Asia/Singapore",
    "taipei standard time": "Asia/Taipei",
    "w. australia standard time": "Australia/Perth",
    "tokyo standard time": "Asia/Tokyo",
    "korea standard time": "Asia/Seoul",
    "cen. australia standard time": "Australia/Adelaide",
    "aus central standard time": "Australia/Darwin",
    "e. australia standard time": "Australia/Brisbane",
    "aus eastern standard time": "Australia/Sydney",
    "new zealand standard time": "Pacific/Auckland",
    "utc": "UTC",
    "coordinated universal time": "UTC",
}
