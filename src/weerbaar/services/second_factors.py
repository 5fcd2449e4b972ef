"""Second factors: an authenticator app's one-time codes (TOTP, RFC 6238) and
one-time recovery codes; who must have one (``data/access/second_factor.yaml``).

The app's secret is stored encrypted (AES-GCM) under a key derived from the audit
trail's key, which lives outside the database. A code is accepted once: the step it
belongs to must be newer than the last one accepted. Wrong codes count against the
account like wrong passwords, so they cannot be guessed faster than passwords can.
Enrolling, using a recovery code, a wrong code and an administrator's reset are
audited, never with a secret or a code.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import time
from dataclasses import dataclass

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, delete, func, insert, select, update

from weerbaar.config import SignInSettings
from weerbaar.errors import Issue, TrailKeyError, UnauthenticatedError, ValidationError, said
from weerbaar.reference.access import second_factor_policy
from weerbaar.services.account_events import ADDRESS_LENGTH, digest, record, recorded, stamp
from weerbaar.services.account_events import require_admin as _require_admin
from weerbaar.services.accounts import User, get_user, reserve_try
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.storage.tables import login_failures, recovery_codes, second_factors, web_sessions

TOTP = "totp"
ISSUER = "weerbaar"
STEP_SECONDS = 30
_KEY_INFO = b"weerbaar second-factor secrets v1"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """An authenticator app being set up: the secret to type in, or the address a QR
    code carries."""

    secret: str
    uri: str


def required(user: User, settings: SignInSettings) -> bool:
    """Whether ``user`` must sign in with a second factor."""
    return second_factor_policy().requires(
        role=user.role, clearance=user.clearance, everyone=settings.second_factor_for_all
    )


def _cipher(db: Database) -> AESGCM:
    try:
        secret = db.keys().secret
    except TrailKeyError as exc:
        raise TrailKeyError(f"second factors need the audit trail's key: {exc}") from exc
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(secret)
    return AESGCM(key)


def seal(db: Database, username: str, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = _cipher(db).encrypt(nonce, secret.encode("ascii"), username.encode("utf-8"))
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(db: Database, username: str, stored: str) -> str:
    raw = base64.b64decode(stored)
    try:
        plain = _cipher(db).decrypt(raw[:12], raw[12:], username.encode("utf-8"))
    except InvalidTag as exc:
        raise TrailKeyError(
            "a second factor cannot be read with this trail key: was the key folder replaced?"
        ) from exc
    return plain.decode("ascii")


def has_factor(db: Database, username: str) -> bool:
    with db.transaction() as connection:
        found = connection.execute(
            select(func.count())
            .select_from(second_factors)
            .where(second_factors.c.username == username, second_factors.c.confirmed)
        ).scalar_one()
    return bool(found)


def factor_kinds(db: Database, username: str) -> set[str]:
    """Which kinds of second factor ``username`` has set up ("totp", "webauthn")."""
    with db.transaction() as connection:
        kinds = connection.execute(
            select(second_factors.c.kind)
            .where(second_factors.c.username == username, second_factors.c.confirmed)
            .distinct()
        ).scalars()
        return set(kinds)


def begin_totp(ctx: Context, user: User) -> Enrolment:
    """A new, unconfirmed authenticator app for ``user`` (who is signed in); any earlier
    unconfirmed one is replaced. It counts once :func:`confirm_totp` takes its code."""
    secret = pyotp.random_base32()
    with ctx.db.transaction(write=True) as connection:
        connection.execute(
            delete(second_factors).where(
                second_factors.c.username == user.username, ~second_factors.c.confirmed
            )
        )
        connection.execute(
            insert(second_factors).values(
                id=secrets.token_hex(8),
                username=user.username,
                kind=TOTP,
                secret=seal(ctx.db, user.username, secret),
                confirmed=False,
                created_at=stamp(ctx.clock()),
            )
        )
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def _matching_step(secret: str, code: str, after: int | None, now: float) -> int | None:
    """The step whose code ``code`` is, within the allowed drift and newer than
    ``after``; None if there is none."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    drift = second_factor_policy().drift_steps
    for step in range(current - drift, current + drift + 1):
        fits = secrets.compare_digest(totp.at(step * STEP_SECONDS), code)
        if fits and (after is None or step > after):
            return step
    return None


def confirm_totp(ctx: Context, user: User, code: str, *, now: float | None = None) -> list[str]:
    """Confirm the app being set up with its current code; returns new recovery codes,
    shown once (earlier ones stop working)."""
    now = time.time() if now is None else now
    with ctx.db.transaction() as connection:
        row = connection.execute(
            select(second_factors).where(
                second_factors.c.username == user.username, ~second_factors.c.confirmed
            )
        ).first()
    if row is None:
        raise ValidationError(
            [Issue("", "code", said("no authenticator app is being set up: start again"))],
            summary=said("second factor not set up"),
        )
    step = _matching_step(unseal(ctx.db, user.username, row.secret), code, None, now)
    if step is None:
        refuse(ctx.db, user, ctx.actor, "the code of the app being set up was wrong")
        raise UnauthenticatedError(said("that code is not right: give the app's current code"))
    with ctx.db.transaction(write=True) as connection:
        connection.execute(
            update(second_factors)
            .where(second_factors.c.id == row.id)
            .values(confirmed=True, last_step=step, last_used_at=stamp(ctx.clock()))
        )
        codes = issue_recovery_codes(connection, user.username, ctx.clock())
        recorded(
            ctx,
            connection,
            "create",
            "second_factors",
            row.id,
            None,
            {"username": user.username, "kind": TOTP, "recovery_codes": len(codes)},
        )
    return codes


def issue_recovery_codes(connection: Connection, username: str, now: dt.datetime) -> list[str]:
    """New recovery codes for ``username``, to be shown once; earlier ones stop working."""
    codes = [_recovery_code() for _ in range(second_factor_policy().recovery_codes)]
    connection.execute(delete(recovery_codes).where(recovery_codes.c.username == username))
    connection.execute(
        insert(recovery_codes),
        [{"code_hash": digest(c), "username": username, "created_at": stamp(now)} for c in codes],
    )
    return codes


def _recovery_code() -> str:
    """Ten characters a person can read and type: two groups of five, base32."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"


def refuse(db: Database, user: User, actor: str, why: str) -> None:
    with db.transaction(write=True) as connection:
        record(
            connection,
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action="sign-in-fail",
            entity="sign_ins",
            key=user.username,
            after={"reason": why},
        )


def verify(
    db: Database, username: str, code: str, address: str, *, now: float | None = None
) -> str:
    """Check a code from the app, or a recovery code (used up by this); returns which
    ("totp" or "recovery code"). A wrong one is counted and audited, and refused."""
    now = time.time() if now is None else now
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    address = address[:ADDRESS_LENGTH]
    user = get_user(db, username)
    with db.transaction(write=True) as connection:
        reserve_try(connection, username, address, moment)
    with db.transaction() as connection:
        factors = connection.execute(
            select(second_factors).where(
                second_factors.c.username == username,
                second_factors.c.confirmed,
                second_factors.c.kind == TOTP,
            )
        ).all()
    for factor in factors:
        step = _matching_step(unseal(db, username, factor.secret), code, factor.last_step, now)
        if step is None:
            continue
        with db.transaction(write=True) as connection:
            # Only if no one took this step meanwhile: a code works once.
            taken = connection.execute(
                update(second_factors)
                .where(
                    second_factors.c.id == factor.id,
                    (second_factors.c.last_step < step) | second_factors.c.last_step.is_(None),
                )
                .values(last_step=step, last_used_at=stamp(moment))
            ).rowcount
            if taken == 1:
                connection.execute(
                    delete(login_failures).where(login_failures.c.username == username)
                )
                return TOTP
    used = _use_recovery_code(db, username, code, moment)
    if used:
        return "recovery code"
    refuse(db, user, f"web:{username}@{address}", "wrong or used second-factor code")
    raise UnauthenticatedError(said("that code is not right, or it was used before"))


def _use_recovery_code(db: Database, username: str, code: str, moment: dt.datetime) -> bool:
    typed = "".join(code.split()).lower()
    if len(typed) != 11:
        return False
    with db.transaction(write=True) as connection:
        used = connection.execute(
            update(recovery_codes)
            .where(
                recovery_codes.c.code_hash == digest(typed),
                recovery_codes.c.username == username,
                recovery_codes.c.used_at.is_(None),
            )
            .values(used_at=stamp(moment))
        ).rowcount
        if used != 1:
            return False
        left = connection.execute(
            select(func.count())
            .select_from(recovery_codes)
            .where(recovery_codes.c.username == username, recovery_codes.c.used_at.is_(None))
        ).scalar_one()
        connection.execute(delete(login_failures).where(login_failures.c.username == username))
        record(
            connection,
            at=moment,
            actor=f"web:{username}",
            action="update",
            entity="recovery_codes",
            key=username,
            after={"used": 1, "left": int(left)},
        )
    return True


def recovery_codes_left(db: Database, username: str) -> int:
    with db.transaction() as connection:
        return int(
            connection.execute(
                select(func.count())
                .select_from(recovery_codes)
                .where(recovery_codes.c.username == username, recovery_codes.c.used_at.is_(None))
            ).scalar_one()
        )


def reset_factors(ctx: Context, username: str) -> int:
    """An administrator removes every second factor and recovery code of an account
    (a lost phone), and ends its sessions; it sets up a new one at its next sign-in
    if it must have one. Returns how many factors were removed; audited."""
    _require_admin(ctx)
    get_user(ctx.db, username)
    with ctx.db.transaction(write=True) as connection:
        removed = connection.execute(
            delete(second_factors).where(second_factors.c.username == username)
        ).rowcount
        connection.execute(delete(recovery_codes).where(recovery_codes.c.username == username))
        connection.execute(delete(web_sessions).where(web_sessions.c.username == username))
        recorded(
            ctx,
            connection,
            "delete",
            "second_factors",
            username,
            {"username": username, "factors": removed},
            None,
            note="second factors reset by an administrator",
        )
    return int(removed)
