"""Given a club and a clock, /deadlines answers by season and reminders go out once."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar as ICalendar

from bot.model import Place, User
from tests.conftest import ADMIN, MEMBER, SETUP

SETUP_LA = "/admin setup timezone:America/Los_Angeles deadlines:#deadlines alerts:#officers"
KIM = User(id="kim", name="kim")


def _fields(message):
    return {f.name: f.value for f in message.fields}


def _at(club, iso):
    club.clock.set(datetime.fromisoformat(iso).astimezone(UTC))


async def test_deadlines_in_october_list_step_closing_and_big_tech_open(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-10-20T10:00-07:00")
    answer = await club.run("/deadlines year:sophomore", as_user=MEMBER)
    fields = _fields(answer)
    assert (
        "Google STEP internship (early-career): closes 29 Oct-12 Nov 2026 (2-4 weeks after "
        "opening, estimated), the earliest in 9 days" in fields["Closing in the next 14 days"]
    )
    assert "Meta FAIR" not in answer.text + "".join(fields.values())
    again = await club.run("/deadlines", as_user=MEMBER)
    assert "sophomore" in again.title, "the class year is remembered"


async def test_an_unknown_track_lists_the_valid_ones(club):
    answer = await club.run("/deadlines track:hedge-funds", as_user=MEMBER)
    assert "must be one of: big-tech, early-career" in answer.text
    subscribe = await club.run("/alerts subscribe target:hedge-funds", as_user=MEMBER)
    assert "is neither a track (big-tech" in subscribe.text


async def test_when_nothing_matches_the_reply_says_what_comes_next(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-06-10T10:00-07:00")
    answer = await club.run("/deadlines track:quant", as_user=MEMBER)
    assert answer.text == (
        "Nothing is open for that right now. Next: Citadel / Citadel Securities Quant and ML "
        "internships opens August 2026."
    )


async def test_a_deadline_today_depends_on_the_clubs_zone(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    await club.run('/admin deadlines add title:"Career fair RSVP" date:2026-11-17', as_user=ADMIN)
    # 23:30 on the 16th in Los Angeles is already the 17th in Kolkata.
    _at(club, "2026-11-16T23:30-08:00")
    la = _fields(await club.run("/deadlines", as_user=MEMBER))["Closing in the next 14 days"]
    assert "Career fair RSVP (club): on 17 Nov 2026, in 1 day" in la
    await club.run("/admin setup timezone:Asia/Kolkata", as_user=ADMIN)
    kolkata = _fields(await club.run("/deadlines", as_user=MEMBER))["Closing in the next 14 days"]
    assert "Career fair RSVP (club): today" in kolkata


async def test_closing_reminders_post_once_and_dm_subscribers_who_havent_muted(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-11-10T10:00-08:00")
    await club.run("/alerts subscribe target:big-tech", as_user=MEMBER)
    await club.run("/alerts subscribe target:apple-aiml-intern", as_user=KIM)
    await club.run("/alerts applied window:apple-aiml-intern", as_user=KIM)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=20))
    reminders = [m for m in club.poster.messages("deadlines") if m.title.startswith("Deadlines")]
    apple = [m for m in reminders if "Apple AIML" in _fields(m).get("Closing soon", "")]
    # 14 days before falls on a Monday: the weekly post of that minute lists it, once.
    assert [m.title for m in apple] == ["Deadlines · Fri 27 Nov", "Deadlines · Sun 29 Nov"]
    [weekly] = [m for m in club.poster.messages("deadlines") if m.title.endswith("week of 16 Nov")]
    assert "Apple AIML" in _fields(weekly)["Closing in the next 30 days"]
    # /alerts applied recorded Kim's application too: two weeks on, she is asked for news.
    assert [m.title for u, m in club.poster.dms if u == "kim"] == ["Any news from Apple?"]
    dms = [(u, m) for u, m in club.poster.dms if not m.title.startswith("Any news")]
    # Apple and Google close the same day: one DM a day names both, with a grammatical title.
    assert [(u, m.title) for u, m in dms] == [
        ("sam", "2 windows you follow close soon"),
        ("sam", "2 windows you follow close soon"),
        ("sam", "2 windows you follow close soon"),
    ]
    assert all("Apple AIML" in m.text and "Google" in m.text for _, m in dms)
    assert all(u != "kim" for u, _ in dms), "kim applied: muted"


async def test_a_club_deadline_edited_after_its_reminder_is_reminded_again(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-11-16T10:00-08:00")
    added = await club.run(
        '/admin deadlines add title:"Mock night" date:2026-11-20 url:https://club.example/mock',
        as_user=ADMIN,
    )
    assert added.text.startswith("Added #1: Mock night, 20 Nov 2026.")
    await club.run("/alerts subscribe target:club", as_user=MEMBER)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=2))
    assert len([m for _, m in club.poster.dms if "Mock night" in m.title]) == 1  # 3 days before
    await club.run("/admin deadlines edit id:1 date:2026-11-25", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=8))
    titles = [m.title for _, m in club.poster.dms if "Mock night" in m.title]
    assert titles == [
        "3 days left: Mock night",
        "3 days left: Mock night",
        "1 day left: Mock night",
    ]
    audit = await club.run("/admin audit", as_user=ADMIN)
    assert "edit deadline 1 → Mock night (2026-11-25)" in audit.text


async def test_reminders_moved_to_a_time_that_has_passed_go_out_at_the_change(club):
    """Tuesday 08:30, three days before the deadline, reminders due at 09:00: moved to
    08:00, that day's reminder goes out at the change instead of never."""
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-11-16T10:00-08:00")
    await club.run('/admin deadlines add title:"Mock night" date:2026-11-20', as_user=ADMIN)
    await club.run("/alerts subscribe target:club", as_user=MEMBER)
    tuesday = datetime.fromisoformat("2026-11-17T08:30-08:00").astimezone(UTC)
    await club.runtime.scheduler.run_until(club.clock, tuesday)

    await club.run("/admin deadlines settings time:8am", as_user=ADMIN)

    def reminded() -> list[str]:
        return [m.title for _, m in club.poster.dms if "Mock night" in m.title]

    assert reminded() == ["3 days left: Mock night"]
    await club.run("/admin deadlines settings time:7am", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=3))
    assert reminded() == ["3 days left: Mock night", "1 day left: Mock night"]


async def test_bad_club_deadlines_are_refused_and_members_cannot_add_them(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    refused = await club.run('/admin deadlines add title:"x" date:2026-12-01', as_user=MEMBER)
    assert "Only club officers" in refused.text
    bad_date = await club.run('/admin deadlines add title:"x" date:2027-02-29', as_user=ADMIN)
    assert "is not a date. Write 2026-12-03" in bad_date.text
    bad_url = await club.run(
        '/admin deadlines add title:"x" date:2026-12-01 url:javascript:alert(1)', as_user=ADMIN
    )
    assert "must start with https://" in bad_url.text
    backwards = await club.run(
        '/admin deadlines add title:"x" date:2026-12-05..2026-12-01', as_user=ADMIN
    )
    assert "ends before it starts" in backwards.text
    listed = await club.run("/admin deadlines list", as_user=ADMIN)
    assert "No club deadlines yet" in listed.text
    gone = await club.run("/admin deadlines remove id:9", as_user=ADMIN)
    assert "No such deadline" in gone.text
    huge = await club.run("/admin deadlines edit id:99999999999999999999999", as_user=ADMIN)
    assert "No such deadline" in huge.text
    superscript = await club.run("/admin deadlines remove id:²", as_user=ADMIN)
    assert "Give the deadline's number" in superscript.text


async def test_a_club_without_a_deadlines_channel_posts_nothing_and_status_says_so(club):
    await club.run("/admin setup timezone:America/Los_Angeles alerts:#officers", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=30))
    assert club.poster.messages("deadlines") == []
    status = await club.run("/admin status", as_user=ADMIN)
    assert "No deadlines channel" in _fields(status)["Problems"]


async def test_the_weekly_post_lists_the_coming_month(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-10-01T10:00-07:00")
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=5))
    [weekly] = [m for m in club.poster.messages("deadlines") if "week of" in m.title]
    assert weekly.title == "Internship windows · week of 05 Oct"
    fields = _fields(weekly)
    assert (
        "Google STEP internship (early-career): opens mid October 2026"
        in fields["Opening later this month"]
    )


async def test_the_calendar_command_returns_an_ics_with_club_deadlines(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    await club.run('/admin deadlines add title:"Career fair" date:2026-12-03', as_user=ADMIN)
    answer = await club.run("/calendar", as_user=MEMBER)
    assert answer.attachment.filename == "internship-windows.ics"
    events = ICalendar.from_ical(answer.attachment.content).walk("VEVENT")
    uids = {str(e["UID"]) for e in events}
    assert "club-1-on@clubbot" in uids
    assert "club-1-opens@clubbot" not in uids, "a one-day club date has no invented opening"
    assert "google-step:2027-closes@clubbot" in uids


async def test_whatnow_gives_the_seasons_advice_in_march(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2027-03-20T10:00-07:00")
    answer = await club.run("/whatnow year:junior", as_user=MEMBER)
    fields = _fields(answer)
    assert "March: Offers land, late windows" in fields
    assert "NSF REU" in fields["Closing in the next 14 days"]
    assert "50-120 applications" in fields["How many, and where"]
    assert "mid-market SaaS" in fields["Missed a window?"]


async def test_a_week_after_a_window_opens_the_club_is_nudged_to_apply(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-08-21T10:00-07:00")
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=1))
    [nudge] = [m for m in club.poster.messages("deadlines") if m.title.startswith("Deadlines")]
    assert nudge.title == "Deadlines · Sat 22 Aug"
    nudged = _fields(nudge)["Opened a week ago: apply now"]
    assert "• Microsoft Software and ML internships (big-tech): open now" in nudged
    assert "• Microsoft Explore internship (early-career): open now" in nudged


async def test_reminder_lead_days_are_set_and_odd_numbers_are_refused(club):
    await club.run(SETUP, as_user=ADMIN)
    saved = await club.run("/admin deadlines settings reminders:7,2", as_user=ADMIN)
    assert "Saved. Reminders at" in saved.text
    assert "7, 2 days before a window closes" in saved.text
    for odd in ("²", "3,٣", "61", "-1"):
        refused = await club.run(f"/admin deadlines settings reminders:{odd}", as_user=ADMIN)
        assert "is not a number of days between 0 and 60" in refused.text, odd


def _everything(message):
    return message.text + "\n".join(f"{f.name}\n{f.value}" for f in message.fields)


async def test_at_the_moments_that_matter_deadlines_hides_nothing(club):
    from bot.windows.calendar import load_calendar

    await club.run(SETUP_LA, as_user=ADMIN)
    for iso, musts in (
        ("2026-11-15T10:00-08:00", ["NSF REU", "AI-first startups"]),
        ("2027-01-15T10:00-08:00", ["NSF REU", "Mid-market SaaS", "AI-first startups"]),
        ("2027-03-15T10:00-07:00", ["NSF REU", "Mid-market SaaS", "AI-first startups"]),
    ):
        _at(club, iso)
        answer = await club.run("/deadlines", as_user=MEMBER)
        shown = _everything(answer)
        for must in musts:
            assert must in shown, (iso, must)
        assert "more" not in shown.lower().replace("more in full", "")
        assert "Not shown here" not in shown
        today = datetime.fromisoformat(iso).date()
        for o in load_calendar().around(today):
            if o.is_open(today):
                assert f"• {o.title} ({o.track})" in shown, (iso, o.key)
        everything = _everything(await club.run("/deadlines when:all", as_user=MEMBER))
        assert "…and" not in everything


async def test_on_15_november_reu_comes_before_the_rolling_windows(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-11-15T10:00-08:00")
    opened = "\n".join(
        f.value
        for f in (await club.run("/deadlines", as_user=MEMBER)).fields
        if f.name.startswith("Open now")
    )
    lines = opened.splitlines()
    reu = next(i for i, t in enumerate(lines) if "NSF REU" in t)
    amazon = next(i for i, t in enumerate(lines) if "Amazon" in t)
    assert reu < amazon, "the fixed March close and the newest opening come first"


async def test_a_program_in_full_with_pay_odds_sources_estimate_and_link(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-11-15T10:00-08:00")
    answer = await club.run("/deadlines program:jane-street", as_user=MEMBER)
    fields = _fields(answer)
    assert answer.title == "Jane Street Quant and ML internships (quant)"
    assert "open but late (the best offices fill first)" in fields["Window"]
    assert "Estimated: the article gives no closing date" in fields["Window"]
    assert "$4,500-6,000/week" in fields["Pay"]
    assert "under 1%" in fields["Odds"]
    assert "Three Very Different Jobs, One Title, updated July 2026" in fields["Sources"]
    assert answer.buttons[0].url == "https://www.janestreet.com/join-jane-street/internships/"
    google = _fields(await club.run("/deadlines program:google-intern", as_user=MEMBER))
    assert "$45-62/hour" in google["Pay"]
    assert "$60-85/hour" in google["Pay"]
    assert "$10,000-15,000/month" in google["Pay"]
    assert "15-20%" in google["Odds"]
    step = await club.run("/deadlines program:STEP", as_user=MEMBER)
    assert step.title == "Google STEP internship (early-career)", "a word naming one program"
    ambiguous = await club.run("/deadlines program:google", as_user=MEMBER)
    assert "names several programs: google-intern, google-step" in ambiguous.text
    unknown = await club.run("/deadlines program:hedge-fund", as_user=MEMBER)
    assert "is not a program. Programs: amazon-intern" in unknown.text
    place = Place(platform="console", workspace_id=club.workspace, channel_id="general")
    suggested = await club.runtime.bot.complete(
        "deadlines", "program", "goo", user=MEMBER, place=place
    )
    assert suggested == ["google-intern", "google-step", "deepmind-student-researcher"]


async def test_a_past_club_date_is_refused_and_a_coming_one_kept(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2026-12-02T10:00-08:00")
    past = await club.run(
        '/admin deadlines add title:"Info session" date:2025-12-03', as_user=ADMIN
    )
    assert "03 Dec 2025 has already passed (today is 02 Dec 2026" in past.text
    assert "No club deadlines yet" in (await club.run("/admin deadlines list", as_user=ADMIN)).text
    added = await club.run(
        '/admin deadlines add title:"Info session" date:2026-12-03', as_user=ADMIN
    )
    assert added.text.startswith("Added #1")
    moved = await club.run("/admin deadlines edit id:1 date:2026-11-30", as_user=ADMIN)
    assert "has already passed" in moved.text


async def test_a_season_of_weekly_posts_lists_each_window_once_and_no_week_is_silent(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    _at(club, "2027-03-01T10:00-08:00")
    start = club.clock.now()
    await club.runtime.scheduler.run_until(club.clock, start + timedelta(days=140))
    weekly = [m for m in club.poster.messages("deadlines") if "week of" in m.title]
    # Every Monday from 8 Mar to 19 Jul: some window is always open (Ai2, the MLH
    # Fellowship), so every week says what is open and what to do now.
    assert len(weekly) == 20
    for post in weekly:
        bullets = [t for f in post.fields for t in f.value.splitlines() if t.startswith("•")]
        assert bullets, post.title
        assert len(bullets) == len(set(bullets)), post.title
        assert not any(f.value.startswith("Nothing") for f in post.fields), post.title
    by_week = {m.title.removeprefix("Internship windows · week of "): m for m in weekly}
    # Monday 5 April: big tech, quant and REU are closed and nothing opens before July.
    quiet = by_week["05 Apr"]
    assert quiet.text.startswith("A quiet week. April: The startup window. If it's April")
    fields = _fields(quiet)
    assert "AI-first startups ML internships (startup): open now" in fields["Open now"]
    assert "Mid-market SaaS" in fields["Open, but late"]
    assert "Amazon" not in _everything(quiet)


async def test_a_club_date_that_has_passed_reads_was_on_in_the_whole_cycle(club):
    await club.run(SETUP_LA, as_user=ADMIN)
    await club.run('/admin deadlines add title:"Career fair RSVP" date:2026-11-20', as_user=ADMIN)
    _at(club, "2026-11-25T10:00-08:00")
    answer = await club.run("/deadlines when:all", as_user=MEMBER)
    text = answer.text + "".join(f.value for f in answer.fields)
    assert "Career fair RSVP (club): was on 20 Nov 2026" in text
    assert "in -" not in text


async def test_alerts_list_shows_the_members_own_subscriptions_and_class_year(club):
    await club.run(SETUP, as_user=ADMIN)
    empty = await club.run("/alerts list", as_user=MEMBER)
    assert empty.text == "No subscriptions yet: `/alerts subscribe target:quant`."
    await club.run("/alerts subscribe target:quant", as_user=MEMBER)
    await club.run("/alerts subscribe target:google-step", as_user=MEMBER)
    await club.run("/alerts subscribe target:big-tech", as_user=KIM)
    await club.run("/deadlines year:sophomore", as_user=MEMBER)
    await club.run("/deadlines year:junior", as_user=KIM)
    await club.run("/alerts applied window:google-step", as_user=KIM)
    mine = await club.run("/alerts list", as_user=MEMBER)
    assert mine.text == "Subscribed to: google-step, quant. Class year: sophomore."
    kims = await club.run("/alerts list", as_user=KIM)
    assert kims.text == "Subscribed to: big-tech. Class year: junior."
