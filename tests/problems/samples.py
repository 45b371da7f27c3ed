"""Small problem banks built from Problem objects, so a test controls exactly what is
left to choose from (the shipped content has its own tests)."""

from bot.problems.bank import Problem


def problem(pid, kind="coding", difficulty="easy", topics=("arrays",)):
    return Problem(
        id=pid,
        kind=kind,
        title=pid,
        difficulty=difficulty,
        topics=topics,
        hint="a nudge",
        solution="the idea",
    )


def full_bank(per_cell=10):
    """`per_cell` problems of every kind and difficulty."""
    return [
        problem(f"{kind}-{difficulty}-{n}", kind, difficulty)
        for kind in ("coding", "ml", "sql")
        for difficulty in ("easy", "medium", "hard")
        for n in range(per_cell)
    ]
