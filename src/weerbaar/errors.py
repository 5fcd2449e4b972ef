"""The one exception tree of weerbaar.

Every error raised on purpose derives from :class:`WeerbaarError`; each edge (CLI,
later web and API) turns it into a message and an exit code or status of its own.
No HTTP codes live here::

    WeerbaarError
    ├── ConfigError            settings or database URL unusable
    │   └── TrailKeyError      the audit trail's key is missing or not the trail's own
    ├── NotInitialisedError    the database has no schema yet (run `weerbaar init`)
    ├── NotFoundError          no record with that key
    ├── ValidationError        one or more field problems (each an Issue with a place)
    ├── ConflictError          an edit based on a stale version (no lost update)
    ├── StepError              a step the record's state does not allow now (a
    │   │                      concluded session concluded again)
    │   └── LockedError        a change to an approved (locked) round or scenario
    ├── ReferencedError        a delete that would leave dangling references
    ├── DuplicateError         a key that already exists
    ├── ForbiddenError         not allowed to this user (role, need-to-know)
    ├── UnauthenticatedError   no valid sign-in
    ├── RateLimitedError       too many failed sign-ins for now
    │   └── BusyError          too much slow work (reports being made) at once for now
    ├── FileFormatError        a file that cannot be read at all (encoding, structure)
    └── AuditChainError        the audit trail is broken (names the first bad entry)

The messages people read are written once, in English, with :func:`said`: the text
is the English one (so logs, ``str(exc)`` and tests read it as always), and it keeps
its template and values, so that an edge (a page, the API, the command line) can say
it in its reader's language (``weerbaar.i18n.translated``). This module itself knows
no catalogue and no language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class Said(str):
    """A message in English that can be said again in another language: ``template``
    (the catalogue's message id) filled in with ``values``, read in ``context`` (as
    ``pgettext`` does) when one is given. Values that are themselves ``Said`` are said
    in the reader's language too."""

    template: str
    values: Mapping[str, object]
    context: str | None

    def __new__(
        cls, template: str, values: Mapping[str, object] | None = None, context: str | None = None
    ) -> Said:
        given = dict(values or {})
        self = super().__new__(cls, template % given if given else template)
        self.template = template
        self.values = given
        self.context = context
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (to a worker process and back) as what it is, not as its English.
        return (Said, (self.template, dict(self.values), self.context))


def said(template: str, **values: object) -> str:
    """A message written once: ``said("no %(entity)s with key %(key)s", entity=…,
    key=…)`` is the English text, and keeps the template and values to translate.
    The template is a catalogue message (scripts/catalogues extracts it), so it is a
    string literal, with ``%(name)s`` fields."""
    return Said(template, values)


def said_in(context: str, template: str, **values: object) -> str:
    """:func:`said` for a word or message read in ``context`` (``"record"`` for the
    name of a kind of record, as :mod:`weerbaar.i18n.vocabulary` has them)."""
    return Said(template, values, context)


class Grouped(str):
    """A number with its thousands grouped, in the form of the reader's language:
    1,048,576 in English, 1.048.576 in Dutch."""

    number: float
    digits: int

    def __new__(cls, number: float, digits: int = 0) -> Grouped:
        self = super().__new__(cls, f"{number:,.{digits}f}")
        self.number = number
        self.digits = digits
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Grouped, (self.number, self.digits))


def grouped(number: float, digits: int = 0) -> str:
    """``number`` for a message, its thousands grouped (and ``digits`` decimals) as
    its reader writes numbers: ``said("at most %(most)s rows", most=grouped(MAX_ROWS))``."""
    return Grouped(number, digits)


class Joined(str):
    """Messages one after the other (``"a; b"``): each said in the reader's language,
    the separator as it is."""

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, parts: Sequence[str], separator: str = "; ") -> Joined:
        self = super().__new__(cls, separator.join(parts))
        self.parts = tuple(parts)
        self.separator = separator
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Joined, (self.parts, self.separator))


def joined(parts: Sequence[str], separator: str = "; ") -> str:
    """``separator.join(parts)``, keeping each part to be said in another language."""
    return Joined(parts, separator)


class Named(str):
    """A name of reference data that has both languages (a level, a scale): its
    English as text, its Dutch kept for a Dutch reader."""

    dutch: str

    def __new__(cls, dutch: str, english: str | None = None) -> Named:
        self = super().__new__(cls, english or dutch)
        self.dutch = dutch
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Named, (self.dutch, str(self)))


def named(dutch: str, english: str | None = None) -> str:
    """A name for a message, said in Dutch to a Dutch reader and in English to others:
    ``said("raised to %(level)s", level=named(level.name, level.name_en))``."""
    return Named(dutch, english)


def message_of(exc: BaseException) -> str:
    """An error's message as it was given: the :class:`Said` itself where it was one
    (``str(exc)`` gives its English only)."""
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)


class WeerbaarError(Exception):
    """Base of every error weerbaar raises on purpose."""


class ConfigError(WeerbaarError):
    """The settings or the database URL cannot be used."""


class TrailKeyError(ConfigError):
    """The key that seals the audit trail cannot be had, or is not the one that sealed
    this database's trail: nothing can be written until it is restored."""


class NotInitialisedError(WeerbaarError):
    """The database has no (current) schema."""


def record_word(entity: str) -> str:
    """The name of a kind of record (``"scenario"``, ``"user"``), to be read in the
    ``"record"`` context where it is not a :class:`Said` already."""
    return entity if isinstance(entity, Said) else Said(entity, None, "record")


class NotFoundError(WeerbaarError):
    def __init__(self, entity: str, key: str) -> None:
        super().__init__(
            said("no %(entity)s with key %(key)s", entity=record_word(entity), key=repr(key))
        )
        self.entity = entity
        self.key = key


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one value, and where it is.

    ``place`` is what a person needs to find it: ``"scenarios.csv line 14"``,
    ``"sheet scenarios row 9"`` or ``"scenarios[3]"``; ``field`` the field's or
    column's machine name. ``reason`` (and a place in words) is best :func:`said`, so
    that each reader reads it in their language (``weerbaar.i18n.issue_text``).
    """

    place: str
    field: str
    reason: str

    def __str__(self) -> str:
        if not self.place:
            return f"{self.field}: {self.reason}" if self.field else self.reason
        column = f", column {self.field!r}" if self.field else ""
        return f"{self.place}{column}: {self.reason}"


class ValidationError(WeerbaarError):
    """``summary`` says what did not happen (``"scenario not saved"``); each issue
    where and why. The message is the summary, the count and the issues, in English;
    ``weerbaar.i18n.error_text`` says it in the reader's language."""

    def __init__(self, issues: list[Issue], *, summary: str | None = None) -> None:
        self.issues = tuple(issues)
        self.summary = said("invalid input") if summary is None else summary
        lines = [f"{self.summary}: {len(self.issues)} problem(s)"]
        lines += [f"  - {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


class ConflictError(WeerbaarError):
    def __init__(self, entity: str, key: str, expected: int, current: int) -> None:
        super().__init__(
            said(
                "%(entity)s %(key)s was changed by someone else: you edited version "
                "%(expected)s, the register now holds version %(current)s. Reload it and "
                "apply your change again.",
                entity=record_word(entity),
                key=repr(key),
                expected=expected,
                current=current,
            )
        )
        self.entity = entity
        self.key = key
        self.expected = expected
        self.current = current


class StepError(WeerbaarError):
    """A step that the state of what it acts on does not allow now; the message says
    which state and what would allow it."""


class LockedError(StepError):
    """A change to the assessment of a round (or of one scenario in it) that has been
    approved: refused until a coordinator reopens it. The message names the round."""

    def __init__(self, message: str, *, round_key: str, scenario: str | None = None) -> None:
        WeerbaarError.__init__(self, message)
        self.entity = "round"
        self.key = round_key
        self.round_key = round_key
        self.scenario = scenario


class ReferencedError(WeerbaarError):
    def __init__(self, entity: str, key: str, referrers: list[str]) -> None:
        listed = joined(referrers[:10], ", ")
        shown = listed if len(referrers) <= 10 else joined([listed, "…"], " ")
        super().__init__(
            said(
                "%(entity)s %(key)s cannot be deleted: it is referenced by %(referrers)s",
                entity=record_word(entity),
                key=repr(key),
                referrers=shown,
            )
        )
        self.entity = entity
        self.key = key
        self.referrers = tuple(referrers)


class DuplicateError(WeerbaarError):
    def __init__(self, entity: str, key: str) -> None:
        super().__init__(
            said("%(entity)s %(key)s already exists", entity=record_word(entity), key=repr(key))
        )
        self.entity = entity
        self.key = key


class ForbiddenError(WeerbaarError):
    """The user may not do this (their role, or the record's need-to-know)."""


class UnauthenticatedError(WeerbaarError):
    """No valid sign-in: wrong password, unknown or disabled account, bad token."""


class ConfirmAgainError(UnauthenticatedError):
    """A sensitive act, and the session's owner last proved who they are too long ago:
    the password or a second factor again first."""

    def __init__(self, minutes: int) -> None:
        super().__init__(
            said(
                "confirm who you are first: this asks for your password or second factor "
                "when you last gave it more than %(minutes)s minutes ago",
                minutes=minutes,
            )
        )


class SignInIncompleteError(UnauthenticatedError):
    """The password was right, but the second factor is still to be given (``stage``
    "second-factor") or to be set up first (``stage`` "enrol")."""

    def __init__(self, stage: str) -> None:
        what = (
            said("give the code of your second factor")
            if stage == "second-factor"
            else said("set up a second factor first")
        )
        super().__init__(said("sign-in not finished: %(what)s", what=what))
        self.stage = stage


class RateLimitedError(WeerbaarError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            said("too many failed sign-ins; try again in %(seconds)s s", seconds=retry_after)
        )
        self.retry_after = retry_after


class BusyError(RateLimitedError):
    """As much slow work of a kind (the national risk profile being made) as may run at
    once runs now: asking again after ``retry_after`` seconds may succeed."""

    def __init__(self, retry_after: int) -> None:
        WeerbaarError.__init__(
            self,
            said(
                "too many reports are being made at once; try again in %(seconds)s s",
                seconds=retry_after,
            ),
        )
        self.retry_after = retry_after


class FileFormatError(WeerbaarError):
    """A file that cannot be read at all: unknown format, encoding or structure."""


class AuditChainError(WeerbaarError):
    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(
            said("audit trail broken: %(reason)s", reason=reason)
            if seq is None
            else said("audit trail broken at entry %(seq)s: %(reason)s", seq=seq, reason=reason)
        )
        self.seq = seq
        self.reason = reason
