"""Every page shows instants as text (a `<time>` in the club's zone), never the core's raw
tokens; headings go down one level at a time; aiohttp's own 404 and 405 carry the security
headers; there is a favicon."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import pairwise

from bot.model import mention, stamp
from bot.web.pages import SECURITY_HEADERS, chat_text
from tests.conftest import ADMIN, MEMBER
from tests.web.conftest import WebClub

SECTIONS = ("setup", "officers", "problem", "deadlines", "mockpair", "status", "audit", "page")


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.levels.append(int(tag[1]))


def _heading_levels(html: str) -> list[int]:
    parser = _Headings()
    parser.feed(html)
    return parser.levels


async def _pages(club: WebClub) -> dict[str, str]:
    """Every page an officer and a member see, by path."""
    await club.run('/admin deadlines add title:"Mock night" date:2026-12-04', as_user=ADMIN)
    await club.run("/admin problem post-now", as_user=ADMIN)
    await club.run("/solved", as_user=MEMBER)
    await club.run("/admin page enabled:on", as_user=ADMIN)
    link = await club.signin_link()
    pages = {link: await (await club.web.get(link)).text()}
    path = await club.sign_in()
    for where in (path, *(f"{path}/{s}" for s in SECTIONS), "/clubs/1", "/", "/signed-out"):
        response = await club.web.get(where)
        assert response.status == 200, where
        pages[where] = await response.text()
    return pages


async def test_next_runs_and_every_other_instant_read_as_local_times(web_club: WebClub) -> None:
    pages = await _pages(web_club)
    for path, html in pages.items():
        assert "\ue000" not in html, path
        assert "\ue001" not in html, path
    overview = pages[next(p for p in pages if p.endswith("/dashboard/1"))]
    assert "Next runs" in overview
    # Tomorrow's daily problem, 09:00 in New York (14:00 UTC).
    assert (
        '<time datetime="2026-11-17T14:00:00Z" title="17 Nov 2026, 14:00 UTC">'
        "Tue 17 Nov 2026, 09:00 EST</time>"
    ) in overview


def test_a_messages_instants_and_mentions_are_escaped_text() -> None:
    at = datetime(2026, 9, 14, 19, 0, tzinfo=UTC)
    shown = chat_text(f"<b>due</b> {stamp(at, 'Mon 14 Sep 2026, 15:00 EDT')} for {mention('sam')}")
    assert shown == (
        '&lt;b&gt;due&lt;/b&gt; <time datetime="2026-09-14T19:00:00Z" '
        'title="14 Sep 2026, 19:00 UTC">Mon 14 Sep 2026, 15:00 EDT</time> for @sam'
    )


async def test_headings_go_down_one_level_at_a_time(web_club: WebClub) -> None:
    for path, html in (await _pages(web_club)).items():
        levels = _heading_levels(html)
        assert levels[0] == 1, path
        for before, after in pairwise(levels):
            assert after <= before + 1, (path, levels)


async def test_the_servers_own_errors_carry_the_security_headers(web_club: WebClub) -> None:
    for method, path, status in (
        ("GET", "/no/such/page", 404),
        ("POST", "/favicon.ico", 405),
        ("DELETE", "/dashboard/1", 405),
    ):
        response = await web_club.web.request(method, path)
        assert response.status == status
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)


async def test_there_is_a_favicon(web_club: WebClub) -> None:
    response = await web_club.web.get("/favicon.ico")
    assert response.status == 200
    assert response.content_type == "image/x-icon"
    assert (await response.read()).startswith(b"\x00\x00\x01\x00")  # an ICO header
    page = await (await web_club.web.get("/")).text()
    assert '<link rel="icon" href="/favicon.ico">' in page
