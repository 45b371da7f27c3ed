"""Templates (jinja2, autoescaped: a club's data is text, never markup) and the headers
every page carries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache, wraps
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from bot.model import Stamp, render_mentions, render_stamps

# Nothing inline, nothing from elsewhere: an injected <script> or style would not run.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Sign-in links carry their token in the path: never send it on as a Referer.
    "Referrer-Policy": "no-referrer",
}


# A request (its body included) that takes longer is cut: a slow upload holds no handler.
REQUEST_TIMEOUT = 30.0


@cache
def environment() -> Environment:
    templates = Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters["chat"] = chat_text
    return templates


def chat_text(text: str) -> Markup:
    """A bot message's text as HTML: escaped, each instant a `<time>` showing the club's
    local time (what the console shows; a page has no reader's zone without scripts), each
    mention the member's @id."""
    escaped = str(escape(text))
    with_times = render_stamps(escaped, _time_element)
    return Markup(render_mentions(with_times, lambda user_id: f"@{user_id}"))


def _time_element(stamp: Stamp) -> str:
    at = datetime.fromtimestamp(stamp.unix, UTC)
    utc = at.strftime("%d %b %Y, %H:%M UTC")
    return f'<time datetime="{at:%Y-%m-%dT%H:%M:%SZ}" title="{utc}">{stamp.fallback}</time>'


def render(name: str, *, status: int = 200, **values: Any) -> web.Response:
    body = environment().get_template(name).render(**values)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def problem(status: int, title: str, text: str) -> web.Response:
    """An error page that says what happened and what to do."""
    return render("error.html", status=status, title=title, text=text)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def secured(handler: Handler) -> Handler:
    """`handler` with the security headers on every answer, errors included."""

    @wraps(handler)
    async def answer(request: web.Request) -> web.StreamResponse:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                response = await handler(request)
        except web.HTTPException as error:
            error.headers.extend(
                (k, v) for k, v in SECURITY_HEADERS.items() if k not in error.headers
            )
            raise
        except TimeoutError:
            raise web.HTTPRequestTimeout(headers=SECURITY_HEADERS) from None
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return answer


async def secure_router_errors(request: web.Request, response: web.StreamResponse) -> None:
    """aiohttp's own answers for a path or method no route takes (404, 405) get the
    security headers too (an `on_response_prepare` signal: routes mounted by others, such
    as Slack's events, keep their own headers)."""
    if request.match_info.http_exception is not None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
