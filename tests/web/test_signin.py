"""Signing in holds against another site and against a guesser: the form carries a token
tied to a cookie its own page set (so a cross-site post of an attacker's link signs nobody
in), and an address that keeps trying bad links waits (429 with Retry-After) before the
database is asked again."""

from __future__ import annotations

import re
from datetime import timedelta

from aiohttp import ClientSession

from bot.web.dashboard import COOKIE, SIGNIN_COOKIE
from tests.web.conftest import WebClub


async def _form_token(club: WebClub, link: str) -> tuple[str, str]:
    """The Sign in page's form token and the cookie it set."""
    page = await club.web.get(link)
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert token is not None
    cookie = page.cookies[SIGNIN_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/signin"
    return token.group(1), cookie.value


async def test_a_cross_site_post_of_a_sign_in_form_signs_nobody_in(web_club: WebClub) -> None:
    # The attacker opens their own link and copies its form into their site.
    link = await web_club.signin_link()
    token, _ = await _form_token(web_club, link)
    url = web_club.web.make_url(link)
    async with ClientSession() as victim:  # no sign-in cookie: it is SameSite=Strict
        posted = await victim.post(url, data={"csrf": token}, allow_redirects=False)
        assert posted.status == 403
        assert COOKIE not in posted.cookies
        # A cookie of the victim's own (from another sign-in page) doesn't fit either.
        victim.cookie_jar.update_cookies({SIGNIN_COOKIE: "their-own-nonce-AAAAAAAAA"})
        posted = await victim.post(url, data={"csrf": token}, allow_redirects=False)
        assert posted.status == 403
        assert "out of date" in await posted.text()
        without = await victim.post(url, allow_redirects=False)
        assert without.status == 403
    # None of that spent the link: its owner signs in from its page.
    signed_in = await web_club.press_sign_in(link)
    assert signed_in.status == 303
    assert COOKIE in signed_in.cookies


async def test_an_address_that_keeps_failing_waits_then_may_try_again(web_club: WebClub) -> None:
    good = await web_club.signin_link()
    answers = []
    for attempt in range(300):
        forged = f"/signin/{attempt:022d}.{'0' * 32}"
        answers.append(await web_club.press_sign_in(forged))
    statuses = [a.status for a in answers]
    assert statuses[:10] == [403] * 10
    assert set(statuses[10:]) == {429}
    wait = int(answers[-1].headers["Retry-After"])
    assert 0 < wait <= 600
    assert "Wait" in await answers[-1].text()
    # Even a good link waits: the address is not asked about until then.
    assert (await web_club.press_sign_in(good)).status == 429
    web_club.clock.advance(timedelta(seconds=wait))
    assert (await web_club.press_sign_in(await web_club.signin_link())).status == 303


async def test_behind_a_local_proxy_each_client_address_counts_alone(web_club: WebClub) -> None:
    async def attempt(client: str) -> int:
        page = await web_club.web.get(f"/signin/{'A' * 22}.{'0' * 32}")
        token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
        assert token is not None
        web_club.keep_cookie(page, SIGNIN_COOKIE)
        posted = await web_club.web.post(
            f"/signin/{'A' * 22}.{'0' * 32}",
            data={"csrf": token.group(1)},
            headers={"X-Forwarded-For": f"198.51.100.9, {client}"},
            allow_redirects=False,
        )
        return posted.status

    assert [await attempt("203.0.113.7") for _ in range(11)][-1] == 429
    assert await attempt("203.0.113.8") == 403
