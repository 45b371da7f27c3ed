"""What the windows feature keeps about members: alert subscriptions, class years, the
windows marked applied or not interested, and the club deadlines an officer added."""

from bot.store.member_data import MemberColumn, MemberData

MEMBER_DATA = MemberData(
    owner="windows",
    columns=(
        MemberColumn(
            table="deadline_subscriptions", column="user_id", what="your /alerts subscriptions"
        ),
        MemberColumn(
            table="deadline_mutes",
            column="user_id",
            what="windows you marked applied or not interested",
        ),
        MemberColumn(table="deadline_profiles", column="user_id", what="your class year"),
        MemberColumn(
            table="club_deadlines",
            column="created_by",
            what="club deadlines you added as an officer",
            erase="blank",
            blanks=(("created_by", ""),),
        ),
    ),
)
