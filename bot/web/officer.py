"""The officer behind a dashboard session, with their rights as the bot last learned them.

A session keeps the rights its officer had at sign-in, for hours. A `clubbot web` process
can't ask the platform whether they still have them, so the bot process records what it
learns (a command run in chat, the platform's role and member events) in the database
(`bot.store.learned`), and every dashboard command is run with those rights: an admin
demoted on the platform, or a member whose officer role was removed, is refused at once,
as in chat. The club's officer list and officer role are read fresh by `Bot.handle`.
"""

from __future__ import annotations

from dataclasses import replace

from bot.model import User
from bot.store.learned import LearnedMembers
from bot.store.store import Store


async def officer_now(store: Store, club_id: int, signed_in: User) -> User:
    """`signed_in` with the admin right and roles the bot learned last (they are never
    older than the sign-in, which ran `/admin dashboard` in chat)."""
    known = await store.repo(LearnedMembers).get(club_id, signed_in.id)
    if known is None or known.rights is None:
        return signed_in
    return replace(signed_in, is_admin=known.rights.is_admin, roles=known.rights.roles)
