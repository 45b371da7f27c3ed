"""Officer and member texts in the console club (the platform-neutral core, as the console
adapter drives it): last runs in words, roles and choices as members type them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.club.digest import job_names, last_runs
from tests.conftest import ADMIN, MEMBER, SETUP


def _field(message, name: str) -> str:
    return {f.name: f.value for f in message.fields}[name]


async def test_status_shows_last_runs_in_words_with_a_days_dms_on_one_line(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run('/admin deadlines add title:"Career fair RSVP" date:2026-11-20', as_user=ADMIN)
    for who in (MEMBER, ADMIN):
        await club.run("/alerts subscribe target:club", as_user=who)
    # The 3-days-before reminders go out Tue 17 Nov at 09:00.
    await club.runtime.scheduler.run_until(
        club.clock, club.clock.now() + timedelta(hours=23, minutes=40)
    )
    assert len(club.poster.dms) >= 2, "both subscribers got their reminder"
    last = _field(await club.run("/admin status", as_user=ADMIN), "Last runs")
    assert "Deadline reminders (DMs), Tue 17 Nov: 2 sent" in last
    assert ":dm" not in last
    assert "club-" not in last
    assert "sam" not in last, "no member ids"
    assert "alex" not in last


async def test_an_officer_role_written_with_an_at_sign_is_the_same_role(club):
    saved = await club.run("/admin setup officer_role:@Officers", as_user=ADMIN)
    assert saved.text.startswith("Saved.")
    assert "Officer role: @Officers" in saved.text
    assert (await club.runtime.store.clubs.all())[0].officer_role_id == "Officers"


async def test_a_choice_in_another_case_is_the_choice(club):
    answer = await club.run("/deadlines track:Quant", as_user=MEMBER)
    assert "must be one of" not in answer.text
    assert "quant" in answer.title.lower()


async def test_a_group_typed_alone_answers_with_its_subcommands(club):
    answer = await club.run("/mockpair", as_user=MEMBER)
    assert answer.title == "/mockpair commands"
    assert "e.g. `/mockpair join track:coding level:1 " in answer.text


@pytest.mark.parametrize(
    "setup",
    [SETUP, "/admin setup timezone:America/New_York deadlines:#deadlines alerts:#officers"],
    ids=["daily posts", "a quiet club"],
)
async def test_status_last_runs_are_the_months_last_five_at_every_checkpoint(club, setup):
    """/admin status reads the club's last two local days when they hold five runs, else
    the month: at every checkpoint over twelve days, for a club posting daily and a quiet
    one, its lines are those read from the whole month."""
    await club.run(setup, as_user=ADMIN)
    for day in (19, 24, 27):
        add = f'/admin deadlines add title:"Fair {day}" date:2026-11-{day}'
        await club.run(add, as_user=ADMIN)
    for who in (MEMBER, ADMIN):
        await club.run("/alerts subscribe target:club", as_user=who)
    store, names = club.runtime.store, None
    [club_row] = await store.clubs.all()
    checked = 0
    for _ in range(15):
        await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(hours=19))
        shown = _field(await club.run("/admin status", as_user=ADMIN), "Last runs")
        month = await store.claims.since(club_row.id, since=club.clock.now() - timedelta(days=30))
        names = job_names(club.runtime.scheduler.next_runs(club_row, club.clock.now()))
        expected = last_runs(month, names, club_row.timezone)[-5:]
        assert shown == "\n".join(expected) or (not expected and "Nothing" in shown)
        checked += bool(expected)
    assert checked >= 12
