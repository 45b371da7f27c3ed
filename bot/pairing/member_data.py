"""What mock-interview pairing keeps about members: their profile, the questions they were
given, the groups they were in, and feedback given and received."""

from bot.store.member_data import MemberColumn, MemberData

MEMBER_DATA = MemberData(
    owner="pairing",
    columns=(
        MemberColumn(
            table="mockpair_members",
            column="user_id",
            what="your mock-interview profile",
            names=("name",),
        ),
        MemberColumn(table="mockpair_packs", column="user_id", what="questions you were given"),
        MemberColumn(
            table="mockpair_groups",
            column="members",
            what="the mock-interview groups you were in",
            match="listed",
            erase="drop",
        ),
        MemberColumn(table="mockpair_feedback", column="from_user", what="feedback you gave"),
        MemberColumn(
            table="mockpair_feedback",
            column="about_user",
            what="feedback about you",
            hidden=("from_user",),
        ),
    ),
    none=("mockpair_rounds",),
)
