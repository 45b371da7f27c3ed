"""A console club with its web side, served by aiohttp's test server, and an officer
who signs in the way a real one does: `/admin dashboard`, the DM'd link, the button."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from adapters.console import ConsoleDirectory
from bot.clock import ManualClock
from bot.model import User
from bot.runtime import open_runtime
from bot.web import Site
from bot.web.dashboard import COOKIE, SIGNIN_COOKIE
from bot.web.server import make_app
from tests.conftest import ADMIN, SETUP, Club, RecordingPoster

PUBLIC_URL = "https://club.example.org"


@dataclass
class WebClub(Club):
    client: TestClient[Any, Any] | None = None

    @property
    def web(self) -> TestClient[Any, Any]:
        assert self.client is not None
        return self.client

    def other(self, workspace: str) -> Club:
        """Another club on the same bot and database."""
        return Club(runtime=self.runtime, poster=self.poster, clock=self.clock, workspace=workspace)

    async def signin_link(self, officer: User = ADMIN) -> str:
        """The path of the link `/admin dashboard` DMs the officer."""
        before = len(self.poster.dms)
        answer = await self.run("/admin dashboard", as_user=officer)
        assert "sent you a sign-in link" in answer.text, answer.text
        (user_id, message), *_ = self.poster.dms[before:]
        assert user_id == officer.id
        found = re.search(re.escape(PUBLIC_URL) + r"(/signin/\S+)", message.text)
        assert found is not None, message.text
        return found.group(1)

    async def sign_in(self, officer: User = ADMIN) -> str:
        """Signed in; returns the dashboard's path."""
        link = await self.signin_link(officer)
        response = await self.press_sign_in(link)
        assert response.status == 303, await response.text()
        self.keep_cookie(response)
        return response.headers["Location"]

    async def press_sign_in(self, link: str) -> ClientResponse:
        return await press_sign_in(self.web, link)

    def keep_cookie(self, response: ClientResponse, name: str = COOKIE) -> None:
        keep_cookie(self.web, response, name)


async def press_sign_in(browser: TestClient[Any, Any], link: str) -> ClientResponse:
    """Open the link's page and press its Sign in button, as a browser does."""
    page = await browser.get(link)
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token is not None
    if SIGNIN_COOKIE in page.cookies:
        keep_cookie(browser, page, SIGNIN_COOKIE)
    return await browser.post(link, data={"csrf": token.group(1)}, allow_redirects=False)


def keep_cookie(
    browser: TestClient[Any, Any], response: ClientResponse, name: str = COOKIE
) -> None:
    """The cookies are Secure (PUBLIC_URL is https, as behind a TLS proxy); the test
    server is plain http, where a client would not send them back on its own."""
    browser.session.cookie_jar.update_cookies({name: response.cookies[name].value})


@pytest.fixture
async def web_club(database_url: str, clock: ManualClock) -> AsyncIterator[WebClub]:
    poster = RecordingPoster()
    runtime = await open_runtime(
        database_url=database_url,
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(),
        owner="test",
        public_url=PUBLIC_URL,
    )
    app = make_app(bot=runtime.bot, site=Site(public_url=PUBLIC_URL), scheduler=runtime.scheduler)
    client = TestClient(TestServer(app))
    await client.start_server()
    club = WebClub(runtime=runtime, poster=poster, clock=clock, client=client)
    await club.run(SETUP, as_user=ADMIN)
    yield club
    await client.close()
    await runtime.close()
