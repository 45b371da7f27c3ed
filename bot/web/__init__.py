"""The web side: calendar feeds members subscribe to, the public club page and the officer
dashboard, served by aiohttp next to the bot (`--web HOST:PORT`) or alone (`clubbot web`).
A composition-level package: it reaches several features, through their exports only.

This module stays light (the commands, the site): the server, its templates and metrics
load from `bot.web.server` only in a process that serves pages, so `clubbot console`
doesn't import aiohttp, jinja2 or prometheus-client."""

from bot.web.commands import commands
from bot.web.member_data import MEMBER_DATA
from bot.web.site import Site
from bot.web.standalone import PagesOnlyDirectory, PagesOnlyPoster

__all__ = ["MEMBER_DATA", "PagesOnlyDirectory", "PagesOnlyPoster", "Site", "commands"]
