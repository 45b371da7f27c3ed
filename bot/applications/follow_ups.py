"""The daily follow-up job: a DM when an application has waited two weeks without news (at
most once per application per two weeks, exactly once under the scheduler), and once a
season, when its windows have closed without an offer, the articles' routes from there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

from bot.applications.cards import follow_up_dm, season_end_dm
from bot.applications.facts import load_facts
from bot.applications.kinds import WAITING
from bot.applications.plan import season_of, season_over
from bot.applications.record import FOLLOW_UPS
from bot.applications.store import Application, ApplicationStore
from bot.club_time import local
from bot.jobs import Built, Job, JobRun, SkipRun, When
from bot.store.clubs import Club

FOLLOW_UP_JOB: Final = "application_follow_ups"
WAIT: Final = timedelta(days=14)
# Late morning in the club's zone: a DM members read, not one that wakes them.
_AT: Final = When(hour=10, minute=0)


def due(apps: Sequence[Application], today: date) -> list[Application]:
    """The applications to follow up today: waiting two weeks or more since their last news
    and since their last follow-up; or followed up today already (a run tried again builds
    the same DM, which its claim sends once)."""
    return [
        a
        for a in apps
        if a.stage in WAITING
        and (
            a.nudged_on == today
            or (today - a.news_on >= WAIT and (a.nudged_on is None or today - a.nudged_on >= WAIT))
        )
    ]


def _when(club: Club) -> When | None:
    return _AT if club.settings.get(FOLLOW_UPS) == "on" else None


async def _build(runs: Sequence[JobRun]) -> list[Built]:
    if not runs:
        return []
    repo, facts = runs[0].store.repo(ApplicationStore), load_facts()
    today = {r.club.id: local(r.due_at, r.club.timezone).date() for r in runs}
    waiting = await repo.waiting(today, after=WAIT)
    ended: dict[int, dict[str, int]] = {}
    for summer in {season_of(d).summer for d in today.values()}:
        over = [
            c
            for c, d in today.items()
            if season_of(d).summer == summer and season_over(season_of(d), d, facts)
        ]
        if over:
            ended.update(await repo.season_without_offer(over, summer))
    for run in runs:
        club, day = run.club, today[run.club.id]
        mine = waiting.get(club.id, {})
        ending = ended.get(club.id, {})
        refusing = await run.refusing_dms([*mine, *ending]) if mine or ending else set()
        for user_id, apps in mine.items():
            chosen = due(apps, day)
            if chosen:
                # Marked first: a run that dies before its DM sends it when tried again today.
                await repo.mark_followed_up(club.id, user_id, (a.number for a in chosen), day)
                await run.dm(
                    user_id,
                    follow_up_dm(chosen, day, club.name),
                    about="follow-up",
                    refusing=refusing,
                )
        summer = season_of(day).summer
        for user_id, sent in ending.items():
            # Marked after: a run tried again today finds the DM's claim taken, then marks.
            await run.dm(
                user_id,
                season_end_dm(sent, club.name, facts),
                about=f"season-{summer}",
                refusing=refusing,
            )
            await repo.mark_season_end_told(club.id, user_id, summer)
    return [SkipRun("follow-ups go to members by DM") for _ in runs]


FOLLOW_UP = Job(
    kind=FOLLOW_UP_JOB,
    description="Application follow-ups",
    period="day",
    when=_when,
    build_many=_build,
)
JOBS: tuple[Job, ...] = (FOLLOW_UP,)
