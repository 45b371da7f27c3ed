"""Every day true: on every day of two recruiting years, /whatnow, /deadlines, the weekly
post and the program pages show each window the same way, and an estimated date shows as
one wherever it appears.

Each is built as its command or job builds it (the pure builders they call); a few days
run through the real commands too, to hold the commands to those builders.
"""

import calendar
from datetime import date, datetime

import pytest

from bot.jobs import SkipRun
from bot.model import Message
from bot.windows.advice import load_advice
from bot.windows.calendar import Occurrence, cycles_visible, load_calendar, select
from bot.windows.commands import program_message
from bot.windows.listing import line, section_fields, sections, when
from bot.windows.posts import weekly_message
from bot.windows.whatnow import whatnow_message
from tests.conftest import ADMIN, MEMBER

CALENDAR = load_calendar()
ADVICE = load_advice()
MONTHS = [(2026 + (m + 6) // 12, (m + 6) % 12 + 1) for m in range(24)]  # Jul 2026 - Jun 2028
YEARS = (None, "sophomore", "phd")


def _days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


def _bullets(message: Message) -> list[str]:
    return [t for f in message.fields for t in f.value.splitlines() if t.startswith("• ")]


def _deadlines(chosen: list[Occurrence], day: date) -> list[str]:
    """What /deadlines lists (no confirmed postings in these tests)."""
    return [t for f in section_fields(sections(chosen, day), day) for t in f.value.splitlines()]


def _whole_cycle(chosen: list[Occurrence], day: date) -> list[str]:
    """What /deadlines when:all lists."""
    cycle = cycles_visible(day)[0]
    this_cycle = [o for o in chosen if o.key.endswith(f":{cycle}")]
    found = sections(this_cycle, day, opening_days=366, show_closed=True)
    return [t for f in section_fields(found, day) for t in f.value.splitlines()]


def _shows_an_estimate(o: Occurrence, day: date) -> bool:
    """Whether the line of `o` on `day` shows a date that is an estimate."""
    phase = o.phase(day)
    if phase == "upcoming":
        return o.opens_estimated or (o.closes_estimated and o.closes_on is not None)
    return o.closes_estimated


def _check_lines(where: str, bullets: list[str], chosen: list[Occurrence], day: date) -> None:
    """Each bullet is the calendar's own line for one occurrence, with its estimates marked."""
    lines = {line(o, day): o for o in chosen}
    for bullet in bullets:
        assert bullet in lines, f"{day} {where}: {bullet!r} is no window's line"
        o = lines[bullet]
        if _shows_an_estimate(o, day):
            assert "estimated" in bullet, f"{day} {where}: an estimate unmarked: {bullet!r}"


def _agree(where: str, bullets: list[str], deadlines: list[str], day: date) -> None:
    """A window /deadlines lists is shown with the very same line; next summer's window
    beside this summer's says which summer it is for."""
    by_title = {b.split(" (")[0]: b for b in deadlines if b.startswith("• ")}
    for bullet in bullets:
        title = bullet.split(" (")[0]
        if title in by_title and bullet != by_title[title]:
            later = f" · for summer {cycles_visible(day)[0] + 1}"
            assert bullet.endswith(later) != by_title[title].endswith(later), (
                f"{day}: {where} and /deadlines disagree on {title}"
            )


@pytest.mark.parametrize(("year", "month"), MONTHS, ids=lambda v: str(v))
def test_every_day_whatnow_deadlines_weekly_and_program_pages_agree(year, month):
    for day in _days(year, month):
        around = CALENDAR.around(day)
        for class_year in YEARS:
            chosen = select(around, class_year=class_year)
            deadlines = _deadlines(chosen, day)
            _check_lines("/deadlines", [b for b in deadlines if b.startswith("• ")], chosen, day)
            _check_lines("when:all", _whole_cycle(chosen, day), chosen, day)
            whatnow = whatnow_message(ADVICE, chosen, day, class_year=class_year)
            _check_lines("/whatnow", _bullets(whatnow), chosen, day)
            _agree("/whatnow", _bullets(whatnow), deadlines, day)
            _whatnow_says_nothing_else(whatnow, day)
        everything = _deadlines(around, day)
        if day.weekday() == 0:
            try:
                weekly = _bullets(weekly_message(around, day, ADVICE))
            except SkipRun:
                weekly = []
            assert weekly, f"{day}: a silent week"
            _check_lines("the weekly post", weekly, around, day)
            _agree("the weekly post", weekly, everything, day)
        for window in CALENDAR.windows:
            _program_page_agrees(
                window.id, program_message(window, day, club_id=1), everything, day
            )


def _whatnow_says_nothing_else(message: Message, day: date) -> None:
    """Besides the calendar's lines, /whatnow says only the advice's own sentences."""
    month = ADVICE.for_day(day)
    said = {month.advice, ADVICE.early_years.text, ADVICE.fallback, ADVICE.practice}
    said.add(f"{ADVICE.applications} {ADVICE.mix}")
    for f in message.fields:
        if not f.value.startswith("• "):
            assert f.value in said, f"{day}: /whatnow says {f.value[:60]!r}"


def _program_page_agrees(window_id: str, page: Message, everything: list[str], day: date):
    """The page says where this cycle's window stands as /deadlines' line does."""
    current = [o for o in CALENDAR.around(day) if o.window_id == window_id]
    o = next((o for o in current if o.phase(day) != "closed"), current[-1])
    now = "not open yet" if o.phase(day) == "upcoming" else when(o, day)
    value = {f.name: f.value for f in page.fields}["Window"]
    assert value.startswith(f"Now: {now}. Opens {o.opens_text}; "), (day, window_id, value)
    if line(o, day) not in everything:
        assert not any(f"{o.title} ({o.track}): {now}" in b for b in everything), (day, o.key)
    if o.estimated:
        assert "(estimated)" in value or "estimated)" in value, (day, window_id)


# --- the days ----------------------------------------------------------------


def _whatnow(day: date, class_year: str | None = None) -> Message:
    chosen = select(CALENDAR.around(day), class_year=class_year)
    return whatnow_message(ADVICE, chosen, day, class_year=class_year)


def _text(message: Message) -> str:
    return message.text + "\n" + "\n".join(f"{f.name}\n{f.value}" for f in message.fields)


def test_google_step_after_two_weeks_is_late_not_closed_in_every_view():
    for day in (date(2026, 10, 30), date(2026, 11, 5), date(2026, 11, 12)):
        step = next(o for o in CALENDAR.around(day) if o.key == "google-step:2027")
        bullet = line(step, day)
        assert "open but late (the window runs 2-4 weeks: it may already have closed)" in bullet
        assert "closes by 12 Nov 2026 (estimated) at the latest" in bullet
        assert bullet in _deadlines(CALENDAR.around(day), day)
        page = program_message(CALENDAR.by_id("google-step"), day, club_id=1).fields[0].value
        assert "closes 29 Oct-12 Nov 2026 (2-4 weeks after opening, estimated)" in page
        assert "Late from 30 Oct 2026 (estimated)" in page
    sophomore = _text(_whatnow(date(2026, 10, 20), "sophomore"))
    assert "closes 29 Oct-12 Nov 2026 (2-4 weeks after opening, estimated), the earliest" in (
        sophomore
    )


def test_mid_market_saas_opens_in_january_and_december_is_for_getting_ready():
    for day in _days(2026, 12):
        saas = next(o for o in CALENDAR.around(day) if o.key == "mid-market-saas:2027")
        assert not saas.is_open(day)
        whatnow = _whatnow(day)
        opening = {f.name: f.value for f in whatnow.fields}["Opening soon"]
        assert "Mid-market SaaS companies ML engineering internships (mid-market-saas): opens " in (
            opening
        )
        assert "December is for getting ready" in whatnow.fields[0].value
        if day.weekday() == 0 and day >= date(2026, 12, 7):
            weekly = {
                f.name: f.value for f in weekly_message(CALENDAR.around(day), day, ADVICE).fields
            }
            opening = weekly.get("Opening in January") or weekly["Opening this week"]
            assert "Mid-market SaaS companies ML engineering internships" in opening
    assert next(
        o for o in CALENDAR.around(date(2027, 1, 1)) if o.key == "mid-market-saas:2027"
    ).is_open(date(2027, 1, 1))


def test_whatnow_never_calls_microsoft_open_before_it_opens():
    for day in _days(2026, 8):
        shown = [b for b in _bullets(_whatnow(day)) if b.startswith("• Microsoft Software")]
        assert shown, day
        assert ("open now" in shown[0]) == (day >= date(2026, 8, 15)), (day, shown[0])


def test_in_june_whatnow_lists_what_is_still_open():
    for day in (date(2027, 6, 1), date(2027, 6, 20)):
        apply_now = {f.name: f.value for f in _whatnow(day).fields}["Apply now"]
        assert "MLH Fellowship (fellowship): open now" in apply_now
        assert "Allen Institute for AI (Ai2) Research internship" in apply_now


def test_in_april_no_view_states_an_estimated_close_as_fact():
    for day in _days(2027, 4):
        for o in CALENDAR.around(day):
            if o.track == "quant" and o.phase(day) == "closed":
                assert line(o, day).endswith("closed: until about March 2027 (estimated)")
        assert "quant" not in _text(_whatnow(day)).lower().replace("quant firms", "")


def test_weekly_posts_list_only_this_months_openings_as_this_months():
    for day in (date(2026, 7, 27), date(2026, 8, 24), date(2026, 9, 28), date(2027, 12, 27)):
        fields = {f.name: f.value for f in weekly_message(CALENDAR.around(day), day, ADVICE).fields}
        for name, value in fields.items():
            for bullet in value.splitlines():
                [o] = [o for o in CALENDAR.around(day) if line(o, day) == bullet]
                if name == "Opening later this month":
                    assert o.opens_on.month == day.month, (day, bullet)
                if name.startswith("Opening in "):
                    assert o.opens_on.month != day.month, (day, bullet)


# --- the commands build what the builders build ------------------------------------------


async def test_the_commands_answer_what_the_walk_checked(club):
    await club.run("/admin setup timezone:America/Los_Angeles deadlines:#deadlines", as_user=ADMIN)
    for day in (date(2026, 8, 5), date(2026, 10, 30), date(2026, 12, 14), date(2027, 6, 7)):
        club.clock.set(datetime.fromisoformat(f"{day}T10:00-08:00"))
        whatnow = await club.run("/whatnow", as_user=MEMBER)
        assert whatnow == _whatnow(day)
        page = await club.run("/deadlines program:google-step", as_user=MEMBER)
        assert page.fields == program_message(CALENDAR.by_id("google-step"), day, club_id=1).fields
        listed = await club.run("/deadlines", as_user=MEMBER)
        assert _bullets(listed) == [
            b for b in _deadlines(CALENDAR.around(day), day) if b.startswith("• ")
        ]
