"""Weekly rounds played through the console club: what each member is told, and when."""

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.discord.render import embed
from adapters.slack.render import blocks
from bot.model import User, mention, plain
from bot.pairing.rounds import announcement, rounds_waited
from bot.pairing.store import Group, PairingStore
from tests.conftest import ADMIN, MONDAY
from tests.pairing.test_people import last_pairing_dm

SETUP = "/admin setup timezone:America/New_York pairing:#mock-interviews alerts:#officers"


def _u(name: str) -> User:
    return User(id=name, name=name)


async def _join(club, name, availability, *, zone="America/New_York", track="coding", role="both"):
    answer = await club.run(
        f'/mockpair join track:{track} level:3 availability:"{availability}" role:{role} '
        f"timezone:{zone}",
        as_user=_u(name),
    )
    assert answer.text.startswith("You're in."), answer.text
    return answer


def _told(club, user_id: str) -> dict[str, str]:
    """The fields of the last pairing DM to `user_id`, stamps as their plain fallback."""
    return {f.name: plain(f.value) for f in last_pairing_dm(club, user_id).fields}


def _times(club, user_id: str) -> list[str]:
    """The times the last DM to `user_id` gave, in their own zone."""
    told = _told(club, user_id)
    field = told.get("Times you both have") or told["Times you all have"]
    return [line.removeprefix("• ") for line in field.splitlines()]


async def _groups(club):
    store = club.runtime.store
    club_id = (await store.clubs.all())[0].id
    return await store.repo(PairingStore).groups(club_id)


async def test_the_times_told_leave_twelve_hours_notice_on_different_days(club):
    await club.run(SETUP, as_user=ADMIN)
    await _join(club, "ann", "mon 8-11")
    await _join(club, "bob", "mon 8-11")
    await _join(club, "cat", "daily 9-22", track="ml-fundamentals")
    await _join(club, "dan", "daily 9-22", track="ml-fundamentals")
    await club.run("/admin mockpair run-now", as_user=ADMIN)  # Monday 10:00 New York
    # Monday 10:00-11:00 is within the notice: next Monday morning, before the next round.
    assert _times(club, "ann") == ["Mon 23 Nov 08:00 EST"]
    assert _times(club, "cat") == [
        "Tue 17 Nov 09:00 EST",
        "Wed 18 Nov 09:00 EST",
        "Thu 19 Nov 09:00 EST",
    ]
    status = await club.run("/mockpair status", as_user=_u("bob"))
    assert plain({f.name: f.value for f in status.fields}["This round"]) == (
        "with ann; times you both have: Mon 23 Nov 08:00 EST"
    )


async def test_status_tells_only_the_times_still_ahead_as_times_the_pair_has(club):
    """A pair told Mon, Tue and Wed 19:00 New York time (18:00 in Chicago): at noon on
    Tuesday, Monday's time has passed; at 19:30 on Wednesday, Wednesday's is on; once the
    round's seven days are over it is the last round, not this one."""
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/admin mockpair settings notice:0h", as_user=ADMIN)
    await _join(club, "bob", "mon-thu 7pm-10pm")
    await _join(club, "cat", "mon-thu 6pm-9pm", zone="America/Chicago")
    await club.run("/admin mockpair run-now", as_user=ADMIN)  # Monday 10:00 New York

    async def status(name: str) -> dict[str, str]:
        answer = await club.run("/mockpair status", as_user=_u(name))
        return {f.name: plain(f.value) for f in answer.fields}

    told = "Mon 16 Nov 18:00 CST, Tue 17 Nov 18:00 CST, Wed 18 Nov 18:00 CST"
    assert (await status("cat"))["This round"] == f"with bob; times you both have: {told}"
    club.clock.set(datetime(2026, 11, 17, 17, 0, tzinfo=UTC))  # Tuesday 12:00 in New York
    assert (await status("cat"))["This round"] == (
        "with bob; times you both have still ahead: Tue 17 Nov 18:00 CST, Wed 18 Nov 18:00 CST\n"
        "Passed: Mon 16 Nov 18:00 CST\n"
        "Feedback, once you've met: `/mockpair feedback partner:@bob rating:1-5` "
        "(`no-show:yes` if they didn't come)."
    )
    club.clock.set(datetime(2026, 11, 19, 0, 30, tzinfo=UTC))  # Wednesday 19:30 in New York
    await club.run("/mockpair feedback partner:@cat rating:5", as_user=_u("bob"))
    assert (await status("bob"))["This round"] == (
        "with cat; none of your times is still ahead\n"
        "On now: Wed 18 Nov 19:00 EST\n"
        "Passed: Mon 16 Nov 19:00 EST, Tue 17 Nov 19:00 EST\n"
        "Feedback: yours is in, thank you."
    )
    club.clock.set(datetime(2026, 11, 24, 17, 0, tzinfo=UTC))  # next Tuesday, no round since
    assert (await status("cat"))["Last round (week of 16 Nov)"] == (
        f"with bob; none of your times is still ahead\nPassed: {told}\n"
        "Feedback, if you met: `/mockpair feedback partner:@bob rating:1-5` "
        "(`no-show:yes` if they didn't come)."
    )


async def test_the_notice_is_an_officer_setting(club):
    await club.run(SETUP, as_user=ADMIN)
    saved = await club.run("/admin mockpair settings notice:2d", as_user=ADMIN)
    assert "at least 2d after the round goes out" in saved.text
    too_long = await club.run("/admin mockpair settings notice:5d", as_user=ADMIN)
    assert "at most 3 days" in too_long.text
    await _join(club, "cat", "daily 9-22")
    await _join(club, "dan", "daily 9-22")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    assert _times(club, "cat")[0] == "Wed 18 Nov 10:00 EST"


async def test_a_round_run_on_thursday_evening_counts_from_thursday_evening(club):
    club.clock.set(datetime(2026, 11, 20, 1, 30, tzinfo=UTC))  # Thursday 20:30 in New York
    await club.run(SETUP, as_user=ADMIN)
    await _join(club, "ann", "daily 9-22")
    await _join(club, "bob", "daily 9-22")
    await _join(club, "cat", "daily 9-22", track="ml-fundamentals")
    await _join(club, "dan", "daily 9-22", zone="Europe/London", track="ml-fundamentals")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    assert _times(club, "ann")[0] == "Fri 20 Nov 09:00 EST"
    assert _times(club, "cat") == [
        "Fri 20 Nov 09:00 EST",
        "Sat 21 Nov 09:00 EST",
        "Sun 22 Nov 09:00 EST",
    ]
    assert _times(club, "dan") == [
        "Fri 20 Nov 14:00 GMT",
        "Sat 21 Nov 14:00 GMT",
        "Sun 22 Nov 14:00 GMT",
    ]


async def test_a_half_hour_zone_is_told_a_slot_inside_its_own_hours(club):
    await club.run(SETUP, as_user=ADMIN)
    await _join(club, "lee", "wed 4-7", zone="Asia/Kolkata")
    await _join(club, "sam", "tue 18-21")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    assert _times(club, "lee") == ["Wed 18 Nov 04:30 IST"]
    assert _times(club, "sam") == ["Tue 17 Nov 18:00 EST"]


async def test_the_times_are_stamps_each_platform_shows_in_the_readers_zone(club):
    await club.run(SETUP, as_user=ADMIN)
    await _join(club, "lee", "wed 4-7", zone="Asia/Kolkata")
    await _join(club, "sam", "tue 18-21")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    message = last_pairing_dm(club, "lee")
    unix = int(datetime(2026, 11, 17, 23, 0, tzinfo=UTC).timestamp())
    discord = {f.name: f.value for f in embed(message).fields}
    assert discord["Times you both have"] == f"• <t:{unix}:f>"
    slack = " ".join(b["text"]["text"] for b in blocks(message) if "text" in b)
    assert f"<!date^{unix}^" in slack
    assert "|Wed 18 Nov 04:30 IST>" in slack


async def test_two_members_whose_partners_did_not_show_are_paired_with_each_other(club):
    await club.run(SETUP, as_user=ADMIN)
    for name in ("ann", "bob", "cat", "dan"):
        await _join(club, name, "daily 9-22")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    pairs = [g.members for g in await _groups(club)]
    assert sorted(len(p) for p in pairs) == [2, 2]
    (first, first_partner), (second, second_partner) = pairs
    club.clock.set(datetime(2026, 11, 18, 17, 10, tzinfo=UTC))  # Wednesday 12:10
    alone = await club.run(
        f"/mockpair feedback partner:@{first_partner} rating:1 no-show:yes", as_user=_u(first)
    )
    assert alone.text.endswith("Nobody else is free this week; you'll be paired first next round.")
    # A no-show report needs no rating: there was no session to rate.
    repaired = await club.run(
        f"/mockpair feedback partner:@{second_partner} no-show:yes", as_user=_u(second)
    )
    times = "Thu 19 Nov 09:00 EST, Fri 20 Nov 09:00 EST, Sat 21 Nov 09:00 EST"
    assert plain(repaired.text) == (
        f"Sorry {second_partner} didn't show. You're now paired with {first}; times you "
        f"both have: {times}. I've told them."
    )
    to, told = club.poster.dms[-1]
    assert to == first
    assert f"{mention(second)}'s partner didn't show, so you two are paired" in told.text
    assert _times(club, first) == times.split(", ")
    status = await club.run("/mockpair status", as_user=_u(first))
    assert plain({f.name: f.value for f in status.fields}["This round"]) == (
        f"with {second}; times you both have: {times}"
    )
    unrated = await club.run(f"/mockpair feedback partner:@{first}", as_user=_u(second))
    assert "Rate the session with `rating:1` to `rating:5`" in unrated.text
    # The no-show is not offered as a new partner, even if they report one back.
    back = await club.run(
        f"/mockpair feedback partner:@{first} rating:1 no-show:yes", as_user=_u(first_partner)
    )
    assert "Nobody else is free this week" in back.text


async def test_re_pairing_only_uses_the_rest_of_the_week(club):
    await club.run(SETUP, as_user=ADMIN)
    for name in ("ann", "bob", "cat", "dan"):
        await _join(club, name, "wed 10-12")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    (first, first_partner), (second, second_partner) = [g.members for g in await _groups(club)]
    club.clock.set(datetime(2026, 11, 19, 17, 0, tzinfo=UTC))  # Thursday: Wednesday has passed
    for who, partner in ((first, first_partner), (second, second_partner)):
        answer = await club.run(
            f"/mockpair feedback partner:@{partner} rating:1 no-show:yes", as_user=_u(who)
        )
        assert "Nobody else is free this week" in answer.text


async def test_preview_after_the_round_shows_next_weeks_round(club):
    await club.run(SETUP, as_user=ADMIN)
    for name in ("ann", "bob", "cat"):
        await _join(club, name, "daily 9-22")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    club.clock.set(datetime(2026, 11, 17, 15, 0, tzinfo=UTC))
    preview = await club.run("/admin mockpair preview", as_user=ADMIN)
    assert preview.title == "Pairing preview · week of 23 Nov"
    assert preview.text.startswith("A dry run of the round due Mon 23 Nov 2026, 10:00 EST")
    assert {f.name: f.value for f in preview.fields}["Not paired"] == "Everyone is paired."


async def test_status_after_leave_and_skip_after_the_round_say_what_happens(club):
    await club.run(SETUP, as_user=ADMIN)
    await _join(club, "ann", "daily 9-22")
    await _join(club, "bob", "daily 9-22")
    skipped = await club.run("/mockpair skip weeks:2", as_user=_u("ann"))
    assert skipped.text == "Skipping 2 rounds: you're back in the round of 30 Nov."
    await club.run("/mockpair leave", as_user=_u("ann"))
    status = await club.run("/mockpair status", as_user=_u("ann"))
    assert {f.name: f.value for f in status.fields}["You"].endswith(
        "left (join again to come back)"
    )
    back = await club.run(
        '/mockpair join track:coding level:3 availability:"daily 9-22"', as_user=_u("ann")
    )
    assert back.text.startswith("Updated your details.")
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    late = await club.run("/mockpair skip", as_user=_u("bob"))
    assert late.text == (
        "This week's round has already gone out, so skipping starts with the next one "
        "(23 Nov). Skipping 1 round: you're back in the round of 30 Nov. If you can't make "
        "this week's session, tell your partner now."
    )
    status = await club.run("/mockpair status", as_user=_u("bob"))
    fields = {f.name: f.value for f in status.fields}
    assert fields["You"].endswith("skipping: back in the round of 30 Nov")
    assert fields["Availability"] == "Every day 09:00-22:00, your time (America/New_York)"
    await club.runtime.scheduler.run_until(club.clock, MONDAY + timedelta(weeks=1, hours=1))
    week_two = [g for g in await _groups(club) if str(g.week_of) == "2026-11-23"]
    assert [g.members for g in week_two] == [("ann",)]


async def test_the_join_answer_echoes_what_was_understood_and_refuses_a_backwards_block(club):
    await club.run(SETUP, as_user=ADMIN)
    answer = await _join(club, "ann", "Mon/Wed 7-9pm", zone="Europe/London")
    assert answer.text.startswith(
        "You're in. Available: Mon and Wed 19:00-21:00, your time (Europe/London)."
    )
    refused = await club.run(
        '/mockpair join track:coding level:3 availability:"mon 21-18"', as_user=_u("bob")
    )
    assert "ends before it starts" in refused.text
    assert "`fri 22-01`" in refused.text


def test_waited_counts_the_latest_rounds_in_a_row_a_member_was_left_out():
    def round_of(week: int, *groups: tuple[str, ...]) -> list[Group]:
        monday = date(2026, 11, 2) + timedelta(weeks=week)
        return [
            Group(id=0, round_id=week, week_of=monday, ran_at=MONDAY, members=g, slot=None, why="")
            for g in groups
        ]

    groups = [
        *round_of(0, ("ann",), ("bob",), ("cat", "dan")),
        *round_of(1, ("ann",), ("bob", "cat"), ("dan",)),
        # eve was left out, then re-paired after a no-show: she was not left out.
        *round_of(2, ("ann",), ("dan",), ("bob", "cat"), ("eve", "fay")),
    ]
    assert rounds_waited(groups) == {"ann": 3, "dan": 2}
    # A round sat out (skipping) ends the run of waiting.
    assert rounds_waited([*groups, *round_of(3, ("bob", "cat"))]) == {}


@pytest.mark.parametrize(
    ("alone", "said"),
    [
        (1, "1 member couldn't be paired this week and was told why."),
        (2, "2 members couldn't be paired this week and were told why."),
    ],
)
def test_the_channel_post_counts_who_could_not_be_paired_in_words(alone, said):
    groups = [
        Group(
            id=n,
            round_id=1,
            week_of=date(2026, 11, 16),
            ran_at=datetime(2026, 11, 16, 15, tzinfo=UTC),
            members=(f"U{n}",),
            slot=None,
            why="unpaired: no common hour",
        )
        for n in range(alone)
    ]
    assert said in announcement(groups, {}, date(2026, 11, 16)).text
