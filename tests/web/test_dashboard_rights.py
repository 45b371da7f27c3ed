"""Rights are checked at each dashboard change, as in chat: an officer who lost them on the
platform (learned from a command they ran, or from the platform's events, by the bot
process) is refused on the dashboard at once, not when the session ends hours later."""

from __future__ import annotations

from dataclasses import replace

from bot.model import User
from tests.conftest import ADMIN
from tests.web.conftest import WebClub
from tests.web.test_dashboard import _form

ROLE_OFFICER = User(id="kim", name="kim", roles=frozenset({"officers"}))


async def test_an_admin_demoted_on_the_platform_is_refused_on_the_dashboard(
    web_club: WebClub,
) -> None:
    path = await web_club.sign_in()
    # alex ran a command in chat after the platform took the admin right away: refused there,
    # and the bot recorded the right as it is now.
    demoted = replace(ADMIN, is_admin=False)
    refused = await web_club.run("/admin status", as_user=demoted)
    assert refused.text.startswith("Only club officers")
    status, page = await _form(web_club, path, "admin problem settings", time="08:15")
    assert status == 200
    assert "Only club officers can run /admin problem settings" in page
    settings = await web_club.run("/admin problem settings", as_user=ADMIN)
    assert "08:15" not in settings.text + "".join(f.value for f in settings.fields)


async def test_an_officer_whose_role_was_taken_is_refused_and_one_who_keeps_it_is_not(
    web_club: WebClub,
) -> None:
    await web_club.run("/admin setup officer_role:@officers", as_user=ADMIN)
    path = await web_club.sign_in(ROLE_OFFICER)
    _, page = await _form(web_club, path, "admin problem settings", time="07:45")
    assert "Saved." in page
    await web_club.run("/help", as_user=replace(ROLE_OFFICER, roles=frozenset()))
    _, page = await _form(web_club, path, "admin problem settings", time="08:45")
    assert "Only club officers can run /admin problem settings" in page


async def test_an_officer_taken_off_the_list_is_refused(web_club: WebClub) -> None:
    kim = User(id="kim", name="kim")
    await web_club.run("/admin officers add member:@kim", as_user=ADMIN)
    path = await web_club.sign_in(kim)
    await web_club.run("/admin officers remove member:@kim", as_user=ADMIN)
    _, page = await _form(web_club, path, "admin problem settings", time="06:30")
    assert "Only club officers" in page
