"""Partners are named as mentions: clickable on each platform, never forged from typed text."""

from adapters.console import render
from adapters.discord.render import embed
from adapters.slack.render import blocks, fallback_text
from bot.model import Field, Message, mention

DM = Message(
    title="Your mock interview this week (23 Nov)",
    text=f"Say hi to {mention('U0KIM')} now. Typed by a member: <@U0EVIL> <!channel>",
    fields=(Field(name="Partner", value=mention("U0KIM")),),
)


def test_slack_renders_the_mention_and_escapes_typed_ones():
    rendered = blocks(DM)
    assert rendered[1]["text"]["text"] == (
        "Say hi to <@U0KIM> now. Typed by a member: &lt;@U0EVIL&gt; &lt;!channel&gt;"
    )
    assert rendered[2]["text"]["text"] == "*Partner*\n<@U0KIM>"
    assert "<@U0KIM>" in fallback_text(DM)


def test_discord_renders_the_mention_in_the_embed():
    card = embed(DM)
    assert card.description is not None
    assert card.description.startswith("Say hi to <@U0KIM> now.")
    assert card.fields[0].value == "<@U0KIM>"


def test_the_console_shows_at_name():
    assert render(DM)[1].startswith("Say hi to @U0KIM now.")
    assert render(DM)[-1] == "  @U0KIM"
