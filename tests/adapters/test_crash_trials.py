"""A process SIGKILLed at a random moment of a fan-out shared by three, on PostgreSQL, through
the real Discord and Slack adapters: nothing is lost, nothing doubled where the platform can
recognise a post sent again, at most the posts in flight elsewhere. A few small trials here;
bench/bench_crash.py runs many larger ones and prints the figures."""

from __future__ import annotations

import os
import random

import pytest

from bot.delivery import POST_AT_ONCE
from tests.adapters.crash.trials import PLATFORMS, run_trial
from tests.conftest import _fresh_postgres, _postgres_url

pytestmark = pytest.mark.skipif(_postgres_url() is None, reason="TEST_DATABASE_URL is not set")


@pytest.mark.parametrize("latency", [0.0, 0.05], ids=["fast", "slow"])
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_process_killed_mid_fanout_loses_nothing_and_doubles_at_most_its_posts_in_flight(
    platform, latency, tmp_path
):
    seed = int.from_bytes(os.urandom(4), "big")
    url = _postgres_url()
    assert url is not None
    trial = await run_trial(
        url,
        platform,
        clubs=120,
        latency=latency,
        rng=random.Random(seed),
        workdir=tmp_path,
        fresh=_fresh_postgres,
    )
    assert trial.lost == 0, (seed, trial)
    if platform == "file":  # no way to recognise a post sent twice: only those in flight
        assert trial.doubled <= POST_AT_ONCE, (seed, trial)
    else:
        assert trial.doubled == 0, (seed, trial)
