"""What `/applied`, `/applications` and a stage change read and write: one read of the
member's applications and settings together, finding what the separate reads found on the
awkward cases (settings before any application, applications without settings, other
members' rows), and a number taken meanwhile still leaves every application its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import delete, event, select

from bot.applications import ApplicationStore
from bot.applications.store import Applicant, ApplicantRow, ApplicationRow, NewApplication
from bot.model import User
from tests.conftest import ADMIN, MEMBER, SETUP, Club

KIM = User(id="kim", name="Kim")


async def _club_id(club: Club) -> int:
    return (await club.runtime.store.clubs.all())[0].id


def _new(company: str, applied_on: date) -> NewApplication:
    return NewApplication(
        company=company,
        role="",
        link="",
        category="saas",
        category_from="member",
        applied_on=applied_on,
    )


@contextmanager
def _statements_on_applications(club: Club) -> Iterator[list[str]]:
    """The statements run meanwhile that touch the applications' two tables."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "application" in statement:
            seen.append(" ".join(statement.split())[:60])

    engine = club.runtime.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_one_read_finds_applications_and_settings_as_the_two_reads_did(club):
    await club.run(SETUP, as_user=ADMIN)
    repo, club_id = club.runtime.store.repo(ApplicationStore), await _club_id(club)
    nobody = await repo.mine_and_settings(club_id, MEMBER.id)
    assert (nobody.applications, nobody.applicant, nobody.settings) == ([], None, Applicant())
    # Settings made before any application.
    await club.run("/applications privacy:private nudges:off", as_user=KIM)
    kim = await repo.mine_and_settings(club_id, KIM.id)
    assert kim.applications == []
    assert kim.applicant == Applicant(counted=False, nudges=False)
    # Applications out of date order, and another member's in between.
    for company, day in (("Stripe", 12), ("Figma", 3), ("Notion", 12), ("Ramp", 1)):
        await repo.add(club_id, MEMBER.id, _new(company, date(2026, 11, day)), now=club.clock.now())
        await repo.add(
            club_id, KIM.id, _new(f"{company} too", date(2026, 10, 1)), now=club.clock.now()
        )
    mine = await repo.mine_and_settings(club_id, MEMBER.id)
    assert [(a.number, a.company) for a in mine.applications] == [
        (4, "Ramp"),
        (2, "Figma"),
        (1, "Stripe"),
        (3, "Notion"),
    ]
    assert mine.applicant == Applicant()
    assert mine.applications == await repo.mine(club_id, MEMBER.id)
    assert sorted(a.number for a in mine.applications) == await _rows(club, MEMBER.id)
    assert (await repo.mine_and_settings(club_id, KIM.id)).applicant == kim.applicant
    # Applications without settings (an import from before settings existed).
    async with club.runtime.store.sessions() as session, session.begin():
        await session.execute(delete(ApplicantRow).where(ApplicantRow.user_id == MEMBER.id))
    orphan = await repo.mine_and_settings(club_id, MEMBER.id)
    assert (orphan.applications, orphan.applicant) == (mine.applications, None)


async def _rows(club: Club, user_id: str) -> list[int]:
    async with club.runtime.store.sessions() as session:
        found = await session.scalars(
            select(ApplicationRow.number).where(ApplicationRow.user_id == user_id)
        )
        return sorted(found)


async def test_recording_reads_the_member_once_and_writes_once_when_settings_exist(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/applied company:Stripe", as_user=MEMBER)
    with _statements_on_applications(club) as statements:
        await club.run("/applied company:Figma", as_user=MEMBER)
    assert len(statements) == 2, statements  # the read, the new row
    with _statements_on_applications(club) as statements:
        overview = await club.run("/applications", as_user=MEMBER)
    assert "2 applications this season" in overview.text
    assert len(statements) == 1, statements
    with _statements_on_applications(club) as statements:
        moved = await club.run("/applications id:2 stage:interview", as_user=MEMBER)
    assert moved.text.startswith("Moved #2 to interview.")
    assert len(statements) == 2, statements  # the read, the change


async def test_settings_chosen_before_the_first_application_stay_and_it_is_not_first(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/applications privacy:private", as_user=MEMBER)
    first = await club.run("/applied company:Stripe", as_user=MEMBER)
    assert first.text.startswith("Recorded #1.")
    assert "count toward the club's totals" not in first.text
    overview = await club.run("/applications", as_user=MEMBER)
    assert "Not counted in the club's totals" in overview.text
    # A member with neither is told, once.
    kim_first = await club.run("/applied company:Stripe", as_user=KIM)
    kim_second = await club.run("/applied company:Figma", as_user=KIM)
    assert "count toward the club's totals" in kim_first.text
    assert "count toward the club's totals" not in kim_second.text


async def test_a_number_taken_since_the_read_goes_to_the_next_one(club):
    await club.run(SETUP, as_user=ADMIN)
    repo, club_id = club.runtime.store.repo(ApplicationStore), await _club_id(club)
    await repo.add(club_id, MEMBER.id, _new("Stripe", date(2026, 11, 2)), now=club.clock.now())
    read = await repo.mine_and_settings(club_id, MEMBER.id)
    # Another click lands between the command's read and its write.
    await repo.add(club_id, MEMBER.id, _new("Figma", date(2026, 11, 3)), now=club.clock.now())
    app, first = await repo.add(
        club_id, MEMBER.id, _new("Notion", date(2026, 11, 4)), now=club.clock.now(), mine=read
    )
    assert (app.number, first) == (3, False)
    mine = await repo.mine(club_id, MEMBER.id)
    assert [(a.number, a.company) for a in mine] == [(1, "Stripe"), (2, "Figma"), (3, "Notion")]


async def test_a_move_to_the_stage_it_is_at_changes_nothing_and_rejection_keeps_how_far(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/applied company:Stripe", as_user=MEMBER)
    club_id = await _club_id(club)
    await club.run("/applications id:1 stage:interview", as_user=MEMBER)
    club.clock.advance(timedelta(days=3))
    again = await club.run("/applications id:1 stage:interview", as_user=MEMBER)
    assert again.text.startswith("#1 is at interview already.")
    assert "Interview since 16 Nov 2026 (3 days ago)" in again.text  # its news stays
    await club.run("/applications id:1 stage:rejected", as_user=MEMBER)
    [app] = await club.runtime.store.repo(ApplicationStore).mine(club_id, MEMBER.id)
    assert (app.stage, app.furthest) == ("rejected", "interview")
    missing = await club.run("/applications id:7 stage:offer", as_user=MEMBER)
    assert "You have no application #7" in missing.text
