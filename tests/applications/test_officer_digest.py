"""The weekly officer digest leads with the club's people: the applications' club view over
the counted members, next to what the club did (problems solved, mock sessions, members
active); which jobs ran comes last. No single member's application can be read from it, and
a club with fewer than five counted members gets no breakdown."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.model import Message, User, plain
from bot.pairing import PairingStore
from tests.conftest import ADMIN, SETUP, Club

DIGEST = "Weekly officer digest · ws-1"
NEXT_DIGEST = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday, 09:00 in New York
MEMBERS = [User(id=f"m{n}", name=f"Member {n}") for n in range(7)]
# Each member's applications: a company no other member names, so any sign of one member's
# list in the digest would show as that company's name.
SENT = {
    "m0": ["Zyxcorp", "Jane Street"],
    "m1": ["Qorvane", "Stripe", "Figma"],
    "m2": ["Wexlo"],
    "m3": ["Plumbright", "Notion"],
    "m4": ["Tessaly"],
    "m5": ["Ulvarin", "Anthropic"],
    "m6": ["Hushcraft", "Google", "Meta", "Vantor"],  # private: not counted
}
PRIVATE = "m6"


def _digest(club: Club) -> Message:
    [digest] = [m for m in club.poster.messages("officers") if m.title == DIGEST]
    return digest


def _all_text(message: Message) -> str:
    return plain(
        "\n".join([message.title, message.text, *(f"{f.name}\n{f.value}" for f in message.fields)])
    )


async def _members_apply(club: Club, members: list[User]) -> None:
    for member in members:
        if member.id == PRIVATE:
            await club.run("/applications privacy:private", as_user=member)
        for company in SENT[member.id]:
            await club.run(f'/applied company:"{company}" role:"Intern"', as_user=member)


async def test_the_digest_leads_with_the_counted_members_aggregates_and_activity(club):
    await club.run(SETUP, as_user=ADMIN)
    await _members_apply(club, MEMBERS)
    await club.run("/admin problem post-now", as_user=ADMIN)
    solvers = MEMBERS[:3]
    for member in solvers:
        await club.run("/solved", as_user=member)
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST)

    digest = _digest(club)
    names = [f.name for f in digest.fields]
    assert names[0] == "Applications, 2026-27 season"
    assert names[1:4] == ["The club's mix against the plan", "Stages reached", "What the club does"]
    assert names[-1] == "What ran this week", "which jobs ran goes below"
    fields = {f.name: f.value for f in digest.fields}
    counted = [c for member, companies in SENT.items() if member != PRIVATE for c in companies]
    assert fields["Applications, 2026-27 season"].startswith(
        f"{len(counted)} sent by the 6 members counted."
    )
    # The weeks end with the one the digest reports (16-22 Nov), which holds every counted
    # application: not with the week the digest opens.
    per_week = next(
        line for line in fields["Applications, 2026-27 season"].splitlines() if "Per week" in line
    )
    assert per_week.endswith(f"16 Nov {len(counted)}")
    does = fields["What the club does"]
    assert does.splitlines()[0].endswith(f" · 0 · {len(solvers)}")  # the week before, then it
    assert "Mock sessions held: 0 (no-shows: 0)" in does
    assert f"Members who practised (solved or met a partner): {len(solvers)}" in does


async def test_no_single_members_application_is_visible_in_the_digest(club):
    await club.run(SETUP, as_user=ADMIN)
    await _members_apply(club, MEMBERS)
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST)
    said = _all_text(_digest(club)).casefold()
    for member in MEMBERS:
        assert member.id not in said.split(), member.id
        assert member.name.casefold() not in said
    for companies in SENT.values():
        for company in companies:
            assert company.casefold() not in said, company
    assert "intern" not in said.replace("internship", "")


async def test_fewer_than_five_counted_members_show_no_breakdown(club):
    """Six members applied, but two keep their applications private: four are counted."""
    await club.run(SETUP, as_user=ADMIN)
    await _members_apply(club, MEMBERS[:6])
    for member in MEMBERS[4:6]:
        await club.run("/applications privacy:private", as_user=member)
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST)
    digest = _digest(club)
    fields = {f.name: f.value for f in digest.fields}
    assert fields["Applications, 2026-27 season"].startswith("Fewer than 5 members are counted")
    assert "The club's mix against the plan" not in fields
    assert "Stages reached" not in fields
    said = _all_text(digest)
    assert "sent by" not in said
    assert "Per week" not in said
    assert "What the club does" in fields, "the club's activity is no one's application"


async def test_the_digests_mock_sessions_and_no_shows_are_the_rounds_groups_and_reports(club):
    await club.run(SETUP, as_user=ADMIN)
    for member in MEMBERS[:4]:
        await club.run(
            '/mockpair join track:coding level:3 availability:"daily 0-24"', as_user=member
        )
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    store, club_id = club.runtime.store, (await club.runtime.store.clubs.all())[0].id
    groups = await store.repo(PairingStore).groups(club_id)
    [reporter, missing] = next(g.members for g in groups if len(g.members) == 2)
    reporter_user = next(m for m in MEMBERS if m.id == reporter)
    await club.run(f"/mockpair feedback partner:@{missing} no-show:yes", as_user=reporter_user)
    held = [g for g in await store.repo(PairingStore).groups(club_id) if len(g.members) >= 2]
    assert len(held) >= 2
    await club.runtime.scheduler.run_until(club.clock, NEXT_DIGEST)
    does = {f.name: f.value for f in _digest(club).fields}["What the club does"]
    assert f"Mock sessions held: {len(held)} (no-shows: 1)" in does
    assert "Members who practised (solved or met a partner): 4" in does
