"""/mydata export and /mydata delete: everything the bot holds about the asking member in
this club, as a file (JSON, and a CSV per table), and its erasure after a confirmation.

Composition-level, like bot/home.py: it acts on every feature's declared member data
(bot/store/member_data.py), which the runtime assembles and passes in."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Final

from bot.app import ButtonAction, Command, Context, Option
from bot.club_time import local
from bot.errors import UserError
from bot.model import Attachment, Button, Message, field_lines, plural, reply
from bot.store.member_data import Held, Member, Registry, counted, erase, held

FORMAT: Final = "clubbot-mydata/1"
DELETE_ACTION: Final = "mydata-delete"
FILENAME: Final = "my-clubbot-data.zip"


def _member(ctx: Context) -> Member:
    return Member(club_id=ctx.club.id, user_id=ctx.user.id)


def _today(ctx: Context) -> date:
    return local(ctx.now, ctx.club.timezone).date()


def confirmation(ctx: Context) -> str:
    """The code that confirms a deletion: the member's own, good until the club's midnight
    (so an old confirmation button does nothing)."""
    seed = f"{ctx.place.platform}:{ctx.club.id}:{ctx.user.id}:{_today(ctx).isoformat()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:6]


# --- export ------------------------------------------------------------------------------


async def export(ctx: Context, registry: Registry) -> Message:
    found = await held(ctx.store.engine, registry, _member(ctx))
    if not found:
        return reply(f"I hold nothing about you in {ctx.club.name}.")
    content = export_zip(found, ctx=ctx)
    rows = sum(len(h.rows) for h in found)
    return Message(
        title="Your data",
        text=(
            f"Everything I hold about you in {ctx.club.name}: {plural(rows, 'record')} in "
            f"{plural(len(found), 'table')}, as JSON and a CSV per table (a zip file). "
            "`/mydata delete` erases it."
        ),
        attachment=Attachment(filename=FILENAME, content=content, mime="application/zip"),
        ephemeral=True,
    )


def export_zip(found: Sequence[Held], *, ctx: Context) -> bytes:
    document = {
        "format": FORMAT,
        "exported_at": ctx.now.isoformat(),
        "club": {"name": ctx.club.name, "platform": ctx.club.platform},
        "member": ctx.user.id,
        "tables": {h.table: {"what": h.what, "rows": list(h.rows)} for h in found},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mydata.json", _readable_json(document))
        for h in found:
            archive.writestr(f"{h.table}.csv", _csv(h.rows))
        archive.writestr("README.txt", _readme(found, ctx.now))
    return buffer.getvalue()


def _readable_json(document: dict[str, Any]) -> str:
    """`document` indented as `json.dumps(indent=2)` would, but each table row on one line:
    json's C encoder writes the rows (its indented output is all Python, and took more
    than half of an export's time)."""

    def dumped(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def members(lines: list[str], depth: int) -> str:
        pad = "  " * depth
        return ",\n".join(pad + line for line in lines)

    tables = [
        f"{dumped(name)}: {{\n"
        + members([f'"what": {dumped(t["what"])}', _rows(t["rows"], dumped)], 3)
        + "\n    }"
        for name, t in document["tables"].items()
    ]
    top = [f"{dumped(k)}: {dumped(v)}" for k, v in document.items() if k != "tables"]
    top.append('"tables": {' + (f"\n{members(tables, 2)}\n  }}" if tables else "}"))
    return "{\n" + members(top, 1) + "\n}"


def _rows(rows: Sequence[dict[str, Any]], dumped: Callable[[Any], str]) -> str:
    if not rows:
        return '"rows": []'
    return '"rows": [\n' + ",\n".join(f"        {dumped(r)}" for r in rows) + "\n      ]"


def _csv(rows: Sequence[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _readme(found: Sequence[Held], now: datetime) -> str:
    lines = [f"What clubbot held about you on {now:%d %b %Y %H:%M} UTC.", ""]
    lines += [f"{h.table}.csv: {h.what} ({plural(len(h.rows), 'row')})" for h in found]
    lines += ["", "mydata.json holds all of it in one file."]
    return "\n".join(lines) + "\n"


# --- delete ------------------------------------------------------------------------------


async def delete(ctx: Context, registry: Registry) -> Message:
    given = ctx.args.get("confirm", "").strip().lower()
    if given:
        return await _erase(ctx, registry, given)
    found = await counted(ctx.store.engine, registry, _member(ctx))
    if not found:
        return reply(f"I hold nothing about you in {ctx.club.name}.")
    code = confirmation(ctx)
    lines = [f"• {c.what}: {c.rows}" for c in found]
    warning = [
        f"This erases everything I hold about you in {ctx.club.name}, for good:",
        field_lines(lines, "-", limit=1500),
        "Records that are the club's (audit entries, past mock-interview groups) stay, "
        "without your name or id. `/mydata export` first if you want a copy.",
    ]
    if ctx.user.id in ctx.club.officer_ids:
        warning.append("You are on the club's officer list: this takes you off it.")
    warning.append(f"Click the button, or run `/mydata delete confirm:{code}` (good today).")
    return Message(
        title="Delete your data?",
        text="\n".join(warning),
        buttons=(Button(label="Delete my data", action=DELETE_ACTION, value=code),),
        ephemeral=True,
    )


async def _erase(ctx: Context, registry: Registry, given: str) -> Message:
    if given != confirmation(ctx):
        raise UserError(
            "That confirmation is not today's (or not yours). Run `/mydata delete` again."
        )
    changed = await erase(ctx.store.engine, registry, _member(ctx))
    if not changed:
        return reply("There was nothing left to delete.")
    total = sum(changed.values())
    return reply(
        f"Done: {plural(total, 'record')} about you erased in {ctx.club.name}. If you use "
        "the bot again, it starts afresh."
    )


def commands(registry: Registry) -> tuple[Command, ...]:
    async def export_handler(ctx: Context) -> Message:
        return await export(ctx, registry)

    async def delete_handler(ctx: Context) -> Message:
        return await delete(ctx, registry)

    return (
        Command(
            name="mydata export",
            description="Everything the bot holds about you here, as a file",
            handler=export_handler,
        ),
        Command(
            name="mydata delete",
            description="Erase everything the bot holds about you here (asks first)",
            handler=delete_handler,
            options=(Option(name="confirm", description="The code /mydata delete gave you"),),
        ),
    )


def buttons(registry: Registry) -> tuple[ButtonAction, ...]:
    async def delete_click(ctx: Context) -> Message:
        return await _erase(ctx, registry, ctx.args["value"].strip().lower())

    return (ButtonAction(action=DELETE_ACTION, handler=delete_click),)
