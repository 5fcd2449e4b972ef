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
    ├── ReferencedError        a delete that would leave dangling references
    ├── DuplicateError         a key that already exists
    ├── ForbiddenError         not allowed to this user (role, need-to-know)
    ├── UnauthenticatedError   no valid sign-in
    ├── RateLimitedError       too many failed sign-ins for now
    ├── FileFormatError        a file that cannot be read at all (encoding, structure)
    └── AuditChainError        the audit trail is broken (names the first bad entry)
"""

from __future__ import annotations

from dataclasses import dataclass


class WeerbaarError(Exception):
    """Base of every error weerbaar raises on purpose."""


class ConfigError(WeerbaarError):
    """The settings or the database URL cannot be used."""


class TrailKeyError(ConfigError):
    """The key that seals the audit trail cannot be had, or is not the one that sealed
    this database's trail: nothing can be written until it is restored."""


class NotInitialisedError(WeerbaarError):
    """The database has no (current) schema."""


class NotFoundError(WeerbaarError):
    def __init__(self, entity: str, key: str) -> None:
        super().__init__(f"no {entity} with key {key!r}")
        self.entity = entity
        self.key = key


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one value, and where it is.

    ``place`` is what a person needs to find it: ``"scenarios.csv line 14"``,
    ``"sheet scenarios row 9"`` or ``"scenarios[3]"``.
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
    def __init__(self, issues: list[Issue], *, summary: str = "invalid input") -> None:
        self.issues = tuple(issues)
        lines = [f"{summary}: {len(self.issues)} problem(s)"]
        lines += [f"  - {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


class ConflictError(WeerbaarError):
    def __init__(self, entity: str, key: str, expected: int, current: int) -> None:
        super().__init__(
            f"{entity} {key!r} was changed by someone else: you edited version {expected}, "
            f"the register now holds version {current}. Reload it and apply your change again."
        )
        self.entity = entity
        self.key = key
        self.expected = expected
        self.current = current


class ReferencedError(WeerbaarError):
    def __init__(self, entity: str, key: str, referrers: list[str]) -> None:
        shown = ", ".join(referrers[:10]) + (" …" if len(referrers) > 10 else "")
        super().__init__(f"{entity} {key!r} cannot be deleted: it is referenced by {shown}")
        self.entity = entity
        self.key = key
        self.referrers = tuple(referrers)


class DuplicateError(WeerbaarError):
    def __init__(self, entity: str, key: str) -> None:
        super().__init__(f"{entity} {key!r} already exists")
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
            "confirm who you are first: this asks for your password or second factor "
            f"when you last gave it more than {minutes} minutes ago"
        )


class SignInIncompleteError(UnauthenticatedError):
    """The password was right, but the second factor is still to be given (``stage``
    "second-factor") or to be set up first (``stage`` "enrol")."""

    def __init__(self, stage: str) -> None:
        what = (
            "give the code of your second factor"
            if stage == "second-factor"
            else ("set up a second factor first")
        )
        super().__init__(f"sign-in not finished: {what}")
        self.stage = stage


class RateLimitedError(WeerbaarError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


class FileFormatError(WeerbaarError):
    """A file that cannot be read at all: unknown format, encoding or structure."""


class AuditChainError(WeerbaarError):
    def __init__(self, seq: int | None, reason: str) -> None:
        where = "" if seq is None else f" at entry {seq}"
        super().__init__(f"audit trail broken{where}: {reason}")
        self.seq = seq
        self.reason = reason
