"""Messages out: the core's `Message` as an embed, its buttons as a view."""

from __future__ import annotations

import io
from typing import Any

import discord

from bot.model import Message, Stamp, plain, render_mentions, render_stamps


def timestamp(stamp: Stamp) -> str:
    """Discord's timestamp markup: each reader's client shows it in their own zone."""
    return f"<t:{stamp.unix}:{stamp.style}>"


def _shown(text: str) -> str:
    return render_stamps(text, timestamp)


def embed(message: Message) -> discord.Embed:
    # Titles and field names don't render timestamp markup: they get the club-zone text.
    card = discord.Embed(
        title=plain(message.title) or None,
        description=_shown(render_mentions(message.text, _mention)) or None,
    )
    for field in message.fields:
        value = _shown(render_mentions(field.value, _mention))
        card.add_field(name=plain(field.name), value=value, inline=False)
    return card


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def view(message: Message) -> discord.ui.View | None:
    if not message.buttons:
        return None
    buttons = discord.ui.View(timeout=None)
    for button in message.buttons:
        if button.url:
            buttons.add_item(discord.ui.Button(label=plain(button.label), url=button.url))
        else:
            label = plain(button.label)
            buttons.add_item(discord.ui.Button(label=label, custom_id=button.custom_id))
    # Clicks are routed by custom id in `on_interaction`; a view still running is kept in
    # discord.py's view store for ever (one per post), a stopped one is sent and dropped.
    buttons.stop()
    return buttons


def send_kwargs(message: Message) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"embed": embed(message)}
    buttons = view(message)
    if buttons is not None:
        kwargs["view"] = buttons
    if message.attachment is not None:
        file = message.attachment
        kwargs["file"] = discord.File(io.BytesIO(file.content), filename=file.filename)
    return kwargs
