"""What the daily problem keeps about members: their solves and running totals."""

from bot.store.member_data import MemberColumn, MemberData

MEMBER_DATA = MemberData(
    owner="problems",
    columns=(
        MemberColumn(table="solves", column="user_id", what="your solves", names=("name",)),
        MemberColumn(
            table="solve_totals", column="user_id", what="your points and solves", names=("name",)
        ),
    ),
    none=("problem_posts",),
)
