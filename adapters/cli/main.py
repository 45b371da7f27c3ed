"""The composition root: `clubbot console|demo|db|discord|slack`.

Platform SDKs are imported only inside the subcommand that needs them, so
`clubbot console` and `clubbot demo` never load discord.py or slack-bolt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.cli import console_web, db_commands
from adapters.cli.db_commands import database_url, open_existing
from adapters.cli.demo import DEMO_SCRIPT, DEMO_START, run_demo
from adapters.cli.failures import explain
from adapters.console import ConsoleDirectory, ConsolePoster, ConsoleSession, Output
from bot import logs
from bot.clock import ManualClock, SystemClock
from bot.config import Settings, load_settings, sqlite_url
from bot.model import Platform, User
from bot.runtime import Runtime, open_runtime
from bot.store.db import backup_sqlite
from bot.store.export import ImportRefused, export_club, import_club
from bot.store.store import Store
from bot.web import Site
from bot.windows import club_feed

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValueError as error:
        print(f"clubbot: {error}", file=sys.stderr)
        return 2
    with logs.configured(settings.log_level, settings.log_format):
        return _run(args, settings)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command; an expected failure (see adapters/failures.py) in a line or two."""
    try:
        return int(asyncio.run(args.run(args, settings)))
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        advice = explain(error, database_url(args, settings))
        if advice is None:
            raise  # a bug: its traceback is the report
        log.debug("what went wrong, in full:", exc_info=error)
        print(f"clubbot: {advice}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clubbot", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    console = commands.add_parser("console", help="an interactive (or scripted) console club")
    console.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    console.add_argument("--now", type=_instant, help="start the simulated clock here (ISO)")
    console.add_argument("--platform", choices=("discord", "slack"), default="console")
    console.add_argument("--web", metavar="HOST:PORT", help=WEB_HELP)
    console.set_defaults(run=_console)
    demo = commands.add_parser("demo", help="a scripted two-week demo on a fresh database")
    demo.add_argument("--web", metavar="HOST:PORT", help=WEB_HELP + "; ends with its links")
    demo.set_defaults(run=_demo)
    db_commands.add_parser(commands)
    export = commands.add_parser("export", help="write one club's data as JSON to stdout")
    export.add_argument("--club", type=int, required=True, help="the club's id (see `clubs`)")
    export.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    export.set_defaults(run=_export)
    load = commands.add_parser("import", help="create a club from an export file")
    load.add_argument("file", type=Path, help="a file written by `clubbot export`")
    load.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    load.set_defaults(run=_import)
    backup = commands.add_parser("backup", help="copy the SQLite database, safe while it runs")
    backup.add_argument("target", type=Path, help="the new file, e.g. clubbot-2026-12-01.db")
    backup.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    backup.set_defaults(run=_backup)
    feed = commands.add_parser("calendar", help="write a club's windows as an .ics to stdout")
    feed.add_argument("--club", type=int, required=True, help="the club's id (see `clubs`)")
    feed.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    feed.set_defaults(run=_calendar)
    purge = commands.add_parser("purge-left", help="delete clubs whose platform removed the bot")
    purge.add_argument("--days", type=int, default=30, help="after this many days (30)")
    purge.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    purge.set_defaults(run=_purge_left)
    clubs = commands.add_parser("clubs", help="list the clubs in the database with their ids")
    clubs.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    clubs.set_defaults(run=_clubs)
    slack = commands.add_parser("slack", help="run on Slack, or print its app manifest")
    slack.add_argument("action", nargs="?", choices=("run", "manifest"), default="run")
    slack.add_argument("--prefix", default="", help="slash-command prefix, e.g. cb- for /cb-help")
    slack.add_argument("--http", action="store_true", help="HTTP mode with the OAuth install flow")
    slack.add_argument("--port", type=int, default=3000, help="HTTP mode's port (default 3000)")
    slack.add_argument("--url", help="manifest: the public base URL of HTTP mode")
    slack.add_argument("--web", metavar="HOST:PORT", help="serve the web side here too")
    slack.set_defaults(run=_slack)
    discord = commands.add_parser("discord", help="run on Discord, or just sync its commands")
    discord.add_argument("action", nargs="?", choices=("run", "sync"), default="run")
    discord.add_argument("--shard-count", type=int, help="total shards across all processes")
    discord.add_argument("--shard-ids", help="this process's shards, e.g. 0,1")
    discord.add_argument("--web", metavar="HOST:PORT", help="serve the web side here too")
    discord.set_defaults(run=_discord)
    _add_web(commands)
    return parser


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date-time, e.g. 2026-11-16T09:00-05:00"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


async def _console_runtime(
    url: str,
    clock: ManualClock,
    out: Output,
    settings: Settings,
    *,
    public_url: str = "",
    web_listen: str = "",
) -> tuple[Runtime, ConsolePoster]:
    poster = ConsolePoster(out=out)
    runtime = await open_runtime(
        database_url=url,
        clock=clock,
        poster=poster,
        directory=ConsoleDirectory(refusing=poster.refusing),
        grace=settings.grace,
        public_url=public_url,
        web_listen=web_listen,
        postings_settings=settings.postings,
    )
    await runtime.scheduler.load()
    return runtime, poster


def _quiet_runs() -> None:
    """The console shows each post itself; its run log would only repeat it on stderr."""
    logging.getLogger(logs.RUNS).setLevel(logging.ERROR)


async def _console(args: argparse.Namespace, settings: Settings) -> int:
    if args.web:
        return await _console_web(args, settings)
    _quiet_runs()
    clock = ManualClock(args.now or datetime.now(UTC))
    runtime, poster = await _console_runtime(database_url(args, settings), clock, print, settings)
    session = _session(runtime, clock, poster, print, args.platform)
    interactive = sys.stdin.isatty()
    if interactive:
        print("clubbot console: /help for commands, :help for console actions, :quit to leave")
    try:
        while True:
            line = _read(interactive)
            if line is None or not await session.execute(line):
                return 0
    finally:
        await runtime.close()


def _session(
    runtime: Runtime,
    clock: ManualClock,
    poster: ConsolePoster,
    out: Output,
    platform: Platform = "console",
) -> ConsoleSession:
    """The console's session on `runtime`: `:postings FILE` feeds the runtime's own postings
    (the ones its hourly poll reads), with or without the web side."""
    return ConsoleSession(
        bot=runtime.bot,
        scheduler=runtime.scheduler,
        clock=clock,
        poster=poster,
        out=out,
        platform=platform,
        postings=runtime.postings,
    )


def _read(interactive: bool) -> str | None:
    try:
        return input("clubbot> ") if interactive else (sys.stdin.readline() or None)
    except EOFError:
        return None


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    if args.web:
        return await _demo_web(args, settings)
    _quiet_runs()
    with tempfile.TemporaryDirectory(prefix="clubbot-demo-") as folder:
        url = sqlite_url(Path(folder) / "demo.db")
        clock = ManualClock(DEMO_START)

        async def start() -> tuple[Runtime, ConsoleSession]:
            runtime, poster = await _console_runtime(url, clock, print, settings)
            return runtime, _session(runtime, clock, poster, print)

        await run_demo(DEMO_SCRIPT, start=start, out=print)
    return 0


# --- the console with its web side: `--web HOST:PORT` on `clubbot console` and `demo` ----

WEB_HELP = "serve the web side here too (PUBLIC_URL defaults to http://HOST:PORT)"


def say(line: str) -> None:
    """A console line, flushed at once: the pages' visitor may be reading it from a pipe."""
    print(line, flush=True)


async def _console_web(args: argparse.Namespace, settings: Settings) -> int:
    _quiet_runs()
    public_url = settings.public_url or console_web.local_url(args.web)
    clock = ManualClock(args.now or datetime.now(UTC))
    runtime, poster = await _console_runtime(
        database_url(args, settings),
        clock,
        say,
        settings,
        public_url=public_url,
        web_listen=args.web,
    )
    session = _session(runtime, clock, poster, say, args.platform)
    interactive = sys.stdin.isatty()
    say(console_web.greeting(public_url))
    try:
        await console_web.run_lines(session, lambda: _read(interactive))
    finally:
        await runtime.close()
    return 0


async def _demo_web(args: argparse.Namespace, settings: Settings) -> int:
    """The demo, then the web side's links, served until the console is left."""
    _quiet_runs()
    site = Site(public_url=settings.public_url or console_web.local_url(args.web))
    with tempfile.TemporaryDirectory(prefix="clubbot-demo-") as folder:
        url = sqlite_url(Path(folder) / "demo.db")
        clock = ManualClock(DEMO_START)

        async def start() -> tuple[Runtime, ConsoleSession]:
            runtime, poster = await _console_runtime(
                url, clock, say, settings, public_url=site.public_url, web_listen=args.web
            )
            return runtime, _session(runtime, clock, poster, say)

        async def serve_on(runtime: Runtime, session: ConsoleSession) -> None:
            alex = User(id="alex", name="alex", is_admin=True)
            say("")
            for line in await console_web.demo_links(runtime, site, member="sam", officer=alex):
                say(line)
            say("The console goes on (/help, :help); :quit or Ctrl-D stops the server.")
            interactive = sys.stdin.isatty()
            await console_web.run_lines(session, lambda: _read(interactive))

        script = DEMO_SCRIPT + console_web.DEMO_WEB_SCRIPT
        await run_demo(script, start=start, out=say, after=serve_on)
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    store = await open_existing(database_url(args, settings))
    try:
        data = await export_club(store, args.club)
    except ImportRefused as error:
        print(f"clubbot export: {error}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"clubbot import: can't read {args.file}: {error}", file=sys.stderr)
        return 1
    store = await Store.open(database_url(args, settings))
    try:
        club_id = await import_club(store, data)
    except ImportRefused as error:
        print(f"clubbot import: {error}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    print(f"Imported as club {club_id}.")
    return 0


async def _backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        pages = backup_sqlite(database_url(args, settings), args.target)
    except (ValueError, sqlite3.Error) as error:
        print(f"clubbot backup: {error}", file=sys.stderr)
        return 1
    print(f"Backed up to {args.target} ({pages} pages).")
    return 0


async def _calendar(args: argparse.Namespace, settings: Settings) -> int:
    store = await open_existing(database_url(args, settings))
    try:
        club = next((c for c in await store.clubs.all() if c.id == args.club), None)
        if club is None:
            print(f"clubbot calendar: there is no club {args.club}", file=sys.stderr)
            return 1
        feed = await club_feed(store, club, datetime.now(UTC))
    finally:
        await store.close()
    sys.stdout.buffer.write(feed)
    return 0


async def _purge_left(args: argparse.Namespace, settings: Settings) -> int:
    store = await open_existing(database_url(args, settings))
    try:
        gone = await store.clubs.purge_left(before=datetime.now(UTC) - timedelta(days=args.days))
    finally:
        await store.close()
    for club in gone:
        print(f"deleted club {club.id} ({club.platform} {club.workspace_id}, {club.name})")
    print(f"{len(gone)} club(s) deleted.")
    return 0


async def _clubs(args: argparse.Namespace, settings: Settings) -> int:
    store = await open_existing(database_url(args, settings))
    try:
        for club in await store.clubs.all():
            print(f"{club.id}\t{club.platform}\t{club.workspace_id}\t{club.name}")
    finally:
        await store.close()
    return 0


async def _slack(args: argparse.Namespace, settings: Settings) -> int:
    settings = _with_web(args, settings)
    # Imported here so `clubbot console` and `clubbot demo` never load the Slack SDK.
    from adapters.slack import manifest as slack_manifest
    from adapters.slack import start as slack_start

    if args.action == "manifest":
        from bot.runtime import COMMANDS

        if args.http and not args.url:
            print(
                "clubbot slack manifest --http: add --url https://your.host, the public base "
                "URL Slack will call (without --http: a Socket Mode manifest).",
                file=sys.stderr,
            )
            return 2

        body = slack_manifest.manifest(COMMANDS, args.prefix, base_url=args.url)
        json.dump(body, sys.stdout, indent=2)
        print()
        return 0
    if args.http:
        return await slack_start.run_http(settings, port=args.port, prefix=args.prefix)
    return await slack_start.run_socket_mode(settings, prefix=args.prefix)


async def _discord(args: argparse.Namespace, settings: Settings) -> int:
    settings = _with_web(args, settings)
    # Imported here so `clubbot console` and `clubbot demo` never load discord.py.
    from adapters.discord.start import run_discord

    ids = [int(x) for x in args.shard_ids.split(",")] if args.shard_ids else None
    return await run_discord(
        settings, shard_count=args.shard_count, shard_ids=ids, sync_only=args.action == "sync"
    )


# --- the web side: `--web HOST:PORT` next to a platform, or `clubbot web` alone --------


def _add_web(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pages = commands.add_parser(
        "web", help="serve only the web side (feeds, club pages, dashboard)"
    )
    pages.add_argument("--listen", default="0.0.0.0:8080", help="HOST:PORT (default 0.0.0.0:8080)")
    pages.add_argument("--db", help="SQLite file (default: DATABASE_URL or ./clubbot.db)")
    pages.set_defaults(run=_web)


def _with_web(args: argparse.Namespace, settings: Settings) -> Settings:
    return replace(settings, web_listen=args.web) if args.web else settings


async def _web(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web import PagesOnlyDirectory, PagesOnlyPoster

    if not settings.public_url:
        print("clubbot web: set PUBLIC_URL, how members reach these pages.", file=sys.stderr)
        return 2
    runtime = await open_runtime(
        database_url=database_url(args, settings),
        clock=SystemClock(),
        poster=PagesOnlyPoster(),
        directory=PagesOnlyDirectory(),
        public_url=settings.public_url,
        web_listen=args.listen,
        scheduled_here=False,
        postings_settings=settings.postings,
    )
    print(f"Serving {settings.public_url} on {args.listen}.")
    try:
        await asyncio.Event().wait()
    finally:
        await runtime.close()
    return 0
