"""/mockpair for members and /admin mockpair for officers."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Command, Context, Option
from bot.club_time import complete_zone, parse_weekday, read_time, read_zone
from bot.errors import UserError
from bot.model import Field, Message, field_lines, plural, reply
from bot.pairing.hours import EXAMPLE, describe_hour, first_hour, parse_week
from bot.pairing.matching import ROLES, TRACKS
from bot.pairing.rounds import DEFAULTS, ROUND, plan_round, week_of
from bot.pairing.store import Feedback, Group, PairingMember, PairingStore
from bot.store.clubs import ClubChanges


async def join(ctx: Context) -> Message:
    chosen = read_zone(ctx.args["timezone"]) if "timezone" in ctx.args else None
    timezone = chosen.key if chosen else ctx.club.timezone
    level = int(ctx.args["level"])
    if not 1 <= level <= 5:
        raise UserError("`level` is 1 (just starting) to 5 (interview-ready).")
    hours = parse_week(ctx.args["availability"], timezone, week_of(ctx.club, ctx.now))
    member = PairingMember(
        user_id=ctx.user.id,
        name=ctx.user.name,
        track=ctx.args["track"],
        level=level,
        role=ctx.args.get("role", "both"),
        availability=ctx.args["availability"],
        timezone=timezone,
    )
    new = await ctx.store.repo(PairingStore).join(ctx.club.id, member, now=ctx.now)
    head = "You're in." if new else "Updated your details."
    return reply(
        f"{head} {plural(hours.bit_count(), 'hour')} a week, {member.track}, level {level}, "
        f"{member.role}. Rounds run {_schedule(ctx)}; you'll get your partner by DM."
        + (f"\n{chosen.note}" if chosen else "")
    )


def _schedule(ctx: Context) -> str:
    day = ctx.club.settings.get("pairing_day", DEFAULTS["pairing_day"])
    at = ctx.club.settings.get("pairing_time", DEFAULTS["pairing_time"])
    return f"every {day.title()} at {at} ({ctx.club.timezone})"


async def _me(ctx: Context) -> PairingMember:
    member = await ctx.store.repo(PairingStore).member(ctx.club.id, ctx.user.id)
    if member is None:
        raise UserError(
            f"You haven't joined yet: `/mockpair join track:coding level:3 availability:{EXAMPLE}`."
        )
    return member


async def leave(ctx: Context) -> Message:
    member = await _me(ctx)
    await ctx.store.repo(PairingStore).update_member(ctx.club.id, _with(member, active=False))
    return reply("You've left mock-interview pairing. `/mockpair join` brings you back.")


async def skip(ctx: Context) -> Message:
    member = await _me(ctx)
    weeks = int(ctx.args.get("weeks", "1"))
    if not 1 <= weeks <= 12:
        raise UserError("Skip 1 to 12 weeks.")
    back = week_of(ctx.club, ctx.now) + timedelta(weeks=weeks)
    await ctx.store.repo(PairingStore).update_member(ctx.club.id, _with(member, skip_until=back))
    return reply(f"Skipping {plural(weeks, 'week')}: you're back in the round of {back:%d %b}.")


def _with(member: PairingMember, **changes: object) -> PairingMember:
    values = {f: getattr(member, f) for f in PairingMember.__dataclass_fields__}
    return PairingMember(**{**values, **changes})


async def status(ctx: Context) -> Message:
    member = await _me(ctx)
    state = "active" if member.active else "left (join again to come back)"
    if member.skip_until and member.skip_until > week_of(ctx.club, ctx.now):
        state = f"skipping until {member.skip_until:%d %b}"
    current = [
        g
        for g in await ctx.store.repo(PairingStore).groups(ctx.club.id, limit_rounds=1)
        if ctx.user.id in g.members
    ]
    fields = [
        Field(name="You", value=f"{member.track}, level {member.level}, {member.role}; {state}"),
        Field(name="Availability", value=f"{member.availability} ({member.timezone})"),
        Field(name="Rounds", value=_schedule(ctx)),
    ]
    if current:
        fields.append(Field(name="This round", value=await _describe(ctx, current[0], member)))
    return reply("", title="Mock-interview pairing", fields=tuple(fields))


async def _describe(ctx: Context, group: Group, member: PairingMember) -> str:
    if len(group.members) == 1:
        return f"not paired: {group.why.removeprefix('unpaired: ')}"
    names = await _names(ctx)
    others = ", ".join(names.get(m, m) for m in group.members if m != member.user_id)
    slot = describe_hour(group.slot, group.week_of, member.timezone) if group.slot else "-"
    return f"with {others}; first common slot {slot}"


async def _names(ctx: Context) -> dict[str, str]:
    return {m.user_id: m.name for m in await ctx.store.repo(PairingStore).members(ctx.club.id)}


async def history(ctx: Context) -> Message:
    member = await _me(ctx)
    names = await _names(ctx)
    mine = [
        g
        for g in await ctx.store.repo(PairingStore).groups(ctx.club.id)
        if member.user_id in g.members
    ]
    lines = [
        f"{g.week_of:%d %b %Y}: "
        + (", ".join(names.get(m, m) for m in g.members if m != member.user_id) or "not paired")
        for g in mine
    ]
    return reply(field_lines(lines, "No rounds yet.", limit=3000), title="Your mock interviews")


async def feedback(ctx: Context) -> Message:
    partner = await ctx.member("partner")
    rating = int(ctx.args["rating"])
    if not 1 <= rating <= 5:
        raise UserError("`rating` is 1 to 5.")
    groups = await ctx.store.repo(PairingStore).groups(ctx.club.id, limit_rounds=2)
    shared = [g for g in groups if ctx.user.id in g.members and partner.id in g.members]
    if not shared or partner.id == ctx.user.id:
        raise UserError(
            f"{partner.name} wasn't your partner in the last rounds, so I can't record that."
        )
    no_show = ctx.args.get("no-show", "no") == "yes"
    added = await ctx.store.repo(PairingStore).add_feedback(
        ctx.club.id,
        Feedback(
            group_id=shared[0].id,
            from_user=ctx.user.id,
            about_user=partner.id,
            rating=rating,
            notes=ctx.args.get("notes", ""),
            no_show=no_show,
        ),
        now=ctx.now,
    )
    if not added:
        return reply(f"You already left feedback about {partner.name} for that round.")
    if not no_show:
        return reply(f"Thanks: feedback about {partner.name} recorded.")
    return reply(f"Sorry {partner.name} didn't show. " + await _repair(ctx, shared[0]))


async def _repair(ctx: Context, group: Group) -> str:
    """Pair a no-show's partner with someone free in the same round, if anyone is."""
    me = await _me(ctx)
    mine = parse_week(me.availability, me.timezone, group.week_of)
    round_groups = [
        g
        for g in await ctx.store.repo(PairingStore).groups(ctx.club.id, limit_rounds=1)
        if g.round_id == group.round_id
    ]
    members = {m.user_id: m for m in await ctx.store.repo(PairingStore).members(ctx.club.id)}
    for alone in (g for g in round_groups if len(g.members) == 1):
        other = members.get(alone.members[0])
        if other is None or other.track != me.track:
            continue
        common = mine & parse_week(other.availability, other.timezone, group.week_of)
        if not common:
            continue
        joined = await ctx.store.repo(PairingStore).add_to_group(ctx.club.id, alone.id, me.user_id)
        slot = first_hour(common)
        assert slot is not None
        await ctx.schedule.notify(
            ctx.club.id,
            other.user_id,
            Message(
                title="A mock-interview partner this week after all",
                text=f"{me.name}'s partner didn't show, so you two are paired. First common "
                f"slot: {describe_hour(slot, joined.week_of, other.timezone)}.",
            ),
        )
        return (
            f"You're now paired with {other.name}; first common slot "
            f"{describe_hour(slot, joined.week_of, me.timezone)}. I've told them."
        )
    return "Nobody else is free this week; you'll be paired first next round."


# --- officers ---------------------------------------------------------------------


async def preview(ctx: Context) -> Message:
    plan = await plan_round(ctx.store, ctx.club, ctx.now)
    if not plan.members:
        return reply("Nobody has joined yet. Members opt in with `/mockpair join`.")
    names = {m.user_id: m.name for m in plan.members.values()}
    lines = [
        f"• {' + '.join(names[m] for m in g.members)} (score {g.score})" for g in plan.round.groups
    ]
    alone = [f"• {names[u.id]}: {u.reason}" for u in plan.round.unpaired]
    return reply(
        "A dry run: nothing is saved or sent.",
        title=f"Pairing preview · week of {plan.week_of:%d %b}",
        fields=(
            Field(name="Groups", value=field_lines(lines, "Nobody can be paired.")),
            Field(name="Not paired", value=field_lines(alone, "Everyone is paired.")),
        ),
    )


async def run_now(ctx: Context) -> Message:
    if "pairing" not in ctx.club.channels:
        raise UserError("Set the pairing channel first: `/admin setup pairing:#channel`.")
    outcome = await ctx.schedule.run_now(ctx.club.id, ROUND)
    answers = {
        "posted": "This week's round is out: pairs announced and DMed.",
        "taken": "This week's round has already run; it won't be run twice.",
        "skipped": "Nothing to run: nobody has joined yet.",
    }
    return reply(answers.get(outcome, f"The round didn't go out: {outcome}. See /admin status."))


async def stats(ctx: Context) -> Message:
    members = await ctx.store.repo(PairingStore).members(ctx.club.id)
    groups = [
        g for g in await ctx.store.repo(PairingStore).groups(ctx.club.id) if len(g.members) > 1
    ]
    feedback = await ctx.store.repo(PairingStore).feedback(ctx.club.id)
    seats = sum(len(g.members) for g in groups)
    pairs = [frozenset((a, b)) for g in groups for a in g.members for b in g.members if a < b]
    repeats = len(pairs) - len(set(pairs))
    no_shows = sorted((m for m in members if m.no_shows), key=lambda m: -m.no_shows)
    lines = [
        f"Members: {sum(m.active for m in members)} active of {len(members)} who ever joined.",
        f"Rounds: {len({g.week_of for g in groups})}, {len(groups)} groups.",
        f"Completion: feedback from {len(feedback)} of {seats} seats "
        f"({100 * len(feedback) // seats if seats else 0}%).",
        f"Repeat rate: {repeats} of {len(pairs)} pairings met before.",
    ]
    shown = [f"• {m.name}: {plural(m.no_shows, 'no-show')}" for m in no_shows]
    return reply(
        "\n".join(lines),
        title="Mock-interview stats",
        fields=(Field(name="No-shows", value=field_lines(shown, "None.")),),
    )


async def settings(ctx: Context) -> Message:
    changes: dict[str, str | None] = {}
    if "day" in ctx.args:
        changes["pairing_day"] = ctx.args["day"][:3].lower()
        parse_weekday(changes["pairing_day"] or "")
    if "time" in ctx.args:
        changes["pairing_time"] = read_time(ctx.args["time"]).strftime("%H:%M")
    club = ctx.club
    if changes:
        club = await ctx.store.clubs.change(
            club.id, ClubChanges(settings=changes), actor=ctx.actor, now=ctx.now
        )
        await ctx.schedule.club_changed(club.id)
    day = club.settings.get("pairing_day", DEFAULTS["pairing_day"])
    at = club.settings.get("pairing_time", DEFAULTS["pairing_time"])
    return reply(f"{'Saved. ' if changes else ''}Rounds run every {day.title()} at {at}.")


COMMANDS: tuple[Command, ...] = (
    Command(
        name="mockpair join",
        description="Opt in to weekly mock-interview pairs",
        handler=join,
        options=(
            Option(name="track", description="What to practise", required=True, choices=TRACKS),
            Option(
                name="level",
                description="1 (just starting) to 5 (ready)",
                kind="integer",
                required=True,
            ),
            Option(
                name="availability",
                description=f"In your zone, e.g. {EXAMPLE}",
                required=True,
                max_length=300,
            ),
            Option(name="role", description="interviewer, interviewee or both", choices=ROLES),
            Option(
                name="timezone",
                description="Your zone, e.g. New York or Asia/Kolkata (default: the club's)",
                autocomplete=complete_zone,
            ),
        ),
    ),
    Command(name="mockpair leave", description="Stop being paired", handler=leave),
    Command(
        name="mockpair skip",
        description="Sit out the next weeks",
        handler=skip,
        options=(Option(name="weeks", description="1 to 12", kind="integer"),),
    ),
    Command(
        name="mockpair status", description="Your details and this week's pair", handler=status
    ),
    Command(name="mockpair history", description="Who you've practised with", handler=history),
    Command(
        name="mockpair feedback",
        description="Rate a session, or report a no-show",
        handler=feedback,
        options=(
            Option(name="partner", description="Your partner", kind="user", required=True),
            Option(name="rating", description="1 to 5", kind="integer", required=True),
            Option(name="notes", description="What went well, what to work on", max_length=1000),
            Option(name="no-show", description="yes if they didn't come", choices=("yes", "no")),
        ),
    ),
    Command(
        name="admin mockpair preview",
        description="Dry-run this week's pairs",
        handler=preview,
        officers_only=True,
    ),
    Command(
        name="admin mockpair run-now",
        description="Run this week's round now",
        handler=run_now,
        officers_only=True,
    ),
    Command(
        name="admin mockpair stats",
        description="Participation, completion, repeats",
        handler=stats,
        officers_only=True,
    ),
    Command(
        name="admin mockpair settings",
        description="The round's day and time",
        handler=settings,
        officers_only=True,
        options=(
            Option(name="day", description="e.g. mon"),
            Option(name="time", description="In the club's zone, e.g. 9am or 18:30"),
        ),
    ),
)
