"""Dutch and English: the message catalogues (gettext ``.po`` files under
``data/locale``, read with Babel), the language a piece of work speaks in, and dates
and numbers in its form.

The language is a context variable: the web app sets it per request (``?lang=``, the
reader's cookie or account, ``Accept-Language``, else the installation's default), the
command line from ``WEERBAAR_LANG`` or ``LANG``. Messages are written in English in
the code and templates; the Dutch catalogue translates them, with the official terms
of the National Security Strategy. Machine-readable output (JSON keys, CSV headers,
enum values, audit entries) is never translated.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from gettext import NullTranslations
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

from weerbaar.config import process_language
from weerbaar.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, supported
from weerbaar.errors import Grouped, Issue, Joined, Named, Said, ValidationError, message_of

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "supported"]

DOMAIN = "messages"
NAMES = {"nl": "Nederlands", "en": "English"}

# None: the process's own language (WEERBAAR_LANG, else LANG, else Dutch), for work
# that no request or command chose one for (background threads, tests, scripts).
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "weerbaar_language", default=None
)


@cache
def _process_language() -> str:
    return process_language()


def catalogue_path(language: str) -> str:
    return f"locale/{language}/LC_MESSAGES/{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of ``language``; English is the code's own text."""
    if language == "en":
        return NullTranslations()
    # Babel is imported by what needs it: most commands never translate a word.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    source = files("weerbaar.data").joinpath(catalogue_path(language))
    with source.open("rb") as handle:
        catalogue = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def language() -> str:
    return _current.get() or _process_language()


def set_language(code: str) -> contextvars.Token[str | None]:
    return _current.set(supported(code) or DEFAULT_LANGUAGE)


def reset_language(token: contextvars.Token[str | None]) -> None:
    _current.reset(token)


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Work done inside speaks ``code``."""
    token = set_language(code)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **values: object) -> str:
    """``message`` in the current language, with ``%(name)s`` fields filled in (the
    form templates use too, so one catalogue serves both); values written with
    :func:`~weerbaar.errors.said` or ``grouped`` in the current language too."""
    text = translations(language()).gettext(message)
    return text % _spoken(values) if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural of the current language; ``%(num)d`` is ``n``."""
    text = translations(language()).ngettext(singular, plural, n)
    return text % {"num": n, **_spoken(values)}


def _spoken(values: Mapping[str, object]) -> dict[str, object]:
    return {
        name: translated(value) if isinstance(value, Said | Joined | Grouped | Named) else value
        for name, value in values.items()
    }


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, as meant in ``context`` (a field's name,
    an enumerated value, a verb) where the same English word reads differently."""
    return translations(language()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Mark ``message`` for the catalogue where it is defined; translated where shown."""
    return message


def NP_(context: str, message: str) -> str:  # noqa: N802 - N_ with a context
    """Mark ``message`` for the catalogue in ``context``; translated with pgettext."""
    del context
    return message


def translated(text: str) -> str:
    """``text`` in the current language: a :class:`~weerbaar.errors.Said` message from
    the catalogue, filled in with its values (each said in the current language too,
    where it is a ``Said`` itself); messages :func:`~weerbaar.errors.joined` each in
    the current language; any other text as it is."""
    if isinstance(text, Joined):
        return text.separator.join(translated(part) for part in text.parts)
    if isinstance(text, Grouped):
        return format_number(text.number, text.digits)
    if isinstance(text, Named):
        return text.dutch if language() == "nl" else str(text)
    if not isinstance(text, Said):
        return text
    catalogue = translations(language())
    if text.context is None:
        template = catalogue.gettext(text.template)
    else:
        template = catalogue.pgettext(text.context, text.template)
    return template % _spoken(text.values) if text.values else template


def issue_text(issue: Issue, *, place: bool = True) -> str:
    """One problem as a person reads it: where (a place in words, the column) and
    why, in the current language; the column keeps its machine name. Without
    ``place``: the field and why, for a form that shows where itself."""
    reason = translated(issue.reason)
    if not issue.place or not place:
        return f"{issue.field}: {reason}" if issue.field else reason
    where = translated(issue.place)
    if issue.field:
        return gettext(
            "%(place)s, column %(field)s: %(reason)s",
            place=where,
            field=repr(issue.field),
            reason=reason,
        )
    return f"{where}: {reason}"


def summary_text(exc: ValidationError) -> str:
    """The first line of a validation error: what did not happen, and how many
    problems there are, in the current language."""
    count = len(exc.issues)
    return ngettext(
        "%(summary)s: %(num)d problem(s)",
        "%(summary)s: %(num)d problem(s)",
        count,
        summary=translated(exc.summary),
    )


def error_text(exc: BaseException) -> str:
    """What a person reads of an error, in the current language: the message as it
    was said, and for a validation error its summary and each issue on a line."""
    if isinstance(exc, ValidationError):
        lines = [summary_text(exc)] + [f"  - {issue_text(issue)}" for issue in exc.issues]
        return "\n".join(lines)
    return translated(message_of(exc))


def from_accept_language(header: str) -> str | None:
    """The best of our languages in an ``Accept-Language`` header, by its weights."""
    wanted: list[tuple[float, str]] = []
    for part in header.split(",")[:20]:
        tag, _sep, rest = part.strip().partition(";")
        weight = 1.0
        if rest.strip().startswith("q="):
            try:
                weight = float(rest.strip()[2:])
            except ValueError:
                continue
        if tag:
            wanted.append((weight, tag.strip().replace("-", "_")))
    ordered = [tag for _w, tag in sorted(wanted, key=lambda pair: -pair[0])]
    from babel.core import negotiate_locale

    found = negotiate_locale(ordered, list(LANGUAGES), sep="_") if ordered else None
    return supported(found)


def _locale() -> Locale:
    from babel import Locale

    return Locale.parse({"nl": "nl_NL", "en": "en_GB"}[language()])


def format_date(day: dt.date, form: str = "long") -> str:
    """4 december 2026 / 4 December 2026."""
    from babel import dates

    return dates.format_date(day, format=form, locale=_locale())


def format_datetime(moment: dt.datetime, form: str = "medium") -> str:
    from babel import dates

    return dates.format_datetime(moment, format=form, locale=_locale())


def format_number(value: float, digits: int | None = None) -> str:
    """1.234,5 in Dutch, 1,234.5 in English."""
    from babel import numbers

    if digits is None:
        return numbers.format_decimal(value, locale=_locale())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=_locale())


def format_money(value: float, currency: str = "EUR") -> str:
    from babel import numbers

    return numbers.format_currency(value, currency, locale=_locale())


def names(mapping: Mapping[str, str]) -> str:
    """Pick the text of the current language from {"nl": …, "en": …}."""
    return mapping.get(language()) or mapping.get(DEFAULT_LANGUAGE) or next(iter(mapping.values()))


def localised(record: object, field: str = "name") -> str:
    """A record's or reference item's ``field`` as its reader should see it: the
    English companion (``<field>_en``) for an English reader when there is one, else
    the text in the language it was written in (Dutch, for the national register)."""
    own = getattr(record, field, None)
    if language() == "en":
        english = getattr(record, f"{field}_en", None)
        if english:
            return str(english)
    return "" if own is None else str(own)


def with_dutch(item: object) -> str:
    """A reference item's name for its reader: the Dutch name for Dutch readers; for
    English readers the English one with the official Dutch term beside it."""
    own = str(getattr(item, "name", ""))
    english = getattr(item, "name_en", None)
    if language() == "en" and english and english != own:
        return f"{english} ({own})"
    return own
