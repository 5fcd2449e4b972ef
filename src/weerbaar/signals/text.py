"""Text as the comparisons see it: one Unicode form, no markup, no case, single spaces.

Dutch and English news differ in typography more than in words (curly quotes, non-
breaking spaces, soft hyphens in long compounds), so these are folded before any
hash, shingle or n-gram is taken.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["MAX_TEXT_CHARS", "clean", "fold", "normalise"]

MAX_TEXT_CHARS = 4000
"""A signal keeps at most this much of its text: enough for a lead and a summary;
a 5 MB "summary" in a broken feed must not reach the models or the database."""

_TAGS = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# What clean() would change: markup, entities, control and invisible characters, and
# whitespace other than single spaces. A text with none of it, already in NFKC, is
# only stripped and cut, without the five passes over it: most feed texts are such.
_NEEDS_WORK = re.compile(r"[<&\x00-\x1f\x7f-\x9f\u00ad\u200b\u200c\u200d\u2060\ufeff]|\s\s|[^\S ]")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})


def clean(text: str | None, limit: int = MAX_TEXT_CHARS) -> str:
    """Markup and entities removed, whitespace collapsed, cut at ``limit`` characters."""
    if not text:
        return ""
    cut = text[: limit * 4]
    if _NEEDS_WORK.search(cut) is None and unicodedata.is_normalized("NFKC", cut):
        return cut.strip()[:limit]
    plain = html.unescape(_TAGS.sub(" ", cut))
    plain = unicodedata.normalize("NFKC", plain).translate(_INVISIBLE)
    # Control characters come from broken encodings; whitespace ones become spaces.
    plain = _CONTROL.sub("", plain)
    return _SPACE.sub(" ", plain).strip()[:limit]


def normalise(text: str) -> str:
    """The form hashes and shingles are taken of: cleaned, case-folded, quotes unified."""
    return fold(clean(text))


def fold(cleaned: str) -> str:
    """:func:`normalise` of a text that went through :func:`clean` already."""
    return cleaned.casefold().translate(_QUOTES)
