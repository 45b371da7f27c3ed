"""Slack shows every instant in the reader's own zone (date formatting, the club's zone as
the fallback text); the console shows the club-zone fallback."""

from __future__ import annotations

import re
from datetime import timedelta

from adapters.console import render
from adapters.slack.render import blocks, cut, date_markup, fallback_text, mrkdwn_text
from bot.club_time import moment
from bot.model import Field, Message, Stamp, shown_length, stamp
from tests.adapters.slack import test_slack
from tests.adapters.slack.test_slack import PROBLEMS, SlackClub, assert_fits_block_kit
from tests.conftest import MONDAY

slack, mock = test_slack.slack, test_slack.mock  # the Slack mock and a club behind it

DATE = re.compile(r"<!date\^(\d+)\^\{date_short_pretty\} \{time\}\|([^>]+)>")
TIME = re.compile(r"<!date\^(\d+)\^\{time\}\|([^>]+)>")


async def test_the_daily_problem_hint_time_is_slack_date_markup(slack: SlackClub):
    await slack.command(f"/admin setup timezone:EST problems:<#{PROBLEMS}|p>")
    await slack.command("/admin problem post-now")
    [post] = slack.mock.messages
    text = "\n".join(b["text"]["text"] for b in post["blocks"] if b["type"] == "section")
    hint = TIME.search(text)
    assert hint is not None, text
    # The default hint delay is 6h after 09:00 New York: 15:00 EST, 20:00 UTC.
    assert int(hint[1]) == int(MONDAY.replace(hour=20).timestamp())
    assert hint[2] == "15:00 EST"
    assert TIME.search(post["text"])  # the notification text localises too
    assert_fits_block_kit(post)


async def test_status_next_runs_are_slack_date_markup_with_the_club_zone_fallback(
    slack: SlackClub,
):
    said = await slack.command('/admin setup timezone:"new york"')
    assert "`new york` → America/New_York" in said["text"]
    payload = await slack.command("/admin status")
    sections = " ".join(
        text
        for b in payload["blocks"]
        if b["type"] == "section"
        for text in ([f["text"] for f in b["fields"]] if "fields" in b else [b["text"]["text"]])
    )
    digest = DATE.search(sections)
    assert digest is not None, sections
    assert int(digest[1]) == int(MONDAY.replace(day=23, hour=14).timestamp())
    assert digest[2] == "Mon 23 Nov 2026, 09:00 EST"
    assert "\ue000" not in str(payload)
    assert_fits_block_kit(payload)


def test_member_text_is_escaped_before_the_bots_own_markup_is_added():
    typed = "<!channel> <@U1> & co"
    text = f"{typed} at {moment(MONDAY, 'America/New_York')}"
    rendered = mrkdwn_text(text)
    assert rendered.startswith("&lt;!channel&gt; &lt;@U1&gt; &amp; co at <!date^")
    assert rendered.count("<") == 1  # the date markup, nothing a member typed


def test_titles_and_buttons_show_the_fallback_and_lengths_stay_within_what_was_checked():
    when = moment(MONDAY + timedelta(days=3), "Asia/Kolkata")
    message = Message(
        title=f"Closes {when}",
        text="\n".join([f"Due {when}"] * 30),
        fields=(Field(name="Next", value=when),),
    )
    header = blocks(message)[0]
    assert header["text"]["text"] == "Closes Thu 19 Nov 2026, 20:30 IST"
    assert len(fallback_text(message)) <= shown_length(message.text) + 200
    line = f"Due {when}"
    assert len(mrkdwn_text(line)) <= shown_length(line)


def test_a_cut_never_splits_date_markup():
    markup = date_markup(Stamp(unix=1795446000, style="f", fallback="Mon 23 Nov 2026, 09:00 EST"))
    text = "x" * 10 + markup + "y" * 10
    for limit in range(5, len(text)):
        piece = cut(text, limit)
        assert piece.count("<") == piece.count(">")


def test_the_console_shows_the_time_in_the_club_zone():
    message = Message(
        title="Status",
        text=f"Next digest {moment(MONDAY.replace(day=23, hour=14), 'America/New_York')}",
        fields=(Field(name="When", value=stamp(MONDAY, "Mon 16 Nov 2026, 15:00 UTC", "R")),),
    )
    assert render(message) == [
        "** Status **",
        "Next digest Mon 23 Nov 2026, 09:00 EST",
        "When:",
        "  Mon 16 Nov 2026, 15:00 UTC",
    ]


def test_a_stamp_forged_in_member_text_cannot_ping():
    forged = "\ue0001795446000|f|<!channel> <@U1>\ue001"
    rendered = mrkdwn_text(f"Fair RSVP {forged}")
    assert "<!channel>" not in rendered
    assert "<@U1>" not in rendered
    assert rendered.endswith("|&lt;!channel&gt; &lt;@U1&gt;>")
