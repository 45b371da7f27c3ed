"""A core `Message` as Slack Block Kit, with the plain `text` fallback notifications use.

All text the core hands over is plain and may carry member input, so every mrkdwn
string is escaped (`&`, `<`, `>`): `<!channel>` or `<@U123>` typed by a member stays
text and never pings. Slack's limits (shared/PLATFORM.md) are applied after escaping,
since escaping makes text longer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from bot.model import Button, Field, Message, Stamp, plain, render_mentions, render_stamps

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_FALLBACK = 3000
# Every action_id the bot sends starts with this, so one listener takes every click.
ACTION_PREFIX = "clubbot."


def escape(text: str) -> str:
    """Slack's three control characters as entities; nothing else is special in mrkdwn text.
    The core's own mentions (bot.model.mention) become Slack's `<@U…>`."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return render_mentions(escaped, lambda user_id: f"<@{user_id}>")  # the core's, not typed


# Slack's date tokens for each stamp style; "{date_short_pretty}" says today/tomorrow, the
# nearest Slack has to Discord's relative style.
DATE_FORMATS = {"f": "{date_short_pretty} {time}", "t": "{time}", "R": "{date_short_pretty} {time}"}


def date_markup(stamp: Stamp) -> str:
    """Slack's date formatting: each reader sees their own zone; the fallback is the club's."""
    return f"<!date^{stamp.unix}^{DATE_FORMATS[stamp.style]}|{stamp.fallback}>"


def mrkdwn_text(text: str) -> str:
    """Core text as mrkdwn: escaped first (member input never pings), then the bot's own
    date markup, the only `<…>` it contains."""
    return render_stamps(escape(text), date_markup)


def plain_text(text: str) -> str:
    """Core text for plain_text objects (headers, buttons), which render no markup."""
    return plain(text)


def unescape(text: str) -> str:
    """What a member typed, from Slack's escaped form (slash command text arrives escaped)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def cut(escaped: str, limit: int) -> str:
    """Cut already-escaped text to `limit`, never through an entity, marking the cut."""
    if len(escaped) <= limit:
        return escaped
    head = escaped[: limit - 1]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    # Escaped text has no `<` of its own: one after the last `>` opens cut date markup.
    opened = head.rfind("<")
    if opened > head.rfind(">"):
        head = head[:opened]
    return head + "…"


def _chunks(escaped: str, limit: int) -> Iterator[str]:
    """Escaped text in pieces of at most `limit`, split at line ends where possible."""
    piece = ""
    for line in escaped.split("\n"):
        while len(line) > limit:
            head = cut(line, limit)[:-1]
            if piece:
                yield piece
                piece = ""
            yield head
            line = line[len(head) :]
        candidate = f"{piece}\n{line}" if piece else line
        if len(candidate) > limit:
            yield piece
            candidate = line
        piece = candidate
    if piece.strip():
        yield piece


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _field_text(item: Field, limit: int) -> str:
    return cut(f"*{mrkdwn_text(item.name)}*\n{mrkdwn_text(item.value)}", limit)


def _field_blocks(fields: Sequence[Field]) -> list[Block]:
    """Inline fields side by side (a section's `fields`), the others one section each."""
    blocks: list[Block] = []
    row: list[Block] = []
    for item in fields:
        if item.inline and len(row) < MAX_SECTION_FIELDS:
            row.append(_mrkdwn(_field_text(item, MAX_FIELD_TEXT)))
            continue
        if row:
            blocks.append({"type": "section", "fields": row})
            row = []
        if item.inline:
            row.append(_mrkdwn(_field_text(item, MAX_FIELD_TEXT)))
        else:
            blocks.append({"type": "section", "text": _mrkdwn(_field_text(item, MAX_SECTION_TEXT))})
    if row:
        blocks.append({"type": "section", "fields": row})
    return blocks


def button_element(button: Button, index: int) -> Block:
    """A button; its value carries the core's "action:value" back on a click."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain_text(button.label), "emoji": True},
    }
    if button.url:
        element.update(action_id=f"{ACTION_PREFIX}link.{index}", url=button.url)
    else:
        element.update(action_id=f"{ACTION_PREFIX}{index}.{button.action}", value=button.custom_id)
    return element


def blocks(message: Message, *, limit: int = MAX_BLOCKS) -> list[Block]:
    """The message as Block Kit: header, text sections, fields, then one row of buttons."""
    out: list[Block] = []
    if message.title.strip():
        header = plain_text(message.title)[:MAX_HEADER]
        out.append({"type": "header", "text": {"type": "plain_text", "text": header}})
    if message.text.strip():
        out += [
            {"type": "section", "text": _mrkdwn(piece)}
            for piece in _chunks(mrkdwn_text(message.text), MAX_SECTION_TEXT)
        ]
    out += _field_blocks(message.fields)
    actions = {"type": "actions", "elements": _buttons(message.buttons)}
    out = out[: limit - 1] if message.buttons else out[:limit]
    return [*out, actions] if message.buttons else out


def _buttons(buttons: Sequence[Button]) -> list[Block]:
    return [button_element(b, i) for i, b in enumerate(buttons)]


def fallback_text(message: Message) -> str:
    """The plain `text` Slack shows in notifications and where blocks can't render."""
    parts = [message.title] if message.title.strip() else []
    parts += [message.text] if message.text.strip() else []
    parts += [f"{f.name}: {f.value}" for f in message.fields]
    return cut(mrkdwn_text("\n".join(parts)), MAX_FALLBACK)


def message_payload(message: Message) -> dict[str, Any]:
    """The shared part of chat.postMessage and response_url payloads."""
    payload: dict[str, Any] = {"text": fallback_text(message), "blocks": blocks(message)}
    if message.thread_of:
        payload["thread_ts"] = message.thread_of
    return payload


def home_view(sections: Sequence[Message]) -> dict[str, Any]:
    """An App Home tab: each section's blocks, divided, within the view's 100 blocks."""
    out: list[Block] = []
    for message in sections:
        if out:
            out.append({"type": "divider"})
        out += blocks(message, limit=MAX_HOME_BLOCKS)
    return {"type": "home", "blocks": out[:MAX_HOME_BLOCKS]}
