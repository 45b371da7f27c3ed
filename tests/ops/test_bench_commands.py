"""Issue #27: the command benchmark (bench/bench_core.py) times every command a member or
officer can run. A command added to `bot.runtime.COMMANDS` without a sample in
bench/core_commands.py fails here, so a new command can't go unmeasured; so does a sample
whose options the command no longer has, or an officers' command sampled as a member
(it would time the refusal)."""

from __future__ import annotations

import pytest

from bench.core_commands import SAMPLES, Sample
from bot.app import validate_args
from bot.errors import UserError
from bot.runtime import COMMANDS

BY_NAME = {c.name: c for c in COMMANDS}


def test_every_command_has_a_sample() -> None:
    sampled = {s.command for s in SAMPLES}
    missing = sorted(c.name for c in COMMANDS if c.name not in sampled)
    assert not missing, f"add a Sample to bench/core_commands.py for: /{', /'.join(missing)}"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.label)
def test_each_sample_runs_a_command_as_it_accepts_it(sample: Sample) -> None:
    command = BY_NAME.get(sample.command)
    assert command is not None, f"/{sample.command} is not a command any more"
    if command.officers_only:
        assert sample.who in ("officer", "admin"), "a member would time the refusal"
    required = {o.name for o in command.options if o.required} - set(sample.args)
    if required:  # given by the sample's prepare hook (an id it makes, a partner)
        assert sample.prepare is not None, f"nothing gives {sorted(required)}"
        return
    try:
        validate_args(command, sample.args)
    except UserError as error:
        pytest.fail(f"{sample.label}: {error.message}")


def test_labels_name_one_form_each() -> None:
    labels = [s.label for s in SAMPLES]
    assert len(labels) == len(set(labels)), "two samples share a label (the JSON's keys)"
