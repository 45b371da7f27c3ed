import pytest

from bot.model import MAX_TEXT, Button, Field, Message, Place, clip, reply


def test_a_message_within_every_limit_builds():
    message = Message(
        text="x" * MAX_TEXT,
        title="t" * 150,
        fields=tuple(Field(name=f"f{i}", value="v" * 200) for i in range(10)),
    )
    assert len(message.fields) == 10


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"text": "x" * (MAX_TEXT + 1)}, "text is 3001 characters"),
        ({"text": "ok", "title": "t" * 151}, "title is 151"),
        ({"text": " "}, "needs text or fields"),
        (
            {"text": "ok", "fields": tuple(Field(name="n", value="v") for _ in range(11))},
            "11 fields",
        ),
        (
            {
                "text": "x" * 3000,
                "fields": tuple(Field(name="n", value="v" * 1024) for _ in range(3)),
            },
            "at most 6000",
        ),
    ],
)
def test_a_message_over_a_platform_limit_is_refused(kwargs, complaint):
    with pytest.raises(ValueError, match=complaint):
        Message(**kwargs)


def test_field_limits_follow_discord():
    with pytest.raises(ValueError, match="field value is 1025"):
        Field(name="n", value="v" * 1025)
    with pytest.raises(ValueError, match="field name is empty"):
        Field(name=" ", value="v")


def test_a_button_carries_action_and_value_in_one_id():
    assert Button(label="Solved", action="solved", value="two-sum").custom_id == "solved:two-sum"
    with pytest.raises(ValueError, match="button id is 101"):
        Button(label="x", action="a", value="v" * 99)
    with pytest.raises(ValueError, match="either an action or a url"):
        Button(label="x", action="a", url="https://example.org")
    with pytest.raises(ValueError, match="http"):
        Button(label="x", url="javascript:alert(1)")


def test_clip_marks_the_cut_and_reply_always_fits():
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"
    message = reply("y" * 10_000, title="z" * 500)
    assert len(message.text) == MAX_TEXT
    assert message.ephemeral


def test_a_place_needs_a_known_platform():
    with pytest.raises(ValueError, match="unknown platform"):
        Place(platform="irc", workspace_id="w", channel_id="c")  # type: ignore[arg-type]
