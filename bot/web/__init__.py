"""The web side: calendar feeds members subscribe to, the public club page and the officer
dashboard, served by aiohttp next to the bot (`--web HOST:PORT`) or alone (`clubbot web`).
A composition-level package: it reaches several features, through their exports only."""

from bot.web.commands import commands
from bot.web.server import Server, make_app, mount, parse_listen, serve
from bot.web.site import Site
from bot.web.standalone import PagesOnlyDirectory, PagesOnlyPoster

__all__ = [
    "PagesOnlyDirectory",
    "PagesOnlyPoster",
    "Server",
    "Site",
    "commands",
    "make_app",
    "mount",
    "parse_listen",
    "serve",
]
