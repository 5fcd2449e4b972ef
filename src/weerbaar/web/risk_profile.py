"""The national risk profile made for a web request, the same for its page
(``/reports``) and the API (``POST /api/v1/reports/profile``).

:func:`weerbaar.reports.risk_profile.make_profile` does the work, and every check of
who may have which edition: a guest is refused, so is a level above the requester's
clearance, and the edition is read through its own reader's need-to-know. Here it is
given a file to make in a temporary folder, whose bytes are answered and which is
removed at once; its refusals name the request's fields instead of the command
line's options.

Making one takes seconds of CPU (a PDF of the demo profile some ten), so at most
:data:`AT_ONCE` are made at a time in this process: another request is refused at
once (429, come back after :data:`RETRY_AFTER` seconds) rather than queued behind
them. The routes are synchronous, so FastAPI runs them in its thread pool and the
server answers other requests meanwhile.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Round
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.domain.register import entity
from weerbaar.errors import BusyError, Issue, NotFoundError, ValidationError, said
from weerbaar.reference.access import classification_levels
from weerbaar.reports.risk_profile import FORMATS, MadeProfile, make_profile
from weerbaar.services.records import list_records
from weerbaar.services.risk_profile import edition_for
from weerbaar.storage.db import Database
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of
from weerbaar.web.limits import KEY_LENGTH

__all__ = [
    "AT_ONCE",
    "FIELDS",
    "MEDIA_TYPES",
    "RETRY_AFTER",
    "Download",
    "Order",
    "edition_levels",
    "make_download",
    "making_slot",
    "visible_rounds",
]

AT_ONCE = 2  # reports made at the same time, in the whole process
RETRY_AFTER = 30  # seconds: about what the slowest report takes
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
FILE_NAME = "risicoprofiel"  # the official (Dutch) name, whatever the report's language

# The request's fields (the page's form and the API's body name them alike), and the
# command line's options make_profile names in its refusals.
FIELDS = ("round", "classification", "lang", "format", "recipient", "organisation")
_OPTIONS = {
    "--round": "round",
    "--classification": "classification",
    "--lang": "lang",
    "--output": "format",
    "--recipient": "recipient",
    "--organisation": "organisation",
}

# One for the process, not per app: the work it bounds is the machine's CPU.
_making = threading.BoundedSemaphore(AT_ONCE)


@contextmanager
def making_slot() -> Iterator[None]:
    """One of the :data:`AT_ONCE` places to make a report in, taken without waiting:
    :class:`~weerbaar.errors.BusyError` when all are taken."""
    if not _making.acquire(blocking=False):
        raise BusyError(RETRY_AFTER)
    try:
        yield
    finally:
        _making.release()


@dataclass(frozen=True, slots=True)
class Order:
    """What a request asks for, as its page or the API took it in (None: the default)."""

    round_key: str | None
    level: str
    language: str
    fmt: str
    recipient: str | None = None
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Download:
    """A report that was made: its bytes, and what the answer says about it."""

    content: bytes
    made: MadeProfile
    round_key: str

    @property
    def filename(self) -> str:
        made = self.made
        return f"{FILE_NAME}-{self.round_key}-{made.level}-{made.language}.{made.format}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.made.format]

    def headers(self) -> dict[str, str]:
        """A download never kept by a cache; its hash and marking, and a classified
        copy's number."""
        headers = {
            "Content-Disposition": f'attachment; filename="{self.filename}"',
            "Cache-Control": "no-store",
            "X-Weerbaar-Sha256": self.made.sha256,
            "X-Weerbaar-Marking": self.made.marking,
        }
        if self.made.copy is not None:
            headers["X-Weerbaar-Copy"] = str(self.made.copy.number)
        return headers


def visible_rounds(db: Database, subject: Subject) -> list[Round]:
    """The rounds ``subject`` may see, the newest first (as ``newest_round`` orders)."""
    rounds: list[Round] = list_records(db, entity_name="rounds", subject=subject)
    return sorted(rounds, key=lambda r: (r.held_on, r.key), reverse=True)


def edition_levels(subject: Subject) -> tuple[str, ...]:
    """The editions ``subject`` may ask for: the public one, and every classification
    up to their clearance."""
    levels = classification_levels()
    if subject.clearance not in levels:
        return levels.keys[:1]
    return levels.keys[: levels.rank(subject.clearance) + 1]


def _refused(place: str, field: str, reason: str) -> ValidationError:
    return ValidationError([Issue(place, field, reason)], summary=said("report not made"))


def _format(fmt: str, place: str) -> str:
    # Checked before it names a file: only a known ending reaches the folder.
    if fmt not in FORMATS:
        raise _refused(
            place,
            "format",
            said(
                "unknown format %(format)s; known: %(known)s",
                format=repr(fmt),
                known=", ".join(FORMATS),
            ),
        )
    return fmt


def _recipient(given: str | None, caller: Caller) -> str:
    """The recipient as asked, else the requester by name; make_profile checks it."""
    return " ".join((given or "").split()) or caller.user.display_name or caller.user.username


def _round(db: Database, caller: Caller, order: Order, organisation: str | None) -> str | None:
    """The round asked for, or the newest the edition's reader may see (as the command
    line takes it). A key no round could have is not found, as a missing one is."""
    if order.round_key is not None:
        if len(order.round_key) > KEY_LENGTH or not KEY_PATTERN.fullmatch(order.round_key):
            raise NotFoundError(entity("rounds").singular, order.round_key[: KEY_LENGTH + 1])
        return order.round_key
    edition = edition_for(caller.subject, order.level, organisation=organisation)
    rounds = visible_rounds(db, edition.reader)
    return rounds[0].key if rounds else None


def _as_fields(exc: ValidationError, place: str) -> ValidationError:
    """make_profile's refusal, naming the request's fields for its options."""
    issues = [
        Issue(place, _OPTIONS[i.place], i.reason) if i.place in _OPTIONS else i for i in exc.issues
    ]
    return ValidationError(issues, summary=exc.summary)


def make_download(request: Request, caller: Caller, order: Order, *, place: str) -> Download:
    """Make the report ``order`` asks for, as ``caller``; ``place`` is where the
    request's fields are (``"body"``, ``"form"``), for its refusals."""
    db = database(request)
    fmt = _format(order.fmt, place)
    recipient = _recipient(order.recipient, caller)
    # Their own organisation is who they read as anyway; another one only the local
    # operator may choose, and make_profile refuses it.
    organisation = None if order.organisation == caller.user.organisation else order.organisation
    round_key = _round(db, caller, order, organisation)
    with making_slot(), tempfile.TemporaryDirectory(prefix="weerbaar-profile-") as folder:
        try:
            made = make_profile(
                context_of(request, caller),
                round_key=round_key,
                level=order.level,
                language=order.language,
                output=Path(folder) / f"profile.{fmt}",
                recipient=recipient,
                organisation=organisation,
            )
        except ValidationError as exc:
            raise _as_fields(exc, place) from None
        content = made.path.read_bytes()
    return Download(content, made, round_key or "")
