"""A message as the plain-text lines a terminal shows."""

from __future__ import annotations

from bot.model import Message, plain, render_mentions


def render(message: Message) -> list[str]:
    """Plain-text lines for a message, the way a terminal shows it."""
    # A terminal has no reader's zone: instants show in the club's zone (their fallback).
    lines = [f"** {plain(message.title)} **"] if message.title else []
    lines += plain(message.text).splitlines() if message.text.strip() else []
    for item in message.fields:
        lines.append(f"{plain(item.name)}:")
        lines += [f"  {line}" for line in plain(item.value).splitlines()]
    lines += [f"[button: {plain(b.label)}]" for b in message.buttons]
    if message.attachment is not None:
        file = message.attachment
        lines.append(f"[attachment: {file.filename}, {len(file.content):,} bytes]")
    return [render_mentions(line, lambda user_id: f"@{user_id}") for line in lines]
