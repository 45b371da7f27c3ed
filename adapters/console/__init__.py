"""The console: a REPL, the scripted demo and the test harness, with no platform and no tokens.

`session` (a person at the console), `render` (plain-text lines), `posting` (the Poster that
prints), `directory` (its channels and members), `postings_feed` (`:postings FILE`).
"""

from adapters.console.directory import DEFAULT_CHANNELS, WORKSPACE, ConsoleDirectory
from adapters.console.posting import ConsolePoster, Output
from adapters.console.render import render
from adapters.console.session import ConsoleSession

__all__ = [
    "DEFAULT_CHANNELS",
    "WORKSPACE",
    "ConsoleDirectory",
    "ConsolePoster",
    "ConsoleSession",
    "Output",
    "render",
]
