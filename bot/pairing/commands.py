"""/mockpair for members and /admin mockpair for officers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.app import Command, Context, Option
from bot.club_time import (
    complete_zone,
    describe,
    moment,
    parse_duration,
    parse_weekday,
    read_time,
    read_zone,
)
from bot.errors import UserError
from bot.model import Field, Message, field_lines, mention, plural, reply, stamp
from bot.pairing.hours import (
    EXAMPLE,
    SLOT,
    WEEK,
    candidate_slots,
    describe_availability,
    describe_time,
    from_slot,
    monday_start,
    read_availability,
    round_start,
    slot_time,
)
from bot.pairing.matching import ROLES, TRACKS
from bot.pairing.rounds import (
    DEFAULTS,
    MAX_NOTICE,
    ROUND,
    group_times,
    member_slots,
    next_round_at,
    notice,
    plan_round,
    session_length,
    told_times,
    week_of,
)
from bot.pairing.store import Feedback, Group, PairingMember, PairingStore
from bot.reach import dm_refused_line
from bot.store.clubs import Club, ClubChanges


async def join(ctx: Context) -> Message:
    chosen = read_zone(ctx.args["timezone"]) if "timezone" in ctx.args else None
    timezone = chosen.key if chosen else ctx.club.timezone
    level = int(ctx.args["level"])
    if not 1 <= level <= 5:
        raise UserError("`level` is 1 (just starting) to 5 (interview-ready).")
    reading = read_availability(ctx.args["availability"])
    understood = describe_availability(reading.blocks, timezone, reading.notes)
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
        f"{head} Available: {understood}. {member.track}, level {level}, {member.role}. "
        f"Rounds run {await _schedule(ctx, timezone)}; you'll get your partner by DM."
        + (f"\n{chosen.note}" if chosen else "")
    )


async def _schedule(ctx: Context, member_zone: str, upcoming: datetime | None = None) -> str:
    """When rounds run, in the club's zone, and the next one (`upcoming`, when the
    caller knows it) in the member's own."""
    day = ctx.club.settings.get("pairing_day", DEFAULTS["pairing_day"])
    at = ctx.club.settings.get("pairing_time", DEFAULTS["pairing_time"])
    every = f"every {day.title()} at {at} ({ctx.club.timezone})"
    if member_zone == ctx.club.timezone:
        return every
    if upcoming is None:
        upcoming = await next_round_at(ctx.store, ctx.club, ctx.now)
    return f"{every}, the next {moment(upcoming, member_zone)} your time"


async def _me(ctx: Context) -> PairingMember:
    member = await ctx.store.repo(PairingStore).member(ctx.club.id, ctx.user.id)
    if member is None:
        raise _not_joined()
    return member


def _not_joined() -> UserError:
    return UserError(
        f"You haven't joined yet: `/mockpair join track:coding level:3 availability:{EXAMPLE}`."
    )


async def leave(ctx: Context) -> Message:
    if not await ctx.store.repo(PairingStore).leave(ctx.club.id, ctx.user.id):
        raise _not_joined()
    return reply("You've left mock-interview pairing. `/mockpair join` brings you back.")


async def skip(ctx: Context) -> Message:
    asked = ctx.args.get("weeks", "1")
    if not (asked.isdigit() and 1 <= int(asked) <= 12):
        await _me(ctx)  # one who never joined is told so first
    weeks = int(asked)
    if not 1 <= weeks <= 12:
        raise UserError("Skip 1 to 12 weeks.")
    repo = ctx.store.repo(PairingStore)
    this_week = week_of(ctx.club, ctx.now)
    latest = await repo.latest_round(ctx.club.id, ctx.user.id, week_of=this_week)
    first = week_of(ctx.club, await next_round_at(ctx.store, ctx.club, ctx.now, ran=latest.ran))
    back = first + timedelta(weeks=weeks)
    if not await repo.skip(ctx.club.id, ctx.user.id, until=back):
        raise _not_joined()
    text = f"Skipping {plural(weeks, 'round')}: you're back in the round of {back:%d %b}."
    if first > this_week:
        gone = "has already gone out" if latest.ran else "was due earlier this week"
        text = (
            f"This week's round {gone}, so skipping starts with the next one "
            f"({first:%d %b}). " + text
        )
        partnered = [g for g in latest.groups if g.week_of == this_week and len(g.members) > 1]
        if partnered:
            text += " If you can't make this week's session, tell your partner now."
    return reply(text)


async def status(ctx: Context) -> Message:
    repo = ctx.store.repo(PairingStore)
    latest = await repo.latest_round(ctx.club.id, ctx.user.id, week_of=week_of(ctx.club, ctx.now))
    # A member re-paired after a no-show is in a later group too: the latest is current.
    current = latest.groups[-1] if latest.groups else None
    shown = await repo.members(
        ctx.club.id, user_ids=(ctx.user.id, *(current.members if current else ()))
    )
    names = {m.user_id: m.name for m in shown}
    member = next((m for m in shown if m.user_id == ctx.user.id), None)
    if member is None:
        raise _not_joined()
    upcoming = await next_round_at(ctx.store, ctx.club, ctx.now, ran=latest.ran)
    next_week = week_of(ctx.club, upcoming)
    if not member.active:
        state = "left (join again to come back)"
    elif member.skip_until and member.skip_until > next_week:
        state = f"skipping: back in the round of {member.skip_until:%d %b}"
    else:
        state = f"active: in the round of {next_week:%d %b}"
    try:
        reading = read_availability(member.availability)
        hours = describe_availability(reading.blocks, member.timezone, reading.notes)
    except UserError as error:
        hours = f"`{member.availability}` no longer reads ({error}): join again to fix it"
    fields = [
        Field(name="You", value=f"{member.track}, level {member.level}, {member.role}; {state}"),
        Field(name="Availability", value=hours),
        Field(name="Rounds", value=await _schedule(ctx, member.timezone, upcoming)),
    ]
    if current is not None:
        fields.append(_round_field(current, member, names, latest.rated, ctx.now))
    if ctx.dm_refusal is not None:  # pairs arrive by DM
        fields.append(Field(name="DMs", value=dm_refused_line(ctx.place.platform)))
    return reply("", title="Mock-interview pairing", fields=tuple(fields))


Rated = frozenset[tuple[int, str]]  # (group id, partner) the member gave feedback about


def _round_field(
    group: Group, member: PairingMember, names: dict[str, str], rated: Rated, now: datetime
) -> Field:
    """The member's group in the club's latest round as of `now`; named the last round
    once its seven days are over (rounds stopped, or the next one is late)."""
    over = round_start(group.ran_at) + WEEK <= now
    name = f"Last round (week of {group.week_of:%d %b})" if over else "This round"
    return Field(name=name, value=_describe(group, member, names, rated, now))


def _describe(
    group: Group, member: PairingMember, names: dict[str, str], rated: Rated, now: datetime
) -> str:
    """Who the member meets and their times, in the member's zone: only those still ahead
    of `now` as times they have; those begun or gone by said so, with the feedback due."""
    if len(group.members) == 1:
        return f"not paired: {group.why.removeprefix('unpaired: ')}"
    others = ", ".join(names.get(m, m) for m in group.members if m != member.user_id)
    everyone = "both" if len(group.members) == 2 else "all"
    ahead, on, past = _times_as_of(group, now)

    def said(times: list[datetime]) -> str:
        return ", ".join(stamp(at, describe_time(at, member.timezone)) for at in times)

    if not on and not past:
        return f"with {others}; times you {everyone} have: {said(ahead) or '-'}"
    lines = [
        f"with {others}; "
        + (
            f"times you {everyone} have still ahead: {said(ahead)}"
            if ahead
            else "none of your times is still ahead"
        )
    ]
    lines += [f"On now: {said(on)}"] if on else []
    lines += [f"Passed: {said(past)}"] if past else []
    return "\n".join([*lines, _feedback_due(group, member, names, rated, met=not ahead)])


def _times_as_of(
    group: Group, now: datetime
) -> tuple[list[datetime], list[datetime], list[datetime]]:
    """The group's times still ahead of `now`, those a session begun at would still be on,
    and those past."""
    length = session_length(len(group.members))
    times = group_times(group)
    return (
        [at for at in times if at > now],
        [at for at in times if at <= now < at + length],
        [at for at in times if at + length <= now],
    )


def _feedback_due(
    group: Group, member: PairingMember, names: dict[str, str], rated: Rated, *, met: bool
) -> str:
    """The feedback the member still owes their partners; `met` when no time is left ahead."""
    due = [m for m in group.members if m != member.user_id and (group.id, m) not in rated]
    if not due:
        return "Feedback: yours is in, thank you."
    asks = " and ".join(f"`/mockpair feedback partner:@{names.get(m, m)} rating:1-5`" for m in due)
    when = "if you met" if met else "once you've met"
    return f"Feedback, {when}: {asks} (`no-show:yes` if they didn't come)."


async def history(ctx: Context) -> Message:
    repo = ctx.store.repo(PairingStore)
    mine = await repo.groups(ctx.club.id, member=ctx.user.id)
    # The member and the names of everyone they met, in one read.
    shown = await repo.members(
        ctx.club.id, user_ids={ctx.user.id, *(m for g in mine for m in g.members)}
    )
    if all(m.user_id != ctx.user.id for m in shown):
        raise _not_joined()
    names = {m.user_id: m.name for m in shown}
    lines = [
        f"{g.week_of:%d %b %Y}: "
        + (", ".join(names.get(m, m) for m in g.members if m != ctx.user.id) or "not paired")
        for g in mine
    ]
    return reply(field_lines(lines, "No rounds yet.", limit=3000), title="Your mock interviews")


async def feedback(ctx: Context) -> Message:
    partner = await ctx.member("partner")
    no_show = ctx.args.get("no-show", "no") == "yes"
    rating = _rating(ctx.args.get("rating"), no_show=no_show)
    repo = ctx.store.repo(PairingStore)
    if no_show:  # the re-pair looks in the round for who is free: read with the groups
        recent, no_shows = await repo.groups_and_no_shows(ctx.club.id, limit_rounds=2)
        groups = [g for g in recent if ctx.user.id in g.members]
    else:
        groups = await repo.groups(ctx.club.id, limit_rounds=2, member=ctx.user.id)
    shared = [g for g in groups if partner.id in g.members]
    if not shared or partner.id == ctx.user.id:
        raise UserError(
            f"{partner.name} wasn't your partner in the last rounds, so I can't record that."
        )
    added = await repo.add_feedback(
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
    in_round = [g for g in recent if g.round_id == shared[0].round_id]
    ids = {g.id for g in in_round}
    reports = {(sender, about) for id_, sender, about in no_shows if id_ in ids}
    repair = await _repair(ctx, shared[0], partner.id, in_round, reports)
    return reply(f"Sorry {partner.name} didn't show. " + repair)


def _rating(text: str | None, *, no_show: bool) -> int | None:
    """A session's rating, 1 to 5; a no-show report needs none (there was no session)."""
    if text is None:
        if no_show:
            return None
        raise UserError("Rate the session with `rating:1` to `rating:5`.")
    rating = int(text)
    if not 1 <= rating <= 5:
        raise UserError("`rating` is 1 to 5.")
    return rating


async def _repair(
    ctx: Context,
    group: Group,
    no_show: str,
    round_groups: list[Group],
    no_shows: set[tuple[str, str]],
) -> str:
    """Pair a member whose partner didn't show with someone free for the rest of the round's
    week, from the club's notice on: a member left alone this round, or another member
    whose partner didn't show. `round_groups` are the groups of `group`'s round, and
    `no_shows` the (from, about) of the no-shows reported in them."""
    me, free = await _free_this_round(ctx, no_show, round_groups, no_shows)
    start = round_start(ctx.now)
    remaining = (round_start(group.ran_at) + timedelta(weeks=1) - start) // SLOT
    ahead = ((1 << max(remaining, 0)) - 1) & from_slot(start, ctx.now + notice(ctx.club))
    mine = member_slots(me, start) & ahead
    for other, target in free:
        common = mine & member_slots(other, start)
        if not common:
            continue
        picked = candidate_slots(common, start, (me.timezone, other.timezone), 2)
        shift = (start - monday_start(group.week_of)) // SLOT
        slots = tuple(shift + index for index in picked)
        times = [slot_time(start, index) for index in picked]
        repo = ctx.store.repo(PairingStore)
        if target is not None:
            await repo.add_to_group(ctx.club.id, target, me.user_id, slots)
        else:
            members = (other.user_id, me.user_id)
            await repo.add_group(ctx.club.id, group, members, slots, REPAIRED)
        await ctx.schedule.notify(
            ctx.club.id,
            other.user_id,
            Message(
                title="A mock-interview partner this week after all",
                text=f"{mention(me.user_id)}'s partner didn't show, so you two are paired. "
                "Say hi and pick one of these times you both have:",
                fields=(
                    Field(name="Times you both have", value=told_times(times, other.timezone)),
                ),
            ),
        )
        shown = ", ".join(stamp(at, describe_time(at, me.timezone)) for at in times)
        return f"You're now paired with {other.name}; times you both have: {shown}. I've told them."
    return "Nobody else is free this week; you'll be paired first next round."


REPAIRED = "re-paired after a no-show"


async def _free_this_round(
    ctx: Context, no_show: str, round_groups: list[Group], no_shows: set[tuple[str, str]]
) -> tuple[PairingMember, list[tuple[PairingMember, Group | None]]]:
    """The member, and who could meet them instead, in their track: each member left
    alone this round (with their group, which the member joins), then each member who
    reported a no-show this round and has not been re-paired since (a new group is made
    for the two)."""
    repo = ctx.store.repo(PairingStore)
    seats = Counter(m for g in round_groups if len(g.members) > 1 for m in g.members)
    reported = {reporter for reporter, about in no_shows if about != ctx.user.id}
    alone = [(g.members[0], g) for g in round_groups if len(g.members) == 1]
    looking = [(u, None) for u in sorted(reported) if seats[u] == 1]
    candidates: list[tuple[str, Group | None]] = [*alone, *looking]
    wanted = {ctx.user.id, *(user_id for user_id, _ in candidates)}
    members = {m.user_id: m for m in await repo.members(ctx.club.id, user_ids=wanted)}
    me = members.get(ctx.user.id)
    if me is None:
        raise _not_joined()
    found: list[tuple[PairingMember, Group | None]] = []
    for user_id, target in candidates:
        other = members.get(user_id)
        if other is None or not other.active or other.track != me.track:
            continue
        if user_id not in (me.user_id, no_show):
            found.append((other, target))
    return me, found


# --- officers ---------------------------------------------------------------------


async def preview(ctx: Context) -> Message:
    at = await next_round_at(ctx.store, ctx.club, ctx.now)
    plan = await plan_round(ctx.store, ctx.club, at)
    if not plan.members:
        return reply("Nobody has joined yet. Members opt in with `/mockpair join`.")
    names = {m.user_id: m.name for m in plan.members.values()}
    lines = [
        f"• {' + '.join(names[m] for m in g.members)} (score {g.score})" for g in plan.round.groups
    ]
    alone = [f"• {names[u.id]}: {u.reason}" for u in plan.round.unpaired]
    return reply(
        f"A dry run of the round due {describe(at, ctx.club.timezone)}, counting the slots of "
        "the seven days after it: nothing is saved or sent.",
        title=f"Pairing preview · week of {plan.week_of:%d %b}",
        fields=(
            Field(name="Groups", value=field_lines(lines, "Nobody can be paired.")),
            Field(name="Not paired", value=field_lines(alone, "Everyone is paired.")),
        ),
    )


async def run_now(ctx: Context) -> Message:
    if "pairing" not in ctx.club.channels:
        raise UserError("Set the pairing channel first: `/admin setup pairing:#channel`.")
    outcome = await ctx.schedule.run_now(ctx.club.id, ROUND, club=ctx.club)
    answers = {
        "posted": "This week's round is out: pairs announced and DMed.",
        "taken": "This week's round has already run; it won't be run twice.",
        "skipped": "Nothing to run: nobody has joined yet.",
    }
    return reply(answers.get(outcome, f"The round didn't go out: {outcome}. See /admin status."))


async def stats(ctx: Context) -> Message:
    repo = ctx.store.repo(PairingStore)
    members = await repo.members(ctx.club.id)
    held = await repo.sessions_held(ctx.club.id)
    feedback = await repo.feedback_count(ctx.club.id)
    seats, pairs, repeats = seats_and_repeats(group for _, group in held)
    no_shows = sorted((m for m in members if m.no_shows), key=lambda m: -m.no_shows)
    lines = [
        f"Members: {sum(m.active for m in members)} active of {len(members)} who ever joined.",
        f"Rounds: {len({week_of for week_of, _ in held})}, {len(held)} groups.",
        f"Completion: feedback from {feedback} of {seats} seats "
        f"({100 * feedback // seats if seats else 0}%).",
        f"Repeat rate: {repeats} of {pairs} pairings met before.",
    ]
    shown = [f"• {m.name}: {plural(m.no_shows, 'no-show')}" for m in no_shows]
    return reply(
        "\n".join(lines),
        title="Mock-interview stats",
        fields=(Field(name="No-shows", value=field_lines(shown, "None.")),),
    )


def seats_and_repeats(groups: Iterable[tuple[str, ...]]) -> tuple[int, int, int]:
    """The seats of `groups`, their pairings, and how many of those met before: in one
    pass, a pair as a tuple (a club's stats go through hundreds of groups)."""
    seats, pairs, met = 0, 0, set()
    for group in groups:
        seats += len(group)
        for a in group:
            for b in group:
                if a < b:
                    pairs += 1
                    met.add((a, b))
    return seats, pairs, pairs - len(met)


async def settings(ctx: Context) -> Message:
    changes: dict[str, str | None] = {}
    if "day" in ctx.args:
        changes["pairing_day"] = ctx.args["day"][:3].lower()
        parse_weekday(changes["pairing_day"] or "")
    if "time" in ctx.args:
        changes["pairing_time"] = read_time(ctx.args["time"]).strftime("%H:%M")
    if "notice" in ctx.args:
        changes["pairing_notice"] = _notice(ctx.args["notice"])
    club = ctx.club
    if changes:
        club = await ctx.store.clubs.change(
            club.id, ClubChanges(settings=changes), actor=ctx.actor, now=ctx.now
        )
        await ctx.schedule.club_changed(club.id, to=club)
    day = club.settings.get("pairing_day", DEFAULTS["pairing_day"])
    at = club.settings.get("pairing_time", DEFAULTS["pairing_time"])
    ahead = club.settings.get("pairing_notice", DEFAULTS["pairing_notice"])
    return reply(
        f"{'Saved. ' if changes else ''}Rounds run every {day.title()} at {at}; "
        f"the first time a group is given is at least {ahead} after the round goes out."
    )


def _notice(text: str) -> str:
    """An officer's notice, '12h' or '1d', from 0h to three days."""
    ahead = parse_duration(text.replace(" ", ""))
    if ahead > MAX_NOTICE:
        raise UserError("The notice is at most 3 days (`3d`), so a round keeps days to meet in.")
    return text.replace(" ", "").lower()


def _setting_now(key: str) -> Callable[[Club], str | None]:
    """What the dashboard's form shows for a round setting: the club's, or the default."""
    return lambda club: str(club.settings.get(key, DEFAULTS[key]))


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
            Option(name="rating", description="1 to 5 (none for a no-show)", kind="integer"),
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
        description="The round's day, time and notice",
        handler=settings,
        officers_only=True,
        options=(
            Option(name="day", description="e.g. mon", current=_setting_now("pairing_day")),
            Option(
                name="time",
                description="In the club's zone, e.g. 9am or 18:30",
                current=_setting_now("pairing_time"),
            ),
            Option(
                name="notice",
                description="Least time before a group's first time: 12h, 1d",
                current=_setting_now("pairing_notice"),
            ),
        ),
    ),
)
