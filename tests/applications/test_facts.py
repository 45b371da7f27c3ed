"""The plan's figures come from the articles: each is in the sentence kept beside it, each
sentence is in its article (when the articles are at hand), and the words of the feature
agree with the windows calendar."""

import os
import re
from pathlib import Path

import pytest

from bot.applications.facts import load_facts, named_category
from bot.applications.kinds import CATEGORIES, TRACK_CATEGORIES, category_of_track
from bot.windows import TRACKS
from bot.windows.calendar import load_calendar

FACTS = load_facts()
SEED_FILES = {"ml-eng-guide": "000_", "three-jobs": "001_", "fonzi-salaries": "002_"}


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text.replace(",", ""))


def test_the_count_and_the_season_are_in_their_sentence():
    count = FACTS.count
    quote = count.cited.quote
    dash = "\u2013"  # the article's en dash
    assert f"{count.low}{dash}{count.high}" in quote
    assert f"September{dash}April" in quote
    assert (count.first_month, count.last_month) == (9, 4)


def test_each_share_of_the_mix_is_in_its_sentence_and_they_make_the_whole_plan():
    for share in FACTS.mix:
        assert f"{share.share}%" in share.cited.quote, share.category
    assert sum(s.share for s in FACTS.mix) == 100
    assert [s.category for s in FACTS.mix] == ["big-tech", "saas", "startup", "research"]


def test_two_weeks_is_what_the_sentence_says():
    assert FACTS.early_days == 14
    assert "within about two weeks of a posting opening" in FACTS.early.quote


def test_each_named_company_is_in_its_sentence():
    for named in FACTS.companies:
        for name in named.names:
            assert name in named.cited.quote, name


def test_each_fallback_route_keeps_the_figures_of_its_sentence():
    for said in (FACTS.fallback, *FACTS.routes):
        assert set(_numbers(said.text)) <= set(_numbers(said.cited.quote)), said.text
    assert len(FACTS.routes) == 4


def test_the_season_programs_are_programs_of_the_calendar():
    ids = {w.id for w in load_calendar().windows}
    assert FACTS.season_programs <= ids
    assert FACTS.season_programs


def test_every_track_of_the_calendar_is_one_of_the_articles_categories():
    assert set(TRACKS) == set(TRACK_CATEGORIES)
    assert {category_of_track(t) for t in TRACKS} <= set(CATEGORIES)
    assert category_of_track("no-such-track") == "other"


@pytest.mark.parametrize(
    ("company", "category"),
    [
        ("Google", "big-tech"),
        ("Amazon Web Services", "big-tech"),
        ("NVIDIA", "big-tech"),
        ("Google DeepMind", "research"),
        ("Google Research", "research"),
        ("Allen Institute for AI (Ai2)", "research"),
        ("Jane Street Capital", "quant"),
        ("Citadel Securities", "quant"),
        ("Applied Materials", None),
        ("Metaview", None),
        ("Stripe", None),
        ("", None),
    ],
)
def test_a_company_is_placed_by_whole_words_and_a_lab_before_its_parent(company, category):
    assert named_category(company, FACTS.companies) == category


def test_every_calendar_employer_the_articles_name_is_placed_as_its_track():
    """A program's category comes from its track; a company typed by the name of an
    employer with one program must not land somewhere else. (Meta runs two, in two tracks:
    "Meta" typed alone is big tech, its SWE internship.)"""
    windows = load_calendar().windows
    employers = [w.employer for w in windows]
    for window in windows:
        if employers.count(window.employer) > 1:
            continue
        named = named_category(window.employer, FACTS.companies)
        if named is not None:
            assert named == category_of_track(window.track), window.id


# --- the articles -------------------------------------------------------------------------


def _seeds() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    candidates = [os.environ.get("CLUBBOT_SEEDS", ""), here / "../shared/seeds"]
    candidates.append(here / "../../shared/seeds")
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), None)


def _all_quotes() -> list[tuple[str, str]]:
    cited = [FACTS.count.cited, FACTS.early, FACTS.fallback.cited]
    cited += [s.cited for s in FACTS.mix] + [n.cited for n in FACTS.companies]
    cited += [r.cited for r in FACTS.routes]
    return [(c.source, c.quote) for c in cited]


@pytest.mark.parametrize(("source", "quote"), _all_quotes(), ids=lambda v: v[:30])
def test_each_sentence_is_word_for_word_in_its_article(source, quote):
    folder = _seeds()
    if folder is None:
        pytest.skip("the source articles (../shared/seeds) are not here")
    [path] = folder.glob(SEED_FILES[source] + "*.txt")
    article = " ".join(path.read_text(encoding="utf-8").split())
    assert " ".join(quote.split()) in article
