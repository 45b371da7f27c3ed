"""Boundary types: what adapters hand the core and what the core hands back.

Limits are the stricter of Discord's and Slack's (see shared/PLATFORM.md), so a
`Message` that builds renders on both platforms without being cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

Platform = Literal["discord", "slack", "console"]
PLATFORMS: tuple[Platform, ...] = ("discord", "slack", "console")

# Slack section text is 3000 (Discord's embed description 4096).
MAX_TEXT = 3000
# Slack header is 150 (Discord's embed title 256).
MAX_TITLE = 150
# Slack allows 10 fields per section (Discord 25 per embed).
MAX_FIELDS = 10
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
# Discord embeds: title + description + fields together.
MAX_TOTAL = 6000
# Discord: 5 rows of 5 buttons; Slack actions blocks take 25 elements.
MAX_BUTTONS = 25
# Slack button text is 75 (Discord's label 80).
MAX_BUTTON_LABEL = 75
# Discord's custom_id is 100 characters and carries "action:value".
MAX_BUTTON_ID = 100
MAX_URL = 512
# Discord's smallest upload limit for bots; Slack allows more.
MAX_ATTACHMENT = 8 * 1024 * 1024


# --- instants each reader sees in their own zone -----------------------------------------
# The core writes `stamp(...)` into any text; each adapter renders it (Discord `<t:…>`,
# Slack `<!date^…>`) and the console shows its fallback, the time in the club's zone.
StampStyle = Literal["f", "t", "R"]
_OPEN, _CLOSE = "\ue000", "\ue001"
_MAX_FALLBACK = 80
_STAMP = re.compile(
    f"{_OPEN}(-?[0-9]{{1,12}})[|]([ftR])[|]([^{_OPEN}{_CLOSE}]{{1,{_MAX_FALLBACK}}}){_CLOSE}"
)
# What the longest rendering (Slack's `<!date^UNIX^{date_short_pretty} {time}|fallback>`)
# adds around a stamp's number and fallback; lengths are checked against that rendering.
STAMP_MARKUP = 36


@dataclass(frozen=True, slots=True, kw_only=True)
class Stamp:
    """An instant in a message: `style` "f" is date and time, "t" the time of day, "R"
    relative ("in 3 days")."""

    unix: int
    style: StampStyle
    fallback: str


def stamp(at: datetime, fallback: str, style: StampStyle = "f") -> str:
    """`at` as a token inside message text; `fallback` is shown where a platform can't localise."""
    clean = fallback.replace(_OPEN, "").replace(_CLOSE, "")[:_MAX_FALLBACK] or "?"
    return f"{_OPEN}{int(at.timestamp())}|{style}|{clean}{_CLOSE}"


def render_stamps(text: str, render: Callable[[Stamp], str]) -> str:
    """`text` with every stamp replaced by `render(stamp)`."""

    def one(match: re.Match[str]) -> str:
        style = cast(StampStyle, match[2])
        return render(Stamp(unix=int(match[1]), style=style, fallback=match[3]))

    return _STAMP.sub(one, text)


def plain(text: str) -> str:
    """`text` with every stamp as its fallback (the console, titles, button labels)."""
    return render_stamps(text, lambda s: s.fallback)


# A member named so that the platform shows a clickable mention: Discord `<@id>`, Slack
# `<@U…>`, the console `@id`. Private-use characters delimit it, so nothing a member types
# turns into one by escaping; it never pings (Discord sends AllowedMentions.none(), and a
# Slack mention in a DM notifies no one outside the DM).
_MENTION = re.compile("\ue000([A-Za-z0-9_.-]{1,64})\ue001")
# What the longest rendering of a mention (`<@id>`) adds around its id.
MENTION_MARKUP = 3
_TOKEN = re.compile(f"{_STAMP.pattern}|{_MENTION.pattern}")


def _pieces(text: str) -> Iterator[tuple[str, int]]:
    """Plain runs and whole stamps and mentions of `text`, each with its shown length."""
    end = 0
    for match in _TOKEN.finditer(text):
        if match.start() > end:
            yield text[end : match.start()], match.start() - end
        if match[4] is not None:  # a mention
            yield match[0], len(match[4]) + MENTION_MARKUP
        else:
            yield match[0], len(match[1]) + len(match[3]) + STAMP_MARKUP
        end = match.end()
    if end < len(text):
        yield text[end:], len(text) - end


def shown_length(text: str) -> int:
    """The length of `text` as its longest platform rendering, which the limits apply to."""
    if _OPEN not in text:  # no stamp or mention: most text, read at C speed
        return len(text)
    return sum(cost for _, cost in _pieces(text))


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` shown characters, marking the cut with an ellipsis; never
    through a stamp."""
    if shown_length(text) <= limit:
        return text
    kept, room = [], limit - 1
    for piece, cost in _pieces(text):
        if cost > room and piece.startswith(_OPEN) and _TOKEN.fullmatch(piece):
            break
        kept.append(piece[:room])
        room -= min(cost, room)
        if room <= 0:
            break
    return "".join(kept) + "…"


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """Where something happens or is posted: a channel of one club's workspace."""

    platform: Platform
    workspace_id: str
    channel_id: str

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r}")
        if not self.workspace_id:
            raise ValueError("a Place needs a workspace_id")


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A member as the platform describes them.

    `is_admin` is the platform's own right (Discord MANAGE_GUILD or
    ADMINISTRATOR, Slack workspace admin or owner); `roles` are platform role
    ids, matched against the club's officer role.
    """

    id: str
    name: str
    is_admin: bool = False
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandEvent:
    """A member ran a command: `name` is the full path, e.g. "admin officers add"."""

    name: str
    args: Mapping[str, str]
    user: User
    place: Place


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonEvent:
    """A member clicked a button the bot posted earlier."""

    action: str
    value: str
    user: User
    place: Place


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    name: str
    value: str
    inline: bool = False

    def __post_init__(self) -> None:
        _check_length("field name", self.name, MAX_FIELD_NAME, allow_empty=False)
        _check_length("field value", self.value, MAX_FIELD_VALUE, allow_empty=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Button:
    """A button: either an action routed back to the core, or a link."""

    label: str
    action: str = ""
    value: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        _check_length("button label", self.label, MAX_BUTTON_LABEL, allow_empty=False)
        if bool(self.action) == bool(self.url):
            raise ValueError("a Button has either an action or a url")
        if self.url and not self.url.startswith(("https://", "http://")):
            raise ValueError(f"button url must be http(s): {self.url!r}")
        _check_length("button url", self.url, MAX_URL, allow_empty=True)
        if ":" in self.action:
            raise ValueError("a button action may not contain ':'")
        _check_length("button id", self.custom_id, MAX_BUTTON_ID, allow_empty=True)

    @property
    def custom_id(self) -> str:
        """What the platform carries back on a click: "action:value"."""
        return f"{self.action}:{self.value}" if self.action else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file sent with a message (e.g. a calendar feed); adapters upload it."""

    filename: str
    content: bytes
    mime: str = "application/octet-stream"

    def __post_init__(self) -> None:
        _check_length("attachment name", self.filename, 100, allow_empty=False)
        if len(self.content) > MAX_ATTACHMENT:
            raise ValueError(f"attachment is {len(self.content)} bytes; at most {MAX_ATTACHMENT}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One reply or post. Text is plain: adapters escape it for their platform."""

    text: str
    title: str = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    thread_of: str | None = None
    attachment: Attachment | None = None

    def __post_init__(self) -> None:
        if not self.text.strip() and not self.fields:
            raise ValueError("a Message needs text or fields")
        _check_length("text", self.text, MAX_TEXT, allow_empty=True)
        _check_length("title", self.title, MAX_TITLE, allow_empty=True)
        if len(self.fields) > MAX_FIELDS:
            raise ValueError(f"{len(self.fields)} fields; at most {MAX_FIELDS}")
        if len(self.buttons) > MAX_BUTTONS:
            raise ValueError(f"{len(self.buttons)} buttons; at most {MAX_BUTTONS}")
        total = shown_length(self.text) + shown_length(self.title)
        total += sum(shown_length(f.name) + shown_length(f.value) for f in self.fields)
        if total > MAX_TOTAL:
            raise ValueError(f"message is {total} characters in all; at most {MAX_TOTAL}")


def _check_length(what: str, text: str, limit: int, *, allow_empty: bool) -> None:
    if not allow_empty and not text.strip():
        raise ValueError(f"{what} is empty")
    if shown_length(text) > limit:
        raise ValueError(f"{what} is {shown_length(text)} characters; at most {limit}")


def mention(user_id: str) -> str:
    """`user_id` as a mention inside a Message's text or field values."""
    return f"\ue000{user_id}\ue001"


def render_mentions(text: str, render: Callable[[str], str]) -> str:
    """`text` with each mention replaced by the platform's form of it, `render(user_id)`."""
    return _MENTION.sub(lambda found: render(found[1]), text)


def plural(count: int, noun: str) -> str:
    """'1 day', '3 days'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def field_lines(lines: Sequence[str], empty: str, limit: int = MAX_FIELD_VALUE) -> str:
    """A field value listing whole `lines` that fit, then "…and N more"; `empty` if none."""
    if not lines:
        return empty
    kept: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = len(f"\n…and {rest} more") if rest else 0
        if shown_length("\n".join([*kept, line])) + tail > limit:
            if not kept:  # the first line alone is too long: cut it, still count the rest
                return clip(line, limit - tail) + (f"\n…and {rest} more" if rest else "")
            return "\n".join([*kept, f"…and {len(lines) - index} more"])
        kept.append(line)
    return "\n".join(kept)


def reply(text: str, *, title: str = "", fields: Sequence[Field] = ()) -> Message:
    """An ephemeral answer to the member who asked, fitted (see `fit`)."""
    return fit(text, title=title, fields=fields, ephemeral=True)


# --- fitting what a builder has into the platforms' limits -----------------------------
# No message the bot builds may fail for its size: a builder with more than one message
# holds lays it out with `pages` (and says in its own words what is on the next page), and
# `fit` makes anything else fit, saying what it left out.

# Room `fit` keeps for its note on what was left out.
_NOTE_ROOM = 240
_CONTINUED = " (continued)"
# The least room `pages` lays a page out in: a whole field name and the start of an item.
MIN_ROOM = MAX_FIELD_NAME + 100


def fit(
    text: str,
    *,
    title: str = "",
    fields: Sequence[Field] = (),
    more: str = "",
    buttons: tuple[Button, ...] = (),
    ephemeral: bool = False,
    thread_of: str | None = None,
    attachment: Attachment | None = None,
) -> Message:
    """One Message within every limit, whatever it is given: the title and text clipped,
    the fields kept in order while they fit (MAX_FIELDS, and MAX_TOTAL in all), and the
    text then says how many were left out, followed by `more` (where to find them)."""
    title = clip(title, MAX_TITLE)
    kept = _fields_within(
        fields, MAX_TOTAL - shown_length(title) - min(shown_length(text), MAX_TEXT)
    )
    note = ""
    if len(kept) < len(fields):
        room = MAX_TOTAL - shown_length(title) - min(shown_length(text), MAX_TEXT - _NOTE_ROOM)
        kept = _fields_within(fields, room - _NOTE_ROOM)
        left = plural(len(fields) - len(kept), "more section")
        said = f"…and {left} that didn't fit here" + (f": {more}" if more else ".")
        note = clip(said, _NOTE_ROOM - 1)
    body = clip(text, MAX_TEXT - shown_length(note) - 1) if note else clip(text, MAX_TEXT)
    body = f"{body}\n{note}" if body.strip() and note else body or note
    return Message(
        text=body if body.strip() or kept else "-",
        title=title,
        fields=tuple(kept),
        buttons=buttons,
        ephemeral=ephemeral,
        thread_of=thread_of,
        attachment=attachment,
    )


def _fields_within(fields: Sequence[Field], room: int) -> list[Field]:
    kept: list[Field] = []
    for field in fields[:MAX_FIELDS]:
        room -= shown_length(field.name) + shown_length(field.value)
        if room < 0:
            break
        kept.append(field)
    return kept


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """Items under one heading (a company's postings, a section of windows); each item,
    one or more lines, is kept whole when laid out."""

    name: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """The fields of one message, and how many items they show."""

    fields: tuple[Field, ...]
    shown: int


def pages(
    groups: Iterable[Group],
    *,
    room: int = MAX_TOTAL - _NOTE_ROOM,
    max_fields: int = MAX_FIELDS,
    max_pages: int | None = None,
) -> list[Page]:
    """Every item of every group laid out in order over as many fields and pages as it
    takes: a group longer than a field continues in the next one ("… (continued)"), on the
    next page if need be. A page's fields take at most `room` characters (what the message
    leaves after its title and text; at least MIN_ROOM); an item longer than a field, or
    than a page's room, is clipped. With `max_pages`, only those first pages: the groups
    after them are not asked for (they may be made as they are read)."""
    layout = _Layout(room=max(room, MIN_ROOM), max_fields=max(max_fields, 1))
    for group in groups:
        for index, item in enumerate(group.items):
            layout.add(group.name, item, first=index == 0)
            if max_pages is not None and len(layout.pages) >= max_pages:
                return layout.pages[:max_pages]  # the item that began the next page is not shown
    return layout.done()


class _Layout:
    """`pages`' state: the pages so far, this page's closed fields and the open one."""

    def __init__(self, *, room: int, max_fields: int) -> None:
        self.room, self.max_fields = room, max_fields
        self.pages: list[Page] = []
        self.fields: list[Field] = []
        self.used = self.shown = 0  # this page's closed fields' size; its items
        self.name, self.items = "", list[str]()
        self.length = 0  # the open field's value, as shown

    def add(self, group: str, item: str, *, first: bool) -> None:
        group = group if group.strip() else "-"  # a field needs a name
        item = clip(item, MAX_FIELD_VALUE) if item.strip() else "-"
        length = shown_length(item)
        if first:
            self._close_field()
        elif self.items and self._fits(self.name, self.length + 1 + length):
            self.items.append(item)
            self.length += 1 + length
            self.shown += 1
            return
        self._close_field()
        name = clip(group, MAX_FIELD_NAME - len(_CONTINUED))
        name = clip(group, MAX_FIELD_NAME) if first else name + _CONTINUED
        if self.fields and (len(self.fields) >= self.max_fields or not self._fits(name, length)):
            self._close_page()
        room = min(MAX_FIELD_VALUE, self.room - self.used - shown_length(name))
        self.name, self.items = name, [clip(item, max(room, 1))]
        self.length = shown_length(self.items[0])
        self.shown += 1

    def _fits(self, name: str, length: int) -> bool:
        """A field `name` with a value of `length` shown characters fits this page. (An
        open field's length is kept as items join it, one newline each: a stamp or mention
        never spans two items, which are made whole.)"""
        return length <= MAX_FIELD_VALUE and self.used + shown_length(name) + length <= self.room

    def _close_field(self) -> None:
        if self.items:
            field = Field(name=self.name, value="\n".join(self.items))
            self.fields.append(field)
            self.used += shown_length(field.name) + shown_length(field.value)
            self.items = []

    def _close_page(self) -> None:
        self._close_field()
        if self.fields:
            self.pages.append(Page(fields=tuple(self.fields), shown=self.shown))
        self.fields, self.used, self.shown = [], 0, 0

    def done(self) -> list[Page]:
        self._close_page()
        return self.pages
