"""Officer configuration: /admin setup, officers, status and audit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Final

from bot.app import CantLookUp, ChannelRef, Command, Context, Option
from bot.club.digest import job_names, last_runs
from bot.club_time import (
    WEEKDAYS,
    ZoneChoice,
    complete_zone,
    describe,
    local,
    moment,
    parse_weekday,
    read_time,
    read_zone,
    zone,
    zone_name,
)
from bot.errors import UserError
from bot.model import Field, Message, clip, field_lines, reply
from bot.store.away import away, last_absence
from bot.store.clubs import Channel, Club, ClubChanges
from bot.store.models import CHANNEL_PURPOSES

# How many runs /admin status lists.
LAST_RUNS: Final = 5

PURPOSE_HELP = {
    "deadlines": "application windows and reminders",
    "problems": "the daily problem",
    "pairing": "mock-interview pairs",
    "alerts": "officer alerts and the weekly digest",
}


async def setup(ctx: Context) -> Message:
    if not ctx.args:
        return reply(_config_text(ctx.club), title="Club setup")
    chosen = _checked_zone(ctx.args.get("timezone"))
    changes = ClubChanges(
        timezone=chosen.key if chosen else None,
        officer_role_id=_role_id(ctx, ctx.args.get("officer_role")),
        digest_weekday=_weekday(ctx.args.get("digest_day")),
        digest_time=_digest_time(ctx.args.get("digest_time")),
        channels={
            p: await _channel(ctx, p, ctx.args[p]) for p in CHANNEL_PURPOSES if p in ctx.args
        },
    )
    club = await ctx.store.clubs.change(ctx.club.id, changes, actor=ctx.actor, now=ctx.now)
    await ctx.schedule.club_changed(club.id, to=club)
    said = f"{chosen.note}\n" if chosen else ""
    return reply(f"Saved.\n{said}" + _config_text(club), title="Club setup")


def _weekday(text: str | None) -> int | None:
    return None if text is None else parse_weekday(text)


def _checked_zone(name: str | None) -> ZoneChoice | None:
    return None if name is None else read_zone(name)


def _digest_time(text: str | None) -> str | None:
    return None if text is None else read_time(text).strftime("%H:%M")


def _role_id(ctx: Context, text: str | None) -> str | None:
    if text is None:
        return None
    if ctx.place.platform == "slack":
        # Slack members have no roles a bot can read: the setting could never match anyone.
        raise UserError(
            "Slack has no roles, so `officer_role` can't work here. Workspace admins are "
            "always officers; add others with `/admin officers add member:@name`."
        )
    role = text.strip().removeprefix("<@&").removesuffix(">").removeprefix("@").strip()
    if not role or not role.replace("-", "").replace("_", "").isalnum():
        raise UserError("`officer_role` must be a role, e.g. @Officers.")
    return role


async def _channel(ctx: Context, purpose: str, ref: str) -> Channel:
    found: ChannelRef | None = await ctx.directory.find_channel(ctx.place, ref)
    if found is None:
        raise UserError(
            f"I can't find the channel `{ref[:80]}` in this workspace (for "
            f"`{purpose}`). Pick one of this server's channels, e.g. #general, and "
            "make sure I've been added to it."
        )
    if found.refusal:
        raise UserError(
            f"#{found.name} can't take my posts ({found.refusal}), so it can't be the "
            f"{purpose} channel. Pick a text channel I can write in, e.g. "
            f"`/admin setup {purpose}:#general`."
        )
    return Channel(id=found.id, name=found.name)


def _config_text(club: Club) -> str:
    lines = [
        f"Time zone: {zone_name(club.timezone)}",
        f"Weekly digest: {WEEKDAYS[club.digest_weekday].title()} {club.digest_time}",
    ]
    for purpose in CHANNEL_PURPOSES:
        channel = club.channels.get(purpose)
        shown = f"#{channel.name}" if channel else "not set"
        lines.append(f"{purpose.title()} channel ({PURPOSE_HELP[purpose]}): {shown}")
    lines.append(_officer_rule(club))
    lines.append(
        "Change any of these with /admin setup, e.g. "
        "`/admin setup timezone:America/New_York alerts:#officers`."
    )
    return "\n".join(lines)


def _officer_rule(club: Club) -> str:
    """Who counts as an officer on this club's platform."""
    if club.platform == "slack":
        return "Officers: workspace admins and the officer list (Slack has no roles)."
    role = (
        f"@{club.officer_role_id}" if club.platform == "console" else f"<@&{club.officer_role_id}>"
    )
    shown = role if club.officer_role_id else "not set"
    return f"Officer role: {shown} (with server admins and the officer list)"


async def officers_add(ctx: Context) -> Message:
    member = await ctx.member()
    added = await ctx.store.clubs.add_officer(
        ctx.club.id, user_id=member.id, name=member.name, actor=ctx.actor, now=ctx.now
    )
    return reply(
        f"{member.name} is now an officer." if added else f"{member.name} is already an officer."
    )


async def officers_remove(ctx: Context) -> Message:
    member = await ctx.member()
    removed = await ctx.store.clubs.remove_officer(
        ctx.club.id, user_id=member.id, name=member.name, actor=ctx.actor, now=ctx.now
    )
    return reply(
        f"{member.name} is no longer an officer."
        if removed
        else f"{member.name} was not on the officer list."
    )


async def officers_list(ctx: Context) -> Message:
    officers = await ctx.store.clubs.officers(ctx.club.id)
    lines = [f"• {o.name} (since {describe(o.added_at, ctx.club.timezone)})" for o in officers]
    rule = "Server/workspace admins are always officers."
    if ctx.club.officer_role_id:
        rule += " So is everyone with the club's officer role."
    text = "\n".join(lines) if lines else "No officers on the list yet."
    return reply(clip(f"{text}\n{rule}", 3000), title="Officers")


async def status(ctx: Context) -> Message:
    resumed = await recheck_channels(ctx)
    club = await ctx.store.clubs.get(ctx.club.id) if resumed else ctx.club
    runs = ctx.schedule.next_runs(club, ctx.now)
    names = job_names(runs)
    ran = await _last_runs(ctx, club, names)
    fields = (
        Field(name="Configuration", value=clip(_config_text(club), 1024)),
        Field(
            name="Next runs",
            value=field_lines(
                [f"{r.description}: {moment(r.at, club.timezone)}" for r in runs],
                "Nothing is scheduled.",
            ),
        ),
        Field(
            name="Last runs",
            value=field_lines(ran, "Nothing has run yet."),
        ),
        Field(
            name="Problems",
            value=field_lines([*resumed, *problems(club)], "Nothing looks broken."),
        ),
        *absence_fields(ctx, club),
    )
    now_local = local(ctx.now, club.timezone).strftime("%a %d %b %Y, %H:%M %Z")
    return reply(f"Club time now: {now_local}", title=f"Status of {club.name}", fields=fields)


async def _last_runs(ctx: Context, club: Club, names: Mapping[str, str]) -> list[str]:
    """The five latest runs in words: from the club's last two days (whole local days, as
    a day's DMs make one line), which hold them for a club that posts daily; else from the
    last 30 days. A month of members' DMs is hundreds of claims."""
    today = local(ctx.now, club.timezone).date()
    for days in (2, 30):
        start = datetime.combine(today - timedelta(days=days), time(0), zone(club.timezone))
        recent = await ctx.store.claims.since(club.id, since=start)
        lines = last_runs(recent, names, club.timezone)
        if len(lines) >= LAST_RUNS:
            break
    return lines[-LAST_RUNS:]


async def recheck_channels(ctx: Context) -> list[str]:
    """Ask the platform again about each paused channel (an officer fixed the permissions
    and checks with /admin status); where it looks open, post there, and resume the channel
    only if that post went through: a permission check can look fine while posting is
    still refused, and a channel resumed on a check alone would pause again at its next
    post."""
    back: list[str] = []
    for purpose, channel in ctx.club.channels.items():
        if not channel.broken_reason:
            continue
        try:
            found = await ctx.directory.find_channel(ctx.place, channel.id)
        except CantLookUp:
            break  # this process can't ask the platform; the bot's own process does
        if found is None or found.refusal:
            continue  # still closed: no post to be refused again
        if await ctx.schedule.probe(ctx.club.id, purpose):
            back.append(f"#{channel.name} takes my posts again: {purpose} posts resumed.")
    if back:
        await ctx.schedule.club_changed(ctx.club.id)
    return back


def absence_fields(ctx: Context, club: Club) -> tuple[Field, ...]:
    """While the platform has cut the bot off, or for 30 days after it came back: since
    when, why, and what was not posted meanwhile."""
    gone = away(club)
    if gone is not None:
        text = (
            f"Since {describe(gone.since, club.timezone)}: {gone.why}. Nothing is posted "
            "or sent until I'm back (re-invite or reinstall me; the settings are kept)."
        )
        return (Field(name="Paused by the platform", value=clip(text, 1024)),)
    ended = last_absence(club)
    if ended is None or ended.until is None or ctx.now - ended.until > timedelta(days=30):
        return ()
    missed = ctx.schedule.runs_between(club, ended.since, ended.until)
    counts = Counter(r.description for r in missed)
    lines = [f"{name}: {count}" for name, count in counts.most_common()]
    head = (
        f"From {describe(ended.since, club.timezone)} to {describe(ended.until, club.timezone)} "
        f"({ended.why}), I could not post. Missed, not posted later:"
    )
    text = field_lines([head, *lines] if lines else [head, "nothing was due"], "")
    return (Field(name="While I was away", value=text),)


def problems(club: Club) -> list[str]:
    """What keeps the club's posts from going out, each with its fix."""
    found = []
    for purpose in CHANNEL_PURPOSES:
        channel = club.channels.get(purpose)
        if channel is None:
            found.append(f"No {purpose} channel: `/admin setup {purpose}:#channel`.")
        elif channel.broken_reason:
            found.append(
                f"#{channel.name} refuses my posts ({channel.broken_reason}); fix my "
                "permissions there (I resume by myself, and /admin status checks again) "
                f"or pick another with `/admin setup {purpose}:#…`."
            )
    return found


async def audit(ctx: Context) -> Message:
    entries = await ctx.store.audit(ctx.club.id, limit=15)
    lines = [
        f"{describe(e.at, ctx.club.timezone)}: {e.actor_name} {e.action} → {e.detail}"
        for e in entries
    ]
    return reply(
        clip("\n".join(lines), 3000) if lines else "No admin changes yet.",
        title="Recent admin changes",
    )


def _channel_now(purpose: str) -> Callable[[Club], str | None]:
    def shown(club: Club) -> str | None:
        channel = club.channels.get(purpose)
        return None if channel is None else f"#{channel.name}"

    return shown


_SETUP_OPTIONS = (
    Option(
        name="timezone",
        description="Time zone, e.g. New York, America/New_York or EST",
        autocomplete=complete_zone,
        current=lambda club: club.timezone,
    ),
    *(
        Option(
            name=p,
            description=f"Channel for {PURPOSE_HELP[p]}",
            kind="channel",
            current=_channel_now(p),
        )
        for p in CHANNEL_PURPOSES
    ),
    Option(
        name="officer_role",
        description="Members with this role are officers",
        kind="role",
        current=lambda club: club.officer_role_id,
    ),
    Option(
        name="digest_day",
        description="Day of the weekly officer digest, e.g. mon",
        current=lambda club: WEEKDAYS[club.digest_weekday][:3],
    ),
    Option(
        name="digest_time",
        description="Time of the weekly officer digest, e.g. 9am or 18:30",
        current=lambda club: club.digest_time,
    ),
)
_MEMBER = (Option(name="member", description="The member", kind="user", required=True),)

COMMANDS = (
    Command(
        name="admin setup",
        description="Set the club's time zone, channels and schedule",
        handler=setup,
        options=_SETUP_OPTIONS,
        officers_only=True,
    ),
    Command(
        name="admin officers add",
        description="Make a member an officer",
        handler=officers_add,
        options=_MEMBER,
        officers_only=True,
    ),
    Command(
        name="admin officers remove",
        description="Take a member off the officer list",
        handler=officers_remove,
        options=_MEMBER,
        officers_only=True,
    ),
    Command(
        name="admin officers list",
        description="List the club's officers",
        handler=officers_list,
        officers_only=True,
    ),
    Command(
        name="admin status",
        description="Configuration, next runs and what is broken",
        handler=status,
        officers_only=True,
    ),
    Command(
        name="admin audit",
        description="Recent admin changes: who, what, when",
        handler=audit,
        officers_only=True,
    ),
)
