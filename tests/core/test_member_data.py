"""What the bot holds about a member: every table of the schema says what it keeps about
members (a table added without saying fails here), `/mydata export` hands a member all of
theirs, and `/mydata delete` leaves nothing of them in any table, checked by reading every
row of every table of the database."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, text

from adapters.console import ConsoleDirectory
from bot.model import Message, User
from bot.runtime import MEMBER_DATA, open_runtime
from bot.store import member_data
from bot.store.member_data import Member, MemberColumn, MemberData, check_registry, undeclared
from bot.store.models import Base
from bot.web.store import WebStore
from tests.conftest import ADMIN, MONDAY, SETUP, Club, RecordingPoster

# A member whose id and name are found nowhere else, so any trace of them is theirs.
ID, NAME = "zephyr9q", "Zephyrine Quill"
ZEPHYR = User(id=ID, name=NAME)
KIM = User(id="kim", name="Kim")


def test_every_table_of_the_schema_says_what_it_keeps_about_members():
    check_registry(MEMBER_DATA)
    assert undeclared(MEMBER_DATA) == []


def test_a_table_added_without_a_declaration_is_named():
    schema = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(schema)
    Table(
        "new_feature_notes",
        schema,
        Column("id", Integer, primary_key=True),
        Column("user_id", String),
    )
    assert undeclared(MEMBER_DATA, schema) == ["new_feature_notes"]


def test_a_declaration_of_a_column_the_schema_lacks_is_refused():
    problems = next(d for d in MEMBER_DATA if d.owner == "problems")
    wrong = MemberData(
        owner="problems",
        columns=(*problems.columns, MemberColumn(table="solves", column="who", what="-")),
        none=problems.none,
    )
    others = tuple(d for d in MEMBER_DATA if d.owner != "problems")
    with pytest.raises(ValueError, match=r"solves\.who is not in the schema"):
        check_registry((*others, wrong))
    twice = MemberData(owner="y", none=("solves",))
    with pytest.raises(ValueError, match="declared by problems and y"):
        check_registry((*MEMBER_DATA, twice))


@pytest.fixture
async def web_club(database_url: str, clock) -> AsyncIterator[Club]:
    """The console club with a public address, so feeds and the dashboard make their rows."""
    poster = RecordingPoster()
    runtime = await open_runtime(
        database_url=database_url,
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(refusing=poster.refusing),
        owner="test",
        public_url="https://club.example",
    )
    yield Club(runtime=runtime, poster=poster, clock=clock)
    await runtime.close()


async def _ok(club: Club, line: str, user: User) -> Message:
    reply = await club.run(line, as_user=user)
    assert "went wrong" not in reply.text, line
    return reply


async def _use_every_feature(club: Club) -> None:
    """Zephyrine uses everything that keeps something about a member; Kim too, as the
    other member whose data must stay."""
    await _ok(club, SETUP, ADMIN)
    await _ok(club, f"/admin officers add member:{ID}", ADMIN)
    await _ok(club, "/admin page enabled:on", ADMIN)
    for member in (ZEPHYR, KIM):
        await _ok(club, "/alerts subscribe target:quant", member)
        await _ok(club, "/deadlines year:junior", member)
        await _ok(club, "/alerts applied window:apple-aiml-intern", member)
        await _ok(club, "/postings follow company:Stripe", member)
        await _ok(club, '/mockpair join track:coding level:3 availability:"daily 0-24"', member)
        await _ok(
            club, '/applied company:Stripe role:"ML intern" link:https://stripe.example/1', member
        )
        await _ok(club, "/calendar", member)
        await _ok(club, "/clubpage me:hide", member)
    await _ok(club, '/admin deadlines add title:"Mock night" date:2026-12-03', ZEPHYR)
    await _ok(club, "/admin dashboard", ZEPHYR)
    await _ok(club, "/admin problem post-now", ADMIN)
    for member in (ZEPHYR, KIM):
        await _ok(club, "/solved", member)
    await _ok(club, "/admin mockpair run-now", ADMIN)
    await _ok(club, f'/mockpair feedback partner:@kim rating:4 notes:"{NAME} was kind"', ZEPHYR)
    await _ok(club, f"/mockpair feedback partner:@{ID} rating:5 notes:fine", KIM)
    club_id = (await club.runtime.store.clubs.all())[0].id
    await club.runtime.store.repo(WebStore).add_session(
        club_id, ZEPHYR, now=club.clock.now(), lifetime=timedelta(hours=1)
    )
    assert any(user == ID for user, _ in club.poster.dms), "the pairing DM'd Zephyrine"


async def _every_row(club: Club) -> dict[str, list[str]]:
    """Every row of every table in the database (not only those the code knows), as text."""
    engine = club.runtime.store.engine
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
        rows = {}
        for name in names:
            found = await connection.execute(text(f'SELECT * FROM "{name}"'))
            rows[name] = [" | ".join(str(v) for v in row) for row in found]
    return rows


def _traces(rows: dict[str, list[str]], *words: str) -> dict[str, list[str]]:
    """Per table, the rows where any of `words` appears."""
    return {t: [r for r in found if any(w in r for w in words)] for t, found in rows.items()}


async def test_delete_leaves_nothing_of_the_member_in_any_table(web_club):
    club = web_club
    await _use_every_feature(club)
    before = await _every_row(club)
    held = {t for t, found in _traces(before, ID, NAME).items() if found}
    assert held >= {
        "members",
        "officers",
        "audit_log",
        "claims",
        "club_deadlines",
        "deadline_subscriptions",
        "deadline_mutes",
        "deadline_profiles",
        "solves",
        "solve_totals",
        "mockpair_members",
        "mockpair_packs",
        "mockpair_groups",
        "mockpair_feedback",
        "posting_follows",
        "web_feed_tokens",
        "web_page_hidden",
        "web_signins",
        "web_sessions",
        "applications",
        "application_members",
    }, "the scenario reaches every table that keeps member data"
    kim_before = await club.run("/mydata export", as_user=KIM)

    asked = await club.run("/mydata delete", as_user=ZEPHYR)
    assert "You are on the club's officer list" in asked.text
    store = club.runtime.store
    member = Member(club_id=(await store.clubs.all())[0].id, user_id=ID)
    copy = await member_data.held(store.engine, MEMBER_DATA, member)
    counts = await member_data.counted(store.engine, MEMBER_DATA, member)
    assert [(c.table, c.what, c.rows) for c in counts] == [
        (h.table, h.what, len(h.rows)) for h in copy
    ], "the confirmation counts what the export lists, a row found twice once"
    assert all(f"• {c.what}: {c.rows}" in asked.text for c in counts)
    [button] = asked.buttons
    assert button.action == "mydata-delete"
    wrong = await club.run("/mydata delete confirm:000000", as_user=ZEPHYR)
    assert "not today's" in wrong.text
    assert _traces(await _every_row(club), ID), "a wrong code erases nothing"
    done = await club.run(f"/mydata delete confirm:{button.value}", as_user=ZEPHYR)
    assert done.text.startswith("Done: ")

    after = await _every_row(club)
    assert {t: r for t, r in _traces(after, ID, NAME).items() if r} == {}
    # Kim's own records stay, less the feedback between the two, which named Zephyrine.
    kim_after = await club.run("/mydata export", as_user=KIM)
    assert _tables(kim_before).pop("mockpair_feedback") == 2
    assert _tables(kim_after) == {
        t: n for t, n in _tables(kim_before).items() if t != "mockpair_feedback"
    }
    assert "kim" in " ".join(after["mockpair_groups"]), "the group stays, without her"
    again = await club.run("/mydata export", as_user=ZEPHYR)
    # Only this command's own visit is known now: the member, and their rights as it saw them.
    assert _tables(again) == {"members": 1, "members_learned": 1}


def _tables(reply: Message) -> dict[str, int]:
    assert reply.attachment is not None, reply.text
    with zipfile.ZipFile(io.BytesIO(reply.attachment.content)) as archive:
        document = json.loads(archive.read("mydata.json"))
    return {name: len(t["rows"]) for name, t in document["tables"].items()}


async def test_export_hands_the_member_all_of_theirs_as_json_and_csv(web_club):
    club = web_club
    await _use_every_feature(club)
    reply = await club.run("/mydata export", as_user=ZEPHYR)
    assert reply.ephemeral
    assert reply.attachment is not None
    assert reply.attachment.filename == "my-clubbot-data.zip"
    with zipfile.ZipFile(io.BytesIO(reply.attachment.content)) as archive:
        files = set(archive.namelist())
        document = json.loads(archive.read("mydata.json"))
        tables = document["tables"]
        for name, table in tables.items():
            rows = list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))
            assert len(rows) == len(table["rows"]), name
    assert {"mydata.json", "README.txt", "applications.csv"} <= files
    assert document["member"] == ID
    assert document["format"] == "clubbot-mydata/1"
    # /alerts applied recorded Apple's application; /applied, Stripe's.
    apple, stripe = sorted(tables["applications"]["rows"], key=lambda a: a["company"])
    assert (apple["company"], apple["window_key"]) == ("Apple", "apple-aiml-intern:2027")
    assert (stripe["company"], stripe["link"]) == ("Stripe", "https://stripe.example/1")
    feedback = tables["mockpair_feedback"]["rows"]
    assert len(feedback) == 2
    about = next(f for f in feedback if f["about_user"] == ID)
    assert "from_user" not in about, "who wrote feedback about her stays theirs"
    assert "token" not in tables["web_feed_tokens"]["rows"][0], "no live secret in a file"
    assert "csrf" not in tables["web_sessions"]["rows"][0]
    assert all(
        ID in json.dumps(row) or NAME in json.dumps(row)
        for t in tables.values()
        for row in t["rows"]
    )
    kim = await club.run("/mydata export", as_user=KIM)
    assert NAME not in kim.attachment.content.decode("latin-1")


async def test_a_member_the_bot_knows_nothing_about_is_told_so(club):
    reply = await club.run("/mydata delete", as_user=ZEPHYR)
    # This very command is a visit: the bot knows when the member was last seen, and the
    # rights the platform gave them then.
    assert "when you first and last used the bot here: 1" in reply.text
    assert "your rights as last seen" in reply.text
    done = await club.run(f"/mydata delete confirm:{reply.buttons[0].value}", as_user=ZEPHYR)
    assert done.text.startswith("Done: 2 records")


_VALUES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_ROWS = st.lists(st.dictionaries(st.text(max_size=8), _VALUES, max_size=4), max_size=3)


@settings(max_examples=100, deadline=None)
@given(
    top=st.dictionaries(
        st.sampled_from(["format", "exported_at", "member"]), st.text() | st.integers()
    ),
    club=st.dictionaries(st.text(max_size=6), st.text(), max_size=2),
    tables=st.dictionaries(st.text(max_size=10), st.tuples(st.text(), _ROWS), max_size=3),
)
def test_the_export_file_reads_back_as_the_document_it_was_written_from(top, club, tables):
    """mydata.json is written a row to a line by the C encoder: it is the same JSON as the
    document, whatever names, text (quotes, newlines, accents) and values it holds."""
    from bot.mydata import _readable_json

    document = {
        **top,
        "club": club,
        "tables": {name: {"what": what, "rows": rows} for name, (what, rows) in tables.items()},
    }
    written = _readable_json(document)
    assert json.loads(written) == document
    assert all(len(line) - len(line.lstrip()) <= 8 for line in written.splitlines())


async def test_a_former_officer_is_asked_about_what_the_export_lists(store):
    """`counted` names and orders each table as `held` lists it: by the first column that
    finds rows. A former officer holds no place on the list, only the officers they added
    and the changes they made; a member named in changes only, those."""
    from bot.store.clubs import Actor

    club = await store.clubs.get_or_create(
        platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
    )
    founder, lee = Actor(id="founder", name="Founder"), Actor(id="lee", name="Lee")
    await store.clubs.get_or_create(  # Lee used the bot: the name Lee is known as Lee's
        platform="discord", workspace_id="G1", name="ML Club", now=MONDAY, seen=("lee", "Lee")
    )
    await store.clubs.add_officer(club.id, user_id="lee", name="Lee", actor=founder, now=MONDAY)
    await store.clubs.add_officer(club.id, user_id="sam", name="Sam", actor=lee, now=MONDAY)
    await store.clubs.add_officer(club.id, user_id="kim", name="Kim", actor=lee, now=MONDAY)
    await store.clubs.remove_officer(club.id, user_id="lee", name="Lee", actor=founder, now=MONDAY)
    await store.clubs.remove_officer(club.id, user_id="kim", name="Kim", actor=lee, now=MONDAY)
    for user_id in ("lee", "sam", "kim", "founder"):
        member = Member(club_id=club.id, user_id=user_id)
        copy = await member_data.held(store.engine, MEMBER_DATA, member)
        counts = await member_data.counted(store.engine, MEMBER_DATA, member)
        assert [(c.table, c.what, c.rows) for c in counts] == [
            (h.table, h.what, len(h.rows)) for h in copy
        ], user_id
    lee_counts = await member_data.counted(
        store.engine, MEMBER_DATA, Member(club_id=club.id, user_id="lee")
    )
    told = [(c.table, c.what, c.rows) for c in lee_counts]
    assert ("officers", "officers you added", 1) in told
    # Lee added Sam and Kim and removed Kim (3 changes made), and was added and removed
    # (2 that name Lee): each kind is said, not only the first.
    assert (
        "audit_log",
        "club changes you made as an officer; club changes that named you",
        5,
    ) in told
