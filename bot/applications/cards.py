"""What a member reads of their own applications: the season's overview, one application
with its buttons, what was recorded, and the follow-up DMs. Every reply is private."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.applications.facts import Facts
from bot.applications.kinds import (
    CATEGORIES,
    CATEGORY_LABELS,
    STAGE_LABELS,
    STAGES,
    WAITING,
)
from bot.applications.plan import Progress, needs_fallback
from bot.applications.store import Applicant, Application
from bot.model import Button, Field, Message, clip, field_lines, plural

OPEN_ACTION: Final = "app-open"
STAGE_ACTION: Final = "app-stage"
CATEGORY_ACTION: Final = "app-kind"
REMOVE_ACTION: Final = "app-remove"
# Update buttons under the overview: the rest are reached with /applications id:N.
_UPDATE_BUTTONS: Final = 20

COUNTING: Final = (
    "Your applications count toward the club's totals: officers see numbers for the whole "
    "club (never anyone's list, and nothing until five members are counted). "
    "`/applications privacy:private` leaves you out."
)
_SOURCES: Final = {
    "program": "from the program",
    "posting": "from the posting",
    "company": "a company the articles name",
    "member": "your choice",
    "unknown": "a guess: pick the right kind below so your mix is right",
}


def title_of(app: Application) -> str:
    return clip(f"#{app.number} {app.company}" + (f" — {app.role}" if app.role else ""), 150)


def _ago(day: date, today: date) -> str:
    days = (today - day).days
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def _speed(app: Application) -> str:
    """How soon after its opening it went out."""
    if app.opened_on is None:
        return ""
    days = (app.applied_on - app.opened_on).days
    if days == 0:
        return " That was the day it opened."
    if days < 0:
        return f" That was {plural(-days, 'day')} before it opened, by the calendar."
    return f" That was {plural(days, 'day')} after it opened."


def _where(app: Application, today: date) -> str:
    if app.stage == "applied" and app.news_on == app.applied_on:
        return f"Applied {app.applied_on:%d %b %Y} ({_ago(app.applied_on, today)}), no news since."
    return (
        f"{STAGE_LABELS[app.stage]} since {app.news_on:%d %b %Y} ({_ago(app.news_on, today)}); "
        f"applied {app.applied_on:%d %b %Y}."
    )


def card(app: Application, today: date, *, head: str = "") -> Message:
    """One application: where it stands, its category, and buttons to move or correct it."""
    lines = [head] if head else []
    lines.append(_where(app, today) + _speed(app))
    lines.append(f"Category: {CATEGORY_LABELS[app.category]} ({_SOURCES[app.category_from]}).")
    if app.link:
        lines.append(f"Link: {app.link}")
    buttons = [
        Button(label=STAGE_LABELS[s], action=STAGE_ACTION, value=f"{app.number}.{s}")
        for s in STAGES
        if s != app.stage
    ]
    buttons += [
        Button(
            label=f"Category: {CATEGORY_LABELS[c]}",
            action=CATEGORY_ACTION,
            value=f"{app.number}.{c}",
        )
        for c in CATEGORIES
        if c != app.category
    ]
    buttons.append(
        Button(label=f"Remove #{app.number}", action=REMOVE_ACTION, value=str(app.number))
    )
    if app.link.startswith(("https://", "http://")) and len(app.link) <= 512:
        buttons.append(Button(label="Open the link", url=app.link))
    return Message(
        title=title_of(app),
        text=clip("\n".join(lines), 3000),
        buttons=tuple(buttons),
        ephemeral=True,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Overview:
    """Everything the season's overview shows, gathered by the command."""

    mine: Sequence[Application]  # every season's, oldest first
    progress: Progress
    step: str
    applicant: Applicant
    today: date
    facts: Facts


def overview(view: Overview) -> Message:
    progress, facts = view.progress, view.facts
    season = progress.season
    now = [a for a in view.mine if season.holds(a.applied_on)]
    fields = [
        Field(name="The mix against the plan", value=_mix(progress, facts)),
        Field(name="Next step", value=clip(view.step, 1024)),
    ]
    waiting = sorted((a for a in now if a.stage in WAITING), key=lambda a: (a.news_on, a.number))
    if waiting:
        lines = [_line(a, view.today) for a in waiting]
        fields.append(Field(name="Waiting for news", value=field_lines(lines, "-")))
    offers = [_line(a, view.today) for a in now if a.stage == "offer"]
    if offers:
        fields.append(Field(name="Offers", value=field_lines(offers, "-")))
    closed = [a for a in now if a.stage in ("rejected", "withdrawn")]
    if closed:
        lines = [f"#{a.number} {a.company}: {STAGE_LABELS[a.stage].lower()}" for a in closed]
        fields.append(Field(name="Closed", value=field_lines(lines[::-1], "-")))
    if needs_fallback(progress, view.today, facts):
        fields.append(
            Field(name="No offer this season: where to go from here", value=fallback(facts))
        )
    earlier = _earlier(view.mine, season.starts)
    if earlier:
        fields.append(Field(name="Earlier seasons", value=earlier))
    buttons = tuple(
        Button(
            label=clip(f"Update #{a.number} {a.company}", 75),
            action=OPEN_ACTION,
            value=str(a.number),
        )
        for a in [*waiting, *(a for a in now if a.stage == "offer")][:_UPDATE_BUTTONS]
    )
    return Message(
        title=f"Your applications · {season.label} season",
        text=clip(_summary(view), 3000),
        fields=tuple(fields),
        buttons=buttons,
        ephemeral=True,
    )


def _summary(view: Overview) -> str:
    progress, facts = view.progress, view.facts
    count = facts.count
    lines = [
        f"{plural(progress.total, 'application')} this season; the plan is "
        f"{count.low}-{count.high} between September and April."
    ]
    if progress.timed:
        share = round(100 * progress.early / progress.timed)
        lines.append(
            f"{progress.early} of the {progress.timed} with a known opening went out within "
            f"two weeks of it ({share}%): applying early improves the odds."
        )
    elif progress.total:
        lines.append(
            "None has a known opening date yet: those recorded from a posting or a program do."
        )
    else:
        lines.append(
            "Nothing recorded yet: `/applied company:Stripe` records one (today by default), "
            "or click I applied under a posting or a window reminder."
        )
    applicant = view.applicant
    lines.append(
        "Counted in the club's totals (numbers only); `/applications privacy:private` "
        "leaves you out."
        if applicant.counted
        else "Not counted in the club's totals (`/applications privacy:counted` to count again)."
    )
    if not applicant.nudges:
        lines.append("Follow-ups are off (`/applications nudges:on`).")
    return "\n".join(lines)


def _mix(progress: Progress, facts: Facts) -> str:
    lines = [
        f"{CATEGORY_LABELS[m.category]}: {progress.by_category.get(m.category, 0)} "
        f"({progress.mix_percent(m.category)}%, plan {m.share}%)"
        for m in facts.mix
    ]
    outside = progress.total - progress.in_mix
    if outside:
        quant = progress.by_category.get("quant", 0)
        lines.append(f"Outside the plan's mix: {quant} quant, {outside - quant} other")
    return "\n".join(lines)


def _line(app: Application, today: date) -> str:
    role = f" — {app.role}" if app.role else ""
    since = f"{app.news_on:%d %b} ({_ago(app.news_on, today)})"
    return f"#{app.number} {app.company}{role} · {STAGE_LABELS[app.stage].lower()} {since}"


def _earlier(mine: Sequence[Application], starts: date) -> str:
    before: dict[str, int] = {}
    for app in mine:
        if app.applied_on < starts:
            summer = app.applied_on.year + (1 if app.applied_on.month >= 7 else 0)
            label = f"{summer - 1}-{summer % 100:02d}"
            before[label] = before.get(label, 0) + 1
    return ", ".join(f"{label}: {n}" for label, n in sorted(before.items(), reverse=True))


def fallback(facts: Facts) -> str:
    routes = "\n".join(f"{n}. {r.text}" for n, r in enumerate(facts.routes, 1))
    return clip(f"{facts.fallback.text}\n{routes}", 1024)


# --- DMs -----------------------------------------------------------------------------------


def follow_up_dm(apps: Sequence[Application], today: date, club_name: str) -> Message:
    """The nudge: applications that have waited two weeks or more without news."""
    title = (
        f"Any news from {apps[0].company}?"
        if len(apps) == 1
        else f"Any news on {len(apps)} applications?"
    )
    lines = [_line(a, today) for a in apps]
    first = apps[0].number
    text = (
        f"No news for two weeks or more, in {club_name}:\n"
        + field_lines(lines, "-", limit=2200)
        + f"\nHeard back? `/applications id:{first} stage:interview` (or assessment, offer, "
        "rejected) records it, or use the buttons of `/applications`. Still waiting is "
        "normal: I'll ask again in two weeks. `/applications nudges:off` stops these."
    )
    return Message(title=clip(title, 150), text=clip(text, 3000))


def season_end_dm(total: int, club_name: str, facts: Facts) -> Message:
    text = (
        f"The season's windows have closed, and none of your {plural(total, 'application')} "
        f"in {club_name} has led to an offer yet.\n{fallback(facts)}\n"
        "`/applications` shows your season; `/applications nudges:off` stops these messages."
    )
    return Message(title="Where to go from here", text=clip(text, 3000))
