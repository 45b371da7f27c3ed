"""The one zone reader: what members type, the zone it picks or the question it asks."""

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.club_time import read_time, read_zone, zone, zone_name, zone_suggestions
from bot.errors import UserError
from bot.zones import ALIASES, AMBIGUOUS

NY, LA, CHI = "America/New_York", "America/Los_Angeles", "America/Chicago"

# (typed, the zone saved) for input the reader resolves.
CHOSEN = [
    ("EST", NY),
    ("EDT", NY),
    ("ET", NY),
    ("est", NY),
    ("Eastern Time", NY),
    ("EST5EDT", NY),
    ("PST", LA),
    ("PDT", LA),
    ("PT", LA),
    ("Pacific Standard Time", LA),
    ("CDT", CHI),
    ("MDT", "America/Denver"),
    ("IST", "Asia/Kolkata"),
    ("CET", "Europe/Paris"),
    ("CEST", "Europe/Paris"),
    ("BST", "Europe/London"),
    ("HST", "Pacific/Honolulu"),
    ("AEST", "Australia/Sydney"),
    ("JST", "Asia/Tokyo"),
    ("UTC", "UTC"),
    ("america/new_york", NY),
    ("AMERICA/NEW_YORK", NY),
    ("America/New York", NY),
    ("  Europe/London ", "Europe/London"),
    ("New York", NY),
    ("new_york", NY),
    ("NYC", NY),
    ("London", "Europe/London"),
    ("Bangalore", "Asia/Kolkata"),
    ("Bengaluru", "Asia/Kolkata"),
    ("Mumbai", "Asia/Kolkata"),
    ("SF", LA),
    ("San Francisco", LA),
    ("Seattle", LA),
    ("Toronto", "America/Toronto"),
    ("Chicago", CHI),
    ("tokyo", "Asia/Tokyo"),
    ("Sao Paulo", "America/Sao_Paulo"),
    ("UTC+5:30", "UTC+05:30"),
    ("UTC+5", "UTC+05:00"),
    ("GMT-5", "UTC-05:00"),
    ("+0530", "UTC+05:30"),
    ("utc - 3", "UTC-03:00"),
    ("UTC\u22125", "UTC-05:00"),
    ("GMT+0", "UTC"),
    ("Etc/GMT-5", "UTC+05:00"),
    # Windows and Outlook names, coasts, both seasons at once, countries with one zone.
    ("Eastern Time (US & Canada)", NY),
    ("Pacific Time (US & Canada)", LA),
    ("(UTC-06:00) Central Time (US & Canada)", CHI),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("GMT Standard Time", "Europe/London"),
    ("India Standard Time", "Asia/Kolkata"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Amsterdam"),
    ("east coast", NY),
    ("West Coast", LA),
    ("EST/EDT", NY),
    ("CST/CDT", CHI),
    ("Taiwan", "Asia/Taipei"),
    ("Vietnam", "Asia/Ho_Chi_Minh"),
    ("Singapore", "Asia/Singapore"),
    ("Iceland", "Atlantic/Reykjavik"),
    ("São Paulo", "America/Sao_Paulo"),
    ("ICT", "Asia/Bangkok"),
    # Old names are saved under the zone's own name.
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("US/Eastern", NY),
]

# (typed, words the question must contain) for abbreviations that mean two places.
ASKED = [
    ("CST", ("America/Chicago", "Asia/Shanghai")),
    ("cst", ("America/Chicago", "Asia/Shanghai")),
    ("MST", ("America/Denver", "America/Phoenix")),
    ("AST", ("America/Halifax", "Asia/Riyadh")),
    ("GMT", ("Europe/London", "UTC")),
]

# (typed, the suggestion expected first) for typos.
TYPOS = [
    ("America/NewYork", NY),
    ("Amercia/Chicago", CHI),
    ("Kolkatta", "Asia/Kolkata"),
    ("Londn", "Europe/London"),
    ("PSTT", LA),
    ("Bostn", NY),
    ("Bangalor", "Asia/Kolkata"),
    ("Seatle", LA),
]


def test_the_table_covers_at_least_forty_inputs():
    assert len(CHOSEN) + len(ASKED) + len(TYPOS) >= 40


@pytest.mark.parametrize(("typed", "key"), CHOSEN)
def test_what_people_type_resolves_to_the_zone_they_mean(typed, key):
    choice = read_zone(typed)
    assert choice.key == key
    assert key in choice.note
    zone(choice.key)  # what is saved can be read back


@pytest.mark.parametrize(("typed", "choices"), ASKED)
def test_an_ambiguous_abbreviation_asks_with_both_choices(typed, choices):
    with pytest.raises(UserError) as asked:
        read_zone(typed)
    assert "more than one zone" in str(asked.value)
    assert all(choice in str(asked.value) for choice in choices)


@pytest.mark.parametrize(("typed", "first"), TYPOS)
def test_a_typo_gets_the_zone_people_mean_first(typed, first):
    with pytest.raises(UserError, match=f"Did you mean {first}"):
        read_zone(typed)


def test_the_note_says_the_zone_follows_daylight_saving():
    note = read_zone("EST").note
    assert "America/New_York" in note
    assert "daylight saving" in note
    assert "EST (UTC-05:00) in January, EDT (UTC-04:00) in July" in note
    assert "No daylight saving: IST (UTC+05:30) all year." in read_zone("IST").note


def test_a_fixed_offset_is_taken_as_people_mean_it_and_warned_about():
    choice = read_zone("GMT-5")
    assert zone(choice.key).utcoffset(None) == timedelta(hours=-5)
    assert "does not follow daylight saving" in choice.note
    assert NY in choice.note  # the named zone on that offset is offered instead
    assert zone(read_zone("UTC+5:30").key).utcoffset(None) == timedelta(hours=5, minutes=30)
    with pytest.raises(UserError, match="UTC-12 to UTC\\+14"):
        read_zone("UTC+15")


ALL_TYPED = [t for t, _ in CHOSEN] + [t for t, _ in ASKED] + [t for t, _ in TYPOS]
NAMED = [t for t, k in CHOSEN if not k.startswith("UTC")] + [t for t, _ in ASKED + TYPOS]


@pytest.mark.parametrize("typed", NAMED)
def test_no_fixed_offset_zone_is_ever_suggested_for_a_named_zone(typed):
    try:
        said = read_zone(typed).note
    except UserError as error:
        said = str(error)
    suggested = zone_suggestions(typed)
    assert "Etc/" not in said
    assert not any(s.startswith(("Etc/", "UTC+", "UTC-")) for s in suggested)


@pytest.mark.parametrize("typed", ["GMT-5", "UTC+5", "Etc/GMT-5", "GMT+3"])
def test_offset_suggestions_never_invert_the_sign(typed):
    offset = zone(read_zone(typed).key).utcoffset(None)
    for name in zone_suggestions(typed):
        assert not name.startswith("Etc/")
        instants = (datetime(2026, m, 15, 12, tzinfo=UTC) for m in (1, 7))
        assert offset in {i.astimezone(zone(name)).utcoffset() for i in instants}


def test_autocomplete_offers_what_people_mean():
    assert zone_suggestions("nyc")[0] == NY
    assert zone_suggestions("bang")[0] == "Asia/Kolkata"
    assert zone_suggestions("CST") == [CHI, "Asia/Shanghai"]
    assert zone_suggestions("")[:2] == [NY, LA]
    assert len(zone_suggestions("a")) == 25
    assert zone_suggestions("UTC+5:30") == ["Asia/Kolkata", "UTC+05:30"]


def test_aliases_point_at_real_zones():
    for region in [*ALIASES.values(), *(r for pair in AMBIGUOUS.values() for r in pair)]:
        zone(region.key)


def test_zones_saved_before_the_reader_run_on_the_zone_they_meant():
    january, july = datetime(2027, 1, 15, 14, tzinfo=UTC), datetime(2027, 7, 15, 13, tzinfo=UTC)
    assert january.astimezone(zone("EST")).hour == 9
    assert july.astimezone(zone("EST")).hour == 9
    assert zone_name("EST") == NY
    # Saved "MST" already behaves like Arizona, which is what some clubs mean: left alone.
    assert july.astimezone(zone("MST")).utcoffset() == timedelta(hours=-7)
    assert zone_name("America/Denver") == "America/Denver"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9am", time(9)),
        ("9 AM", time(9)),
        ("9a", time(9)),
        ("9:30 pm", time(21, 30)),
        ("9.30pm", time(21, 30)),
        ("9 p.m.", time(21)),
        ("8:30pm", time(20, 30)),
        ("21:30", time(21, 30)),
        ("09:00", time(9)),
        ("0930", time(9, 30)),
        ("9", time(9)),
        ("noon", time(12)),
        ("Midnight", time(0)),
        ("12am", time(0)),
        ("12pm", time(12)),
    ],
)
def test_times_of_day_as_people_write_them(text, expected):
    assert read_time(text) == expected


@pytest.mark.parametrize("text", ["13pm", "0am", "24:00", "12:60", "", "nine", "9:3", "1:2:3"])
def test_a_wrong_time_says_how_to_write_it(text):
    with pytest.raises(UserError, match="9am, 9:30pm, 21:30 or noon"):
        read_time(text)


def test_windows_names_and_aliases_are_saved_under_a_zones_own_name():
    from bot.club_time import canonical
    from bot.zones import WINDOWS

    for key in [*WINDOWS.values(), *(r.key for r in ALIASES.values())]:
        assert zone(key) is not None
        assert canonical(key) == key, key
