"""Given a club with members who opted in, weekly rounds pair them fairly and once."""

from collections import Counter
from datetime import timedelta

from bot.model import Message, User, mention, plain
from bot.pairing.store import PairingStore
from bot.problems.bank import load_bank
from tests.conftest import ADMIN, MEMBER

SETUP = "/admin setup timezone:America/New_York pairing:#mock-interviews alerts:#officers"
ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "America/Los_Angeles"]


def _user(n: int) -> User:
    return User(id=f"u{n:02d}", name=f"member{n:02d}")


async def _join_many(club, count):
    for n in range(count):
        role = ("interviewer", "interviewee", "both")[n % 3]
        answer = await club.run(
            f'/mockpair join track:coding level:{1 + n % 5} availability:"daily 0-24" '
            f"role:{role} timezone:{ZONES[n % 4]}",
            as_user=_user(n),
        )
        assert answer.text.startswith(
            f"You're in. Available: Every day 00:00-24:00, your time ({ZONES[n % 4]})."
        )


async def test_sixty_one_members_over_ten_rounds_pair_fairly_and_never_repeat(club):
    await club.run(SETUP, as_user=ADMIN)
    await _join_many(club, 61)
    await club.runtime.scheduler.run_until(club.clock, club.clock.now() + timedelta(weeks=10))
    store, club_id = club.runtime.store, (await club.runtime.store.clubs.all())[0].id
    groups = await store.repo(PairingStore).groups(club_id)
    by_week: dict = {}
    for group in groups:
        by_week.setdefault(group.week_of, []).append(group)
    assert len(by_week) == 10
    seen: set[frozenset[str]] = set()
    for week, week_groups in sorted(by_week.items()):
        members = [m for g in week_groups for m in g.members]
        assert sorted(members) == sorted(f"u{n:02d}" for n in range(61)), week
        assert sorted(len(g.members) for g in week_groups) == [2] * 29 + [3]
        for g in week_groups:
            for a in g.members:
                for b in g.members:
                    if a < b:
                        assert frozenset((a, b)) not in seen, f"{a}-{b} repeated in {week}"
                        seen.add(frozenset((a, b)))
    trios = Counter(m.trio_count for m in await store.repo(PairingStore).members(club_id))
    assert max(trios) - min(trios) <= 1, trios
    for n in range(61):
        given = await store.repo(PairingStore).packs_given(club_id, f"u{n:02d}")
        per_round = [
            await store.repo(PairingStore).pack(club_id, g.id, f"u{n:02d}")
            for g in groups
            if f"u{n:02d}" in g.members
        ]
        flat = [p for pack in per_round for p in pack]
        assert len(flat) == len(set(flat)) == len(given), "no question twice to one interviewee"
    trio_groups = [g for g in groups if len(g.members) == 3]
    assert len(trio_groups) == 10
    for trio in trio_groups:
        # One session: what one member is asked, the other two hear.
        packs = [await store.repo(PairingStore).pack(club_id, trio.id, m) for m in trio.members]
        flat = [p for pack in packs for p in pack]
        assert flat, "the trio's interviewers have questions"
        assert len(flat) == len(set(flat)), f"a question twice in one trio: {packs}"
    announcements = club.poster.messages("mock-interviews")
    assert len(announcements) == 10
    pairing_dms = [m for _, m in club.poster.dms if not m.title.startswith("Model answers")]
    assert len(pairing_dms) == 61 * 10


async def test_members_get_a_partner_a_slot_in_their_zone_and_a_pack(club):
    await club.run(SETUP, as_user=ADMIN)
    await club.run(
        '/mockpair join track:coding level:3 availability:"tue 18-20" role:interviewee',
        as_user=MEMBER,
    )
    await club.run(
        '/mockpair join track:coding level:3 availability:"tue 23-24" timezone:Europe/London '
        "role:interviewer",
        as_user=_user(1),
    )
    answer = await club.run("/admin mockpair run-now", as_user=ADMIN)
    assert answer.text == "This week's round is out: pairs announced and DMed."
    dms: dict[str, Message] = {}
    for user_id, message in club.poster.dms:
        dms.setdefault(user_id, message)  # the pairing DM; model answers come after it
    fields = {f.name: plain(f.value) for f in dms["sam"].fields}
    assert fields["Partner"] == mention("u01")
    assert fields["Times you both have"] == "• Tue 17 Nov 18:00 EST"
    assert "pick one of the times below" in dms["sam"].text
    assert plain({f.name: f.value for f in dms["u01"].fields}["Times you both have"]) == (
        "• Tue 17 Nov 23:00 GMT"
    )
    # The interviewer holds the questions, with links and the idea to steer by; the
    # interviewee learns the topic and who asks, never the questions.
    interviewer = {f.name: f.value for f in dms["u01"].fields}
    assert interviewer["Questions to ask sam"].count("leetcode.com") == 2
    assert interviewer["Questions to ask sam"].count("Steer by:") == 2
    # ... and each question's model answer whole, in a second message, never cut.
    [answers] = [m for u, m in club.poster.dms if u == "u01" and m is not dms["u01"]]
    assert answers.title == "Model answers for the questions you ask sam"
    bank = load_bank()
    for f in answers.fields:
        [problem] = [p for p in bank.problems if p.title == f.name]
        assert f.value == problem.solution
        assert f.name in interviewer["Questions to ask sam"]
    assert not [m for u, m in club.poster.dms if u == "sam" and m.title.startswith("Model")]
    assert interviewer["Who interviews whom"] == f"You interview {mention('sam')}."
    assert fields["Who interviews whom"] == f"{mention('u01')} interviews you."
    assert fields["When you're interviewed"].startswith("Topic: coding, medium problems.")
    assert not any("leetcode.com" in f.value for f in dms["sam"].fields)
    assert "When you're interviewed" not in interviewer
    assert fields["Format"] == "One 50-minute interview; leave the last 10 minutes for feedback."
    again = await club.run("/admin mockpair run-now", as_user=ADMIN)
    assert "already run" in again.text
    status = await club.run("/mockpair status", as_user=MEMBER)
    assert "with member01; times you both have: Tue 17 Nov 18:00 EST" in plain(
        {f.name: f.value for f in status.fields}["This round"]
    )


async def test_bad_input_is_explained_and_joining_twice_updates(club):
    await club.run(SETUP, as_user=ADMIN)
    bad = await club.run(
        '/mockpair join track:coding level:3 availability:"sometimes"', as_user=MEMBER
    )
    assert "I can't read `sometimes`" in bad.text
    zone = await club.run(
        '/mockpair join track:coding level:3 availability:"mon 18-20" timezone:Mars/Base',
        as_user=MEMBER,
    )
    assert "is not a time zone I know" in zone.text
    level = await club.run(
        '/mockpair join track:coding level:9 availability:"mon 18-20"', as_user=MEMBER
    )
    assert "1 (just starting) to 5" in level.text
    first = await club.run(
        '/mockpair join track:coding level:3 availability:"mon 18-20"', as_user=MEMBER
    )
    second = await club.run(
        '/mockpair join track:ml-fundamentals level:4 availability:"tue 9-10"', as_user=MEMBER
    )
    assert first.text.startswith("You're in.")
    assert second.text.startswith("Updated your details.")
    not_joined = await club.run("/mockpair status", as_user=_user(5))
    assert "You haven't joined yet" in not_joined.text


async def test_feedback_only_about_a_partner_and_a_no_show_gets_re_paired(club):
    await club.run(SETUP, as_user=ADMIN)
    # member01 can meet both others; member02 and member03 share no hour.
    for n, hours in ((1, "wed 18-20, thu 18-19"), (2, "wed 18-20"), (3, "thu 18-19")):
        await club.run(
            f'/mockpair join track:coding level:3 availability:"{hours}"', as_user=_user(n)
        )
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    alone = dict(club.poster.dms)["u03"]
    assert alone.title.startswith("No mock-interview partner this week")
    stranger = await club.run("/mockpair feedback partner:@kim rating:4", as_user=_user(1))
    assert stranger.text == "kim wasn't your partner in the last rounds, so I can't record that."
    reported = await club.run(
        "/mockpair feedback partner:@u02 rating:1 no-show:yes", as_user=_user(1)
    )
    assert reported.text.startswith("Sorry u02 didn't show. You're now paired with member03")
    assert club.poster.dms[-1][0] == "u03"
    assert "paired" in club.poster.dms[-1][1].text
    twice = await club.run("/mockpair feedback partner:@u02 rating:1", as_user=_user(1))
    assert "already left feedback" in twice.text
    stats = await club.run("/admin mockpair stats", as_user=ADMIN)
    assert {f.name: f.value for f in stats.fields}["No-shows"] == "• member02: 1 no-show"


async def test_officers_see_stats_and_preview_and_members_cannot(club):
    await club.run(SETUP, as_user=ADMIN)
    await _join_many(club, 5)
    refused = await club.run("/admin mockpair preview", as_user=MEMBER)
    assert "Only club officers" in refused.text
    preview = await club.run("/admin mockpair preview", as_user=ADMIN)
    assert preview.text.startswith("A dry run of the round due Mon 16 Nov 2026, 10:00 EST")
    assert club.poster.dms == []
    await club.run("/admin mockpair run-now", as_user=ADMIN)
    stats = await club.run("/admin mockpair stats", as_user=ADMIN)
    assert "Members: 5 active of 5 who ever joined." in stats.text
    assert "Rounds: 1, 2 groups." in stats.text
    assert "Repeat rate: 0 of 4 pairings met before." in stats.text
