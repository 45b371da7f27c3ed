"""An app in HTTP mode with the OAuth install flow (many workspaces), on a SQLite file and
a mock Web API: what the install, OAuth and uninstall tests build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.app import build_app
from adapters.slack.posting import SlackPoster
from adapters.slack.start import oauth_settings
from adapters.slack.workspace import InstalledWorkspaces, SlackDirectory, web_client
from bot.clock import ManualClock
from bot.config import sqlite_url
from bot.runtime import Runtime, open_runtime
from bot.store.clubs import Club
from bot.store.db import make_engine


@dataclass
class Installed:
    app: AsyncApp
    runtime: Runtime
    installations: AsyncSQLAlchemyInstallationStore
    workspaces: InstalledWorkspaces
    directory: SlackDirectory
    engine: AsyncEngine
    clock: ManualClock

    def poster(self) -> SlackPoster:
        return SlackPoster(self.workspaces)

    def server(self) -> TestServer:
        return TestServer(self.app.web_app(path="/slack/events"))

    async def install(self) -> ClientResponse:
        """The OAuth flow, as a browser runs it: the install page, then Slack's redirect
        back with a code and the state the page gave (its cookie sent back)."""
        async with TestClient(self.server()) as browser:
            install = await browser.get("/slack/install")
            page = (await install.text()).replace("&amp;", "&")
            state = page.split("state=")[1].split("&")[0].split('"')[0]
            cookie = install.headers["Set-Cookie"].split(";")[0]
            return await browser.get(
                f"/slack/oauth_redirect?code=c0de&state={state}", headers={"Cookie": cookie}
            )

    async def club(self, team: str) -> Club:
        clubs = await self.runtime.store.clubs.all()
        return next(c for c in clubs if c.workspace_id == team)

    async def close(self) -> None:
        await self.runtime.close()
        await self.engine.dispose()


async def installed_app(
    tmp_path: Path, *, api_url: str, clock: ManualClock, signing_secret: str
) -> Installed:
    """The bot in HTTP mode on `tmp_path/x.db`, its installations in the same database,
    every Web API call to `api_url`. Nothing is installed yet."""
    url = sqlite_url(tmp_path / "x.db")
    engine = make_engine(url)
    oauth, installations = await oauth_settings(engine, "client-id", "client-secret")
    workspaces = InstalledWorkspaces(installations, base_url=api_url)
    directory = SlackDirectory(workspaces)
    runtime = await open_runtime(
        database_url=url,
        clock=clock,
        poster=SlackPoster(workspaces),
        directory=directory,
        owner="test",
    )
    app = build_app(
        runtime.bot,
        directory=directory,
        client=web_client(base_url=api_url),
        signing_secret=signing_secret,
        oauth_settings=oauth,
    )
    return Installed(app, runtime, installations, workspaces, directory, engine, clock)
