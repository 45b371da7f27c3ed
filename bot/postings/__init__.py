"""Live postings: the community internship lists and the company boards clubs follow,
polled once per deployment, announced to each club through its filters, searchable."""

from bot.postings.deployment import Postings
from bot.postings.live import LivePosting, open_postings
from bot.postings.lookup import PostingFacts, posting_facts, postings_like
from bot.postings.member_data import MEMBER_DATA
from bot.postings.store import PostingStore

# What the platforms register (the commands' specs) with the documented sources.
_DOCUMENTED = Postings()
COMMANDS = _DOCUMENTED.commands
JOBS = _DOCUMENTED.jobs
SWEEPS = _DOCUMENTED.sweeps

__all__ = [
    "COMMANDS",
    "JOBS",
    "MEMBER_DATA",
    "SWEEPS",
    "LivePosting",
    "PostingFacts",
    "PostingStore",
    "Postings",
    "open_postings",
    "posting_facts",
    "postings_like",
]
