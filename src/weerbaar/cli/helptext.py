"""``--help`` in the reader's language.

Help texts are written in English where a command is defined, marked for the
catalogue with ``N_``; :func:`speak` says them in the current language just before a
command line is parsed, so ``--help`` reads as the rest of the output does. Texts
made of parts (a generated record command's) are a :class:`Lazy`: English now, said
again in the reader's words when shown.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from weerbaar import i18n

_ENGLISH = "_weerbaar_english"
_COMMAND_TEXTS = ("help", "short_help", "epilog", "rich_help_panel")
_PARAM_TEXTS = ("help", "rich_help_panel")


# How to say each Lazy text, by its English: typer keeps a help text as a plain str.
_SAYINGS: dict[str, Callable[[], str]] = {}


class Lazy(str):
    """A help text in English, with how to say it in the reader's language (the same
    English is said the same way wherever it is used)."""

    def __new__(cls, english: str, say: Callable[[], str]) -> Lazy:
        _SAYINGS[english] = say
        return super().__new__(cls, english)


def _in_language(english: str) -> str:
    say = _SAYINGS.get(english)
    if say is not None:
        return say()
    return i18n.gettext(inspect.cleandoc(english))


def _speak_texts(thing: Any, names: tuple[str, ...], english_only: bool) -> None:
    english: dict[str, str] | None = getattr(thing, _ENGLISH, None)
    if english is None:
        english = {name: text for name in names if (text := getattr(thing, name, None))}
        setattr(thing, _ENGLISH, english)
    for name, text in english.items():
        setattr(thing, name, text if english_only else _in_language(text))


def speak(command: Any) -> None:
    """The help of ``command`` (a click command or group, as typer builds it) and of
    its parameters and subcommands, in the current language; English as written."""
    english_only = i18n.language() == "en"
    _speak_texts(command, _COMMAND_TEXTS, english_only)
    for param in getattr(command, "params", ()):
        _speak_texts(param, _PARAM_TEXTS, english_only)
    for sub in getattr(command, "commands", {}).values():
        speak(sub)
