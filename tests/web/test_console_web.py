"""`clubbot console --web` and `clubbot demo --web` let a newcomer try the web side
without a platform or a token: the links the commands hand out start with
http://HOST:PORT and work while the console waits for its next line."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from icalendar import Calendar

from adapters.cli.console_web import local_url
from adapters.cli.main import _parser
from tests.web.console import console_process, link


def test_public_url_defaults_to_where_the_console_serves() -> None:
    assert local_url("127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert local_url("0.0.0.0:9000") == "http://127.0.0.1:9000"
    assert local_url(":8081") == "http://127.0.0.1:8081"
    assert local_url("club.local:8080") == "http://club.local:8080"
    assert _parser().parse_args(["console", "--web", ":8080"]).web == ":8080"
    assert _parser().parse_args(["demo", "--web", ":8080"]).web == ":8080"
    assert _parser().parse_args(["console"]).web is None


async def test_the_console_hands_out_links_that_work_while_it_waits(tmp_path: Path) -> None:
    async with console_process(tmp_path, "console", "--now", "2026-11-16T10:00-05:00") as club:
        assert club.seen[-1].startswith(f"The web side serves {club.url}")
        answer = await club.run("/calendar")
        assert not any("The web side is off" in line for line in answer)
        feed = link(answer, r"Yours")
        assert feed.startswith(club.url.replace("http://", "webcal://"))
        page = await club.run("/admin page enabled:on")
        assert link(page, "club page is on") == f"{club.url}/clubs/1"
        signin = link(await club.run("/admin dashboard"), r"\[dm @you\].*link works once")
        async with aiohttp.ClientSession() as browser:
            for url in (feed.replace("webcal://", "http://"), f"{club.url}/clubs/1", signin):
                async with browser.get(url) as response:
                    assert response.status == 200, url
        assert await club.quit() == 0


async def test_the_demo_ends_with_the_web_sides_links(tmp_path: Path) -> None:
    async with console_process(tmp_path, "demo", ready="The web side is at") as demo:
        lines = await demo.until("The console goes on")
        feed = link(lines, "calendar feed")
        async with aiohttp.ClientSession() as browser:
            async with browser.get(feed) as response:
                calendar = Calendar.from_ical(await response.read())
            events = {str(e["UID"]): str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
            assert "two-sigma:2027-opens@clubbot" in events  # sam follows quant
            assert events["jane-street:2027-opens@clubbot"].endswith("(applied)")
            assert "citadel:2027-opens@clubbot" not in events, "sam is not interested"
            assert "citadel:2028-opens@clubbot" in events
            async with browser.get(link(lines, "the club page")) as response:
                assert "This week's leaderboard" in await response.text()
            signin = link(lines, "officer dashboard")
            async with browser.get(signin) as response:
                assert 'id="sign-in"' in await response.text()
        assert await demo.quit() == 0
