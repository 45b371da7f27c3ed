"""Company names by typed prefix (autocomplete, `/postings follow`): SQLite is asked by a
range of keys as well as LIKE, so that it can use the index; what it finds must be what
LIKE alone finds, for any prefix."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from bot.postings.diff import Changes
from bot.postings.listing import Posting
from bot.postings.store import PostingStore
from bot.postings.words import normal
from bot.store.store import Store

NOW = datetime(2026, 11, 16, 15, 20, tzinfo=UTC)
NAMES = (
    "Lyft",
    "Lyft Inc.",
    "Lyft_Labs",
    "Ly%ft",
    "L\\yft",
    "Café Lyft",
    "Zillow",
    "ZS Associates",
    "Two Sigma",
    "2U",
    "",
)


async def _postings(store: Store) -> PostingStore:
    repo = store.repo(PostingStore)
    if await repo.companies(""):
        return repo  # this store has them already (hypothesis runs examples on one store)
    postings = [
        Posting(
            source="l",
            ext_id=str(n),
            company=name,
            title="Software Engineer Intern",
            url=f"https://example.org/{n}",
            locations=("Remote",),
            posted_at=NOW,
        )
        for n, name in enumerate(NAMES)
    ]
    await repo.apply(Changes(new=postings), now=NOW)
    return repo


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=st.sampled_from(NAMES) | st.text(alphabet="lyft _%\\zs2caé.", max_size=6))
async def test_a_prefix_finds_the_companies_whose_key_starts_with_it(store, typed):
    repo = await _postings(store)
    prefix = normal(typed)
    wanted = sorted({n for n in NAMES if normal(n).startswith(prefix)})[:25]
    assert await repo.companies(prefix) == wanted


async def test_sqlite_finds_a_prefix_by_the_index(store):
    if store.engine.dialect.name != "sqlite":
        return
    repo = await _postings(store)
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await repo.companies("ly") == sorted(n for n in NAMES if n.startswith("Ly"))
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)
    ((statement, parameters),) = [(s, p) for s, p in sent if "company_key" in s]
    async with store.engine.connect() as db:
        plan = await db.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        details = " ".join(str(row[-1]) for row in plan)
    assert "ix_postings_company_key" in details, details


async def test_the_name_of_a_followed_company_is_the_postings_own(store):
    repo = await _postings(store)
    assert await repo.company_named("lyft") == "Lyft"
    assert await repo.company_named("lyft inc") == "Lyft Inc."
    assert await repo.company_named("ly") is None, "a prefix is not a company"
