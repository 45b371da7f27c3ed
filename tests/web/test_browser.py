"""A real browser (Debian's chromium, driven by Playwright) signs an officer in through the
DM'd link, changes the daily-problem time, and reads the club page; the console sees the
change. Screenshots land in tmp, or in docs/img with CLUBBOT_SCREENSHOTS=docs/img (the
README shows those)."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.model import User
from bot.runtime import open_runtime
from tests.conftest import ADMIN, MEMBER, SETUP, RecordingPoster
from tests.web.conftest import WebClub

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
MEMBERS = (
    MEMBER,
    User(id="priya", name="Priya N."),
    User(id="jordan", name="Jordan Lee"),
    User(id="mei", name="Mei"),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def served_club(tmp_path: Path, clock: ManualClock) -> AsyncIterator[WebClub]:
    """A club whose web side really listens, on SQLite (the browser is the slow part)."""
    port = _free_port()
    poster = RecordingPoster()
    runtime = await open_runtime(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'club.db'}",
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(),
        owner="test",
        public_url=f"http://127.0.0.1:{port}",
        web_listen=f"127.0.0.1:{port}",
    )
    club = WebClub(runtime=runtime, poster=poster, clock=clock)
    await club.run(SETUP, as_user=ADMIN)
    yield club
    await runtime.close()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CLUBBOT_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _busy_week(club: WebClub) -> None:
    await club.run(
        '/admin deadlines add title:"Club mock-interview day" date:2026-11-21', as_user=ADMIN
    )
    await club.run("/admin problem post-now", as_user=ADMIN)
    for member in MEMBERS[:3]:
        await club.run("/solved", as_user=member)
    await club.run("/admin page enabled:on", as_user=ADMIN)


async def test_an_officer_uses_the_dashboard_in_a_browser(
    served_club: WebClub, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    club, shots = served_club, _shots(tmp_path)
    await _busy_week(club)
    dm_before = len(club.poster.dms)
    assert "sent you a sign-in link" in (await club.run("/admin dashboard", as_user=ADMIN)).text
    link = re.search(r"(http://\S+/signin/\S+)", club.poster.dms[dm_before][1].text)
    assert link is not None
    calendar = await club.run("/calendar", as_user=MEMBER)
    feed = re.search(r"webcal://(\S+)", calendar.text)
    assert feed is not None

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(link.group(1))
        await page.click("#sign-in")
        await page.wait_for_url(re.compile(r".*/dashboard/\d+$"))
        assert "Next runs" in await page.inner_text("main")
        await page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

        await page.click("header >> text=problem")
        await page.select_option("#admin-problem-settings-tags", "shown")
        await page.fill("#admin-problem-settings-time", "08:00")
        await page.click("#form-admin-problem-settings button")
        await page.wait_for_selector("#reply")
        assert "Saved." in await page.inner_text("#reply")
        assert "time: 08:00" in await page.inner_text("#reply")
        await page.screenshot(path=str(shots / "dashboard-problem.png"))

        status = await club.run("/admin status", as_user=ADMIN)
        assert "08:00" in status.text + "".join(f.value for f in status.fields)

        club_id = re.search(r"/dashboard/(\d+)", page.url)
        assert club_id is not None
        await page.goto(link.group(1).split("/signin/")[0] + f"/clubs/{club_id.group(1)}")
        board = await page.inner_text("#leaderboard")
        for member in MEMBERS[:3]:
            assert member.name in board
        webcal = await page.get_attribute("#subscribe a.button >> nth=0", "href")
        assert webcal is not None
        assert webcal.startswith("webcal://")
        await page.screenshot(path=str(shots / "club-page.png"), full_page=True)

        # The member's subscription link, fetched as a calendar app would (a browser
        # would download it).
        response = await page.request.get("http://" + feed.group(1))
        assert response.status == 200
        assert (await response.body()).startswith(b"BEGIN:VCALENDAR")
        await browser.close()
    for name in ("dashboard.png", "dashboard-problem.png", "club-page.png"):
        assert (shots / name).stat().st_size > 10_000


async def test_the_dashboards_application_charts_render_on_a_laptop_and_a_phone(
    served_club: WebClub, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    from tests.web.test_dashboard_charts import MEMBERS as APPLICANTS
    from tests.web.test_dashboard_charts import apply_all

    club, shots = served_club, _shots(tmp_path)
    await apply_all(club, APPLICANTS[:5])
    dm_before = len(club.poster.dms)
    await club.run("/admin dashboard", as_user=ADMIN)
    link = re.search(r"(http://\S+/signin/\S+)", club.poster.dms[dm_before][1].text)
    assert link is not None

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(link.group(1))
        await page.click("#sign-in")
        await page.wait_for_url(re.compile(r".*/dashboard/\d+$"))
        for width in (1100, 390):  # a laptop, then a phone
            await page.set_viewport_size({"width": width, "height": 900})
            weeks = page.locator("#chart-weeks rect")
            assert await weeks.count() == 8
            tallest = await weeks.nth(7).bounding_box()
            empty = await weeks.nth(0).bounding_box()
            assert tallest is not None
            assert tallest["height"] > 40, "this week's applications draw as a bar"
            assert empty is None or empty["height"] < 1
            mix = page.locator("#chart-mix rect")
            assert await mix.count() == 8  # the club's share and the plan's, four categories
            label = await page.locator("#chart-mix text").first.bounding_box()
            assert label is not None
            assert label["height"] >= 9, f"chart text readable at {width}px wide"
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, "the page keeps the screen's width"
            await page.locator("#applications").screenshot(
                path=str(shots / f"dashboard-applications-{width}.png")
            )
        await browser.close()
    for width in (1100, 390):
        assert (shots / f"dashboard-applications-{width}.png").stat().st_size > 5_000
