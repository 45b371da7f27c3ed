"""Real storage faults for the trials: a database file that can't be written, and a tiny
disk that fills up. As root (the CI containers, this VM) a file is made immutable with
`chattr +i` (root ignores file modes) and the tiny disk is a tmpfs mount; otherwise the
file is chmod'ed read-only and the disk trials are skipped."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = os.geteuid() == 0


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` can be read but not written, by anyone, until the block ends."""
    if ROOT:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not available here: {made.stderr.decode().strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    mode = path.stat().st_mode
    path.chmod(0o444)
    try:
        yield
    finally:
        path.chmod(mode)


@contextlib.contextmanager
def tiny_disk(folder: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (root only)."""
    if not ROOT:
        pytest.skip("mounting a tiny disk needs root")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"can't mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the disk of `folder` to the last byte; the filler, to delete to free it."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        for block in (65536, 512):  # then the last partial blocks
            with contextlib.suppress(OSError):
                while out.write(b"\0" * block):
                    pass
    return filler
