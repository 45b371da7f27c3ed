"""The words of the feature: the kinds of company an application goes to (the articles'
categories) and the stages it moves through."""

from __future__ import annotations

from typing import Final, Literal

from bot.errors import UserError

Category = Literal["big-tech", "saas", "startup", "research", "quant", "other"]
CATEGORIES: Final[tuple[Category, ...]] = (
    "big-tech",
    "saas",
    "startup",
    "research",
    "quant",
    "other",
)
CATEGORY_LABELS: Final[dict[Category, str]] = {
    "big-tech": "Big tech",
    "saas": "Mid-market SaaS",
    "startup": "AI-first startups",
    "research": "Research labs",
    "quant": "Quant",
    "other": "Other",
}
# The windows calendar's tracks, as the articles' categories (early-career programs such as
# Google STEP are big tech's; REU sites are research).
TRACK_CATEGORIES: Final[dict[str, Category]] = {
    "big-tech": "big-tech",
    "early-career": "big-tech",
    "research-reu": "research",
    "research-lab": "research",
    "quant": "quant",
    "mid-market-saas": "saas",
    "startup": "startup",
    "fellowship": "other",
    "club": "other",
}

Stage = Literal["applied", "assessment", "interview", "offer", "rejected", "withdrawn"]
STAGES: Final[tuple[Stage, ...]] = (
    "applied",
    "assessment",
    "interview",
    "offer",
    "rejected",
    "withdrawn",
)
STAGE_LABELS: Final[dict[Stage, str]] = {
    "applied": "Applied",
    "assessment": "Online assessment",
    "interview": "Interview",
    "offer": "Offer",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
# How far an application got, in order; rejected and withdrawn end it wherever it was.
PROGRESSION: Final[tuple[Stage, ...]] = ("applied", "assessment", "interview", "offer")
# Stages that wait for news from the company: these are followed up after 14 days.
WAITING: Final[frozenset[Stage]] = frozenset({"applied", "assessment", "interview"})


def category_of_track(track: str) -> Category:
    return TRACK_CATEGORIES.get(track, "other")


def parse_category(text: str) -> Category:
    word = text.strip().lower().replace(" ", "-").replace("_", "-")
    word = _CATEGORY_WORDS.get(word, word)
    if word not in CATEGORIES:
        raise UserError(
            f"`{text[:40]}` is not a kind of company. Use one of: {', '.join(CATEGORIES)}."
        )
    return word


def parse_stage(text: str) -> Stage:
    word = text.strip().lower().replace(" ", "-").replace("_", "-")
    word = _STAGE_WORDS.get(word, word)
    if word not in STAGES:
        raise UserError(f"`{text[:40]}` is not a stage. Use one of: {', '.join(STAGES)}.")
    return word


def furthest_after(furthest: Stage, moved_to: Stage) -> Stage:
    """How far an application got once moved to `moved_to`: a progression stage says where
    it is now (moving back corrects a mis-click); rejected or withdrawn keep where it got."""
    return moved_to if moved_to in PROGRESSION else furthest


_CATEGORY_WORDS: Final = {
    "bigtech": "big-tech",
    "faang": "big-tech",
    "mid-market": "saas",
    "mid-market-saas": "saas",
    "startups": "startup",
    "ai-startup": "startup",
    "lab": "research",
    "research-lab": "research",
    "labs": "research",
}
_STAGE_WORDS: Final = {
    "oa": "assessment",
    "online-assessment": "assessment",
    "interviewing": "interview",
    "offered": "offer",
    "reject": "rejected",
    "withdraw": "withdrawn",
}
