"""Templates (jinja2, autoescaped: a club's data is text, never markup) and the headers
every page carries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache, wraps
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

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


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
            response = await handler(request)
        except web.HTTPException as error:
            error.headers.extend(
                (k, v) for k, v in SECURITY_HEADERS.items() if k not in error.headers
            )
            raise
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return answer
