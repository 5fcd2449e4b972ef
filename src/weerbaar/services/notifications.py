"""Notifications of level changes: an outbox of e-mails and signed webhooks.

A level change queues one row per notice and active channel of the organisation in
its own transaction (:func:`queue_notices`), so no notice is lost between the commit
and the send. :func:`deliver_due` sends what is due: each row is first claimed for a
lease, so two deliverers never both send it, then sent, then its outcome recorded in
a short transaction of its own. A failed row is tried again later, each wait twice
the one before; after the last attempt it is dead, on the dead-letter list until a
person retries it (audited, like every write a person makes).

Delivery is at least once: a deliverer that dies between the send and the record
leaves the row to be sent again when its lease runs out, so receivers deduplicate on
the delivery id (``X-Weerbaar-Delivery``, or the e-mail's ``Message-ID``).

Webhooks are signed: ``X-Weerbaar-Signature: sha256=<hex HMAC-SHA256(secret,
"<timestamp>." + body)>`` with the Unix time of the send in ``X-Weerbaar-Timestamp``;
receivers check it with :func:`verify_signature`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import os
import smtplib
import ssl
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import httpx
from sqlalchemy import Connection, insert, select, update

from weerbaar import __version__
from weerbaar.domain.access import Subject
from weerbaar.domain.alerting import Notice
from weerbaar.domain.audit import canonical_json
from weerbaar.errors import (
    ConfigError,
    ForbiddenError,
    Issue,
    NotFoundError,
    ValidationError,
)
from weerbaar.services.context import Context, utc_now
from weerbaar.services.notification_channels import EMAIL, address_problem, audited
from weerbaar.storage.db import Database
from weerbaar.storage.tables import notification_channels, notifications

PENDING = "pending"
SENT = "sent"
DEAD = "dead"
STATUSES = (PENDING, SENT, DEAD)

EVENT = "level-change"
SIGNATURE_TOLERANCE = 300  # seconds a receiver accepts between the send and its check
MAX_ERROR_LENGTH = 300
# However many attempts are configured, a receiver that is down for long is still
# tried at least daily.
MAX_WAIT = dt.timedelta(days=1)
_BATCH = 100
_FAILED = "failed"  # an outcome of one attempt, not a status: the row stays pending


# -- settings -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How notifications are sent; :meth:`from_env` reads ``WEERBAAR_SMTP_*`` and
    ``WEERBAAR_NOTIFY_*``."""

    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "weerbaar@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    attempts: int = 5  # attempts before a notification is dead
    backoff: float = 30.0  # seconds after the first failed attempt, doubling each time
    timeout: float = 10.0  # seconds for each network operation

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliverySettings:
        env = _Env(os.environ if environ is None else environ)
        default = cls()
        user = env.text("WEERBAAR_SMTP_USER")
        password = env.text("WEERBAAR_SMTP_PASSWORD")
        if bool(user) != bool(password):
            given, missing = (
                ("WEERBAAR_SMTP_USER", "WEERBAAR_SMTP_PASSWORD")
                if user
                else ("WEERBAAR_SMTP_PASSWORD", "WEERBAAR_SMTP_USER")
            )
            raise ConfigError(f"{given} is set but {missing} is not: set both, or neither")
        sender = env.text("WEERBAAR_SMTP_FROM") or default.smtp_from
        problem = address_problem(sender)
        if problem:
            raise ConfigError(f"WEERBAAR_SMTP_FROM: {problem}")
        return cls(
            smtp_host=env.text("WEERBAAR_SMTP_HOST") or default.smtp_host,
            smtp_port=env.integer("WEERBAAR_SMTP_PORT", default.smtp_port, low=1, high=65535),
            smtp_from=sender,
            smtp_starttls=env.flag("WEERBAAR_SMTP_STARTTLS", default.smtp_starttls),
            smtp_user=user,
            smtp_password=password,
            attempts=env.integer("WEERBAAR_NOTIFY_ATTEMPTS", default.attempts, low=1, high=100),
            backoff=env.seconds("WEERBAAR_NOTIFY_BACKOFF", default.backoff, zero_ok=True),
            timeout=env.seconds("WEERBAAR_NOTIFY_TIMEOUT", default.timeout, zero_ok=False),
        )

    @property
    def lease(self) -> dt.timedelta:
        """How long a claimed row is left to its deliverer before another may take it
        (its deliverer died): longer than any send, which is a few network
        operations of at most ``timeout`` each."""
        return dt.timedelta(seconds=max(300.0, 10 * self.timeout))

    def wait_after(self, attempt: int) -> dt.timedelta:
        """The wait after failed attempt number ``attempt`` (1 for the first)."""
        seconds = self.backoff * 2.0 ** min(attempt - 1, 64)
        return min(dt.timedelta(seconds=min(seconds, MAX_WAIT.total_seconds())), MAX_WAIT)


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class _Env:
    """Reads variables, naming the variable in every complaint."""

    env: Mapping[str, str]

    def text(self, name: str) -> str | None:
        return self.env.get(name, "").strip() or None

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name} must be from {low} to {high}, got {value}")
        return value

    def seconds(self, name: str, default: float, *, zero_ok: bool) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
            least = "0 or more" if zero_ok else "more than 0"
            raise ConfigError(f"{name} must be {least} seconds, got {raw!r}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        if raw.casefold() in _TRUE:
            return True
        if raw.casefold() in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")


# -- what is stored -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    channel_id: int | None
    organisation: str
    change: str
    kind: str
    target: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    body: str  # the canonical JSON a webhook receives
    text: str  # the e-mail's text


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # failed this time, tried again later
    dead: int = 0  # failed for the last time: on the dead-letter list


def _notification(row: Any) -> Notification:
    return Notification(
        id=row.id,
        channel_id=row.channel_id,
        organisation=row.organisation,
        change=row.change,
        kind=row.kind,
        target=row.target,
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        body=row.body,
        text=row.text,
    )


# -- queueing: in the level change's transaction --------------------------------------


def canonical_body(notice: Notice) -> str:
    """The webhook body: the bytes signed are exactly the bytes sent and stored."""
    return json.dumps(notice.payload(), sort_keys=True, separators=(",", ":"))


def queue_notices(connection: Connection, notices: Sequence[Notice], *, now: dt.datetime) -> int:
    """Queue each notice for every active channel of its organisation, in the caller's
    transaction, so the notices are committed, or lost, with the change that made
    them. Returns how many were queued; an organisation without channels gets none."""
    if not notices:
        return 0
    channels = connection.execute(
        select(
            notification_channels.c.id,
            notification_channels.c.organisation,
            notification_channels.c.kind,
            notification_channels.c.target,
        )
        .where(
            notification_channels.c.organisation.in_({n.organisation for n in notices}),
            notification_channels.c.active,
        )
        .order_by(notification_channels.c.id)
    ).all()
    by_organisation: dict[str, list[Any]] = defaultdict(list)
    for channel in channels:
        by_organisation[channel.organisation].append(channel)
    rows = [
        _outbox_row(notice, channel, now)
        for notice in notices
        for channel in by_organisation[notice.organisation]
    ]
    if rows:
        connection.execute(insert(notifications), rows)
    return len(rows)


def _outbox_row(notice: Notice, channel: Any, now: dt.datetime) -> dict[str, Any]:
    return {
        "channel_id": channel.id,
        "organisation": notice.organisation,
        "change": notice.change,
        "kind": channel.kind,
        "target": channel.target,
        # A subject is one header line, whatever a scope's name holds.
        "subject": " ".join(notice.subject.split()),
        "body": canonical_body(notice),
        "text": notice.text(),
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
    }


# -- delivery -----------------------------------------------------------------------


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
        created_at=row.created_at,
        secret=row.secret,
        channel_active=bool(row.channel_active),
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


# -- signatures ---------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Weerbaar-Signature`` of ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes,
    signature: str,
    *,
    now: dt.datetime,
    tolerance: int = SIGNATURE_TOLERANCE,
) -> bool:
    """Whether a webhook request is ours and fresh: the signature matches the body
    and timestamp as received, and the timestamp is within ``tolerance`` seconds of
    ``now`` (older requests may be replays)."""
    stamp = str(timestamp).strip()
    if not stamp.isascii() or not stamp.isdigit():
        return False
    if abs(now.timestamp() - int(stamp)) > tolerance:
        return False
    expected = sign(secret, stamp, body).encode("ascii")
    return hmac.compare_digest(expected, signature.strip().encode("utf-8"))


# -- reading and retrying the log -----------------------------------------------------


def sees_all(subject: Subject | None) -> bool:
    """Whether ``subject`` sees every organisation's notifications (and may retry
    them): the local operator, administrators and coordinators."""
    return subject is None or subject.role.manages_accounts or subject.role.key == "coordinator"


def list_notifications(
    db: Database,
    *,
    subject: Subject | None,
    status: str | None = None,
    change: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Notification]:
    """Notifications newest first; a subject who does not see all sees only their
    own organisation's."""
    if status is not None and status not in STATUSES:
        raise ValidationError(
            [Issue("", "status", f"unknown status {status!r}; use {', '.join(STATUSES)}")],
            summary="notifications not listed",
        )
    query = select(notifications).order_by(notifications.c.id.desc()).limit(limit).offset(offset)
    if subject is not None and not sees_all(subject):
        query = query.where(notifications.c.organisation == subject.organisation)
    if status is not None:
        query = query.where(notifications.c.status == status)
    if change is not None:
        query = query.where(notifications.c.change == change)
    with db.transaction() as connection:
        return [_notification(r) for r in connection.execute(query)]


def retry(ctx: Context, notification_id: int) -> Notification:
    """Put a dead (or pending) notification back in the queue, due now, with its
    attempts counted afresh."""
    if not sees_all(ctx.subject):
        raise ForbiddenError("only an administrator or a coordinator retries notifications")
    with ctx.db.transaction(write=True) as connection:
        row = connection.execute(
            select(notifications).where(notifications.c.id == notification_id).with_for_update()
        ).first()
        if row is None:
            raise NotFoundError("notification", str(notification_id))
        _check_retry(connection, row)
        now = ctx.clock()
        connection.execute(
            update(notifications)
            .where(notifications.c.id == notification_id)
            .values(status=PENDING, attempts=0, next_attempt_at=now, last_error=None)
        )
        after = connection.execute(
            select(notifications).where(notifications.c.id == notification_id)
        ).one()
        audited(ctx, connection, "notifications", notification_id, _logged(row), _logged(after))
    return _notification(after)


def _check_retry(connection: Connection, row: Any) -> None:
    problem = None
    if row.status == SENT:
        problem = f"notification {row.id} was sent at {row.sent_at.isoformat()}: nothing to retry"
    else:
        active = connection.execute(
            select(notification_channels.c.active).where(
                notification_channels.c.id == row.channel_id
            )
        ).scalar_one_or_none()
        if not active:
            problem = (
                f"the channel of notification {row.id} ({row.kind} {row.target}) was removed; "
                f"add a channel for {row.organisation} to reach it again"
            )
    if problem:
        raise ValidationError([Issue("", "notification", problem)], summary="not retried")


def _logged(row: Any) -> str:
    return canonical_json(
        {
            "id": row.id,
            "organisation": row.organisation,
            "change": row.change,
            "kind": row.kind,
            "target": row.target,
            "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at.isoformat(),
            "last_error": row.last_error,
        }
    )
