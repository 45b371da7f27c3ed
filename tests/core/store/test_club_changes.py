"""`Clubs.change` builds the club it returns from the snapshot it had and the changes it
wrote, without reading the club again: what it returns must be what the database holds,
as another process (a store with nothing cached) reads it, for any run of changes."""

import asyncio
import itertools
from dataclasses import dataclass, field, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from bot.store.clubs import Actor, Channel, Club, ClubChanges
from bot.store.models import ChannelRow
from bot.store.store import Store
from tests.conftest import MONDAY

ALEX = Actor(id="alex", name="alex")
_WORKSPACES = itertools.count()

# Few values each, so runs set a value again, change it back and reset what is unset.
CHANGES = st.builds(
    ClubChanges,
    name=st.none() | st.sampled_from(["ML Club", "AI Society"]),
    timezone=st.none() | st.sampled_from(["UTC", "Asia/Kolkata"]),
    officer_role_id=st.none() | st.sampled_from(["R1", "R2"]),
    digest_weekday=st.none() | st.integers(0, 1),
    digest_time=st.none() | st.sampled_from(["09:00", "18:30"]),
    channels=st.none()
    | st.dictionaries(
        st.sampled_from(["alerts", "problems"]),
        st.builds(Channel, id=st.sampled_from(["C1", "C2"]), name=st.sampled_from(["a", "b"])),
        max_size=2,
    ),
    settings=st.none()
    | st.dictionaries(
        st.sampled_from(["problem_time", "problem_days"]),
        st.none() | st.sampled_from(["08:00", "20:00"]),
        max_size=2,
    ),
)


@dataclass
class _Expected:
    """An independent model of a club's configuration and its audit log."""

    columns: dict[str, object]
    channels: dict[str, tuple[str, str]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    audited: int = 0

    def apply(self, changes: ClubChanges) -> None:
        for name, value in self.columns.items():
            new = getattr(changes, name)
            if new is not None and new != value:
                self.columns[name] = new
                self.audited += 1
        for purpose, channel in (changes.channels or {}).items():
            self.channels[purpose] = (channel.id, channel.name)
            self.audited += 1  # choosing a channel is audited even when it is the same one
        for key, value in (changes.settings or {}).items():
            if self.settings.get(key) == value:
                continue
            self.audited += 1
            if value is None:
                del self.settings[key]
            else:
                self.settings[key] = value

    def check(self, club: Club) -> None:
        assert {name: getattr(club, name) for name in self.columns} == self.columns
        assert {p: (c.id, c.name) for p, c in club.channels.items()} == self.channels
        assert all(c.broken_reason is None for c in club.channels.values())
        assert dict(club.settings) == self.settings


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(runs=st.lists(CHANGES, min_size=1, max_size=6))
async def test_a_change_returns_what_another_process_reads(database_url, runs):
    store, other = await Store.open(database_url), await Store.open(database_url)
    try:
        club = await store.clubs.get_or_create(
            platform="discord", workspace_id=f"G{next(_WORKSPACES)}", name="ML Club", now=MONDAY
        )
        expected = _Expected(
            columns={
                "name": club.name,
                "timezone": club.timezone,
                "officer_role_id": club.officer_role_id,
                "digest_weekday": club.digest_weekday,
                "digest_time": club.digest_time,
            }
        )
        for changes in runs:
            changed = await store.clubs.change(club.id, changes, actor=ALEX, now=MONDAY)
            expected.apply(changes)
            expected.check(changed)
            assert changed == await other.clubs.get(club.id)
            version, known = store.clubs.known(club.id) or (None, None)
            assert known == changed
            assert version == (await other.clubs.versions([club.id]))[club.id]
            assert store.clubs.written(changed) == version
        assert len(await store.audit(club.id, limit=100)) == expected.audited
    finally:
        await store.close()
        await other.close()


async def test_what_a_change_wrote_is_known_only_for_the_club_it_returned(database_url):
    """`written` tells a change's caller the version it wrote without a read: for the
    very club `change` returned, and no longer once a read found a later version."""
    store, other = await Store.open(database_url), await Store.open(database_url)
    try:
        club = await store.clubs.get_or_create(
            platform="discord", workspace_id=f"G{next(_WORKSPACES)}", name="ML Club", now=MONDAY
        )
        changes = ClubChanges(settings={"problem_time": "08:00"})
        changed = await store.clubs.change(club.id, changes, actor=ALEX, now=MONDAY)
        assert store.clubs.written(changed) == 1
        assert store.clubs.written(club) is None, "the club before the change"
        assert store.clubs.written(replace(changed)) is None, "an equal copy is not it"
        await other.clubs.change(
            club.id, ClubChanges(settings={"problem_days": "mon"}), actor=ALEX, now=MONDAY
        )
        assert store.clubs.written(changed) == 1, "nothing read yet: still what it wrote"
        await store.clubs.get(club.id)
        assert store.clubs.written(changed) is None
    finally:
        await store.close()
        await other.close()


async def test_choosing_another_channel_starts_its_notices_afresh(store):
    club = await store.clubs.get_or_create(
        platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
    )

    async def choose(channel_id: str) -> None:
        changes = ClubChanges(channels={"alerts": Channel(id=channel_id, name="officers")})
        await store.clubs.change(club.id, changes, actor=ALEX, now=MONDAY)

    async def noticed() -> object:
        async with store.sessions() as session:
            return await session.scalar(select(ChannelRow.noticed_on))

    await choose("C1")
    assert await store.clubs.first_notice_today(club.id, "alerts", MONDAY.date())
    await store.clubs.mark_channel_broken(club.id, "C1", "403 Forbidden", MONDAY)
    await choose("C1")  # the same channel again: refused no more, but told today already
    assert (await store.clubs.get(club.id)).channels["alerts"].broken_reason is None
    assert await noticed() == MONDAY.date()
    await choose("C2")
    assert await noticed() is None


async def test_changes_of_one_club_by_two_processes_at_once_are_both_kept(database_url):
    """Each change locks the club's row first: neither is lost, and the version counts
    both, so each process's snapshot is the database's at its own version."""
    first, second = await Store.open(database_url), await Store.open(database_url)
    try:
        club = await first.clubs.get_or_create(
            platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
        )
        await second.clubs.get(club.id)  # both have the club cached, as running bots do
        a, b = await asyncio.gather(
            first.clubs.change(
                club.id, ClubChanges(settings={"problem_time": "08:00"}), actor=ALEX, now=MONDAY
            ),
            second.clubs.change(
                club.id, ClubChanges(settings={"problem_days": "mon"}), actor=ALEX, now=MONDAY
            ),
        )
        versions = sorted([first.clubs.known(club.id)[0], second.clubs.known(club.id)[0]])
        assert versions == [1, 2]
        now = await first.clubs.get(club.id)
        assert dict(now.settings) == {"problem_time": "08:00", "problem_days": "mon"}
        assert now in (a, b), "the later change's snapshot is the club as it is now"
    finally:
        await first.close()
        await second.close()


# What another process may do to a club between two reads of this one.
ELSEWHERE = st.one_of(
    CHANGES.map(lambda changes: ("change", changes)),
    st.sampled_from(["C1", "C2"]).map(lambda channel: ("broken", channel)),
    st.sampled_from(["U1", "U2"]).map(lambda user: ("add officer", user)),
    st.sampled_from(["U1", "U2"]).map(lambda user: ("remove officer", user)),
    st.just(("nothing", None)),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from([0, 1]), ELSEWHERE), min_size=1, max_size=8))
async def test_clubs_read_many_at_once_are_the_clubs_as_they_are_now(database_url, steps):
    """`get_many` answers from what this process has cached while the version it reads
    says nothing changed: after any changes by another process it is what a process with
    nothing cached reads, and a read of clubs that did not change sends one statement."""
    mine, other = await Store.open(database_url), await Store.open(database_url)
    try:
        clubs = [
            await other.clubs.get_or_create(
                platform="slack", workspace_id=f"T{next(_WORKSPACES)}", name="ML Club", now=MONDAY
            )
            for _ in range(2)
        ]
        ids = [c.id for c in clubs]
        sent: list[str] = []
        event.listen(mine.engine.sync_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        for which, (kind, what) in steps:
            club_id = ids[which]
            if kind == "change":
                await other.clubs.change(club_id, what, actor=ALEX, now=MONDAY)
            elif kind == "broken":
                await other.clubs.mark_channel_broken(club_id, what, "403 Forbidden", MONDAY)
            elif kind == "add officer":
                await other.clubs.add_officer(
                    club_id, user_id=what, name=what, actor=ALEX, now=MONDAY
                )
            elif kind == "remove officer":
                await other.clubs.remove_officer(
                    club_id, user_id=what, name=what, actor=ALEX, now=MONDAY
                )
            fresh = await Store.open(database_url)
            try:
                expected = {i: await fresh.clubs.get(i) for i in ids}
            finally:
                await fresh.close()
            assert await mine.clubs.get_many(ids) == expected
            sent.clear()
            assert await mine.clubs.get_many([*ids, 10**6]) == expected, "an unknown id is left out"
            assert len(sent) == 1, "nothing changed since: one read"
    finally:
        await mine.close()
        await other.close()


async def test_a_change_the_database_drops_mid_write_leaves_nothing_and_can_be_made_again(
    database_url,
):
    """The version is moved first now: a connection lost at the audit entry (the last
    write) rolls all of it back. Nothing is written, the snapshot kept and the version
    are as before (the scheduler would not take the change as made), and the change made
    again writes it once, with one audit entry."""
    from sqlalchemy.exc import OperationalError

    store, other = await Store.open(database_url), await Store.open(database_url)
    try:
        club = await store.clubs.get_or_create(
            platform="discord", workspace_id=f"G{next(_WORKSPACES)}", name="ML Club", now=MONDAY
        )
        version = (await other.clubs.versions([club.id]))[club.id]
        dropping = True

        def drop(_conn, _cursor, statement, *_args):
            if dropping and statement.startswith("INSERT INTO audit_log"):
                raise OperationalError(statement, {}, Exception("server closed the connection"))

        event.listen(store.engine.sync_engine, "before_cursor_execute", drop)
        changes = ClubChanges(settings={"problem_time": "08:00"})
        try:
            await store.clubs.change(club.id, changes, actor=ALEX, now=MONDAY)
            raise AssertionError("the dropped write went through")
        except OperationalError:
            pass
        assert (await other.clubs.versions([club.id]))[club.id] == version
        assert "problem_time" not in (await other.clubs.get(club.id)).settings
        assert store.clubs.known(club.id) == (version, club)
        assert len(await other.audit(club.id, limit=10)) == 0
        dropping = False
        changed = await store.clubs.change(club.id, changes, actor=ALEX, now=MONDAY)
        assert changed.settings["problem_time"] == "08:00"
        assert store.clubs.written(changed) == version + 1
        assert changed == await other.clubs.get(club.id)
        assert len(await other.audit(club.id, limit=10)) == 1
    finally:
        await store.close()
        await other.close()
