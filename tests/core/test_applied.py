"""The I applied button's one format: what it carries comes back as it went, for every
program of the calendar and any posting, within Discord's custom_id; anything else is no
such button."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.applied import AppliedTo, applied_button, applied_to
from bot.model import MAX_BUTTON_ID
from bot.windows.calendar import load_calendar

CLUB_IDS = st.integers(min_value=1, max_value=10**9)


@given(club_id=CLUB_IDS)
@settings(deadline=None)
def test_every_program_of_the_calendar_round_trips(club_id):
    for window in load_calendar().windows:
        button = applied_button(club_id, program=window.id)
        assert len(button.custom_id) <= MAX_BUTTON_ID
        assert applied_to(button.value) == AppliedTo(
            club_id=club_id, kind="program", what=window.id
        )


@given(club_id=CLUB_IDS, posting=st.integers(min_value=1, max_value=10**11))
@settings(deadline=None)
def test_any_posting_round_trips(club_id, posting):
    button = applied_button(club_id, posting=posting)
    assert button.label == "I applied"
    assert applied_to(button.value) == AppliedTo(club_id=club_id, kind="posting", what=str(posting))


@pytest.mark.parametrize("value", ["", "x.w.y", "1.q.z", "1.w.", "1.p.abc", "²³.p.1", "1"])
def test_a_value_no_such_button_carries_names_nothing(value):
    assert applied_to(value) is None


def test_a_long_label_is_cut_to_fit_and_still_carries_the_same_value():
    button = applied_button(7, posting=3, label="I applied: " + "A very long company name " * 5)
    assert len(button.label) == 75
    assert button.label.endswith("…")
    assert applied_to(button.value) == AppliedTo(club_id=7, kind="posting", what="3")


def test_a_button_is_for_one_program_or_one_posting():
    with pytest.raises(ValueError, match="one program or one posting"):
        applied_button(1)
    with pytest.raises(ValueError, match="one program or one posting"):
        applied_button(1, program="google-step", posting=3)
