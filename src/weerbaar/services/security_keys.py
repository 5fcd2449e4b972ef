"""Security keys and passkeys as a second factor (WebAuthn, with the ``webauthn``
library).

A key is stored as a second factor of kind "webauthn": its credential id, public
key and the site (relying party) it was made for, sealed like an app's secret, so a
row cannot be moved to another account unseen; its signature counter in
``last_step``, so a cloned key shows up as a counter that goes back. The challenge a
browser signs is kept on its session and is taken (cleared) by the first answer,
so an answer cannot be replayed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from dataclasses import dataclass

import webauthn
from sqlalchemy import Connection, delete, insert, select, update
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from weerbaar.errors import Issue, UnauthenticatedError, ValidationError, said
from weerbaar.services.account_events import ADDRESS_LENGTH, recorded, stamp
from weerbaar.services.accounts import User, get_user, reserve_try
from weerbaar.services.context import Context
from weerbaar.services.second_factors import (
    issue_recovery_codes,
    recovery_codes_left,
    refuse,
    seal,
    unseal,
)
from weerbaar.storage.db import Database
from weerbaar.storage.tables import login_failures, second_factors, web_sessions

WEBAUTHN = "webauthn"
NAME_LENGTH = 60
_REGISTER = "register:"
_SIGN_IN = "sign-in:"
_WAIT_MS = 120_000


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """The site keys are made for: its host name (the WebAuthn "RP ID") and the origin
    browsers show it under."""

    id: str
    origin: str
    name: str = "weerbaar"


@dataclass(frozen=True, slots=True)
class Key:
    """A security key as its owner's page lists it: never its credential."""

    id: str
    name: str
    created_at: str
    last_used_at: str | None


@dataclass(frozen=True, slots=True)
class _Stored:
    id: str
    credential_id: bytes
    public_key: bytes
    rp_id: str
    name: str
    sign_count: int
    created_at: str
    last_used_at: str | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_challenge(db: Database, session_id: str, purpose: str) -> bytes:
    challenge = secrets.token_bytes(32)
    with db.transaction(write=True) as connection:
        connection.execute(
            update(web_sessions)
            .where(web_sessions.c.id == session_id)
            .values(challenge=purpose + _b64(challenge))
        )
    return challenge


def _take_challenge(connection: Connection, session_id: str, purpose: str) -> bytes | None:
    """The session's challenge for ``purpose``, cleared in the same write: only the
    first answer to it can count."""
    held = connection.execute(
        select(web_sessions.c.challenge).where(web_sessions.c.id == session_id)
    ).scalar_one_or_none()
    if not held or not held.startswith(purpose):
        return None
    taken = connection.execute(
        update(web_sessions)
        .where(web_sessions.c.id == session_id, web_sessions.c.challenge == held)
        .values(challenge=None)
    ).rowcount
    return _unb64(held[len(purpose) :]) if taken == 1 else None


def _stored_keys(db: Database, username: str) -> list[_Stored]:
    with db.transaction() as connection:
        rows = connection.execute(
            select(second_factors)
            .where(
                second_factors.c.username == username,
                second_factors.c.kind == WEBAUTHN,
                second_factors.c.confirmed,
            )
            .order_by(second_factors.c.created_at, second_factors.c.id)
        ).all()
    keys = []
    for row in rows:
        data = json.loads(unseal(db, username, row.secret))
        keys.append(
            _Stored(
                row.id,
                _unb64(data["credential_id"]),
                _unb64(data["public_key"]),
                data["rp_id"],
                data["name"],
                row.last_step or 0,
                row.created_at,
                row.last_used_at,
            )
        )
    return keys


def list_keys(db: Database, username: str) -> list[Key]:
    return [Key(k.id, k.name, k.created_at, k.last_used_at) for k in _stored_keys(db, username)]


def registration_options(db: Database, session_id: str, user: User, rp: RelyingParty) -> str:
    """What the browser needs to make a new key for ``user`` (JSON); keys the account
    already has are excluded, so one key is not added twice."""
    challenge = _new_challenge(db, session_id, _REGISTER)
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.username,
        user_id=user.username.encode("utf-8"),
        user_display_name=user.display_name,
        challenge=challenge,
        timeout=_WAIT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=k.credential_id)
            for k in _stored_keys(db, user.username)
        ],
    )
    return webauthn.options_to_json(options)


def _key_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        return "security key"
    if len(name) > NAME_LENGTH:
        raise ValidationError(
            [Issue("", "name", said("at most %(most)s characters", most=NAME_LENGTH))],
            summary=said("key not added"),
        )
    return name


def register_key(
    ctx: Context, session_id: str, user: User, credential: str, rp: RelyingParty, name: str
) -> list[str]:
    """Add the key the browser made; returns new recovery codes when the account had
    none left (shown once), else none. A wrong answer adds nothing and is audited."""
    name = _key_name(name)
    with ctx.db.transaction(write=True) as connection:
        challenge = _take_challenge(connection, session_id, _REGISTER)
    if challenge is None:
        raise UnauthenticatedError(said("the security key's request has expired: start again"))
    try:
        made = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, KeyError) as exc:
        refuse(ctx.db, user, ctx.actor, "a security key's registration did not check out")
        raise UnauthenticatedError(
            said("the security key's answer was not accepted (%(error)s)", error=exc)
        ) from exc
    secret = json.dumps(
        {
            "credential_id": _b64(made.credential_id),
            "public_key": _b64(made.credential_public_key),
            "rp_id": rp.id,
            "name": name,
        }
    )
    key_id = secrets.token_hex(8)
    codes: list[str] = []
    give_codes = recovery_codes_left(ctx.db, user.username) == 0
    with ctx.db.transaction(write=True) as connection:
        connection.execute(
            insert(second_factors).values(
                id=key_id,
                username=user.username,
                kind=WEBAUTHN,
                secret=seal(ctx.db, user.username, secret),
                confirmed=True,
                last_step=made.sign_count,
                created_at=stamp(ctx.clock()),
                last_used_at=stamp(ctx.clock()),
            )
        )
        if give_codes:
            codes = issue_recovery_codes(connection, user.username, ctx.clock())
        recorded(
            ctx,
            connection,
            "create",
            "second_factors",
            key_id,
            None,
            {
                "username": user.username,
                "kind": WEBAUTHN,
                "name": name,
                "recovery_codes": len(codes),
            },
        )
    return codes


def authentication_options(db: Database, session_id: str, username: str, rp: RelyingParty) -> str:
    """What the browser needs to sign with one of ``username``'s keys (JSON)."""
    challenge = _new_challenge(db, session_id, _SIGN_IN)
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=_WAIT_MS,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=k.credential_id) for k in _stored_keys(db, username)
        ],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return webauthn.options_to_json(options)


def verify_key(
    db: Database,
    session_id: str,
    username: str,
    credential: str,
    rp: RelyingParty,
    address: str,
) -> None:
    """Check a key's signature over this session's challenge. A wrong or replayed one
    counts like a wrong password and is audited, and is refused."""
    now = dt.datetime.now(dt.UTC)
    address = address[:ADDRESS_LENGTH]
    user = get_user(db, username)
    with db.transaction(write=True) as connection:
        reserve_try(connection, username, address, now)
        challenge = _take_challenge(connection, session_id, _SIGN_IN)
    actor = f"web:{username}@{address}"
    if challenge is None:
        refuse(db, user, actor, "a security key answered no open request")
        raise UnauthenticatedError(said("the security key's request has expired: try again"))
    try:
        used = _check(db, username, credential, challenge, rp)
    except UnauthenticatedError:
        refuse(db, user, actor, "a security key's signature did not check out")
        raise
    with db.transaction(write=True) as connection:
        moved = connection.execute(
            update(second_factors)
            .where(
                second_factors.c.id == used[0].id,
                # Counters that go back mean a cloned key; a key without one stays at 0.
                (second_factors.c.last_step < used[1]) | (second_factors.c.last_step == 0),
            )
            .values(last_step=used[1], last_used_at=stamp(now))
        ).rowcount
        if moved == 1:
            connection.execute(delete(login_failures).where(login_failures.c.username == username))
            return
    refuse(db, user, actor, "a security key's signature counter went back")
    raise UnauthenticatedError(said("this security key's answer was seen before"))


def _check(
    db: Database, username: str, credential: str, challenge: bytes, rp: RelyingParty
) -> tuple[_Stored, int]:
    try:
        raw_id = _unb64(json.loads(credential)["rawId"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UnauthenticatedError(said("the security key's answer was not readable")) from exc
    stored = next((k for k in _stored_keys(db, username) if k.credential_id == raw_id), None)
    if stored is None or stored.rp_id != rp.id:
        raise UnauthenticatedError(said("that security key is not one of this account's"))
    try:
        checked = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=stored.rp_id,
            expected_origin=rp.origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=stored.sign_count,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, ValueError, KeyError) as exc:
        raise UnauthenticatedError(
            said("the security key's answer was not accepted (%(error)s)", error=exc)
        ) from exc
    return stored, checked.new_sign_count
