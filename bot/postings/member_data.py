"""What live postings keep about members: the companies they follow."""

from bot.store.member_data import MemberColumn, MemberData

MEMBER_DATA = MemberData(
    owner="postings",
    columns=(MemberColumn(table="posting_follows", column="user_id", what="companies you follow"),),
    none=("posting_sources", "posting_fetches", "postings", "posting_announcements"),
)
