"""The core's one place for fitting content into the platforms' limits: `pages` lays items
out over fields and pages, `fit` makes any message fit and says what it left out."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import (
    MAX_FIELD_VALUE,
    MAX_FIELDS,
    MAX_TOTAL,
    MIN_ROOM,
    Field,
    Group,
    Message,
    field_lines,
    fit,
    mention,
    pages,
    reply,
    shown_length,
    stamp,
)

WHEN = datetime(2026, 11, 16, 15, tzinfo=UTC)
# Text with what makes lengths tricky: stamps and mentions (longer when rendered).
PIECE = st.one_of(
    st.text(st.characters(blacklist_characters="["), min_size=1, max_size=400),
    st.just(stamp(WHEN, "Mon 16 Nov 2026, 10:00 EST")),
    st.just(mention("U0123456789")),
    st.just("x" * 1500),
)
ITEM = st.lists(PIECE, min_size=1, max_size=4).map("".join)
GROUPS = st.lists(
    st.tuples(st.text(min_size=1, max_size=400), st.lists(ITEM, min_size=1, max_size=30)),
    max_size=40,
)


def _size(message: Message) -> int:
    fields = sum(shown_length(f.name) + shown_length(f.value) for f in message.fields)
    return shown_length(message.title) + shown_length(message.text) + fields


@settings(max_examples=150, deadline=None)
@given(GROUPS, st.integers(min_value=0, max_value=MAX_TOTAL))
def test_pages_hold_every_item_once_in_order_each_page_a_valid_message(drawn, room):
    # Each item starts with its own tag, so what a page shows can be read back.
    tags = iter(range(10**6))
    groups = [Group(name=n, items=tuple(f"[{next(tags)}]{i}" for i in items)) for n, items in drawn]
    laid = pages(groups, room=room)
    shown = [
        int(tag)
        for page in laid
        for field in page.fields
        for tag in re.findall(r"^\[(\d+)\]", field.value, flags=re.MULTILINE)
    ]
    assert shown == list(range(sum(len(g.items) for g in groups))), "each once, in order"
    assert [p.shown for p in laid] == [
        len(re.findall(r"^\[\d+\]", "\n".join(f.value for f in p.fields), flags=re.MULTILINE))
        for p in laid
    ]
    for page in laid:
        assert 1 <= len(page.fields) <= MAX_FIELDS
        used = sum(shown_length(f.name) + shown_length(f.value) for f in page.fields)
        assert used <= max(room, MIN_ROOM)
        Message(text="", fields=page.fields)  # raises if over a limit


@settings(max_examples=150, deadline=None)
@given(GROUPS, st.integers(min_value=0, max_value=MAX_TOTAL), st.integers(1, 3))
def test_the_first_pages_alone_are_the_first_of_all_and_read_no_group_after(drawn, room, wanted):
    groups = [Group(name=n, items=tuple(items)) for n, items in drawn]
    every = pages(groups, room=room)
    read: list[int] = []

    def lazily():
        for index, group in enumerate(groups):
            read.append(index)
            yield group

    assert pages(lazily(), room=room, max_pages=wanted) == every[:wanted]
    if len(every) > wanted:  # the groups shown, and the one that began the next page
        shown = sum(p.shown for p in every[:wanted])
        items = [i for i, g in enumerate(groups) for _ in g.items]
        assert read[-1] == items[shown]


def test_a_group_longer_than_a_field_continues_and_a_long_item_is_clipped():
    group = Group(name="Acme", items=tuple(f"posting {i}: " + "y" * 300 for i in range(10)))
    (page, *rest) = pages([group, Group(name="Solo", items=("z" * 5000,))])
    names = [f.name for p in (page, *rest) for f in p.fields]
    assert names[:2] == ["Acme", "Acme (continued)"]
    assert names[-1] == "Solo"
    last = (page, *rest)[-1].fields[-1]
    assert len(last.value) == MAX_FIELD_VALUE
    assert last.value.endswith("…")


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=5000),
    title=st.text(max_size=400),
    fields=st.lists(
        st.builds(
            Field,
            name=st.text(min_size=1, max_size=256).filter(str.strip),
            value=st.text(min_size=1, max_size=1024).filter(str.strip),
        ),
        max_size=30,
    ),
)
def test_fit_makes_anything_fit_and_says_how_much_it_left_out(text, title, fields):
    message = fit(text, title=title, fields=fields, more="`/postings recent` lists them")
    assert _size(message) <= MAX_TOTAL
    assert list(message.fields) == fields[: len(message.fields)], "kept in order"
    left = len(fields) - len(message.fields)
    if left:
        assert f"…and {left} more section" in message.text


def test_reply_keeps_what_fits_where_a_message_would_have_been_refused():
    fields = tuple(Field(name=f"Part {i}", value="v" * 1000) for i in range(12))
    message = reply("head", title="Many", fields=fields)
    assert len(message.fields) == 5
    assert message.text == "head\n…and 7 more sections that didn't fit here."


def test_a_mention_counts_as_its_longest_rendering():
    assert shown_length(mention("U1")) == len("<@U1>")
    assert shown_length(field_lines([mention("U12345") + "x" * 1020], "", 1024)) <= 1024


def test_a_first_line_too_long_still_counts_the_rest():
    value = field_lines(["x" * 2000, "second", "third"], "-")
    assert value.endswith("…\n…and 2 more")
    assert len(value) <= MAX_FIELD_VALUE
