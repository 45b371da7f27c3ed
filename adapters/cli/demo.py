"""`clubbot demo`: a scripted week and a day in a console club, on a fresh SQLite file.

`#` lines are narration, `!restart` stops the bot and starts it again on the
same database (as a crash or a deploy would), every other line is typed into
the console as a member would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from adapters.console import ConsoleSession, Output
from bot.runtime import Runtime

# Monday 16 November 2026, 10:00 in New York.
DEMO_START = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)

DEMO_SCRIPT = """
# Alex runs the club's server, so the platform already counts them as an officer.
:as alex officer
/help
/admin setup timezone:America/New_York deadlines:#deadlines problems:#daily-problem
/admin setup pairing:#mock-interviews alerts:#officers
/admin officers add member:@priya
# Sam is a member, not an officer: admin commands are refused and change nothing.
:as sam
/admin setup timezone:UTC
/help
# Priya is an officer through the club's list. Mistakes get a clear answer.
:as priya
/admin setup timezone:America/NewYork
/admin setup timezone:CST
/admin setup digest_time:25:00
/admin setup alerts:#random
# Zones and times are read the way people write them: EST is New York, daylight saving and all.
/admin setup timezone:EST digest_day:mon digest_time:9am
# Officers add the club's own deadlines next to the internship calendar.
/admin deadlines add title:"Fall career fair RSVP" date:2026-11-20 url:https://example.edu/fair
/admin status
# Sam, a sophomore, asks what is open for them and what to do this month,
# and subscribes to reminders for club deadlines.
:as sam
/deadlines year:sophomore
/whatnow
/alerts subscribe target:club
# Sam and two friends opt in to mock-interview pairing, each in their own time zone.
/mockpair join track:coding level:3 availability:"mon-fri 18-21" role:interviewee
:as kim
/mockpair join track:coding level:2 availability:"tue-thu 23-24" timezone:Europe/London
:as lee
/mockpair join track:coding level:4 availability:"wed 4-7" timezone:Asia/Kolkata
# Tuesday, 09:00 New York time: the first daily problem goes out (ML on Tuesdays), and
# the career-fair RSVP closes in 3 days: a reminder in #deadlines and a DM to Sam.
:advance 1d
# Sam solves it. Solving twice counts once; a problem not posted yet can't count.
:as sam
/solved
/solved
/solved problem:n-queens
/leaderboard
# Priya moves the post to 08:00 with the hint two hours later.
:as priya
/admin problem settings time:08:00 hint_delay:2h
# The week passes: a hint in each post's thread, the key idea the next morning,
# harder problems toward the weekend, a last reminder before the RSVP closes, and on
# Monday the coming month of internship windows, the weekly officer digest and the
# mock-interview round: three members, so one trio, each told their slot in their own time.
:advance 6d
# The bot restarts at 10:00, inside the grace window: what already ran is claimed,
# so nothing is posted twice.
!restart
:as sam
/progress
# The problems channel starts refusing posts (a 403): the bot stops posting there
# and tells the officers once.
:break #daily-problem
:advance 1d
:as priya
/admin status
/admin audit
"""

_CATCH_UP = {
    "taken": "already claimed by the run before the restart; not sent again",
    "posted": "was missed while down; posted now, once",
    "too late": "missed by more than the grace window; skipped",
}

Start = Callable[[], Awaitable[tuple[Runtime, ConsoleSession]]]
After = Callable[[Runtime, ConsoleSession], Awaitable[None]]


async def run_demo(script: str, *, start: Start, out: Output, after: After | None = None) -> None:
    """Play `script`; then `after` (the web side's links and the console, with --web)."""
    runtime, session = await start()
    narrating = False
    try:
        for line in script.strip().splitlines():
            if line.startswith("#"):
                out(f"{'' if narrating else chr(10)}{line}")
            elif line == "!restart":
                await runtime.close()
                runtime, session = await start()
                out("[console] restarted on the same database; catching up")
                for job, outcome in await runtime.scheduler.catch_up():
                    out(f"[console] {job.description}: {_CATCH_UP[outcome]}")
            else:
                out(f"> {line}")
                await session.execute(line)
            narrating = line.startswith("#")
        if after is not None:
            await after(runtime, session)
    finally:
        await runtime.close()
