"""Where members reach the web side (PUBLIC_URL) and the links the bot hands out."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

SIGNIN_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
# Sign-in links an officer may ask for per hour: a stolen chat account can't flood DMs.
SIGNINS_PER_HOUR = 5
TURN_ON = (
    "The web side is off: whoever runs the bot sets PUBLIC_URL (e.g. https://club.example.org) "
    "and starts it with --web (see docs/web.md)."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    public_url: str = ""  # "" when the web side is off

    def __post_init__(self) -> None:
        if self.public_url and urlsplit(self.public_url).scheme not in ("http", "https"):
            raise ValueError(f"PUBLIC_URL must start with https:// or http://: {self.public_url!r}")

    @property
    def on(self) -> bool:
        return bool(self.public_url)

    def url(self, path: str) -> str:
        return self.public_url.rstrip("/") + path

    def feed_url(self, token: str, track: str | None = None) -> str:
        return self.url(f"/feeds/{token}.ics") + (f"?track={quote(track)}" if track else "")

    @property
    def https(self) -> bool:
        return self.public_url.startswith("https://")


def webcal(url: str) -> str:
    """The subscription form of a feed's URL: calendar apps subscribe instead of importing."""
    return "webcal://" + url.split("://", 1)[1]


def google_subscribe(url: str) -> str:
    return "https://calendar.google.com/calendar/r?cid=" + quote(webcal(url), safe="")


def sign(key: str, token: str) -> str:
    mac = hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{token}.{mac}"


def unsign(key: str, signed: str) -> str | None:
    """The token of a signed link, or None if the signature is not ours."""
    token = signed.partition(".")[0]
    return token if token and hmac.compare_digest(sign(key, token), signed) else None
