"""What members read of postings: a posting's line, postings grouped by company, and the
digest, the followers' DM and the listings of /postings, each fitted to the platforms'
limits (bot.model.pages): what does not fit says where the rest is."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.applied import applied_button
from bot.model import (
    MAX_BUTTONS,
    MAX_FIELD_VALUE,
    MAX_TOTAL,
    Button,
    Group,
    Message,
    Page,
    clip,
    fit,
    pages,
    plural,
    shown_length,
)
from bot.postings.store import StoredPosting
from bot.store.versions import Recent

# A digest shows at most this many postings of one company: the rest are in /postings recent.
PER_COMPANY: Final = 5
# Room a message keeps for its title and text; the fields share the rest.
_HEAD_ROOM: Final = 700
RECENT_MORE: Final = "`/postings recent`"
# Where a shown posting without a button of its own is recorded.
APPLIED_MORE: Final = "`/applied`"


def age(posted_at: datetime, now: datetime) -> str:
    days = (now - posted_at).days
    return "posted today" if days <= 0 else f"posted {days}d ago"


def posting_line(stored: StoredPosting, now: datetime) -> str:
    """'Title — Place, Place · posted 1d ago' then the apply link on its own line; a long
    title or place list is cut, never the link."""
    posting = stored.posting
    where = ", ".join(posting.locations[:3]) or "location not given"
    if len(posting.locations) > 3:
        where += f" +{len(posting.locations) - 3}"
    closed = " · closed" if not stored.open else ""
    head = f"{posting.title} — {where} · {age(posting.posted_at, now)}{closed}"
    if not posting.url:
        return head
    # The link whole (the readers keep at most 1,000 characters of it), the rest cut to fit.
    room = max(MAX_FIELD_VALUE - shown_length(posting.url) - 1, 1)
    return f"{clip(head, room)}\n{posting.url}"


def by_company(
    postings: Sequence[StoredPosting], now: datetime, *, per_company: int | None = None
) -> Iterator[Group]:
    """One group per company, newest posting first; `per_company` postings at most each.
    Each company's lines are made as the group is read."""
    for company, items in _grouped(postings, per_company):
        yield Group(name=company, items=tuple(posting_line(s, now) for s in items))


def _grouped(
    postings: Sequence[StoredPosting], per_company: int | None
) -> list[tuple[str, list[StoredPosting]]]:
    grouped: dict[str, list[StoredPosting]] = {}
    for stored in sorted(postings, key=lambda s: s.posting.posted_at, reverse=True):
        grouped.setdefault(stored.posting.company, []).append(stored)
    return [(company, items[:per_company]) for company, items in grouped.items()]


def _in_order(postings: Sequence[StoredPosting], per_company: int | None) -> list[StoredPosting]:
    """The postings in the order `by_company` lays them out (as `pages` shows them)."""
    return [s for _, items in _grouped(postings, per_company) for s in items]


def applied_buttons(club_id: int, shown: Sequence[StoredPosting]) -> tuple[Button, ...]:
    """An I applied button for each shown posting, in the order shown, as many as a message
    holds (MAX_BUTTONS: Discord's 5 rows of 5, a Slack actions block's 25 elements)."""
    return tuple(
        applied_button(
            club_id, posting=s.id, label=f"I applied: {s.posting.company} — {s.posting.title}"
        )
        for s in shown[:MAX_BUTTONS]
    )


def _buttons_note(shown: int, buttons: int) -> str:
    if shown <= buttons:
        return ""
    return f" I applied buttons for the first {buttons}; for the others, {APPLIED_MORE}."


def first_page(groups: Iterable[Group]) -> Page:
    """The page a message shows: the groups after it are not read (nor their lines made)."""
    laid = pages(groups, room=MAX_TOTAL - _HEAD_ROOM, max_pages=1)
    return laid[0] if laid else Page(fields=(), shown=0)


def digest_message(postings: Sequence[StoredPosting], now: datetime, *, club_id: int) -> Message:
    """The club's digest: as many companies as one message holds, the rest counted; an I
    applied button under each shown posting that one message has room for."""
    page = first_page(by_company(postings, now, per_company=PER_COMPANY))
    companies = len({s.posting.company for s in postings})
    text = (
        f"{plural(len(postings), 'new internship posting')} from {companies} "
        f"compan{'ies' if companies != 1 else 'y'} "
        f"match{'es' if len(postings) == 1 else ''} the club's filters. Applying in the "
        "first two weeks helps; rolling programs fill first."
    )
    hidden = len(postings) - page.shown
    if hidden:
        text += f" {hidden} more: {RECENT_MORE}."
    buttons = applied_buttons(club_id, _in_order(postings, PER_COMPANY)[: page.shown])
    text += _buttons_note(page.shown, len(buttons))
    return fit(text, title="New internship postings", fields=page.fields, buttons=buttons)


def follow_message(postings: Sequence[StoredPosting], now: datetime, *, club_id: int) -> Message:
    """A follower's DM; what does not fit is found by searching (the club's filters, which
    /postings recent applies, may leave the company out)."""
    page = first_page(by_company(postings, now))
    text = "A company you follow just posted (stop with `/postings unfollow`)."
    hidden = len(postings) - page.shown
    companies = {s.posting.company for s in postings}
    if hidden:
        only = next(iter(companies)).replace('"', "") if len(companies) == 1 else ""
        search = f'`/postings search company:"{clip(only, 100)}"`' if only else "`/postings search`"
        text += f" {hidden} more: {search}."
    buttons = applied_buttons(club_id, _in_order(postings, None)[: page.shown])
    text += _buttons_note(page.shown, len(buttons))
    title = "New posting from a company you follow"
    return fit(text, title=title, fields=page.fields, buttons=buttons)


def listing(
    hits: Sequence[StoredPosting],
    now: datetime,
    *,
    club_id: int,
    title: str,
    empty: str,
    page: int,
    next_page: str,
) -> Message:
    """One page of a list of postings, grouped by company: "Page 2 of 4", and the command
    that shows the next (`next_page` with `{page}` for its number); an I applied button
    under each posting of the page that the message has room for."""
    if not hits:
        return fit(empty, title=title, ephemeral=True)
    in_order, laid = _laid_out(hits, now)
    number = min(max(page, 1), len(laid))
    text = f"{plural(len(hits), 'posting')}."
    if len(laid) > 1:
        text += f" Page {number} of {len(laid)}"
        if number < len(laid):
            text += f": {next_page.replace('{page}', str(number + 1))} for the next."
        else:
            text += "."
    if page > len(laid):
        only = "There is only 1 page" if len(laid) == 1 else f"There are only {len(laid)} pages"
        text = f"{only}. " + text
    title = f"{title} · page {number} of {len(laid)}" if len(laid) > 1 else title
    start = sum(p.shown for p in laid[: number - 1])
    shown = laid[number - 1].shown
    buttons = applied_buttons(club_id, in_order[start : start + shown])
    text += _buttons_note(shown, len(buttons))
    fields = laid[number - 1].fields
    return fit(text, title=title, fields=fields, buttons=buttons, ephemeral=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Laid:
    hits: tuple[StoredPosting, ...]  # held, so that no other posting takes one's id
    in_order: list[StoredPosting]
    pages: list[Page]


# The listings laid out lately (a search with no words lays out every open posting, 1,300
# lines over 45 pages, to show one and count them): a listing's pages follow from its
# postings and each one's age in days, so two members' same search on a day, or one
# member's next page, lay it out once. Each is its pages (about 100 KB for 1,300 postings)
# and its postings' references (the postings themselves are the kept reads').
_LISTINGS: Final[Recent[_Laid]] = Recent(8)


def _laid_out(
    hits: Sequence[StoredPosting], now: datetime
) -> tuple[list[StoredPosting], list[Page]]:
    """`hits` in the order shown, and their pages. The postings are immutable and held by
    the kept entry, so their ids name them while it is kept."""
    key = tuple(n for s in hits for n in (id(s), (now - s.posting.posted_at).days))
    laid = _LISTINGS.get(
        key,
        lambda: _Laid(
            hits=tuple(hits),
            in_order=_in_order(hits, None),
            pages=pages(by_company(hits, now), room=MAX_TOTAL - _HEAD_ROOM),
        ),
    )
    return laid.in_order, laid.pages
