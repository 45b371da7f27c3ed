"""A local stand-in for the Slack Web API and response_url endpoints, recording every payload.

It answers the methods the adapter uses the way Slack does (`ok`, `error`, 429 with
Retry-After); tests set up members and channels, queue failures, and read back exactly
what the platform would have received.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.slack.manifest import BOT_SCOPES

TEAM = "T1"
TEAM_NAME = "ML Club"
BOT_USER = "UBOT"

# The bot-token scopes each Web API method needs (api.slack.com/methods); a method missing
# here answers unknown_method, so a new call can't slip past the scope check.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    # Called with the app-level token (scope connections:write), not the bot token.
    "apps.connections.open": frozenset(),
    "oauth.v2.access": frozenset(),
    "views.publish": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "conversations.open": frozenset({"im:write"}),
    "users.info": frozenset({"users:read"}),
    "conversations.info": frozenset({"channels:read"}),
    "conversations.list": frozenset({"channels:read", "groups:read"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "team.info": frozenset({"team:read"}),
    # Slack asks for the history scope of the conversation's kind (channels:, groups:, im:);
    # the mock's conversations are public channels or DMs it does not tell apart: it asks
    # for channels:history.
    "conversations.history": frozenset({"channels:history"}),
    "conversations.replies": frozenset({"channels:history"}),
}

Payload = dict[str, Any]


@dataclass
class Failure:
    status: int
    body: Payload
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SlackMock:
    users: dict[str, Payload] = field(default_factory=dict)
    channels: dict[str, Payload] = field(default_factory=dict)
    # Every Web API request, answered or not: (method, payload).
    calls: list[tuple[str, Payload]] = field(default_factory=list)
    # The bearer token of each Web API request, in order: (method, token).
    tokens: list[tuple[str, str]] = field(default_factory=list)
    # chat.postMessage requests Slack accepted.
    messages: list[Payload] = field(default_factory=list)
    # File contents uploaded to the URLs files.getUploadURLExternal handed out, by file id.
    uploads: dict[str, bytes] = field(default_factory=dict)
    # response_url posts: (path, payload).
    responses: list[tuple[str, Payload]] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    # The scopes the workspace granted the bot token: by default what the manifest asks for.
    scopes: frozenset[str] = field(default_factory=lambda: frozenset(BOT_SCOPES))
    team_name: str = TEAM_NAME
    url: str = ""
    _runner: web.AppRunner | None = None
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _responses: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self) -> str:
        return f"{self.url}/respond/{next(self._responses)}"

    def fail_next(self, method: str, failure: Failure) -> None:
        self.failures.setdefault(method, []).append(failure)

    def called(self, method: str) -> list[Payload]:
        return [payload for name, payload in self.calls if name == method]

    def responses_to(self, url: str) -> list[Payload]:
        path = url.removeprefix(self.url)
        return [payload for hook, payload in self.responses if hook == path]

    async def wait_for(self, check: Callable[[], Any], within: float = 10) -> Any:
        """Poll until `check()` is truthy: listeners answer after the ack, in the background."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not (found := check()):
            if loop.time() > deadline:
                raise AssertionError("the Slack mock did not receive what the test waited for")
            await asyncio.sleep(0.01)
        return found

    # --- the endpoints ------------------------------------------------------

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append((request.path, await request.json()))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")

    def _files_getUploadURLExternal(self, payload: Payload) -> Payload:
        file_id = f"F{len(self.uploads) + 1}"
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, payload: Payload) -> Payload:
        return {"ok": True, "files": [{"id": f["id"]} for f in json.loads(payload["files"])]}

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        payload = await _payload(request)
        self.calls.append((method, payload))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.tokens.append((method, token))
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        missing = METHOD_SCOPES.get(method, frozenset()) - self.scopes
        if missing:  # Slack's answer when the token lacks a scope the method needs
            needed = ",".join(sorted(missing))
            return web.json_response({"ok": False, "error": "missing_scope", "needed": needed})
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        known = method in METHOD_SCOPES
        body = answer(payload) if answer and known else {"ok": False, "error": "unknown_method"}
        return web.json_response(body)

    def _team_info(self, payload: Payload) -> Payload:
        return {"ok": True, "team": {"id": payload.get("team") or TEAM, "name": self.team_name}}

    def _auth_test(self, payload: Payload) -> Payload:
        return {"ok": True, "team_id": TEAM, "user_id": BOT_USER, "bot_id": "B1", "team": "club"}

    def _users_info(self, payload: Payload) -> Payload:
        user = self.users.get(payload.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _conversations_info(self, payload: Payload) -> Payload:
        channel = self.channels.get(payload.get("channel", ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": channel}

    def _conversations_list(self, payload: Payload) -> Payload:
        return {"ok": True, "channels": list(self.channels.values())}

    def _conversations_open(self, payload: Payload) -> Payload:
        return {"ok": True, "channel": {"id": "D" + str(payload["users"])}}

    def _chat_postMessage(self, payload: Payload) -> Payload:
        channel_id = str(payload.get("channel", ""))
        channel = self.channels.get(channel_id)
        if channel is None and not channel_id.startswith("D"):
            return {"ok": False, "error": "channel_not_found"}
        if channel is not None and channel.get("is_archived"):
            return {"ok": False, "error": "is_archived"}
        self.messages.append(payload)
        ts = f"1700000000.{next(self._ts):06d}"
        return {"ok": True, "channel": channel_id, "ts": ts, "message": {"ts": ts}}

    def _oauth_v2_access(self, payload: Payload) -> Payload:
        return {
            "ok": True,
            "app_id": "A1",
            "access_token": "xoxb-installed",
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": BOT_USER,
            "team": {"id": "T2", "name": "second club"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0ADMIN"},
        }

    def _views_publish(self, payload: Payload) -> Payload:
        return {"ok": True, "view": payload.get("view")}


async def _payload(request: web.Request) -> Payload:
    """Query, form and JSON parameters alike, as Slack reads them."""
    payload: Payload = dict(request.query)
    if request.content_type == "application/json":
        payload.update(await request.json())
    elif request.can_read_body:
        payload.update(await request.post())
    for key in ("blocks", "view"):
        if isinstance(payload.get(key), str):
            payload[key] = json.loads(payload[key])
    return payload


def member(user_id: str, name: str, *, admin: bool = False, owner: bool = False) -> Payload:
    """A users.info `user` object."""
    return {
        "id": user_id,
        "team_id": TEAM,
        "name": name.lower(),
        "is_admin": admin,
        "is_owner": owner,
        "is_primary_owner": False,
        "profile": {"display_name": name, "real_name": name.title()},
    }


def channel(channel_id: str, name: str, *, archived: bool = False) -> Payload:
    """A conversations.info `channel` object."""
    return {"id": channel_id, "name": name, "is_channel": True, "is_archived": archived}
