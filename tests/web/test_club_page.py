"""The public club page: off until officers turn it on, then this week's leaderboard by
display name (without those who opted out), today's problem, windows closing soon and
the club calendar's subscribe links."""

from __future__ import annotations

from bot.model import User
from tests.conftest import ADMIN, MEMBER
from tests.web.conftest import WebClub

ROBIN = User(id="robin", name="Robin <b>R</b>")
QUIET = User(id="quiet", name="Quiet Q")


async def _page_path(web_club: WebClub) -> str:
    answer = await web_club.run("/admin page enabled:on", as_user=ADMIN)
    assert "page is on" in answer.text
    return answer.text.split("https://club.example.org", 1)[1].split(" ")[0]


async def _solve_todays_problem(web_club: WebClub, *members: User) -> None:
    posted = await web_club.run("/admin problem post-now", as_user=ADMIN)
    assert "Posted" in posted.text, posted.text
    for member in members:
        answer = await web_club.run("/solved", as_user=member)
        assert "point" in answer.text.lower() or "solved" in answer.text.lower(), answer.text


async def test_the_page_is_off_until_officers_turn_it_on(web_club: WebClub) -> None:
    club_id = (await web_club.runtime.store.clubs.all())[0].id
    assert (await web_club.web.get(f"/clubs/{club_id}")).status == 404
    assert "/admin page" in (await web_club.run("/clubpage", as_user=MEMBER)).text
    refused = await web_club.run("/admin page enabled:on", as_user=MEMBER)
    assert "Only club officers" in refused.text
    path = await _page_path(web_club)
    assert path == f"/clubs/{club_id}"
    assert (await web_club.web.get(path)).status == 200
    await web_club.run("/admin page enabled:off", as_user=ADMIN)
    assert (await web_club.web.get(path)).status == 404
    audit = await web_club.run("/admin audit", as_user=ADMIN)
    assert "web_page" in audit.text + "".join(f.value for f in audit.fields)


async def test_the_page_shows_the_week_today_and_what_closes(web_club: WebClub) -> None:
    await web_club.run(
        '/admin deadlines add title:"<script>steal()</script> Hackathon" date:2026-11-20',
        as_user=ADMIN,
    )
    path = await _page_path(web_club)
    await _solve_todays_problem(web_club, MEMBER, ROBIN)
    response = await web_club.web.get(path)
    page = await response.text()
    assert "sam" in page
    assert "Robin &lt;b&gt;R&lt;/b&gt;" in page  # a display name is text, not markup
    assert "&lt;script&gt;steal()&lt;/script&gt; Hackathon" in page
    assert "<script>" not in page
    assert "Nothing posted yet today" not in page
    assert "webcal://club.example.org/feeds/" in page
    assert "calendar.google.com" in page
    assert "script-src" not in response.headers["Content-Security-Policy"]  # none at all


async def test_a_member_can_leave_the_leaderboard(web_club: WebClub) -> None:
    path = await _page_path(web_club)
    await _solve_todays_problem(web_club, MEMBER, QUIET)
    assert "Quiet Q" in await (await web_club.web.get(path)).text()
    answer = await web_club.run("/clubpage me:hide", as_user=QUIET)
    assert "left off" in answer.text
    page = await (await web_club.web.get(path)).text()
    assert "Quiet Q" not in page
    assert "sam" in page
    await web_club.run("/clubpage me:show", as_user=QUIET)
    assert "Quiet Q" in await (await web_club.web.get(path)).text()


async def test_another_clubs_page_is_its_own_and_a_missing_one_is_404(web_club: WebClub) -> None:
    path = await _page_path(web_club)
    other = web_club.other("ws-2")
    await other.run("/admin setup timezone:Europe/London", as_user=ADMIN)
    club_id = int(path.rsplit("/", 1)[1])
    assert (await web_club.web.get(f"/clubs/{club_id + 1}")).status == 404  # off there
    assert (await web_club.web.get("/clubs/99999")).status == 404
    assert (await web_club.web.get("/clubs/abc")).status == 404
