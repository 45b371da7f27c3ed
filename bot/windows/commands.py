"""/deadlines, /whatnow, /calendar, /alerts and the officers' /admin deadlines commands."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.app import Command, Context, Option
from bot.applied import applied_button
from bot.club_time import local, read_time
from bot.errors import UserError
from bot.model import (
    MAX_FIELDS,
    MAX_TOTAL,
    Attachment,
    Button,
    Field,
    Message,
    clip,
    field_lines,
    reply,
    shown_length,
)
from bot.store.clubs import ClubChanges
from bot.windows.advice import load_advice
from bot.windows.alerts import follows, what_comes
from bot.windows.calendar import (
    CLASS_YEARS,
    TRACKS,
    Occurrence,
    Window,
    cycles_visible,
    describe_eligibility,
    load_calendar,
    next_opening,
    parse_class_year,
    parse_track,
    select,
)
from bot.windows.feeds import member_follows
from bot.windows.listing import section_fields, sections, when
from bot.windows.live import confirmed_open
from bot.windows.posts import DEFAULTS, club_feed, club_windows, reminder_days
from bot.windows.store import APPLIED, DeadlineChanges, DeadlineStore
from bot.windows.whatnow import whatnow_message

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


async def _today(ctx: Context) -> date:
    return local(ctx.now, ctx.club.timezone).date()


async def _class_year(ctx: Context) -> str | None:
    """The class year given now (remembered for next time), else the one remembered."""
    given = ctx.args.get("year")
    if given is None:
        return await ctx.store.repo(DeadlineStore).class_year(ctx.club.id, ctx.user.id)
    year = parse_class_year(given)
    await ctx.store.repo(DeadlineStore).set_class_year(ctx.club.id, ctx.user.id, year)
    return year


async def deadlines(ctx: Context) -> Message:
    if "program" in ctx.args:
        return await program_detail(ctx)
    today = await _today(ctx)
    track = parse_track(ctx.args["track"]) if "track" in ctx.args else None
    year = await _class_year(ctx)
    everything = await club_windows(ctx.store, ctx.club, today)
    chosen = select(everything, track=track, class_year=year)
    scope = ", ".join(x for x in (track, year) if x) or "all tracks"
    title = clip(f"Internship windows · {today:%d %b %Y} · {scope}", 150)
    if ctx.args.get("when") == "all":
        cycle = cycles_visible(today)[0]
        this_cycle = [o for o in chosen if o.key.endswith(f":{cycle}") or o.window is None]
        found = sections(this_cycle, today, opening_days=366, show_closed=True)
    else:
        found = sections(chosen, today)
    if not found:
        return reply(_nothing(chosen, today), title=title)
    hint = (
        "Most urgent first. (estimated) marks a date no article gives; `/deadlines "
        "program:<id>` shows one program in full (pay, odds, who may apply, why a date is "
        "estimated, the link); filter with track: and year: (remembered)."
    )
    confirmed = await confirmed_open(ctx.store, chosen, today)
    live = (
        (Field(name="Confirmed open by a live posting", value=field_lines(confirmed, "-")),)
        if confirmed
        else ()
    )
    room = MAX_TOTAL - sum(shown_length(f.name) + shown_length(f.value) for f in live)
    fields = section_fields(found, today, budget=room, max_fields=MAX_FIELDS - len(live))
    return reply(hint, title=title, fields=(*fields, *live))


def _nothing(chosen: list[Occurrence], today: date) -> str:
    upcoming = next_opening(chosen, today)
    if upcoming is None:
        return "Nothing matches those filters this cycle. Try without track: or year:."
    return (
        f"Nothing is open for that right now. Next: {upcoming.title} opens {upcoming.opens_text}."
    )


async def program_detail(ctx: Context) -> Message:
    return program_message(_window(ctx.args["program"]), await _today(ctx), club_id=ctx.club.id)


def program_message(window: Window, today: date, *, club_id: int) -> Message:
    """One program in full: this cycle's window, who may apply, pay, odds, notes, link,
    and the articles its facts come from; its careers page and an I applied button."""
    current = [o for o in load_calendar().around(today) if o.window_id == window.id]
    occurrence = next((o for o in current if o.phase(today) != "closed"), current[-1])
    fields = [Field(name="Window", value=clip(_window_text(occurrence, today), 1024))]
    who = describe_eligibility(occurrence) or "Open to every class year."
    fields.append(Field(name="Who may apply", value=clip(who, 1024)))
    for name, facts in (("Pay", window.pay), ("Odds", window.odds)):
        if facts:
            value = "\n".join(f"• {f.text} ({f.source.short})" for f in facts)
            fields.append(Field(name=name, value=clip(value, 1024)))
    if window.notes:
        fields.append(Field(name="Notes", value=clip(window.notes, 1024)))
    sources = "\n".join(f"• {s.cited}" for s in window.sources)
    fields.append(Field(name="Sources", value=clip(sources, 1024)))
    text = f"Official careers page: {window.url}" if window.url else "No single careers page."
    message = reply(text, title=clip(f"{window.title} ({window.track})", 150), fields=tuple(fields))
    careers = (Button(label="Careers page", url=window.url),) if window.url else ()
    return replace(message, buttons=(*careers, applied_button(club_id, program=window.id)))


def _window_text(occurrence: Occurrence, today: date) -> str:
    window = occurrence.window
    assert window is not None
    phase = occurrence.phase(today)
    now = "not open yet" if phase == "upcoming" else when(occurrence, today)
    parts = [f"Now: {now}."]
    closes = f"closes {occurrence.closes_text}" if occurrence.closes_on else occurrence.closes_text
    parts.append(f"Opens {occurrence.opens_text}; {closes}.")
    if occurrence.late_from is not None:
        # A late day counted from an estimated close is an estimate too.
        mark = " (estimated)" if occurrence.close_range and occurrence.closes_estimated else ""
        parts.append(f"Late from {occurrence.late_from:%d %b %Y}{mark}: {window.late_note}.")
    if window.estimate:
        parts.append(f"Estimated: {window.estimate}.")
    return " ".join(parts)


def _window(text: str) -> Window:
    """A program by its id, or by a word of its title that names only one (Slack has no
    autocomplete: `program:step` should work there too)."""
    word = text.strip().lower()
    found = load_calendar().by_id(word)
    if found is None and word:
        named = [w for w in load_calendar().windows if word in w.title.lower()]
        if len(named) > 1:
            ids = ", ".join(w.id for w in named)
            raise UserError(f"`{text[:40]}` names several programs: {ids}. Pick one.")
        found = named[0] if named else None
    if found is None:
        ids = ", ".join(w.id for w in load_calendar().windows)
        raise UserError(f"`{text[:40]}` is not a program. Programs: {ids}.")
    return found


async def complete_program(ctx: Context, typed: str) -> list[str]:
    """Program ids whose id or title contains what was typed."""
    word = typed.strip().lower()
    return [w.id for w in load_calendar().windows if word in w.id or word in w.title.lower()]


async def whatnow(ctx: Context) -> Message:
    today = await _today(ctx)
    year = await _class_year(ctx)
    chosen = select(await club_windows(ctx.store, ctx.club, today), class_year=year)
    return whatnow_message(load_advice(), chosen, today, class_year=year)


async def calendar_feed(ctx: Context) -> Message:
    data = await club_feed(ctx.store, ctx.club, ctx.now)
    return Message(
        text="Import this file into Google Calendar (Settings → Import) or Apple Calendar "
        "(File → Import): every window's opening and closing day, with reminders before it closes.",
        title="Internship windows calendar",
        attachment=Attachment(
            filename="internship-windows.ics", content=data, mime="text/calendar"
        ),
        ephemeral=True,
    )


# --- alerts (members) ------------------------------------------------------------


def _target(text: str) -> str:
    window = load_calendar().by_id(text.strip().lower())
    if window is not None:
        return window.id
    try:
        return parse_track(text)
    except UserError:
        ids = ", ".join(w.id for w in load_calendar().windows)
        raise UserError(
            f"`{text[:40]}` is neither a track ({', '.join(TRACKS)}) nor a program ({ids})."
        ) from None


async def subscribe(ctx: Context) -> Message:
    target = _target(ctx.args["target"])
    added = await ctx.store.repo(DeadlineStore).subscribe(
        ctx.club.id, ctx.user.id, target, now=ctx.now
    )
    today, year = await _today(ctx), await _class_year(ctx)
    followed = [
        o
        for o in select(await club_windows(ctx.store, ctx.club, today), class_year=year)
        if follows(o, (target,))
    ]
    head = f"Subscribed to {target}." if added else f"You were already subscribed to {target}."
    return reply(f"{head} {what_comes(followed, today, reminder_days(ctx.club))}")


async def unsubscribe(ctx: Context) -> Message:
    target = _target(ctx.args["target"])
    removed = await ctx.store.repo(DeadlineStore).unsubscribe(ctx.club.id, ctx.user.id, target)
    return reply(
        f"Unsubscribed from {target}." if removed else f"You weren't subscribed to {target}."
    )


async def alerts_list(ctx: Context) -> Message:
    mine = await member_follows(ctx.store, ctx.club.id, ctx.user.id)
    targets, year = sorted(mine.targets), mine.year
    text = (
        f"Subscribed to: {', '.join(targets)}."
        if targets
        else "No subscriptions yet: `/alerts subscribe target:quant`."
    )
    return reply(text + (f" Class year: {year}." if year else ""))


async def _mute(ctx: Context, reason: str) -> Message:
    today = await _today(ctx)
    window_id = ctx.args["window"].strip().lower()
    current = [
        o
        for o in await club_windows(ctx.store, ctx.club, today)
        if o.window_id == window_id and o.open_until >= today
    ]
    if not current:
        ids = ", ".join(w.id for w in load_calendar().windows)
        raise UserError(f"`{window_id[:40]}` is not a window of this cycle. Windows: {ids}.")
    await ctx.store.repo(DeadlineStore).mute(
        ctx.club.id, ctx.user.id, current[0].key, reason, now=ctx.now
    )
    return reply(f"Noted ({reason}): no more reminders for {current[0].title} this cycle.")


async def applied(ctx: Context) -> Message:
    return await _mute(ctx, APPLIED)


async def not_interested(ctx: Context) -> Message:
    return await _mute(ctx, "not interested")


# --- officers ---------------------------------------------------------------------


# How far ahead a club date may be: two recruiting cycles and then some. A date beyond it is
# a typo (9999 for 2026), and the calendar has no use for it.
CLUB_DATE_HORIZON = timedelta(days=3 * 365)


def _dates(text: str) -> tuple[date | None, date]:
    """'2026-12-03' or '2026-12-01..2026-12-05' -> (opens, closes)."""
    first, _, last = text.strip().partition("..")
    try:
        if not _DATE.match(first) or (last and not _DATE.match(last)):
            raise ValueError
        start, end = date.fromisoformat(first), date.fromisoformat(last or first)
    except ValueError:
        raise UserError(
            f"`{text[:40]}` is not a date. Write 2026-12-03, or a range 2026-12-01..2026-12-05."
        ) from None
    if end < start:
        raise UserError("The range ends before it starts.")
    return (start if last else None), end


def _url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > 500:
        raise UserError("The url must start with https:// (or http://).")
    return text.strip()


def _changes(ctx: Context) -> DeadlineChanges:
    opens, closes = _dates(ctx.args["date"]) if "date" in ctx.args else (None, None)
    return DeadlineChanges(
        title=ctx.args.get("title", "").strip() or None,
        opens_on=opens,
        closes_on=closes,
        url=_url(ctx.args["url"])
        if ctx.args.get("url", "-") != "-"
        else ("" if "url" in ctx.args else None),
        track=parse_track(ctx.args["track"]) if "track" in ctx.args else None,
    )


async def _future_changes(ctx: Context) -> DeadlineChanges:
    """The officer's changes, refusing a date already past in the club's zone: a deadline
    nobody can meet is almost always a typo (2025 for 2026)."""
    changes, today = _changes(ctx), await _today(ctx)
    if changes.closes_on is not None and changes.closes_on < today:
        raise UserError(
            f"{changes.closes_on:%d %b %Y} has already passed (today is {today:%d %b %Y} in the "
            "club's time zone). Give a date to come, e.g. next year's."
        )
    horizon = today + CLUB_DATE_HORIZON
    if changes.closes_on is not None and changes.closes_on > horizon:
        raise UserError(
            f"{changes.closes_on:%d %b %Y} is too far ahead: club dates can be at most "
            f"{CLUB_DATE_HORIZON.days // 365} years ahead (until {horizon:%d %b %Y}). "
            "Check the year."
        )
    return changes


async def add(ctx: Context) -> Message:
    changes = await _future_changes(ctx)
    added = await ctx.store.repo(DeadlineStore).add(
        ctx.club.id, changes, actor=ctx.actor, now=ctx.now
    )
    return reply(
        f"Added #{added.id}: {added.title}, {added.closes_on:%d %b %Y}. "
        "It appears in /deadlines, the calendar and reminders."
    )


def _deadline_id(ctx: Context) -> int:
    text = ctx.args["id"].strip().lstrip("#")
    # ASCII digits only ("²" is a digit to str.isdigit but not to int), and few enough
    # of them to be a database id at all.
    if not (text.isascii() and text.isdecimal()):
        raise UserError("Give the deadline's number from `/admin deadlines list`, e.g. id:3.")
    if len(text) > 9:
        raise UserError("No such deadline in this club. See `/admin deadlines list`.")
    return int(text)


async def edit(ctx: Context) -> Message:
    edited = await ctx.store.repo(DeadlineStore).edit(
        ctx.club.id, _deadline_id(ctx), await _future_changes(ctx), actor=ctx.actor, now=ctx.now
    )
    if edited is None:
        raise UserError("No such deadline in this club. See `/admin deadlines list`.")
    return reply(f"Updated #{edited.id}: {edited.title}, {edited.closes_on:%d %b %Y}.")


async def remove(ctx: Context) -> Message:
    removed = await ctx.store.repo(DeadlineStore).remove(
        ctx.club.id, _deadline_id(ctx), actor=ctx.actor, now=ctx.now
    )
    if removed is None:
        raise UserError("No such deadline in this club. See `/admin deadlines list`.")
    return reply(f"Removed #{removed.id}: {removed.title}.")


async def list_deadlines(ctx: Context) -> Message:
    own = await ctx.store.repo(DeadlineStore).club_deadlines(ctx.club.id)
    lines = [
        f"#{d.id} {d.title}: {d.opens_on:%d %b} to {d.closes_on:%d %b %Y}"
        if d.opens_on
        else f"#{d.id} {d.title}: {d.closes_on:%d %b %Y}"
        for d in own
    ]
    return reply(
        field_lines(
            lines,
            'No club deadlines yet: `/admin deadlines add title:"Career fair" date:2026-12-03`.',
            limit=3000,
        ),
        title="Club deadlines",
    )


async def settings(ctx: Context) -> Message:
    changes: dict[str, str | None] = {}
    if "time" in ctx.args:
        changes["deadline_time"] = read_time(ctx.args["time"]).strftime("%H:%M")
    if "reminders" in ctx.args:
        days = sorted(
            {_lead(d) for d in ctx.args["reminders"].split(",") if d.strip()}, reverse=True
        )
        if not days:
            raise UserError("Give lead times in days, e.g. reminders:14,3,1.")
        changes["deadline_reminders"] = ",".join(str(d) for d in days)
    club = ctx.club
    if changes:
        club = await ctx.store.clubs.change(
            club.id, ClubChanges(settings=changes), actor=ctx.actor, now=ctx.now
        )
        await ctx.schedule.club_changed(club.id, to=club)
    at = club.settings.get("deadline_time", DEFAULTS["deadline_time"])
    leads = ", ".join(str(d) for d in reminder_days(club))
    return reply(
        f"{'Saved. ' if changes else ''}Reminders at {at}, {leads} days before a window "
        "closes; the weekly post on Mondays."
    )


def _lead(text: str) -> int:
    days = text.strip()
    if not (days.isascii() and days.isdecimal()) or not 0 <= int(days) <= 60:
        raise UserError(f"`{days[:10]}` is not a number of days between 0 and 60.")
    return int(days)


_TRACK = Option(name="track", description="e.g. big-tech, quant, research-reu", choices=TRACKS)
_YEAR = Option(
    name="year", description="Your class year, e.g. sophomore (remembered)", choices=CLASS_YEARS
)
_WINDOW = Option(name="window", description="The program's id, e.g. google-step", required=True)
_TARGET = Option(
    name="target", description="A track (quant) or a program id (google-step)", required=True
)
_EDITABLE = (
    Option(name="title", description="e.g. Career fair", max_length=150),
    Option(name="date", description="2026-12-03, or a range 2026-12-01..2026-12-05"),
    Option(name="url", description="https://... (- to clear)", max_length=500),
    Option(name="track", description="Optional track", choices=TRACKS),
)

COMMANDS: tuple[Command, ...] = (
    Command(
        name="deadlines",
        description="Internship windows: closing soon, open now, opening soon",
        handler=deadlines,
        options=(
            _TRACK,
            Option(
                name="when",
                description="now (default) or all of this cycle",
                choices=("now", "all"),
            ),
            _YEAR,
            Option(
                name="program",
                description="One program in full, e.g. google-step",
                autocomplete=complete_program,
            ),
        ),
    ),
    Command(
        name="whatnow",
        description="What to apply to now, by the season and your class year",
        handler=whatnow,
        options=(_YEAR,),
    ),
    Command(
        name="calendar",
        description="Every window as a calendar file (.ics) to import",
        handler=calendar_feed,
    ),
    Command(
        name="alerts subscribe",
        description="DMs before windows of a track or program close",
        handler=subscribe,
        options=(_TARGET,),
    ),
    Command(
        name="alerts unsubscribe",
        description="Stop DMs for a track or program",
        handler=unsubscribe,
        options=(_TARGET,),
    ),
    Command(name="alerts list", description="Your subscriptions", handler=alerts_list),
    Command(
        name="alerts applied",
        description="You applied: no more reminders for that window",
        handler=applied,
        options=(_WINDOW,),
    ),
    Command(
        name="alerts not-interested",
        description="No more reminders for that window",
        handler=not_interested,
        options=(_WINDOW,),
    ),
    Command(
        name="admin deadlines add",
        description="Add a club deadline (career fair, mock night)",
        handler=add,
        officers_only=True,
        options=tuple(
            Option(
                name=o.name,
                description=o.description,
                max_length=o.max_length,
                choices=o.choices,
                required=o.name in ("title", "date"),
            )
            for o in _EDITABLE
        ),
    ),
    Command(
        name="admin deadlines edit",
        description="Change a club deadline",
        handler=edit,
        officers_only=True,
        options=(
            Option(name="id", description="Its number from /admin deadlines list", required=True),
            *_EDITABLE,
        ),
    ),
    Command(
        name="admin deadlines remove",
        description="Remove a club deadline",
        handler=remove,
        officers_only=True,
        options=(
            Option(name="id", description="Its number from /admin deadlines list", required=True),
        ),
    ),
    Command(
        name="admin deadlines list",
        description="The club's own deadlines",
        handler=list_deadlines,
        officers_only=True,
    ),
    Command(
        name="admin deadlines settings",
        description="Reminder time and lead days",
        handler=settings,
        officers_only=True,
        options=(
            Option(
                name="time",
                description="In the club's zone, e.g. 9am or 18:30",
                current=lambda club: club.settings.get("deadline_time", DEFAULTS["deadline_time"]),
            ),
            Option(
                name="reminders",
                description="Days before closing, e.g. 14,3,1",
                current=lambda club: ",".join(str(d) for d in reminder_days(club)),
            ),
        ),
    ),
)
