"""Every date and figure members see traces to a sentence of an article, or is marked as
an estimate wherever it shows.

The sentences are kept in content/article_quotes.toml with the article each comes from,
so these tests need nothing outside the project; where the articles themselves are at hand
(../shared/seeds, or CLUBBOT_SEEDS), one more test checks the sentences are theirs. The
walk over every day of two cycles is in test_every_day.py.
"""

import calendar
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.content import read_toml
from bot.windows.advice import load_advice
from bot.windows.calendar import TRACKS, Window, load_calendar
from bot.windows.commands import program_message
from bot.windows.listing import line

CALENDAR = load_calendar()
ADVICE = load_advice()
QUOTES = read_toml("article_quotes.toml")["quote"]
MONTHS = list(calendar.month_name)[1:]
_MONTH_WORD = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
# What the advice may never say of a window: its state comes from the calendar.
STATE_WORDS = re.compile(
    r"\b(is|are|now) open\b|\bopen now\b|\b(has|have|had) (closed|filled)\b|\bclosed\b"
    r"|\bstill decide",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    # En and em dashes, curly quotes: the articles' typography, written plainly.
    for fancy, plain in (
        ("\u2013", "-"),
        ("\u2014", "-"),
        ("\u2019", "'"),
        ("\u2018", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
    ):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def _figures(text: str) -> list[str]:
    """Every figure of `text` ('$4,500-6,000/week' -> '4500-6000'), to look up."""
    words = [w for w in _plain(text).split() if any(ch.isdigit() for ch in w)]
    bare = [w.strip("().:;,~'").replace("$", "").replace(",", "") for w in words]
    return [b.split("/")[0] for b in bare]


def _bare(text: str) -> str:
    return _plain(text).replace("$", "").replace(",", "")


def _quotes(*, sources: set[str] | None = None, supports: str | None = None) -> list[str]:
    return [
        q["text"]
        for q in QUOTES
        if (sources is None or q["source"] in sources)
        and (supports is None or supports in q.get("supports", ()))
    ]


def _missing(text: str, quotes: list[str]) -> list[str]:
    """The months and figures of `text` that no sentence of `quotes` holds."""
    found = " ".join(_bare(q) for q in quotes)
    tokens = [*_MONTH_WORD.findall(text), *_figures(text)]
    return [t for t in tokens if t not in found]


# --- the sentences ------------------------------------------------------------------


def test_every_sentence_names_its_article_and_real_dates():
    sources = {s.id for s in CALENDAR.sources}
    windows = {w.id: w for w in CALENDAR.windows}
    for quote in QUOTES:
        assert quote["source"] in sources, quote["text"][:60]
        assert quote["text"] == _plain(quote["text"]), "written plainly"
        for fact in quote.get("supports", ()):
            window_id, _, field = fact.partition(".")
            assert window_id in windows, fact
            assert field in ("opens", "closes", "late"), fact
            assert quote["source"] in {s.id for s in windows[window_id].sources}, fact


SEED_FILES = {
    "ml-eng-guide": "000_",
    "three-jobs": "001_",
    "fonzi-salaries": "002_",
    "propelgrad-mle": "003_",
    "nvidia-engineer-blog": "004_",
}


def _seeds() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    candidates = [os.environ.get("CLUBBOT_SEEDS", ""), here / "../shared/seeds"]
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), None)


def test_the_sentences_are_the_articles_own_words():
    """Only where the articles are at hand (the project's ../shared/seeds)."""
    folder = _seeds()
    if folder is None:
        pytest.skip("the articles themselves are not here; the sentences stand for them")
    assert set(SEED_FILES) == {s.id for s in CALENDAR.sources}
    for quote in QUOTES:
        [path] = folder.glob(SEED_FILES[quote["source"]] + "*.txt")
        assert quote["text"] in _plain(path.read_text(encoding="utf-8")), quote["text"][:80]


# --- the calendar's dates ------------------------------------------------------------


def _spec_tokens(window: Window, field: str) -> list[str] | None:
    """What a sentence must say for `field` of `window`, or None when it is an estimate."""
    spec = {"opens": window.opens, "closes": window.closes, "late": window.late}[field]
    if field == "closes" and spec == "rolling":
        spec = window.until
    if not spec or spec.startswith("~"):
        return None
    if spec == "year-round":
        return ["year-round"]
    if spec.startswith("+"):
        few, _, many = spec[1:].removesuffix("w").partition("w..")
        return [f"{few}-{many} week" if many else f"{few} week"]
    part, _, months = spec.rpartition("-") if spec[0].isalpha() else ("", "", spec)
    first, _, last = months.partition("..")
    names = [MONTHS[int(first) - 1], MONTHS[int(last or first) - 1]]
    if field == "late":  # the month it turns late, or the season that ends before it
        return [f"{names[0]}|{MONTHS[int(first) - 2]}"]
    return [f"{part}-{names[0]}|{part} {names[0]}" if part else names[0], names[1]]


@pytest.mark.parametrize("window", CALENDAR.windows, ids=lambda w: w.id)
def test_each_date_is_a_sentence_of_its_articles_or_marked_estimated(window):
    for field in ("opens", "closes", "late"):
        tokens = _spec_tokens(window, field)
        if tokens is None:
            continue
        quotes = _quotes(supports=f"{window.id}.{field}")
        assert quotes, f"{window.id}.{field}: no sentence gives it, and it is not marked ~"
        for token in tokens:
            assert any(any(alt in _plain(q) for alt in token.split("|")) for q in quotes), (
                f"{window.id}.{field}: {token!r} is in none of its sentences"
            )


@pytest.mark.parametrize("window", CALENDAR.windows, ids=lambda w: w.id)
def test_each_pay_and_odds_figure_is_in_a_sentence_of_its_article(window):
    for fact in (*window.pay, *window.odds):
        missing = _missing(fact.text, _quotes(sources={fact.source.id}))
        assert not missing, f"{window.id}: {missing} not in {fact.source.id}'s sentences"


@pytest.mark.parametrize("window", CALENDAR.windows, ids=lambda w: w.id)
def test_notes_and_late_notes_say_only_what_the_articles_say(window):
    quotes = _quotes(sources={s.id for s in window.sources})
    for text in (window.notes, window.late_note):
        assert not _missing(text, quotes), f"{window.id}: {_missing(text, quotes)} in {text!r}"


def test_an_estimate_is_said_why_and_every_guess_alike_is_marked_alike():
    estimated = {w.id for w in CALENDAR.windows if w.estimate}
    marked = {
        w.id
        for w in CALENDAR.windows
        if any(v.startswith("~") for v in (w.opens, w.closes, w.until))
    }
    assert estimated == marked
    # "Until about March" is a guess for every rolling big-tech, research and quant window.
    ends = {w.id: w.until for w in CALENDAR.windows if w.until}
    assert {wid for wid, until in ends.items() if until.lstrip("~") == "03"} <= marked
    assert all(until.startswith("~") for wid, until in ends.items() if until.endswith("03"))


@pytest.mark.parametrize(
    "window_id",
    ["amazon-intern", "microsoft-intern", "nvidia-intern", "meta-swe-intern", "jane-street"],
)
def test_until_about_march_shows_as_the_estimate_it_is(window_id):
    for day in (date(2026, 10, 1), date(2027, 1, 15), date(2027, 4, 2)):
        [o] = [o for o in CALENDAR.around(day) if o.key == f"{window_id}:2027"]
        assert "until about March 2027 (estimated)" in line(o, day), line(o, day)
        page = {
            f.name: f.value
            for f in program_message(CALENDAR.by_id(window_id), day, club_id=1).fields
        }
        assert "(estimated)" in page["Window"]
        assert "Estimated: " in page["Window"]


# --- the advice ---------------------------------------------------------------------


def test_the_advice_names_only_real_tracks_and_programs():
    ids = {w.id for w in CALENDAR.windows} | set(TRACKS)
    for month in range(1, 13):
        assert set(ADVICE.by_month[month].focus) <= ids, month
    assert set(ADVICE.early_years.programs) <= {w.id for w in CALENDAR.windows}


@pytest.mark.parametrize("text", ADVICE.texts, ids=lambda t: t[:30])
def test_every_month_and_figure_of_the_advice_is_a_sentence_of_an_article(text):
    assert not _missing(text, _quotes()), f"{_missing(text, _quotes())} in {text!r}"


@pytest.mark.parametrize("text", ADVICE.texts, ids=lambda t: t[:30])
def test_the_advice_says_no_windows_state_and_no_more_than_the_articles(text):
    # Whether a window is open, late or closed is the calendar's to say, on the day.
    assert not STATE_WORDS.search(text), STATE_WORDS.search(text)


def test_the_advice_keeps_the_articles_words():
    assert "still include LeetCode-style coding rounds" in ADVICE.practice
    everything = " ".join(ADVICE.texts)
    assert "still decide" not in everything
    assert "have filled" not in everything
    october = ADVICE.by_month[10].advice
    # The two articles disagree on OpenAI and Anthropic: both are given, neither as the fact.
    assert "undergrads can apply" in october
    assert "conversion rate is very low" in october
    assert "no undergrad summer internships" in october
    assert "December is for getting ready" in ADVICE.by_month[12].advice


def test_the_calendar_file_marks_estimated_dates_too():
    from icalendar import Calendar as ICalendar

    from bot.windows.ics import build_ics

    data = build_ics(
        CALENDAR.occurrences(2027), calendar_name="Club", stamp=datetime(2026, 8, 1, tzinfo=UTC)
    )
    events = {str(e["UID"]): e for e in ICalendar.from_ical(data).walk("VEVENT")}
    summary = {uid: str(e["SUMMARY"]) for uid, e in events.items()}
    assert (
        summary["google-step:2027-closes@clubbot"] == "Closes (estimated): Google STEP internship"
    )
    assert summary["google-step:2027-opens@clubbot"] == "Opens: Google STEP internship"
    assert summary["deepmind-student-researcher:2027-opens@clubbot"].startswith(
        "Opens (estimated): "
    )
    amazon = str(events["amazon-intern:2027-opens@clubbot"]["DESCRIPTION"])
    assert "Closes: rolling, until about March 2027 (estimated)." in amazon
