"""What every route of the web side is given: the bot, its store and clock, the site."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from bot.app import Bot
from bot.scheduler import Scheduler
from bot.web.feeds import Feeds
from bot.web.metrics import Metrics
from bot.web.site import Site
from bot.web.store import WebStore
from bot.web.throttle import Throttle


@dataclass(frozen=True, slots=True, kw_only=True)
class Web:
    bot: Bot
    site: Site
    feeds: Feeds
    metrics: Metrics
    scheduler: Scheduler | None = None  # None: nothing is scheduled in this process
    signin_failures: Throttle = field(default_factory=Throttle)

    @property
    def store(self) -> WebStore:
        return self.bot.store.repo(WebStore)


WEB = web.AppKey("web", Web)


def state(request: web.Request) -> Web:
    return request.app[WEB]
