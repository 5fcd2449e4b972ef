"""Sending what is due from the outbox.

:func:`deliver_due` first claims each row for a lease, so two deliverers never both
send it, then sends it, then records its outcome in a short transaction of its own. A
failed row is tried again later, each wait twice the one before; after the last
attempt it is dead, on the dead-letter list until a person retries it.

Delivery is at least once: a deliverer that dies between the send and the record
leaves the row to be sent again when its lease runs out, so receivers deduplicate on
the delivery id (``X-Weerbaar-Delivery``, or the e-mail's ``Message-ID``).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import httpx
from sqlalchemy import select, update

from weerbaar import __version__
from weerbaar.config import DeliverySettings
from weerbaar.services.context import utc_now
from weerbaar.services.notifications.channels import EMAIL
from weerbaar.services.notifications.outbox import DEAD, PENDING, SENT
from weerbaar.services.notifications.signing import sign
from weerbaar.storage.db import Database
from weerbaar.storage.tables import notification_channels, notifications

EVENT = "level-change"
MAX_ERROR_LENGTH = 300
_BATCH = 100
_FAILED = "failed"  # an outcome of one attempt, not a status: the row stays pending


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # failed this time, tried again later
    dead: int = 0  # failed for the last time: on the dead-letter list


@dataclass(frozen=True, slots=True)
class _Claimed:
    """A row this deliverer holds for the lease, with what sending it needs."""

    id: int
    kind: str
    target: str
    change: str
    subject: str
    body: str
    text: str
    language: str
    created_at: dt.datetime
    secret: str | None = field(repr=False)
    channel_active: bool


class _UndeliveredError(Exception):
    """A send that reached the receiver, which did not accept it."""


def deliver_due(
    db: Database, *, settings: DeliverySettings, now: dt.datetime | None = None
) -> DeliveryReport:
    """Send every notification that is due at ``now`` (default: the clock's now).
    Each row's outcome is recorded as soon as it is known; a failure of one never
    stops the others."""
    clock: Callable[[], dt.datetime] = utc_now if now is None else (lambda: now)
    outcomes: Counter[str] = Counter()
    with _Senders(settings) as senders:
        for notification_id in _due(db, clock()):
            claimed = _claim(db, notification_id, clock(), settings.lease)
            if claimed is None:
                continue  # another deliverer took it first
            error: str | None
            if not claimed.channel_active:
                error, final = "the channel was removed before delivery", True
            else:
                error, final = senders.send(claimed), False
            outcome = _record(db, claimed, error, clock(), settings, final=final)
            if outcome is not None:
                outcomes[outcome] += 1
    return DeliveryReport(sent=outcomes[SENT], failed=outcomes[_FAILED], dead=outcomes[DEAD])


def _due(db: Database, moment: dt.datetime) -> Iterator[int]:
    """Ids of the rows due at ``moment``, in batches, each id once per run, so a
    failed row that is due again at once is not retried within the same run."""
    last = 0
    while True:
        with db.transaction() as connection:
            batch = (
                connection.execute(
                    select(notifications.c.id)
                    .where(
                        notifications.c.status == PENDING,
                        notifications.c.next_attempt_at <= moment,
                        notifications.c.id > last,
                    )
                    .order_by(notifications.c.id)
                    .limit(_BATCH)
                )
                .scalars()
                .all()
            )
        yield from batch
        if len(batch) < _BATCH:
            return
        last = batch[-1]


def _claim(
    db: Database, notification_id: int, moment: dt.datetime, lease: dt.timedelta
) -> _Claimed | None:
    """Take the row for ``lease`` by moving it out of the due set. The update is
    conditional, so of two deliverers only one changes the row: the other's
    condition no longer holds once the first commits."""
    with db.transaction() as connection:
        taken = connection.execute(
            update(notifications)
            .where(
                notifications.c.id == notification_id,
                notifications.c.status == PENDING,
                notifications.c.next_attempt_at <= moment,
            )
            .values(next_attempt_at=moment + lease)
        )
        if taken.rowcount != 1:
            return None
        row = connection.execute(
            select(
                notifications,
                notification_channels.c.secret,
                notification_channels.c.active.label("channel_active"),
            )
            .outerjoin(
                notification_channels, notification_channels.c.id == notifications.c.channel_id
            )
            .where(notifications.c.id == notification_id)
        ).one()
    return _Claimed(
        id=row.id,
        kind=row.kind,
        target=row.target,
        change=row.change,
        subject=row.subject,
        body=row.body,
        text=row.text,
        language=row.language,
        created_at=row.created_at,
        secret=row.secret,
        # A notification to an address of its own (a session's invitation) has no channel.
        channel_active=row.channel_id is None or bool(row.channel_active),
    )


def _record(
    db: Database,
    claimed: _Claimed,
    error: str | None,
    moment: dt.datetime,
    settings: DeliverySettings,
    *,
    final: bool,
) -> str | None:
    """Record one attempt's outcome: SENT, _FAILED or DEAD; None when the row is no
    longer pending (sent by another deliverer after this one's lease ran out)."""
    with db.transaction() as connection:
        attempts = connection.execute(
            select(notifications.c.attempts)
            .where(notifications.c.id == claimed.id)
            .with_for_update()
        ).scalar_one()
        attempts += 1
        if error is None:
            outcome = SENT
            values: dict[str, Any] = {"status": SENT, "sent_at": moment, "last_error": None}
        elif final or attempts >= settings.attempts:
            outcome = DEAD
            # A dead row is never due again; its next_attempt_at tells when it died.
            values = {"status": DEAD, "last_error": error, "next_attempt_at": moment}
        else:
            outcome = _FAILED
            values = {
                "last_error": error,
                "next_attempt_at": moment + settings.wait_after(attempts),
            }
        done = connection.execute(
            update(notifications)
            .where(notifications.c.id == claimed.id, notifications.c.status == PENDING)
            .values(attempts=attempts, **values)
        )
    return outcome if done.rowcount == 1 else None


class _Senders:
    """The connections of one delivery run: the HTTP client is made at the first
    webhook and closed with the run; each e-mail has its own SMTP session."""

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings
        self._http: httpx.Client | None = None

    def __enter__(self) -> _Senders:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._http is not None:
            self._http.close()

    def send(self, claimed: _Claimed) -> str | None:
        """None once delivered, else why not: short, and without secrets."""
        try:
            if claimed.kind == EMAIL:
                _send_email(self.settings, claimed)
            else:
                self._post(claimed)
        # Whatever goes wrong with one receiver (a refusal, a timeout, a library's
        # surprise) is that row's failure, recorded on it; the others still go out.
        except Exception as exc:  # noqa: BLE001
            return _describe(exc, claimed, self.settings)
        return None

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self.settings.timeout, follow_redirects=False)
        return self._http

    def _post(self, claimed: _Claimed) -> None:
        if claimed.secret is None:
            raise _UndeliveredError("the channel has no signing secret")
        body = claimed.body.encode("utf-8")
        # The time of the send, not the run's ``now``: the timestamp is checked
        # against the receiver's clock, to refuse replays.
        timestamp = str(int(utc_now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"weerbaar/{__version__}",
            "X-Weerbaar-Event": EVENT,
            "X-Weerbaar-Delivery": str(claimed.id),
            "X-Weerbaar-Timestamp": timestamp,
            "X-Weerbaar-Signature": sign(claimed.secret, timestamp, body),
        }
        # Streamed and never read: only the status matters, and a receiver cannot
        # make us load a body of any size.
        with self._client().stream("POST", claimed.target, content=body, headers=headers) as got:
            status = got.status_code
            redirect = got.is_redirect
        if not 200 <= status < 300:
            note = " (redirects are not followed)" if redirect else ""
            raise _UndeliveredError(f"the receiver answered HTTP {status}{note}")


def _send_email(settings: DeliverySettings, claimed: _Claimed) -> None:
    message = EmailMessage()
    domain = settings.smtp_from.rpartition("@")[2]
    message["From"] = settings.smtp_from
    message["To"] = claimed.target
    message["Subject"] = claimed.subject
    message["Date"] = formatdate(usegmt=True)
    # The same for every attempt, so a receiving system can drop a repeat.
    stamp = int(claimed.created_at.timestamp())
    message["Message-ID"] = f"<weerbaar.notification.{claimed.id}.{stamp}@{domain}>"
    message["X-Weerbaar-Change"] = claimed.change
    message.set_content(claimed.text)
    # After the content, which sets every Content- header afresh.
    message["Content-Language"] = claimed.language
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def _describe(exc: Exception, claimed: _Claimed, settings: DeliverySettings) -> str:
    if isinstance(exc, _UndeliveredError):
        text = str(exc)
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", "replace")
        text = f"the mail server answered {exc.smtp_code} {reply}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "the mail server refused the address"
    elif isinstance(exc, httpx.TimeoutException | TimeoutError):
        text = f"no answer within {settings.timeout:g} s"
    else:
        text = f"{type(exc).__name__}: {exc}"
    # A message from a library may quote the URL (which can carry a token) or, in
    # theory, a credential: none of them goes into the log.
    for secret in (claimed.target, claimed.secret, settings.smtp_password):
        if secret:
            text = text.replace(secret, "[hidden]")
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"
