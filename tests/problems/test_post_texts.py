"""What a daily-problem post says: the SQL dialect, and only the promises it can keep."""

from datetime import UTC, date, datetime, timedelta

from bot.model import render_stamps
from bot.problems.bank import load_bank
from bot.problems.posts import (
    problem_post,
    problem_settings,
    promise_of,
    solution_post,
)
from bot.store.claims import POSTED, SKIPPED
from bot.store.clubs import Club

BANK = load_bank()
NY = "America/New_York"
DAY = date(2026, 11, 17)


def _club(**settings: str) -> Club:
    return Club(
        id=1,
        platform="console",
        workspace_id="ws",
        name="club",
        timezone=NY,
        officer_role_id=None,
        digest_weekday=0,
        digest_time="09:00",
        channels={},
        officer_ids=frozenset(),
        settings=settings,
    )


def _plain(text: str) -> str:
    return render_stamps(text, lambda s: s.fallback)


def test_a_sql_post_and_its_key_idea_say_the_reference_query_is_sqlites_dialect():
    sql = next(p for p in BANK.problems if p.kind == "sql")
    post = problem_post(sql, DAY, problem_settings(_club()), zone_name=NY)
    assert "The reference query is written in SQLite's dialect" in post.text
    assert "Reference query (SQLite):" in solution_post(sql, "m1").text
    coding = next(p for p in BANK.problems if p.kind == "coding")
    assert "SQLite" not in problem_post(coding, DAY, problem_settings(_club()), zone_name=NY).text


def _at(hhmm: str, day: date = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}-05:00").astimezone(UTC)


def test_a_post_promises_only_what_is_still_ahead_of_it():
    settings = problem_settings(_club())  # 09:00, the hint 6 hours later

    def said(at: datetime, hint: str | None = None) -> str:
        return _plain(promise_of(settings, DAY, zone_name=NY, at=at, hint_status=hint).text(NY))

    assert said(_at("09:00")) == "Hint in the thread at 15:00 EST; the key idea tomorrow."
    # After the hint's time (an evening post-now), or once the hint's run found no post:
    evening = "The hint and the key idea come in the thread tomorrow at 09:00 EST."
    assert said(_at("20:00")) == evening
    assert said(_at("15:00")) == evening
    assert said(_at("12:00"), hint=SKIPPED) == evening
    # Shown again later (`/problem today`): what is out is said to be in the thread.
    assert said(_at("17:00"), hint=POSTED) == "The hint is in the thread; the key idea tomorrow."
    next_morning = _at("09:30", DAY + timedelta(days=1))
    assert said(next_morning, hint=POSTED) == "The hint and the key idea are in the thread."
    assert said(next_morning) == ""


def test_a_hint_after_midnight_is_promised_for_the_next_day_at_its_time():
    settings = problem_settings(_club(problem_time="20:00", problem_hint_delay="6h"))
    promise = promise_of(settings, DAY, zone_name=NY, at=_at("20:00"))
    assert promise.hint_at == _at("02:00", DAY + timedelta(days=1))
    assert promise.key_idea_at == _at("20:00", DAY + timedelta(days=1))
