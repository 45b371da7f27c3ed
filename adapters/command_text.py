"""The text form of a command, `/admin setup timezone:"America/New_York"`: what the console
reads and what Slack's slash commands carry after the command's name."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from bot.errors import UserError


def parse_command(line: str, names: Iterable[str]) -> tuple[str, dict[str, str]]:
    """'/admin setup timezone:"America/New_York"' -> ("admin setup", {"timezone": ...})."""
    try:
        tokens = shlex.split(line.removeprefix("/"))
    except ValueError as error:
        raise UserError(f"I couldn't read that line ({error}). Close every quote.") from None
    words = [t for t in tokens if ":" not in t]
    known = set(names)
    path = next(
        (" ".join(words[:n]) for n in range(len(words), 0, -1) if " ".join(words[:n]) in known),
        " ".join(words),
    )
    extra = words[len(path.split()) :] if path in known else []
    options = dict(t.split(":", 1) for t in tokens if ":" in t)
    if extra and path == "help" and not options:  # `/help admin setup` names a command
        return path, {"command": " ".join(extra)}
    if extra == ["help"]:  # `/admin setup help`: the core explains the command
        return f"{path} help", {}
    if extra:
        raise UserError(_unexpected(tokens, extra[0]))
    return path, options


def _unexpected(tokens: list[str], word: str) -> str:
    """A stray word, most often the rest of an unquoted value: say how to quote it."""
    before = tokens[tokens.index(word) - 1] if tokens.index(word) > 0 else ""
    if ":" in before:
        name, _, value = before.partition(":")
        return (
            f"Unexpected `{word[:40]}`. Put quotes around a value with spaces, "
            f'e.g. {name[:40]}:"{value[:40]} {word[:40]}".'
        )
    return (
        f"Unexpected `{word[:40]}`. Write options as name:value, e.g. member:@sam or "
        'timezone:America/New_York, and quote values with spaces: title:"Career fair".'
    )
