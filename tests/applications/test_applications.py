"""A member records applications and moves them through stages, by command and by button,
in the club's days; everything they see of them is theirs alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.applications import ApplicationStore
from bot.applications.store import NewApplication
from bot.applied import applied_button
from bot.model import Place, User
from bot.windows import DeadlineStore
from tests.applications.helpers import add_posting, button_values, click
from tests.conftest import ADMIN, MEMBER, SETUP

KIM = User(id="kim", name="Kim")


async def _club_id(club) -> int:
    return (await club.runtime.store.clubs.all())[0].id


async def _mine(club, user: User = MEMBER):
    return await club.runtime.store.repo(ApplicationStore).mine(await _club_id(club), user.id)


async def test_an_application_is_dated_by_the_clubs_day_not_utcs(club):
    await club.run(SETUP, as_user=ADMIN)
    club.clock.set(datetime(2026, 11, 17, 3, 30, tzinfo=UTC))  # 22:30 on the 16th in New York
    reply = await club.run('/applied company:Stripe role:"ML intern"', as_user=MEMBER)
    assert reply.ephemeral
    assert reply.title == "#1 Stripe — ML intern"
    assert "Applied 16 Nov 2026 (today), no news since." in reply.text
    await club.run("/applied company:Figma date:yesterday", as_user=MEMBER)
    await club.run('/applied company:Notion date:"12 Oct"', as_user=MEMBER)
    assert [(a.company, a.applied_on) for a in await _mine(club)] == [
        ("Notion", date(2026, 10, 12)),
        ("Figma", date(2026, 11, 15)),
        ("Stripe", date(2026, 11, 16)),
    ]


async def test_the_first_application_says_counting_is_on_and_how_to_turn_it_off(club):
    await club.run(SETUP, as_user=ADMIN)
    first = await club.run("/applied company:Stripe", as_user=MEMBER)
    second = await club.run("/applied company:Figma", as_user=MEMBER)
    assert "count toward the club's totals" in first.text
    assert "/applications privacy:private" in first.text
    assert "count toward" not in second.text
    reply = await club.run("/applications privacy:private", as_user=MEMBER)
    assert "Left out of the club's totals" in reply.text
    repo = club.runtime.store.repo(ApplicationStore)
    _, counted = await repo.counted(await _club_id(club), 2027)
    assert counted == 0


async def test_a_program_is_placed_from_its_track_and_its_window_marked_applied(club):
    """The mark `/alerts applied` sets: a subscriber who applied gets no more reminders for
    the window; one who did not still does."""
    await club.run(SETUP, as_user=ADMIN)
    for member in (MEMBER, KIM):
        await club.run("/alerts subscribe target:apple-aiml-intern", as_user=member)
    reply = await club.run("/applied company:apple-aiml-intern", as_user=MEMBER)
    assert reply.title == "#1 Apple — AIML undergraduate internship"
    assert "Category: Big tech (from the program)." in reply.text
    assert "No more reminders for Apple AIML undergraduate internship this cycle" in reply.text
    mutes = await club.runtime.store.repo(DeadlineStore).mutes(await _club_id(club))
    assert mutes == {"sam": {"apple-aiml-intern:2027": "applied"}}
    # Apple's window closes on 30 November: the 3-day reminder goes out on the 27th.
    await club.runtime.scheduler.run_until(club.clock, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    reminded = [user for user, m in club.poster.dms if "Apple" in m.title]
    assert reminded == ["kim"]


async def test_removing_the_application_lifts_the_applied_mark_and_reminders_resume(club):
    await club.run(SETUP, as_user=ADMIN)
    club_id = await _club_id(club)
    await club.run("/alerts subscribe target:apple-aiml-intern", as_user=MEMBER)
    await club.run("/applied company:apple-aiml-intern", as_user=MEMBER)
    await club.run("/alerts not-interested window:jane-street", as_user=MEMBER)
    await club.run('/applied company:"Jane Street"', as_user=MEMBER)
    gone = await club.run("/applications id:1 remove:yes", as_user=MEMBER)
    assert "no longer marked as applied: its reminders resume" in gone.text
    gone = await club.run("/applications id:1 remove:yes", as_user=MEMBER)  # Jane Street now
    assert "no longer marked" not in gone.text, "a not-interested mark is the member's own"
    mutes = await club.runtime.store.repo(DeadlineStore).mutes(club_id)
    assert mutes == {"sam": {"jane-street:2027": "not interested"}}
    await club.runtime.scheduler.run_until(club.clock, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    assert [user for user, m in club.poster.dms if "Apple" in m.title] == ["sam"]


async def test_alerts_applied_records_the_application_once_on_the_one_path(club):
    await club.run(SETUP, as_user=ADMIN)
    marked = await club.run("/alerts applied window:apple-aiml-intern", as_user=MEMBER)
    assert marked.ephemeral
    assert marked.title == "#1 Apple — AIML undergraduate internship"
    assert "No more reminders for Apple AIML undergraduate internship" in marked.text
    mutes = await club.runtime.store.repo(DeadlineStore).mutes(await _club_id(club))
    assert mutes == {"sam": {"apple-aiml-intern:2027": "applied"}}
    for line in ("/alerts applied window:apple-aiml-intern", "/applied company:apple-aiml-intern"):
        again = await club.run(line, as_user=MEMBER)
        assert again.text.startswith("Already recorded as #1"), line
    assert [a.window_key for a in await _mine(club)] == ["apple-aiml-intern:2027"]
    unknown = await club.run("/alerts applied window:no-such", as_user=MEMBER)
    assert "is not a window of this cycle" in unknown.text
    assert len(await _mine(club)) == 1


async def test_alerts_applied_for_a_clubs_own_date_marks_it_and_records_nothing(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run('/admin deadlines add title:"Career fair" date:2026-12-03', as_user=ADMIN)
    marked = await club.run("/alerts applied window:club-1", as_user=MEMBER)
    assert "Noted (applied)" in marked.text
    mutes = await club.runtime.store.repo(DeadlineStore).mutes(await _club_id(club))
    assert mutes == {"sam": {"club-1": "applied"}}
    assert await _mine(club) == []


async def test_an_employer_with_one_program_is_that_program(club):
    await club.run(SETUP, as_user=ADMIN)
    reply = await club.run('/applied company:"Jane Street"', as_user=MEMBER)
    assert "Category: Quant (from the program)." in reply.text
    [app] = await _mine(club)
    assert (app.program, app.window_key, app.opened_on) == (
        "jane-street",
        "jane-street:2027",
        date(2026, 8, 1),
    )
    assert "That was 107 days after it opened." in reply.text


async def test_the_i_applied_button_and_the_command_are_one_path(club):
    await club.run(SETUP, as_user=ADMIN)
    club_id = await _club_id(club)
    button = applied_button(club_id, program="apple-aiml-intern")
    assert (button.label, button.custom_id) == (
        "I applied",
        f"applied:{club_id}.w.apple-aiml-intern",
    )
    clicked = await click(club, button.action, button.value, as_user=MEMBER)
    assert clicked.ephemeral
    assert clicked.title == "#1 Apple — AIML undergraduate internship"
    again = await club.run("/applied company:apple-aiml-intern", as_user=MEMBER)
    assert again.text.startswith("Already recorded as #1 (16 Nov): nothing added.")
    assert len(await _mine(club)) == 1


async def test_a_posting_is_recorded_with_its_company_title_link_and_the_day_it_was_posted(club):
    await club.run(SETUP, as_user=ADMIN)
    posted = club.clock.now() - timedelta(days=5)
    stripe = await add_posting(
        club.runtime.store, company="Stripe", title="ML Engineer Intern", posted_at=posted
    )
    quant = await add_posting(
        club.runtime.store,
        company="MassMutual Ascend",
        title="Quantitative Developer",
        category="Quant",
        posted_at=posted,
    )
    button = applied_button(await _club_id(club), posting=stripe)
    reply = await click(club, button.action, button.value, as_user=MEMBER)
    assert reply.title == "#1 Stripe — ML Engineer Intern"
    assert "That was 5 days after it opened." in reply.text
    assert "Category: Other (a guess: pick the right kind below" in reply.text
    assert "Link: https://jobs.example/stripe-ml-engineer-intern" in reply.text
    assert [b.url for b in reply.buttons if b.url] == [
        "https://jobs.example/stripe-ml-engineer-intern"
    ]
    fixed = await click(club, "app-kind", "1.saas", as_user=MEMBER)
    assert "Category: Mid-market SaaS (your choice)." in fixed.text
    button = applied_button(await _club_id(club), posting=quant)
    reply = await click(club, button.action, button.value, as_user=MEMBER)
    assert "Category: Quant (from the posting)." in reply.text


async def test_typing_suggests_programs_and_postings_and_the_choice_finds_them(club):
    await club.run(SETUP, as_user=ADMIN)
    posted = club.clock.now() - timedelta(days=2)
    await add_posting(
        club.runtime.store, company="Google", title="SWE Intern, ML", posted_at=posted
    )
    place = Place(platform="console", workspace_id="ws-1", channel_id="general")
    found = await club.runtime.bot.complete("applied", "company", "goog", user=MEMBER, place=place)
    assert "Google STEP internship · program google-step" in found
    posting = next(s for s in found if "posting" in s)
    assert posting.startswith("Google: SWE Intern, ML · posting ")
    assert all(len(s) <= 100 for s in found)
    assert len(found) <= 25
    reply = await club.run(f'/applied company:"{posting}"', as_user=MEMBER)
    assert reply.title == "#1 Google — SWE Intern, ML"
    reply = await club.run(
        '/applied company:"Google STEP internship · program google-step"', as_user=MEMBER
    )
    assert reply.title == "#2 Google — STEP internship"


async def test_stages_move_by_button_and_by_command_and_how_far_it_got_stays(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/applied company:Stripe", as_user=MEMBER)
    overview = await club.run("/applications", as_user=MEMBER)
    assert button_values(overview, "app-open") == ["1"]
    card = await click(club, "app-open", "1", as_user=MEMBER)
    assert "1.assessment" in button_values(card, "app-stage")
    await click(club, "app-stage", "1.assessment", as_user=MEMBER)
    moved = await club.run("/applications id:1 stage:interview", as_user=MEMBER)
    assert moved.text.startswith("Moved #1 to interview.")
    rejected = await click(club, "app-stage", "1.rejected", as_user=MEMBER)
    assert "Rejected since 16 Nov 2026 (today)" in rejected.text
    [app] = await _mine(club)
    assert (app.stage, app.furthest) == ("rejected", "interview")
    overview = await club.run("/applications", as_user=MEMBER)
    assert {f.name: f.value for f in overview.fields}["Closed"] == "#1 Stripe: rejected"
    gone = await click(club, "app-remove", "1", as_user=MEMBER)
    assert gone.text == "Removed #1 (Stripe)."
    assert await _mine(club) == []


async def test_what_a_member_sees_of_applications_is_theirs_and_private(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run('/applied company:Zyxcorp role:"Secret role"', as_user=MEMBER)
    replies = [
        await club.run("/applications", as_user=ADMIN),
        await club.run("/applications id:1", as_user=ADMIN),
        await click(club, "app-open", "1", as_user=ADMIN),
        await click(club, "app-stage", "1.offer", as_user=ADMIN),
    ]
    assert all(r.ephemeral for r in replies)
    shown = " ".join(f"{r.title} {r.text} {r.fields} {r.buttons}" for r in replies)
    assert "Zyxcorp" not in shown
    assert "Secret" not in shown
    assert "You have no application #1" in replies[1].text
    [app] = await _mine(club)
    assert app.stage == "applied", "an officer's click moved nothing of the member's"


async def test_a_button_from_a_dm_records_in_the_club_it_came_from_for_its_members_only(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run("/whatnow", as_user=MEMBER)  # the member has used the bot in the club
    button = applied_button(await _club_id(club), program="google-intern")
    reply = await click(club, button.action, button.value, as_user=MEMBER, workspace="dm-sam")
    assert reply.title == "#1 Google — software engineering and ML internships"
    assert [a.program for a in await _mine(club)] == ["google-intern"]
    stranger = User(id="stranger", name="stranger")
    refused = await click(club, button.action, button.value, as_user=stranger, workspace="dm-x")
    assert "belongs to a club you're not in" in refused.text


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("/applied company:Stripe link:ftp://x", "must be a web address"),
        ("/applied company:Stripe date:tomorrow", "can't read `tomorrow` as a date"),
        ("/applied company:Stripe date:2026-12-01", "is after today"),
        ("/applied company:Stripe date:12/10", "could be 10 Dec or 12 Oct"),
        ("/applied company:Stripe category:nonsense", "must be one of"),
        ("/applications stage:offer", "Say which application with id:"),
        ("/applications id:7", "You have no application #7"),
        ("/applications id:x", "Give the application's number"),
        ("/applications id:1 privacy:private", "not both at once"),
        ("/applications id:1 stage:offer category:saas", "one at a time"),
    ],
)
async def test_bad_input_gets_a_clear_answer_and_records_nothing(club, line, complaint):
    await club.run(SETUP, as_user=ADMIN)
    reply = await club.run(line, as_user=MEMBER)
    assert complaint in reply.text
    assert reply.ephemeral
    assert await _mine(club) == []


async def test_a_stale_or_mangled_button_answers_politely(club):
    await club.run(SETUP, as_user=ADMIN)
    for action, value in (("applied", "x.w.y"), ("applied", "1.q.z"), ("app-stage", "1.nope")):
        reply = await click(club, action, value, as_user=MEMBER)
        assert reply.ephemeral
        assert "went wrong" not in reply.text
    button = applied_button(await _club_id(club), program="no-such-program")
    reply = await click(club, button.action, button.value, as_user=MEMBER)
    assert "can't find what this button was for" in reply.text


async def test_a_big_season_still_fits_one_answer_on_every_platform(club):
    """130 applications, some waiting, many closed, and the season over without an offer:
    the overview keeps within the platforms' limits (the Message builds) and says what it
    left out."""
    await club.run(SETUP, as_user=ADMIN)
    repo, club_id = club.runtime.store.repo(ApplicationStore), await _club_id(club)
    for n in range(130):
        new = NewApplication(
            company=f"Company number {n} with a long name",
            role="Machine learning engineering intern, summer",
            link="",
            category="saas",
            category_from="member",
            applied_on=date(2026, 9, 1) + timedelta(days=n),
        )
        app, _ = await repo.add(club_id, MEMBER.id, new, now=club.clock.now())
        if n % 3:
            await repo.move(
                club_id,
                MEMBER.id,
                app.number,
                stage="rejected",
                furthest="interview",
                on=app.applied_on,
            )
    club.clock.set(datetime(2027, 5, 10, 15, 0, tzinfo=UTC))
    reply = await club.run("/applications", as_user=MEMBER)
    fields = {f.name: f.value for f in reply.fields}
    assert reply.text.startswith("130 applications this season")
    assert "more" in fields["Waiting for news"]
    assert "more" in fields["Closed"]
    assert "No offer this season: where to go from here" in fields
    assert len(reply.buttons) == 20
