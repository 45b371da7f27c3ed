"""The Discord and Slack mocks, with what each platform offers against a post sent twice,
implemented as documented (see /work/shared/PLATFORM.md), and a latency per post.

- Discord: `POST /channels/{id}/messages` with `nonce` and `enforce_nonce: true` returns
  the message the same author already made with that nonce within a few minutes
  (`nonce_window`), and makes no second one.
- Slack: `chat.postMessage` keeps `metadata` (`event_type`, `event_payload`) on the message;
  `conversations.history` and `conversations.replies` return it only with
  `include_all_metadata`, newest first, `oldest` exclusive, paged by `cursor`.

`created` lists the messages each platform actually made, which is what a member sees.
A post's latency is spent half before the message exists and half after, so a process
killed mid-post can leave a message made but never answered.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.adapters.discord.test_discord import APP, DiscordMock, _json, _message, _user
from tests.adapters.slack_mock import Payload, SlackMock


@dataclass
class NonceDiscordMock(DiscordMock):
    """Discord with `enforce_nonce`; `created` holds (channel id, body) of each new message."""

    latency: float = 0.0
    nonce_window: float = 300.0
    enforce_nonce: bool = True
    created: list[tuple[str, Any]] = field(default_factory=list)
    _by_nonce: dict[tuple[int, str], tuple[float, dict[str, Any]]] = field(default_factory=dict)

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        parts = path.split("/")
        is_post = request.method == "POST" and len(parts) == 4 and parts[3] == "messages"
        queued = self.fail_next.get(path)
        if not is_post or queued or request.content_type != "application/json":
            return await super()._handle(request)
        body = await request.json()
        self.requests.append((request.method, path, body))
        await asyncio.sleep(self.latency / 2)
        message = self._create(int(parts[2]), body)
        await asyncio.sleep(self.latency / 2)
        return _json(message)

    def _answer(self, method: str, path: str, body: Any) -> Any:
        """Adds what a DM needs: a member fetched by id, and the DM channel opened to them."""
        parts = path.split("/")
        if path == "/users/@me/channels":
            self._ids += 1
            recipient = _user(int(body["recipient_id"]), "member")
            return {"id": str(self._ids), "type": 1, "recipients": [recipient]}
        if len(parts) == 3 and parts[1] == "users" and parts[2].isdigit():
            return _user(int(parts[2]), "member")
        return super()._answer(method, path, body)

    def _create(self, channel: int, body: dict[str, Any]) -> dict[str, Any]:
        nonce, now = body.get("nonce"), time.monotonic()
        if nonce is not None and body.get("enforce_nonce") and self.enforce_nonce:
            seen = self._by_nonce.get((APP, str(nonce)))
            if seen is not None and now - seen[0] <= self.nonce_window:
                return seen[1]
        self._ids += 1
        message = {**_message(self._ids, channel, body), "nonce": nonce}
        self.created.append((str(channel), body))
        if nonce is not None:
            self._by_nonce[(APP, str(nonce))] = (now, message)
        return message


@dataclass
class MetadataSlackMock(SlackMock):
    """Slack keeping message metadata; `created` holds every message made (with its ts)."""

    latency: float = 0.0
    accept_any_channel: bool = False
    created: list[Payload] = field(default_factory=list)
    _last_ts: float = 0.0

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "chat.postMessage" or not self.latency:
            return await super()._api(request)
        await asyncio.sleep(self.latency / 2)
        answer = await super()._api(request)
        await asyncio.sleep(self.latency / 2)
        return answer

    def _chat_postMessage(self, payload: Payload) -> Payload:
        channel_id = str(payload.get("channel", ""))
        if self.accept_any_channel and channel_id not in self.channels:
            self.channels[channel_id] = {"id": channel_id, "name": channel_id}
        answer = super()._chat_postMessage(payload)
        if not answer["ok"]:
            return answer
        # Real ts: seconds since the epoch, unique per channel.
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        ts = f"{self._last_ts:.6f}"
        stored = {
            "ts": ts,
            "channel": channel_id,
            "thread_ts": payload.get("thread_ts"),
            "text": payload.get("text"),
            "blocks": payload.get("blocks"),
            "metadata": payload.get("metadata"),
        }
        self.created.append(stored)
        return {**answer, "ts": ts, "message": {"ts": ts}}

    def _conversations_history(self, payload: Payload) -> Payload:
        channel = str(payload.get("channel", ""))
        found = [
            m for m in self.created if m["channel"] == channel and m["thread_ts"] in (None, m["ts"])
        ]
        return self._page(found, payload)

    def _conversations_replies(self, payload: Payload) -> Payload:
        channel, parent = str(payload.get("channel", "")), str(payload.get("ts", ""))
        found = [
            m
            for m in self.created
            if m["channel"] == channel and (m["ts"] == parent or m["thread_ts"] == parent)
        ]
        return self._page(found, payload)

    def _page(self, found: list[Payload], payload: Payload) -> Payload:
        oldest = float(payload.get("oldest") or 0)
        with_metadata = str(payload.get("include_all_metadata", "")).lower() in ("1", "true")
        newest_first = sorted(
            (m for m in found if float(m["ts"]) > oldest),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )
        start = int(payload.get("cursor") or 0)
        limit = int(payload.get("limit") or 100)
        page = newest_first[start : start + limit]
        more = start + limit < len(newest_first)
        messages = [
            {
                "type": "message",
                "ts": m["ts"],
                "text": m["text"] or "",
                **({"metadata": m["metadata"]} if with_metadata and m["metadata"] else {}),
            }
            for m in page
        ]
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }
