"""The languages weerbaar speaks: Dutch, its users' own and the default of a new
installation, and English."""

from __future__ import annotations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


def supported(language: str | None) -> str | None:
    """``language`` ("nl", "nl-NL", "en_GB.UTF-8" …) as one weerbaar speaks, or None."""
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].split(".")[0].strip().lower()
    return base if base in LANGUAGES else None
