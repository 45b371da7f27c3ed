"""What the applications feature keeps about members: their applications and settings."""

from bot.store.member_data import MemberColumn, MemberData

MEMBER_DATA = MemberData(
    owner="applications",
    columns=(
        MemberColumn(table="applications", column="user_id", what="your applications"),
        MemberColumn(
            table="application_members",
            column="user_id",
            what="your application settings (counted, follow-ups)",
        ),
    ),
)
