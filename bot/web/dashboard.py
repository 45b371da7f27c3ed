"""The officer dashboard: a sign-in link spent once for a session, then a page for each
group of `/admin` commands. A form builds the same CommandEvent an officer would type and
runs it through `Bot.handle` as that officer, so validation, officer checks and the audit
log stay in the commands; the audit names the officer "(via dashboard)"."""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from aiohttp import web

from bot.app import Command, Option
from bot.applications import CATEGORY_LABELS, MIN_COUNTED
from bot.model import CommandEvent, Message, Place, Platform, User
from bot.store.clubs import Club
from bot.web.chart import club_view_now, club_weeks
from bot.web.commands import SIGNIN_KEY
from bot.web.officer import officer_now
from bot.web.pages import problem, render
from bot.web.site import SESSION_LIFETIME, SIGNIN_LIFETIME, sign, unsign
from bot.web.state import Web, state
from bot.web.store import WebSession, new_token
from bot.web.throttle import client_address

COOKIE = "clubbot_session"
# Ties the sign-in form to the browser that opened the link: another site can't post the
# form with an attacker's link and sign a victim into the attacker's session.
SIGNIN_COOKIE = "clubbot_signin"
# Shown when a section opens: commands that only read.
VIEWS = frozenset(
    {
        "admin status",
        "admin audit",
        "admin officers list",
        "admin deadlines list",
        "admin mockpair preview",
        "admin mockpair stats",
    }
)
NOT_ON_THE_DASHBOARD = frozenset({"admin dashboard"})
SPENT = (
    "This sign-in link has expired or was already used. Run /admin dashboard in the chat "
    "for a new one."
)


# --- signing in --------------------------------------------------------------


async def signin_page(request: web.Request) -> web.Response:
    """A button, not a sign-in: link previews (Slack's, Discord's) fetch links with GET and
    must not spend them. The form carries a token tied to a cookie set here."""
    site = state(request)
    nonce = request.cookies.get(SIGNIN_COOKIE) or new_token()
    key = await site.store.key(SIGNIN_KEY)
    response = render("signin.html", title="Sign in", action=request.path, csrf=sign(key, nonce))
    _set_cookie(request, response, SIGNIN_COOKIE, nonce, SIGNIN_LIFETIME, "Strict", "/signin")
    return response


async def signin(request: web.Request) -> web.StreamResponse:
    site = state(request)
    now, address = site.bot.clock.now(), client_address(request)
    wait = site.signin_failures.wait(address, now)
    if wait:
        site.metrics.signins.labels(outcome="throttled").inc()
        response = problem(429, "Too many sign-in attempts", _TOO_MANY.format(wait=wait))
        response.headers["Retry-After"] = str(wait)
        return response
    key = await site.store.key(SIGNIN_KEY)
    if not await _signin_form_is_ours(request, key):
        return _refused(site, address, now, "Sign-in form out of date", _REOPEN)
    token = unsign(key, request.match_info["signed"])
    spent = None if token is None else await site.store.use_signin(token, now=now)
    if spent is None:
        return _refused(site, address, now, "Sign-in link not valid", SPENT)
    club_id, user = spent
    cookie, _ = await site.store.add_session(club_id, user, now=now, lifetime=SESSION_LIFETIME)
    site.metrics.signins.labels(outcome="signed_in").inc()
    response = _see_other(f"/dashboard/{club_id}")
    response.del_cookie(SIGNIN_COOKIE, path="/signin")
    _set_cookie(request, response, COOKIE, cookie, SESSION_LIFETIME, "Lax", "/")
    return response


def _refused(site: Web, address: str, now: datetime, title: str, text: str) -> web.Response:
    site.signin_failures.failed(address, now)
    site.metrics.signins.labels(outcome="refused").inc()
    return problem(403, title, text)


def _set_cookie(
    request: web.Request,
    response: web.StreamResponse,
    name: str,
    value: str,
    lifetime: timedelta,
    samesite: str,
    path: str,
) -> None:
    """An HttpOnly cookie, Secure behind https."""
    response.set_cookie(
        name,
        value,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=state(request).site.https or request.secure,
        samesite=samesite,
        path=path,
    )


_TOO_MANY = (
    "This address tried too many sign-in links that didn't work. Wait {wait} seconds, "
    "then open the latest link from your DMs."
)
_REOPEN = (
    "Open the sign-in link from your DMs again in this browser, then press Sign in "
    "(the form must come from the link's own page)."
)


async def _signin_form_is_ours(request: web.Request, key: str) -> bool:
    """The form's token signs the nonce of this browser's sign-in cookie."""
    nonce = request.cookies.get(SIGNIN_COOKIE, "")
    given = (await request.post()).get("csrf")
    return (
        bool(nonce)
        and isinstance(given, str)
        and hmac.compare_digest(given.encode(), sign(key, nonce).encode())
    )


async def signout(request: web.Request) -> web.StreamResponse:
    session = await _session(request)
    await _check_csrf(request, session)
    await state(request).store.end_session(request.cookies[COOKIE])
    response = _see_other("/signed-out")
    response.del_cookie(COOKIE, path="/")
    return response


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def signed_out(request: web.Request) -> web.Response:
    return problem(200, "Signed out", "Run /admin dashboard in the chat to sign in again.")


# --- the pages ---------------------------------------------------------------


async def overview(request: web.Request) -> web.Response:
    session = await _session(request)
    site = state(request)
    status = await _run(site, session, "admin status", {})
    store, now = site.bot.store, site.bot.clock.now()
    weeks = await club_weeks(store, session.club_id, now=now)
    # The applications over the counted members only: aggregates, none below five.
    people = await club_view_now(store, await store.clubs.get(session.club_id), now=now)
    return await _page(
        request, session, "overview", replies=[status], weeks=weeks, people=people, **_labels()
    )


def _labels() -> dict[str, Any]:
    return {"category_labels": CATEGORY_LABELS, "min_counted": MIN_COUNTED}


async def section(request: web.Request) -> web.Response:
    session = await _session(request)
    name = request.match_info["section"]
    if name not in _sections(state(request)):
        return problem(404, "No such page", "That dashboard page doesn't exist.")
    return await _section_page(request, session, name, replies=[])


async def run(request: web.Request) -> web.Response:
    session = await _session(request)
    form = await request.post()
    await _check_csrf(request, session, form.get("csrf"))
    site = state(request)
    command = site.bot.command(str(form.get("command", "")))
    if command is None or _section_of(command) is None:
        return problem(400, "Not a dashboard command", "That form doesn't exist.")
    args = _changed(command, form, await site.bot.store.clubs.get(session.club_id))
    answer = await _run(site, session, command.name, args)
    return await _section_page(
        request, session, _section_of(command) or "", replies=[answer], ran=command.name
    )


def _changed(command: Command, form: Mapping[str, object], club: Club) -> dict[str, str]:
    """What the officer typed or picked, less what the form showed as the current value:
    a form is sent whole, and sending an unchanged value again would make the command
    check it again (a channel looked up, a setting audited as changed)."""
    args = {}
    for option in command.options:
        value = str(form.get(option.name, "")).strip()
        if value and value != _now(option, club):
            args[option.name] = value
    return args


def _now(option: Option, club: Club) -> str:
    return (option.current(club) or "") if option.current is not None else ""


async def _section_page(
    request: web.Request,
    session: WebSession,
    name: str,
    *,
    replies: list[Message],
    ran: str = "",
) -> web.Response:
    site = state(request)
    commands = _sections(site)[name]
    views = [await _run(site, session, c.name, {}) for c in commands if c.name in VIEWS]
    forms = [c for c in commands if c.name not in VIEWS]
    club = await site.bot.store.clubs.get(session.club_id)
    values = {c.name: {o.name: _now(o, club) for o in c.options} for c in forms}
    return await _page(
        request, session, name, replies=replies, views=views, forms=forms, ran=ran, values=values
    )


async def _page(
    request: web.Request, session: WebSession, current: str, **values: Any
) -> web.Response:
    site = state(request)
    club = await site.bot.store.clubs.get(session.club_id)
    return render(
        "dashboard.html",
        title=f"{club.name}: {current}",
        club=club,
        session=session,
        current=current,
        sections=list(_sections(site)),
        **values,
    )


async def _run(site: Web, session: WebSession, name: str, args: Mapping[str, str]) -> Message:
    club = await site.bot.store.clubs.get(session.club_id)
    officer = await officer_now(site.bot.store, session.club_id, session.user)
    event = CommandEvent(
        name=name,
        args=args,
        user=User(
            id=officer.id,
            name=f"{officer.name} (via dashboard)",
            is_admin=officer.is_admin,
            roles=officer.roles,
        ),
        place=Place(
            platform=cast(Platform, club.platform),
            workspace_id=club.workspace_id,
            channel_id="dashboard",
        ),
    )
    started = time.perf_counter()
    answer = await site.bot.handle(event)
    site.metrics.commands.labels(command=name).observe(time.perf_counter() - started)
    return answer


# --- sessions, CSRF and which commands have pages -----------------------------


async def _session(request: web.Request) -> WebSession:
    """The officer's session for the club in the URL; another club's id is a 404."""
    site = state(request)
    token = request.cookies.get(COOKIE, "")
    session = await site.store.session(token, now=site.bot.clock.now()) if token else None
    if session is None:
        raise web.HTTPUnauthorized(
            text="Not signed in: run /admin dashboard in the chat for a sign-in link."
        )
    wanted = request.match_info.get("club_id")
    if wanted is not None and wanted != str(session.club_id):
        raise web.HTTPNotFound(text="No such page.")
    return session


async def _check_csrf(
    request: web.Request, session: WebSession, given: object | None = None
) -> None:
    if given is None:
        given = (await request.post()).get("csrf")
    if not isinstance(given, str) or not hmac.compare_digest(given, session.csrf):
        raise web.HTTPForbidden(text="This form is out of date: reload the page and try again.")


def _section_of(command: Command) -> str | None:
    words = command.name.split(" ")
    if not command.officers_only or words[0] != "admin" or command.name in NOT_ON_THE_DASHBOARD:
        return None
    return words[1]


def _sections(site: Web) -> dict[str, list[Command]]:
    sections: dict[str, list[Command]] = {}
    for command in site.bot.commands:
        name = _section_of(command)
        if name is not None:
            sections.setdefault(name, []).append(command)
    return sections


ROUTES = [
    web.get("/signin/{signed}", signin_page),
    web.post("/signin/{signed}", signin),
    web.post("/dashboard/{club_id}/signout", signout),
    web.get("/signed-out", signed_out),
    web.get("/dashboard/{club_id}", overview),
    web.get("/dashboard/{club_id}/{section}", section),
    web.post("/dashboard/{club_id}/run", run),
]
