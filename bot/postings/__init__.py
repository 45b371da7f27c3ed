"""Live postings: the community internship lists and the company boards clubs follow,
polled once per deployment, announced to each club through its filters, searchable."""

from bot.postings.commands import COMMANDS
from bot.postings.digest import POSTINGS_DIGEST
from bot.postings.health import SOURCE_ALERT
from bot.postings.live import LivePosting, first_live_postings
from bot.postings.lookup import PostingFacts, posting_facts, postings_like
from bot.postings.member_data import MEMBER_DATA
from bot.postings.poll import POLL
from bot.postings.store import PostingStore

JOBS = (POSTINGS_DIGEST, SOURCE_ALERT)
SWEEPS = (POLL,)

__all__ = [
    "COMMANDS",
    "JOBS",
    "MEMBER_DATA",
    "SWEEPS",
    "LivePosting",
    "PostingFacts",
    "PostingStore",
    "first_live_postings",
    "posting_facts",
    "postings_like",
]
