"""The dashboard's overview charts the club's applications, over the counted members only:
applications per week and the mix against the plan, as server-rendered SVG. A club with
fewer than five counted members gets no chart, and no member's own list is on the page.
(tests/web/test_browser.py checks a real browser draws them, on a phone too.)"""

from __future__ import annotations

import re

from bot.model import User
from tests.conftest import ADMIN
from tests.web.conftest import WebClub

MEMBERS = [User(id=f"m{n}", name=f"Member {n}") for n in range(6)]
COMPANIES = ["Zyxcorp", "Qorvane", "Wexlo", "Plumbright", "Tessaly", "Ulvarin"]


async def apply_all(club: WebClub, members: list[User]) -> None:
    """Each member sends two this week: big tech to a company of their own, and mid-market
    SaaS to Stripe."""
    for member, company in zip(members, COMPANIES, strict=False):
        await club.run(f"/applied company:{company} category:big-tech", as_user=member)
        await club.run("/applied company:Stripe category:saas", as_user=member)


async def _overview(club: WebClub) -> str:
    path = await club.sign_in(ADMIN)
    return await (await club.web.get(path)).text()


def _bars(page: str, chart: str) -> list[float]:
    svg = re.search(f'<svg class="chart" id="{chart}".*?</svg>', page, re.DOTALL)
    assert svg is not None, chart
    return [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg.group(0))]


async def test_the_overview_charts_applications_per_week_and_the_mix(web_club: WebClub) -> None:
    await apply_all(web_club, MEMBERS[:5])
    page = await _overview(web_club)
    assert "10 sent by the 5 members counted" in page
    weeks = _bars(page, "chart-weeks")
    assert len(weeks) == 8
    assert weeks[-1] == 150.0, "this week holds every application: the tallest bar"
    assert weeks[:-1] == [0.0] * 7
    mix = re.search(r'id="chart-mix".*?</svg>', page, re.DOTALL)
    assert mix is not None
    # Five big tech and five SaaS of ten in the mix: 50% each, against 30% and 50%.
    assert re.findall(r"(\d+)% club", mix.group(0)) == ["50", "50", "0", "0"]
    assert re.findall(r"(\d+)% plan", mix.group(0)) == ["30", "50", "15", "5"]
    for member, company in zip(MEMBERS, COMPANIES, strict=False):
        assert company not in page
        assert member.name not in page


async def test_fewer_than_five_counted_members_get_no_chart(web_club: WebClub) -> None:
    await apply_all(web_club, MEMBERS[:5])
    await web_club.run("/applications privacy:private", as_user=MEMBERS[0])
    page = await _overview(web_club)
    assert "Fewer than 5 members are counted, so no breakdown is shown" in page
    assert 'id="chart-weeks"' not in page
    assert 'id="chart-mix"' not in page
    assert "sent by" not in page
