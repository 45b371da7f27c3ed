"""Given a club with a problems channel and a clock, the daily problem runs itself."""

from datetime import UTC, date, datetime, timedelta

from bot.model import ButtonEvent, Place, User, plain
from bot.problems.bank import load_bank
from bot.problems.store import ProblemStore
from tests.conftest import ADMIN, MEMBER, SETUP

BANK = load_bank()
KIM = User(id="kim", name="kim")
# Tuesday 17 November 2026, 09:00 in New York: the first post after SETUP on Monday 10:00.
FIRST_POST = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)


def _kind_of(title: str) -> str:
    return title.split(":", 1)[0]


async def _posted(club) -> list:
    club_id = (await club.runtime.store.clubs.all())[0].id
    return await club.runtime.store.repo(ProblemStore).posts(club_id)


async def test_thirty_days_post_thirty_distinct_problems_with_hints_and_solutions_in_order(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=30))
    posts = await _posted(club)
    assert len(posts) == 30
    assert len({p.problem_id for p in posts}) == 30
    for post in posts:
        problem = BANK.by_id(post.problem_id)
        weekday = post.day.weekday()
        assert problem.kind == {1: "ml", 3: "sql"}.get(weekday, "coding"), post
        assert problem.difficulty == (
            "easy" if weekday <= 1 else "medium" if weekday <= 4 else "hard"
        ), post
    messages = club.poster.messages("daily-problem")
    kinds = [_kind_of(m.title) for m in messages]
    assert kinds.count("Hint") == 29  # the 30th hint is due after the clock stops
    assert kinds.count("Key idea") == 29
    # Each hint and solution replies in the thread of its own day's post.
    refs = {}
    for ref, (place, message) in enumerate(club.poster.posts, start=1):
        if place.channel_id != "daily-problem":
            continue
        problem_title = message.title.split(": ", 1)[1]
        if message.title.startswith("Daily problem"):
            refs[problem_title] = f"m{ref}"
        else:
            assert message.thread_of == refs[problem_title], message.title
    # Hints come after their post, solutions after their hint.
    first = [m.title for m in messages[:4]]
    assert [_kind_of(t) for t in first] == [
        "Daily problem · Tue 17 Nov",
        "Hint",
        "Daily problem · Wed 18 Nov",
        "Key idea",
    ]


async def test_tags_stay_hidden_unless_officers_show_them(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST)
    hidden = club.poster.messages("daily-problem")[0]
    assert [f.name for f in hidden.fields] == ["Kind"]
    await club.run("/admin problem settings tags:shown", as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=1))
    shown = [m for m in club.poster.messages("daily-problem") if "Daily" in m.title][-1]
    assert [f.name for f in shown.fields] == ["Kind", "Topics"]


async def test_solving_counts_once_and_only_for_posted_problems(club):
    await club.run(SETUP, as_user=ADMIN)
    early = await club.run("/solved", as_user=MEMBER)
    assert "Nothing has been posted yet. The next one is due Tue 17 Nov 2026, 09:00" in plain(
        early.text
    )
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST)
    today = (await _posted(club))[0]
    first = await club.run("/solved", as_user=MEMBER)
    assert first.text.startswith(f"Counted: {BANK.by_id(today.problem_id).title} (+1 point).")
    assert "Streak: 1 day " in first.text
    again = await club.run(f"/solved problem:{today.problem_id}", as_user=MEMBER)
    assert "it counts once" in again.text
    unposted = next(p for p in BANK.problems if p.id != today.problem_id)
    refused = await club.run(f"/solved problem:{unposted.id}", as_user=MEMBER)
    assert "hasn't been posted in this club yet" in refused.text
    progress = await club.run("/progress", as_user=MEMBER)
    assert "1 solved, 1 point." in progress.text


async def test_the_solved_button_on_a_post_counts_for_whoever_clicks(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST)
    [button] = [b for b in club.poster.messages("daily-problem")[0].buttons if b.action]
    place = Place(platform="console", workspace_id="ws-1", channel_id="daily-problem")
    click = ButtonEvent(action=button.action, value=button.value, user=KIM, place=place)
    answer = await club.runtime.bot.handle(click)
    assert answer.text.startswith("Counted:")
    assert answer.ephemeral


async def test_the_leaderboard_matches_a_hand_computed_expectation(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST)  # Tuesday: easy ML, 1 point
    await club.run("/solved", as_user=MEMBER)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=1))
    await club.run("/solved", as_user=MEMBER)  # Wednesday: medium coding, 3 points
    await club.run("/solved", as_user=KIM)
    board = await club.run("/leaderboard period:all", as_user=KIM)
    assert board.text == "1. sam — 4 points (2 solved)\n2. kim — 3 points (1 solved)"
    assert board.title == "Leaderboard, all time"
    # Next Monday a new week starts with a clean board.
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(days=6))
    week = await club.run("/leaderboard", as_user=KIM)
    assert week.title == "Leaderboard, since Monday 23 Nov"
    assert "No solves yet" in week.text


async def test_a_streak_runs_across_the_dst_change_in_the_clubs_zone(club):
    await club.run(SETUP, as_user=ADMIN)
    club.clock.set(datetime(2026, 10, 29, 12, 0, tzinfo=UTC))
    # 23:30 in New York each evening, which is already the next day in UTC.
    for day in (date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)):
        offset = 4 if day < date(2026, 11, 1) else 5
        evening = datetime(day.year, day.month, day.day, 23 + offset - 24, 30, tzinfo=UTC)
        await club.runtime.scheduler.run_until(club.clock, evening + timedelta(days=1))
        answer = await club.run("/solved", as_user=MEMBER)
        assert answer.text.startswith("Counted"), answer.text
    progress = await club.run("/progress", as_user=MEMBER)
    assert "Streak: 4 days (best 4)" in progress.text


async def test_officers_post_now_and_skip_and_members_cannot(club):
    await club.run(SETUP, as_user=ADMIN)
    refused = await club.run("/admin problem post-now", as_user=MEMBER)
    assert "Only club officers" in refused.text
    assert (await club.run("/admin problem post-now", as_user=ADMIN)).text == (
        "Posted today's problem."
    )
    assert "already out" in (await club.run("/admin problem post-now", as_user=ADMIN)).text
    assert "nothing to skip" in (await club.run("/admin problem skip", as_user=ADMIN)).text
    club.clock.advance(timedelta(hours=18))  # Tuesday 04:00, before Tuesday's post
    assert "Skipped" in (await club.run("/admin problem skip", as_user=ADMIN)).text
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(hours=1))
    titles = [m.title for m in club.poster.messages("daily-problem")]
    assert [t for t in titles if t.startswith("Daily problem")] == [titles[0]]
    assert titles[0].startswith("Daily problem · Mon 16 Nov")


async def test_settings_move_the_post_and_reject_what_they_cannot_use(club):
    await club.run(SETUP, as_user=ADMIN)
    saved = await club.run("/admin problem settings time:07:30 hint_delay:2h", as_user=ADMIN)
    assert "time: 07:30" in saved.text
    status = await club.run("/admin status", as_user=ADMIN)
    next_runs = plain({f.name: f.value for f in status.fields}["Next runs"])
    assert "Daily problem: Tue 17 Nov 2026, 07:30 EST" in next_runs
    assert "Hint: Tue 17 Nov 2026, 09:30 EST" in next_runs
    bad_time = await club.run("/admin problem settings time:19:75", as_user=ADMIN)
    assert "is not a time" in bad_time.text
    slow_hint = await club.run("/admin problem settings hint_delay:30h", as_user=ADMIN)
    assert "between 10m and 23h" in slow_hint.text
    unknown = await club.run("/admin problem settings topics:vibes", as_user=ADMIN)
    assert "Unknown topic `vibes`. Topics: " in unknown.text
    no_ml = await club.run("/admin problem settings topics:graphs", as_user=ADMIN)
    assert "No ml problem has any of the topics graphs" in no_ml.text
    graphs_only = await club.run(
        '/admin problem settings topics:graphs mix:"coding daily"', as_user=ADMIN
    )
    assert "Saved." in graphs_only.text
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=3))
    for post in await _posted(club):
        assert "graphs" in BANK.by_id(post.problem_id).topics


async def test_problem_answers_members_whatever_is_set_up(club):
    nothing = await club.run("/problem", as_user=MEMBER)
    assert "No daily problem is set up yet" in nothing.text
    practice = await club.run("/problem which:random kind:sql difficulty:hard", as_user=MEMBER)
    assert practice.title.startswith("Practice: ")
    assert "Schema:" in practice.text
    unknown = await club.run("/problem which:random topic:vibes", as_user=MEMBER)
    assert "I don't know the topic `vibes`. Topics: " in unknown.text
    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST)
    today = await club.run("/problem", as_user=MEMBER)
    assert today.title.startswith("Daily problem · Tue 17 Nov")


async def test_a_club_can_post_on_weekdays_only_and_members_still_see_the_latest(club):
    await club.run(SETUP, as_user=ADMIN)
    saved = await club.run('/admin problem settings days:"mon-fri"', as_user=ADMIN)
    assert "days: mon,tue,wed,thu,fri" in saved.text
    bad = await club.run("/admin problem settings days:someday", as_user=ADMIN)
    assert "is not a day or a range of days" in bad.text
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(days=6))
    posts = await _posted(club)
    assert [p.day.weekday() for p in posts] == [1, 2, 3, 4]  # Tue-Fri; Saturday and Sunday rest
    sunday = await club.run("/problem", as_user=MEMBER)
    assert sunday.title.startswith("Daily problem · Fri 20 Nov")
    assert (await club.run("/solved", as_user=MEMBER)).text.startswith("Counted")


async def test_a_hint_waits_for_its_post_when_the_post_is_being_retried(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/admin problem settings hint_delay:10m", as_user=ADMIN)
    club.poster.failing["daily-problem"] = 20  # the 09:00 post goes through at 09:20
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST + timedelta(minutes=40))
    titles = [m.title for m in club.poster.messages("daily-problem")]
    assert len(titles) == 2
    assert titles[0].startswith("Daily problem · Tue 17 Nov")
    assert titles[1].startswith("Hint: ")
    assert club.poster.messages("daily-problem")[1].thread_of == "m1"


async def test_forty_members_solving_at_once_while_officers_change_settings_all_count(club):
    """Many writes at the same moment: each is its own transaction, none waits on another
    (SQLite runs on the event loop's thread, so one that did would hang the bot)."""
    import asyncio

    await club.run(SETUP, as_user=ADMIN)
    await club.runtime.scheduler.run_until(club.clock, FIRST_POST)
    members = [User(id=f"m{n}", name=f"member {n}") for n in range(40)]
    answers = await asyncio.gather(
        *(club.run("/solved", as_user=m) for m in members),
        *(club.run(f"/admin problem settings hint_delay:{h}h", as_user=ADMIN) for h in (2, 3, 4)),
        *(club.run("/solved", as_user=m) for m in members[:10]),
    )
    counted = [a.text for a in answers if a.text.startswith("Counted:")]
    assert len(counted) == 40, "each member's first solve counts, once"
    assert sum("it counts once" in a.text for a in answers) == 10
    board = await club.run("/leaderboard", as_user=MEMBER)
    assert board.text.endswith("…and 25 more"), "40 members on the board, 15 shown"
