"""What the web side keeps about members: their calendar-feed token, whether they left the
club page, and their dashboard sign-in links and sessions."""

from bot.store.member_data import MemberColumn, MemberData

MEMBER_DATA = MemberData(
    owner="web",
    columns=(
        # Secrets stay out of the copy: a feed token is a live link to the member's calendar.
        MemberColumn(
            table="web_feed_tokens",
            column="user_id",
            what="that you have a calendar feed link",
            hidden=("token",),
        ),
        MemberColumn(table="web_page_hidden", column="user_id", what="that you left the club page"),
        MemberColumn(
            table="web_signins",
            column="user_id",
            what="your dashboard sign-in links",
            names=("user_name",),
            hidden=("digest",),
        ),
        MemberColumn(
            table="web_sessions",
            column="user_id",
            what="your dashboard sessions",
            names=("user_name",),
            hidden=("digest", "csrf"),
        ),
    ),
    none=("web_keys",),
)
