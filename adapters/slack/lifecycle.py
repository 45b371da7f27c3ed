"""The app's life in a workspace: uninstalled, its token revoked, installed again.

Slack sends `app_uninstalled` and `tokens_revoked` (bot events the manifest subscribes
to); from then on every call for that workspace answers `invalid_auth`, `token_revoked` or
`account_inactive`. Either way the installation's tokens are deleted and the club paused
in one place (`bot.store.away`), its data kept for a reinstall. A reinstall (the OAuth
flow completing) or a request from the workspace whose token works (auth.test) resumes it.

bolt's own `enable_token_revocation_listeners()` is not used: on `tokens_revoked` it
deletes the workspace's row of slack_sdk's `bots` table only, and its `installations`
rows keep the revoked bot token, which bolt's authorize reads first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.slack.workspace import NotInstalled, Workspaces
from bot.app import Bot
from bot.store.away import away, come_back, leave
from bot.store.clubs import Actor, Club

log = logging.getLogger(__name__)

SLACK = Actor(id="slack", name="Slack")
UNINSTALLED = "the app was uninstalled from the workspace"
REVOKED = "the workspace revoked the app's bot token"


@dataclass(frozen=True, slots=True, kw_only=True)
class Lifecycle:
    bot: Bot
    workspaces: Workspaces
    # The OAuth installation store (HTTP mode); None with one bot token from the settings.
    installations: AsyncInstallationStore | None = None

    async def on_uninstalled(self, args: AsyncArgs) -> None:
        await self._cut_off(args, UNINSTALLED)

    async def on_tokens_revoked(self, args: AsyncArgs) -> None:
        tokens = (args.event or {}).get("tokens") or {}
        if tokens.get("bot"):  # the app asks for no user tokens: only the bot's matter
            await self._cut_off(args, REVOKED)

    async def _cut_off(self, args: AsyncArgs, why: str) -> None:
        team = args.context.team_id or str(args.body.get("team_id") or "")
        if self.installations is not None:
            await self.installations.async_delete_all(
                enterprise_id=args.context.enterprise_id, team_id=team
            )
        club = await self._club(team)
        if await leave(
            self.bot.store.clubs, club.id, why=why, actor=SLACK, now=self.bot.clock.now()
        ):
            await self.bot.schedule.club_changed(club.id)
            log.warning("workspace %s: %s; club %s paused", team, why, club.id)

    async def back_if_away(self, team_id: str) -> None:
        """A request came from the workspace: if its club is paused and its token works
        again (a reinstall, a new token), resume the club."""
        club = await self._club(team_id)
        if away(club) is None:
            return
        try:
            client = await self.workspaces.client(team_id)
            answer = await client.auth_test()
        except (NotInstalled, SlackClientError) as error:
            log.info("workspace %s is still cut off: %s", team_id, error)
            return
        if answer.get("team_id") in (None, team_id):
            await self.installed(team_id)

    async def installed(self, team_id: str) -> None:
        """The app is installed (again) in the workspace: resume its club's posts."""
        club = await self._club(team_id)
        if await come_back(self.bot.store.clubs, club.id, actor=SLACK, now=self.bot.clock.now()):
            await self.bot.schedule.club_changed(club.id)
            log.info("workspace %s: clubbot is back; club %s resumed", team_id, club.id)

    async def _club(self, team_id: str) -> Club:
        return await self.bot.store.clubs.get_or_create(
            platform="slack", workspace_id=team_id, name=team_id, now=self.bot.clock.now()
        )
