"""Instants in message text: a stamp each platform renders in the reader's own zone."""

from datetime import UTC, datetime

import pytest

from bot.club_time import moment
from bot.model import (
    MAX_FIELD_VALUE,
    STAMP_MARKUP,
    Field,
    Message,
    Stamp,
    clip,
    field_lines,
    plain,
    render_stamps,
    shown_length,
    stamp,
)

AT = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)


def test_a_moment_carries_the_instant_and_the_club_zone_fallback():
    text = f"Due {moment(AT, 'America/New_York')}."
    found: list[Stamp] = []
    render_stamps(text, lambda s: found.append(s) or "")
    assert found == [
        Stamp(unix=int(AT.timestamp()), style="f", fallback="Mon 04 Jan 2027, 09:00 EST")
    ]
    assert plain(text) == "Due Mon 04 Jan 2027, 09:00 EST."


def test_lengths_count_the_longest_rendering_not_the_token():
    token = stamp(AT, "Mon 04 Jan 2027, 09:00 EST")
    assert (
        shown_length(token)
        == len(str(int(AT.timestamp()))) + len("Mon 04 Jan 2027, 09:00 EST") + STAMP_MARKUP
    )
    assert shown_length(f"a{token}b") == shown_length(token) + 2
    assert shown_length(token) > len(token) > len(plain(token))


def test_a_message_that_fits_only_as_tokens_is_refused():
    token = stamp(AT, "Mon 04 Jan 2027, 09:00 EST")
    many = "\n".join([token] * (MAX_FIELD_VALUE // len(token)))
    assert len(many) <= MAX_FIELD_VALUE < shown_length(many)
    with pytest.raises(ValueError, match="field value"):
        Field(name="Next runs", value=many)
    listed = field_lines([token] * 40, "none")
    assert shown_length(listed) <= MAX_FIELD_VALUE
    assert listed.endswith("more")
    Message(text="x", fields=(Field(name="Next runs", value=listed),))


def test_clip_never_cuts_through_a_stamp():
    token = stamp(AT, "Mon 04 Jan 2027, 09:00 EST")
    text = "x" * 20 + token + "y" * 100
    for limit in range(20, 140):
        cut = clip(text, limit)
        assert shown_length(cut) <= limit
        assert cut.count("\ue000") == cut.count("\ue001")
        assert "\ue000" not in plain(cut)
        assert "\ue001" not in plain(cut)
