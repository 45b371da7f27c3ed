"""The officer dashboard: a DM'd single-use link, a session cookie, and forms that run
the same commands an officer types, with CSRF tokens and one club per session."""

from __future__ import annotations

import re
from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.model import User
from bot.store.export import export_club
from bot.web.dashboard import COOKIE
from tests.conftest import ADMIN, MEMBER
from tests.web.conftest import WebClub

OFFICER_TOO = User(id="kim", name="kim", is_admin=True)


async def _csrf(client: TestClient, path: str) -> str:  # type: ignore[type-arg]
    page = await (await client.get(path)).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def _form(web_club: WebClub, path: str, command: str, **fields: str) -> tuple[int, str]:
    section = command.split(" ")[1]
    csrf = await _csrf(web_club.web, f"{path}/{section}")
    response = await web_club.web.post(
        f"{path}/run", data={"csrf": csrf, "command": command, **fields}
    )
    return response.status, await response.text()


async def test_an_officer_signs_in_through_a_dmd_link_and_gets_a_safe_cookie(
    web_club: WebClub,
) -> None:
    link = await web_club.signin_link()
    # Opening the link (or a chat's link preview fetching it) spends nothing.
    preview = await web_club.web.get(link)
    assert preview.status == 200
    assert 'id="sign-in"' in await preview.text()
    response = await web_club.press_sign_in(link)
    assert response.status == 303
    (cookie,) = [c for c in response.headers.getall("Set-Cookie") if c.startswith(COOKIE)]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie  # PUBLIC_URL is https
    web_club.keep_cookie(response)
    page = await web_club.web.get(response.headers["Location"])
    text = await page.text()
    assert page.status == 200
    assert "Next runs" in text  # /admin status, run as the officer
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


async def test_a_link_works_once_and_not_after_ten_minutes(web_club: WebClub) -> None:
    link = await web_club.signin_link()
    assert (await web_club.press_sign_in(link)).status == 303
    reused = await web_club.press_sign_in(link)
    assert reused.status == 403
    assert "expired or was already used" in await reused.text()

    late = await web_club.signin_link()
    web_club.clock.advance(timedelta(minutes=11))
    assert (await web_club.press_sign_in(late)).status == 403


async def test_a_forged_link_is_refused(web_club: WebClub) -> None:
    link = await web_club.signin_link()
    token, signature = link.removeprefix("/signin/").split(".")
    forged = f"/signin/{token}.{'0' * len(signature)}"
    assert (await web_club.press_sign_in(forged)).status == 403
    # The real one still works: a forgery doesn't spend it.
    assert (await web_club.press_sign_in(link)).status == 303


async def test_only_officers_get_links_and_not_too_many(web_club: WebClub) -> None:
    refused = await web_club.run("/admin dashboard", as_user=MEMBER)
    assert "Only club officers" in refused.text
    for _ in range(5):
        await web_club.signin_link()
    sixth = await web_club.run("/admin dashboard", as_user=ADMIN)
    assert "within the hour" in sixth.text
    web_club.clock.advance(timedelta(minutes=61))
    await web_club.signin_link()


async def test_changing_the_problem_time_runs_the_command_and_is_audited(
    web_club: WebClub,
) -> None:
    path = await web_club.sign_in()
    status, page = await _form(web_club, path, "admin problem settings", time="08:15")
    assert status == 200
    assert "Saved." in page
    from_console = await web_club.run("/admin status", as_user=OFFICER_TOO)
    shown = from_console.text + "".join(f.value for f in from_console.fields)
    assert "08:15" in shown
    audit = await web_club.run("/admin audit", as_user=OFFICER_TOO)
    assert "alex (via dashboard)" in audit.text + "".join(f.value for f in audit.fields)


async def test_bad_input_is_refused_by_the_command_itself(web_club: WebClub) -> None:
    path = await web_club.sign_in()
    status, page = await _form(web_club, path, "admin problem settings", time="25:99")
    assert status == 200
    assert "Saved." not in page
    settings = await web_club.run("/admin problem settings", as_user=ADMIN)
    assert "time: 25:99" not in settings.text


async def test_a_bad_csrf_token_changes_nothing(web_club: WebClub) -> None:
    path = await web_club.sign_in()
    for csrf in ("", "not-the-token"):
        response = await web_club.web.post(
            f"{path}/run",
            data={"csrf": csrf, "command": "admin problem settings", "time": "06:00"},
        )
        assert response.status == 403
    settings = await web_club.run("/admin problem settings", as_user=ADMIN)
    assert "time: 06:00" not in settings.text


async def test_another_clubs_id_is_not_found(web_club: WebClub) -> None:
    other = web_club.other("ws-2")
    await other.run("/admin setup timezone:Europe/London", as_user=ADMIN)
    path = await web_club.sign_in()
    mine = int(path.rsplit("/", 1)[1])
    for club_id in (mine + 1, 999):
        assert (await web_club.web.get(f"/dashboard/{club_id}")).status == 404
        assert (await web_club.web.get(f"/dashboard/{club_id}/audit")).status == 404
        csrf = await _csrf(web_club.web, path)
        response = await web_club.web.post(
            f"/dashboard/{club_id}/run",
            data={"csrf": csrf, "command": "admin problem settings", "time": "06:00"},
        )
        assert response.status == 404
    other_settings = await other.run("/admin problem settings", as_user=ADMIN)
    assert "time: 06:00" not in other_settings.text


async def test_without_a_session_nothing_is_shown(web_club: WebClub) -> None:
    assert (await web_club.web.get("/dashboard/1")).status == 401
    web_club.web.session.cookie_jar.update_cookies({"clubbot_session": "made-up"})
    assert (await web_club.web.get("/dashboard/1")).status == 401


async def test_signing_out_ends_the_session(web_club: WebClub) -> None:
    path = await web_club.sign_in()
    csrf = await _csrf(web_club.web, path)
    response = await web_club.web.post(f"{path}/signout", data={"csrf": csrf})
    assert response.status == 200
    assert (await web_club.web.get(path)).status == 401


async def test_every_admin_page_renders_and_hostile_data_is_inert(web_club: WebClub) -> None:
    await web_club.run(
        '/admin deadlines add title:"<script>alert(1)</script>" date:2026-12-20', as_user=ADMIN
    )
    path = await web_club.sign_in()
    sections = ("setup", "officers", "problem", "deadlines", "mockpair", "status", "audit", "page")
    for section in sections:
        response = await web_club.web.get(f"{path}/{section}")
        assert response.status == 200, section
        assert "<script>" not in await response.text()
    deadlines = await (await web_club.web.get(f"{path}/deadlines")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in deadlines
    assert (await web_club.web.get(f"{path}/nothing")).status == 404


async def test_the_overview_charts_the_clubs_weeks(web_club: WebClub) -> None:
    await web_club.run("/problem", as_user=MEMBER)
    path = await web_club.sign_in()
    page = await (await web_club.web.get(path)).text()
    assert "<svg" in page
    assert "members active" in page


async def test_an_export_keeps_feed_tokens_but_not_links_or_sessions(web_club: WebClub) -> None:
    await web_club.run("/calendar", as_user=MEMBER)
    path = await web_club.sign_in()
    exported = await export_club(web_club.runtime.store, int(path.rsplit("/", 1)[1]))
    assert exported["tables"]["web_feed_tokens"]
    assert "web_signins" not in exported["tables"]
    assert "web_sessions" not in exported["tables"]
