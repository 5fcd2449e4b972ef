"""Single sign-on with OpenID Connect: starting a sign-in at a provider, and finishing
it when the provider sends the browser back with a code.

A sign-in under way is a row of ``oidc_requests`` under the SHA-256 of its state: it
holds the nonce the ID token must carry and the PKCE verifier, is taken (deleted) by
the first answer that names it and lasts ten minutes. The answer's ID token is
checked (:mod:`.oidc_client`), then the provider's subject is found among the linked
identities, or linked: to a new account (``accounts: create``) or to the existing
account its username claim names (``accounts: existing``). A provider that creates
accounts keeps their role, organisation and clearance, as its claims and the
organisations' ceilings say, at every sign-in; accounts with a password of their own
it only signs in. Every refusal is audited, never with a code, token or secret.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from weerbaar.config import SingleSignOnSettings
from weerbaar.domain.single_sign_on import MappedAccount, Provider, map_claims, username_of
from weerbaar.errors import ConfigError, ForbiddenError, UnauthenticatedError, said
from weerbaar.reference.access import classification_levels, roles
from weerbaar.services.account_events import ADDRESS_LENGTH, digest, record, stamp
from weerbaar.services.accounts import (
    NO_PASSWORD,
    UNKNOWN_ACCOUNT,
    User,
    add_user_without_password,
    set_provided_values,
    user_of,
)
from weerbaar.services.context import Context
from weerbaar.services.oidc_client import (
    authorization_url,
    discover,
    redeem,
    signing_keys,
    verify_id_token,
)
from weerbaar.storage.db import Database
from weerbaar.storage.tables import external_identities, oidc_requests, users

REQUEST_LIFETIME = dt.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Started:
    url: str  # the provider's authorization endpoint, with this sign-in's parameters
    state: str  # for the browser to keep, so that only it can finish this sign-in


@dataclass(frozen=True, slots=True)
class SignedOn:
    user: User
    provider: Provider
    second_factor_done: bool  # the provider's own sign-in used more than one factor
    next: str


@dataclass(frozen=True, slots=True)
class _Pending:
    nonce: str
    verifier: str
    next: str


def check_providers(settings: SingleSignOnSettings) -> None:
    """Refuse, at start, a configuration that names roles or clearances weerbaar does
    not have."""
    levels = classification_levels()
    for provider in settings.providers:
        named_roles = [r.role for r in provider.roles]
        if provider.default_role is not None:
            named_roles.append(provider.default_role)
        unknown = sorted({r for r in named_roles if r not in roles()})
        named_levels = [
            provider.default_clearance,
            *(c.clearance for c in provider.clearances),
            *provider.ceilings.values(),
        ]
        strange = sorted({c for c in named_levels if c not in levels})
        if unknown or strange:
            problems = [f"unknown roles {unknown}"] if unknown else []
            problems += [f"unknown clearances {strange}"] if strange else []
            raise ConfigError(
                f"single sign-on provider {provider.key!r}: {'; '.join(problems)} "
                f"(roles: {', '.join(roles())}; clearances: {', '.join(levels.keys)})"
            )


def _refuse(
    db: Database,
    exc: Exception,
    *,
    provider: str,
    address: str,
    username: str | None,
    now: dt.datetime,
) -> None:
    """Audit a refused single sign-on under the account it was for, if known."""
    who = username or UNKNOWN_ACCOUNT
    with db.transaction(write=True) as connection:
        record(
            connection,
            at=now,
            actor=f"web:{who}@{address}",
            action="sign-in-fail",
            entity="sign_ins",
            key=who,
            after={"address": address, "provider": provider[:64], "reason": str(exc)[:300]},
        )


def _provider(
    db: Database, settings: SingleSignOnSettings, key: str, address: str, now: dt.datetime
) -> Provider:
    provider = settings.provider(key)
    if provider is None:
        refusal = UnauthenticatedError(said("no single sign-on provider of that name"))
        _refuse(db, refusal, provider=key, address=address, username=None, now=now)
        raise refusal
    return provider


def begin_sign_in(
    db: Database,
    settings: SingleSignOnSettings,
    key: str,
    *,
    redirect_uri: str,
    next: str,
    address: str,
    now: dt.datetime | None = None,
) -> Started:
    """A new sign-in at provider ``key``: where to send the browser, and the state it
    keeps."""
    now = now or dt.datetime.now(dt.UTC)
    address = address[:ADDRESS_LENGTH]
    provider = _provider(db, settings, key, address, now)
    try:
        metadata = discover(provider)
    except UnauthenticatedError as exc:
        _refuse(db, exc, provider=key, address=address, username=None, now=now)
        raise
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # RFC 7636: 43 to 128 characters
    with db.transaction(write=True) as connection:
        connection.execute(
            delete(oidc_requests).where(oidc_requests.c.created_at <= stamp(now - REQUEST_LIFETIME))
        )
        connection.execute(
            insert(oidc_requests).values(
                state_hash=digest(state),
                provider=provider.key,
                nonce=nonce,
                verifier=verifier,
                next=next,
                created_at=stamp(now),
            )
        )
    url = authorization_url(
        provider, metadata, redirect_uri=redirect_uri, state=state, nonce=nonce, verifier=verifier
    )
    return Started(url, state)


def _take_request(db: Database, state: str, provider: Provider, now: dt.datetime) -> _Pending:
    """The sign-in ``state`` names, which no later answer can name again."""
    hashed = digest(state)
    with db.transaction(write=True) as connection:
        row = connection.execute(
            select(oidc_requests).where(oidc_requests.c.state_hash == hashed)
        ).first()
        if row is not None:
            connection.execute(delete(oidc_requests).where(oidc_requests.c.state_hash == hashed))
    if row is None:
        raise UnauthenticatedError(
            said("this sign-in was already used or has expired: start again")
        )
    if row.provider != provider.key:
        raise UnauthenticatedError(
            said("this sign-in was started at another provider: start again")
        )
    if dt.datetime.fromisoformat(row.created_at) <= now - REQUEST_LIFETIME:
        raise UnauthenticatedError(said("this sign-in has expired: start again"))
    return _Pending(row.nonce, row.verifier, row.next)


def finish_sign_in(
    db: Database,
    settings: SingleSignOnSettings,
    key: str,
    *,
    state: str,
    code: str,
    error: str,
    kept_state: str | None,
    redirect_uri: str,
    address: str,
    now: dt.datetime | None = None,
) -> SignedOn:
    """The account the provider's answer signs in. ``kept_state`` is the state the
    browser kept when it started: an answer meant for another browser is refused."""
    now = now or dt.datetime.now(dt.UTC)
    address = address[:ADDRESS_LENGTH]
    provider = _provider(db, settings, key, address, now)
    username: str | None = None
    try:
        pending = _take_request(db, state, provider, now)
        claims = _answer(
            provider,
            pending,
            state=state,
            kept_state=kept_state,
            code=code,
            error=error,
            redirect_uri=redirect_uri,
            now=now,
        )
        username = _claimed_name(provider, claims)
        mfa = provider.satisfies_second_factor(claims)
        user = _sign_on(db, provider, claims, address=address, mfa=mfa, now=now)
    except (UnauthenticatedError, ForbiddenError) as exc:
        _refuse(db, exc, provider=key, address=address, username=username, now=now)
        raise
    return SignedOn(user, provider, mfa, pending.next)


def _answer(
    provider: Provider,
    pending: _Pending,
    *,
    state: str,
    kept_state: str | None,
    code: str,
    error: str,
    redirect_uri: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The verified claims of the provider's answer to ``pending``."""
    if kept_state is None or not secrets.compare_digest(kept_state, state):
        raise UnauthenticatedError(said("this sign-in was started in another browser"))
    if error:
        shown = "".join(c for c in error if c.isalnum() or c == "_")[:40]
        raise UnauthenticatedError(
            said(
                "%(provider)s did not sign you in (%(error)s)", provider=provider.title, error=shown
            )
        )
    if not code:
        raise UnauthenticatedError(
            said("%(provider)s sent no sign-in code", provider=provider.title)
        )
    metadata = discover(provider)
    tokens = redeem(
        provider, metadata, code=code, redirect_uri=redirect_uri, verifier=pending.verifier
    )
    return verify_id_token(
        provider,
        metadata,
        signing_keys(provider, metadata),
        tokens["id_token"],
        nonce=pending.nonce,
        access_token=tokens.get("access_token"),
        now=now,
    )


def _claimed_name(provider: Provider, claims: Mapping[str, Any]) -> str | None:
    try:
        return username_of(provider, claims)
    except ForbiddenError:
        return None


def _sign_on(
    db: Database,
    provider: Provider,
    claims: Mapping[str, Any],
    *,
    address: str,
    mfa: bool,
    now: dt.datetime,
) -> User:
    """The account of the provider's subject, linked, created or brought up to date as
    the provider says; the sign-on audited."""
    subject = str(claims["sub"])
    ctx = Context(db=db, actor=f"sso:{provider.key}@{address}", clock=lambda: now)
    with db.transaction(write=True) as connection:
        linked = connection.execute(
            select(external_identities.c.username).where(
                external_identities.c.provider == provider.key,
                external_identities.c.subject == subject,
            )
        ).scalar_one_or_none()
        mapped: MappedAccount | None = None
        if linked is not None:
            row = connection.execute(select(users).where(users.c.username == linked)).one()
            user = user_of(row)
            if provider.manages_accounts and row.password_hash == NO_PASSWORD:
                mapped = map_claims(provider, claims, classification_levels())
                user = set_provided_values(
                    ctx,
                    connection,
                    user,
                    display_name=mapped.display_name,
                    role=mapped.role,
                    organisation=mapped.organisation,
                    clearance=mapped.clearance,
                    note=_capped_note(provider, mapped),
                )
        else:
            user, mapped = _link(ctx, connection, provider, claims, subject)
        if user.disabled:
            raise ForbiddenError(said("this account is disabled"))
        connection.execute(
            update(external_identities)
            .where(
                external_identities.c.provider == provider.key,
                external_identities.c.subject == subject,
            )
            .values(last_used_at=stamp(now))
        )
        after: dict[str, Any] = {
            "address": address,
            "provider": provider.key,
            "second_factor_by_provider": mfa,
        }
        if mapped is not None and mapped.capped:
            after["clearance_capped"] = {"asked": mapped.asked_clearance, "given": mapped.clearance}
        record(
            connection,
            at=now,
            actor=f"web:{user.username}@{address}",
            action="sign-in",
            entity="sign_ins",
            key=user.username,
            after=after,
        )
    return user


def _link(
    ctx: Context,
    connection: Connection,
    provider: Provider,
    claims: Mapping[str, Any],
    subject: str,
) -> tuple[User, MappedAccount | None]:
    """A subject seen for the first time: its new account (``accounts: create``) or the
    existing one its username claim names, linked to it; audited."""
    username = username_of(provider, claims)
    row = connection.execute(select(users).where(users.c.username == username)).first()
    mapped: MappedAccount | None = None
    if provider.manages_accounts:
        if row is not None:
            # Taking over an account made some other way is for an administrator to decide.
            raise ForbiddenError(
                said(
                    "an account %(username)s already exists and is not linked to %(provider)s",
                    username=repr(username),
                    provider=provider.title,
                )
            )
        mapped = map_claims(provider, claims, classification_levels())
        user = add_user_without_password(
            ctx,
            connection,
            username=mapped.username,
            display_name=mapped.display_name,
            role=mapped.role,
            organisation=mapped.organisation,
            clearance=mapped.clearance,
            note=_capped_note(provider, mapped),
        )
    elif row is None:
        raise ForbiddenError(
            said(
                "%(provider)s signs in existing accounts only, and there is no account "
                "%(username)s: ask an administrator",
                provider=provider.title,
                username=repr(username),
            )
        )
    else:
        user = user_of(row)
    connection.execute(
        insert(external_identities).values(
            provider=provider.key,
            subject=subject,
            username=user.username,
            created_at=stamp(ctx.clock()),
        )
    )
    record(
        connection,
        at=ctx.clock(),
        actor=ctx.actor,
        action="create",
        entity="external_identities",
        key=f"{provider.key}:{subject}"[:128],
        after={"provider": provider.key, "subject": subject, "username": user.username},
    )
    return user, mapped


def _capped_note(provider: Provider, mapped: MappedAccount) -> str | None:
    if not mapped.capped:
        return None
    return (
        f"clearance {mapped.asked_clearance} from provider {provider.key} capped to "
        f"{mapped.clearance}, the ceiling of {mapped.organisation}"
    )
