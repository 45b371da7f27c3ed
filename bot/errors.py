"""The two kinds of failure the core tells apart.

A `UserError` is the member's to fix (a wrong time zone, an unknown track): its
message is shown to them as an ephemeral reply and nothing is changed. A
`ContentError` is ours: the shipped content/ data is malformed, found by tests
and at start-up, never by a member.
"""


class UserError(Exception):
    """Bad input from a member: the message says what is wrong and how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContentError(ValueError):
    """A malformed entry in content/: the message names the file and the entry."""
