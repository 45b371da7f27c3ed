"""A newcomer tries the web side from `clubbot console --web` in a real browser (Debian's
chromium through Playwright): a member subscribes from the club page on a phone and their
feed honours a mute; an officer signs in through the DM'd link, sees the club's current
values and real times, and changes one, which the console then reads back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from tests.web.console import ConsoleProcess, console_process, link

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
PHONE = {"width": 375, "height": 740}
SETUP = (
    "/admin setup timezone:America/New_York deadlines:#deadlines problems:#daily-problem "
    "pairing:#mock-interviews alerts:#officers"
)
# What a page must hold for people on phones and with assistive tech: the page no wider
# than the screen, every link and control at least 24 px tall, no heading level skipped.
LAYOUT = """() => {
  const small = [...document.querySelectorAll('a, button, input:not([type=hidden]), select')]
    .map(e => [e.textContent.trim() || e.name || e.tagName, e.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && (r.height < 24 || r.width < 24))
    .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`);
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .map(h => Number(h.tagName[1]));
  const skips = levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1);
  return {width: document.documentElement.scrollWidth, small, levels, skips};
}"""


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[ConsoleProcess]:
    async with console_process(tmp_path, "console", "--now", "2026-11-16T10:00-05:00") as club:
        await club.run(":as alex officer", SETUP, "/admin page enabled:on")
        yield club


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        chromium = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        await chromium.close()


async def _fits(page: Any) -> None:
    layout = await page.evaluate(LAYOUT)
    assert layout["width"] <= page.viewport_size["width"], (page.url, layout)
    assert layout["small"] == [], (page.url, layout["small"])
    assert layout["levels"][0] == 1, (page.url, layout["levels"])
    assert layout["skips"] == [], (page.url, layout["levels"])


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")}


async def test_a_member_subscribes_on_a_phone_and_the_feed_honours_a_mute(
    console: ConsoleProcess, browser: Any
) -> None:
    await console.run(":as sam", "/alerts subscribe target:quant")
    mine = link(await console.run("/calendar"), r"Yours").replace("webcal://", "http://")
    page = await browser.new_page(viewport=PHONE)
    await page.goto(f"{console.url}/clubs/1")
    await _fits(page)
    club_feed = await page.get_attribute("#subscribe a.button >> nth=0", "href")
    assert club_feed.startswith(console.url.replace("http://", "webcal://") + "/feeds/")

    # The member's calendar app fetches their feed (gzipped, as the browser asks).
    first = await page.request.get(mine)
    assert first.status == 200
    assert first.headers["content-encoding"] == "gzip"
    assert "citadel:2027-opens@clubbot" in _uids(await first.body())
    again = await page.request.get(mine, headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304

    muted = await console.run("/alerts not-interested window:citadel")
    assert any("not interested" in line for line in muted)
    changed = await page.request.get(mine, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status == 200
    uids = _uids(await changed.body())
    assert "citadel:2027-opens@clubbot" not in uids
    assert "two-sigma:2027-opens@clubbot" in uids
    # The club's feed is everyone's: the mute is this member's alone.
    whole = await page.request.get(club_feed.replace("webcal://", "http://"))
    assert "citadel:2027-opens@clubbot" in _uids(await whole.body())


async def test_an_officer_sees_current_values_and_real_times_and_changes_one(
    console: ConsoleProcess, browser: Any, tmp_path: Path
) -> None:
    await console.run("/admin problem settings time:07:30 hint_delay:3h")
    signin = link(await console.run("/admin dashboard"), r"\[dm @alex\].*link works once")
    page = await browser.new_page(viewport=PHONE)
    await page.goto(signin)
    await page.click("#sign-in")
    await page.wait_for_url(re.compile(r".*/dashboard/1$"))
    main = await page.inner_text("main")
    assert "Next runs" in main
    assert "\ue000" not in main
    assert "\ue001" not in await page.content()
    # Tomorrow's problem at the club's 07:30, a real time in the club's zone.
    stamp = page.locator('time[datetime="2026-11-17T12:30:00Z"]').first
    assert await stamp.inner_text() == "Tue 17 Nov 2026, 07:30 EST"
    await _fits(page)
    await page.screenshot(path=str(tmp_path / "overview-phone.png"), full_page=True)

    await page.click("header >> text=problem")
    await _fits(page)
    assert await page.input_value("#admin-problem-settings-time") == "07:30"
    assert await page.input_value("#admin-problem-settings-hint_delay") == "3h"
    assert await page.input_value("#admin-problem-settings-tags") == "hidden"
    await page.fill("#admin-problem-settings-time", "08:15")
    await page.click("#form-admin-problem-settings button")
    await page.wait_for_selector("#reply")
    reply = await page.inner_text("#reply")
    assert "Saved." in reply
    assert "time: 08:15" in reply
    assert "hint_delay: 3h" in reply  # sent whole, changed only where changed
    assert await page.input_value("#admin-problem-settings-time") == "08:15"

    status = await console.run("/admin status")
    assert any("08:15" in line for line in status), status
    audit = await console.run("/admin audit")
    changes = [line for line in audit if "(via dashboard)" in line]
    assert len(changes) == 1, audit
    assert "problem_time" in changes[0]
