"""What the bot learns of a member (rights as last seen, DMs refused) is written by one
upsert per fact: each keeps the other."""

from datetime import timedelta

from bot.model import User
from bot.store.learned import DmRefusal, LearnedMembers, Rights
from tests.conftest import MONDAY


async def test_rights_and_refused_dms_are_learned_apart_and_kept_together(store):
    club = await store.clubs.get_or_create(
        platform="discord", workspace_id="G1", name="ML Club", now=MONDAY
    )
    learned = store.repo(LearnedMembers)
    sam = User(id="sam", name="Sam", is_admin=True, roles=frozenset({"R2", "R1"}))
    later = MONDAY + timedelta(hours=2)

    await learned.dm_refused(club.id, "sam", "Cannot send messages to this user", now=MONDAY)
    await learned.learn_rights(club.id, sam, now=later)
    found = await learned.get(club.id, "sam")
    assert found.rights == Rights(is_admin=True, roles=frozenset({"R1", "R2"}), at=later)
    assert found.dm_refusal == DmRefusal(at=MONDAY, reason="Cannot send messages to this user")

    demoted = User(id="sam", name="Sam", is_admin=False, roles=frozenset())
    await learned.learn_rights(club.id, demoted, now=later + timedelta(days=1))
    await learned.dm_refused(club.id, "sam", "closed", now=later + timedelta(days=2))
    found = await learned.get(club.id, "sam")
    assert found.rights == Rights(is_admin=False, roles=frozenset(), at=later + timedelta(days=1))
    assert found.dm_refusal == DmRefusal(at=later + timedelta(days=2), reason="closed")
    assert await learned.get(club.id, "kim") is None
