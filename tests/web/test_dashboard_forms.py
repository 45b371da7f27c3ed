"""Dashboard forms start from the club's current values, and a form sent whole changes
only what the officer changed; on `clubbot web` alone, naming a channel says that this
process can't look channels up and where to do it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import ManualClock
from bot.runtime import open_runtime
from bot.web import PagesOnlyDirectory, PagesOnlyPoster, Site
from bot.web.server import make_app
from tests.conftest import ADMIN
from tests.web.conftest import PUBLIC_URL, WebClub


def _fields(page: str, form: str) -> dict[str, str]:
    """What a browser would send for the form `form` as the page shows it."""
    found = re.search(rf'<form[^>]*id="form-{form}".*?</form>', page, re.S)
    assert found is not None, form
    html = found.group(0)
    fields = dict(re.findall(r'<input [^>]*?name="([^"]+)"[^>]*? value="([^"]*)"', html))
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r"<option selected>([^<]*)</option>", options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


async def _configured(club: WebClub) -> str:
    for line in (
        "/admin problem settings time:07:30 tags:shown days:weekdays",
        "/admin setup digest_day:fri digest_time:17:00",
        "/admin deadlines settings reminders:7,2",
        "/admin mockpair settings day:thu time:19:00",
        "/admin postings settings categories:software,data sponsorship:offers",
    ):
        answer = await club.run(line, as_user=ADMIN)
        assert "Saved" in answer.text, answer.text
    answer = await club.run("/admin page enabled:on", as_user=ADMIN)
    assert "page is on" in answer.text
    return await club.sign_in()


async def test_every_form_starts_from_the_clubs_current_values(web_club: WebClub) -> None:
    path = await _configured(web_club)

    async def form(section: str, name: str) -> dict[str, str]:
        return _fields(await (await web_club.web.get(f"{path}/{section}")).text(), name)

    problem = await form("problem", "admin-problem-settings")
    assert problem["time"] == "07:30"
    assert problem["tags"] == "shown"
    assert problem["days"] == "mon,tue,wed,thu,fri"
    assert problem["topics"] == ""  # all topics: nothing set
    assert problem["mix"] == "coding daily, ml tue, sql thu"  # the default, shown
    setup = await form("setup", "admin-setup")
    assert setup["timezone"] == "America/New_York"
    assert setup["problems"] == "#daily-problem"
    assert setup["digest_day"] == "fri"
    assert setup["digest_time"] == "17:00"
    assert (await form("deadlines", "admin-deadlines-settings"))["reminders"] == "7,2"
    assert (await form("mockpair", "admin-mockpair-settings")) == {
        "csrf": setup["csrf"],
        "command": "admin mockpair settings",
        "day": "thu",
        "time": "19:00",
        "notice": "12h",  # the default, shown
    }
    postings = await form("postings", "admin-postings-settings")
    assert postings["categories"] == "software, data"
    assert postings["sponsorship"] == "offers"
    assert postings["enabled"] == "yes"
    assert (await form("page", "admin-page"))["enabled"] == "on"
    # A form with nothing to show starts empty.
    assert (await form("deadlines", "admin-deadlines-add"))["title"] == ""


async def test_a_form_sent_whole_changes_only_what_was_changed(web_club: WebClub) -> None:
    path = await _configured(web_club)
    page = await (await web_club.web.get(f"{path}/setup")).text()
    fields = _fields(page, "admin-setup") | {"digest_time": "18:30"}
    answer = await web_club.web.post(f"{path}/run", data=fields)
    assert "Saved." in await answer.text()
    audit = await web_club.run("/admin audit", as_user=ADMIN)
    changes = [line for line in audit.text.splitlines() if "(via dashboard)" in line]
    assert len(changes) == 1
    assert "set digest_time → 18:30" in changes[0]


@pytest.fixture
async def pages_only(web_club: WebClub, database_url: str) -> AsyncIterator[TestClient[Any, Any]]:
    """`clubbot web` on the club's database: it posts nothing and looks no one up."""
    runtime = await open_runtime(
        database_url=database_url,
        clock=ManualClock(web_club.clock.now()),
        poster=PagesOnlyPoster(),
        directory=PagesOnlyDirectory(),
        public_url=PUBLIC_URL,
        scheduled_here=False,
    )
    client = TestClient(TestServer(make_app(bot=runtime.bot, site=Site(public_url=PUBLIC_URL))))
    await client.start_server()
    yield client
    await client.close()
    await runtime.close()


async def test_on_clubbot_web_alone_a_channel_says_where_to_set_it(
    web_club: WebClub, pages_only: TestClient[Any, Any]
) -> None:
    web_club.client, bot_side = pages_only, web_club.client
    path = await web_club.sign_in()
    page = await (await pages_only.get(f"{path}/setup")).text()
    fields = _fields(page, "admin-setup") | {"problems": "#general"}
    answer = await (await pages_only.post(f"{path}/run", data=fields)).text()
    assert "can&#39;t look up" in answer or "can't look up" in answer
    assert "Run the same command in the chat" in answer
    assert "I can&#39;t find the channel" not in answer
    assert "e.g. #general" not in answer
    # The rest of the form, sent whole and unchanged, costs no lookup: a time changes.
    fields = _fields(page, "admin-setup") | {"digest_time": "18:30"}
    answer = await (await pages_only.post(f"{path}/run", data=fields)).text()
    assert "Saved." in answer
    # And the overview's status (which rechecks paused channels) still opens.
    assert (await pages_only.get(path)).status == 200
    officers = await (await pages_only.get(f"{path}/officers")).text()
    fields = _fields(officers, "admin-officers-add") | {"member": "@sam"}
    answer = await (await pages_only.post(f"{path}/run", data=fields)).text()
    assert "look up" in answer
    web_club.client = bot_side
