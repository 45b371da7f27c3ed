"""Reads the TOML data shipped in content/ (the wheel package `clubbot_content`).

Feature modules (windows, advice, problem bank) parse and validate their own
files; this module only finds and decodes them, so an installed wheel and an
editable checkout read the same bytes the same way.
"""

import tomllib
from importlib.resources import files
from typing import Any

from bot.errors import ContentError

PACKAGE = "clubbot_content"


def read_toml(name: str) -> dict[str, Any]:
    """The decoded content file `name` (e.g. "windows.toml"); ContentError names a bad file."""
    resource = files(PACKAGE).joinpath(name)
    try:
        return tomllib.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ContentError(f"content/{name} is missing from the package") from error
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"content/{name} is not valid TOML: {error}") from error
