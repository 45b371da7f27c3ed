"""A member's /mockpair command reads and writes pairing's tables in one or two
statements, and still answers as it did: each costs a few hundred microseconds of the
event loop (docs/architecture.md: every command under 5 ms of CPU)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from bot.model import User, plain
from bot.pairing.store import PairingStore
from tests.conftest import ADMIN

SETUP = "/admin setup timezone:America/New_York pairing:#mock-interviews alerts:#officers"


def _u(name: str) -> User:
    return User(id=name, name=name)


async def _groups(club):
    store = club.runtime.store
    club_id = (await store.clubs.all())[0].id
    return await store.repo(PairingStore).groups(club_id)


async def _run(club, line: str, who: str | User) -> tuple[str, int]:
    """The answer's text and fields, and the statements it sent to pairing's tables."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "mockpair_" in statement or "claims" in statement:
            seen.append(statement)

    engine = club.runtime.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = await club.run(line, as_user=_u(who) if isinstance(who, str) else who)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    shown = "\n".join([answer.text, *(f"{f.name}: {plain(f.value)}" for f in answer.fields)])
    return shown, len(seen)


async def test_member_commands_answer_in_one_or_two_statements(club):
    await club.run(SETUP, as_user=ADMIN)
    for name in ("ann", "bob", "cat"):
        await club.run(
            '/mockpair join track:coding level:3 availability:"daily 9-22"', as_user=_u(name)
        )
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    club.clock.set(datetime(2026, 11, 17, 15, 0, tzinfo=UTC))  # Tuesday 10:00 in New York
    status, statements = await _run(club, "/mockpair status", "ann")
    assert "You: coding, level 3, both; active: in the round of 23 Nov" in status
    # The trio's 90 minutes from Tuesday 09:00 are on; what feedback is due is in the same read.
    assert (
        "This round: with bob, cat; times you all have still ahead: Wed 18 Nov 09:00 EST, "
        "Thu 19 Nov 09:00 EST\nOn now: Tue 17 Nov 09:00 EST\nFeedback, once you've met: "
        "`/mockpair feedback partner:@bob rating:1-5` and "
        "`/mockpair feedback partner:@cat rating:1-5` (`no-show:yes` if they didn't come)."
    ) in status
    assert statements == 2
    history, statements = await _run(club, "/mockpair history", "ann")
    assert history.startswith("16 Nov 2026: bob, cat")
    assert statements == 2
    skipped, statements = await _run(club, "/mockpair skip weeks:2", "ann")
    assert skipped.startswith("This week's round has already gone out, so skipping starts")
    assert skipped.endswith("If you can't make this week's session, tell your partner now.")
    assert statements == 2
    left, statements = await _run(club, "/mockpair leave", "cat")
    assert left.startswith("You've left mock-interview pairing.")
    assert statements == 1
    back, statements = await _run(
        club, '/mockpair join track:coding level:4 availability:"daily 9-21"', "cat"
    )
    assert back.startswith("Updated your details.")
    assert statements == 1
    rated, statements = await _run(club, "/mockpair feedback partner:@bob rating:4", "ann")
    assert rated.startswith("Thanks: feedback about bob recorded.")
    assert statements == 2


async def test_who_never_joined_is_told_so_whatever_they_ask(club):
    await club.run(SETUP, as_user=ADMIN)
    for line in (
        "/mockpair status",
        "/mockpair history",
        "/mockpair leave",
        "/mockpair skip",
        "/mockpair skip weeks:20",
    ):
        answer = await club.run(line, as_user=_u("zoe"))
        assert answer.text.startswith("You haven't joined yet: `/mockpair join"), line
    await club.run(
        '/mockpair join track:coding level:3 availability:"daily 9-22"', as_user=_u("zoe")
    )
    wrong = await club.run("/mockpair skip weeks:20", as_user=_u("zoe"))
    assert wrong.text == "Skip 1 to 12 weeks."


async def test_officer_stats_count_from_three_light_reads(club):
    await club.run(SETUP, as_user=ADMIN)
    for name in ("ann", "bob", "cat", "dan", "eve"):
        await club.run(
            '/mockpair join track:coding level:3 availability:"daily 9-22"', as_user=_u(name)
        )
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    club.clock.set(datetime(2026, 11, 17, 15, 0, tzinfo=UTC))
    await club.run("/mockpair leave", as_user=_u("eve"))
    partner = next(g for g in await _groups(club) if "ann" in g.members).members
    other = next(m for m in partner if m != "ann")
    await club.run(f"/mockpair feedback partner:@{other} rating:4", as_user=_u("ann"))
    await club.run("/mockpair feedback partner:@ann no-show:yes", as_user=_u(other))
    stats, statements = await _run(club, "/admin mockpair stats", ADMIN)
    assert stats.splitlines() == [
        "Members: 4 active of 5 who ever joined.",
        "Rounds: 1, 2 groups.",
        "Completion: feedback from 2 of 5 seats (40%).",
        "Repeat rate: 0 of 4 pairings met before.",
        "No-shows: • ann: 1 no-show",
    ]
    assert statements == 3


async def test_a_no_show_is_recorded_and_re_paired_in_five_statements(club):
    """The member's groups and the no-shows of their rounds in one read (the round's groups
    come with it), the report and the no-show count, the members who could step in, and
    the new group."""
    await club.run(SETUP, as_user=ADMIN)
    for name in ("ann", "bob", "cat", "dan"):
        await club.run(
            '/mockpair join track:coding level:3 availability:"daily 9-22"', as_user=_u(name)
        )
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    club.clock.set(datetime(2026, 11, 17, 15, 0, tzinfo=UTC))
    pairs = [g.members for g in await _groups(club) if len(g.members) == 2]
    (first, gone), (second, also_gone) = pairs[0], pairs[1]
    await club.run(f"/mockpair feedback partner:@{gone} no-show:yes", as_user=_u(first))
    answer, statements = await _run(
        club, f"/mockpair feedback partner:@{also_gone} no-show:yes", second
    )
    assert answer.startswith(f"Sorry {also_gone} didn't show. You're now paired with {first}")
    assert statements == 5
