"""Who is asking: the browser session or API token behind a request, and CSRF.

A browser signs in with a form and gets a session cookie (HttpOnly, SameSite=Strict,
Secure when served over HTTPS); every form carries the session's CSRF token, which a
POST must return. Machine clients send ``Authorization: Bearer wb_…`` and need no
CSRF token: a browser never attaches that header on its own.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from fastapi import Request

from weerbaar.config import Settings
from weerbaar.domain.access import Subject
from weerbaar.errors import ForbiddenError, SignInIncompleteError, UnauthenticatedError, said
from weerbaar.services.accounts import User
from weerbaar.services.api_tokens import Scope, resolve_token
from weerbaar.services.web_sessions import FULL, resolve_session
from weerbaar.storage.db import Database

SESSION_COOKIE = "weerbaar_session"
# Over HTTPS the cookie's name carries the __Host- prefix: browsers then accept it only
# when Secure, for the whole site (Path=/) and from this host alone (no Domain), so a
# neighbouring subdomain cannot plant or overwrite it.
SECURE_PREFIX = "__Host-"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    via: str  # "web" or "api"
    address: str
    csrf_token: str | None = None  # browser sessions only
    session_id: str | None = None  # browser sessions only
    token_id: str | None = None  # API tokens only
    scope: Scope = Scope.WRITE  # what an API token may do; a session may do both
    stage: str = FULL  # a session's: "second-factor" or "enrol" reach only that page
    verified_at: dt.datetime | None = None  # a session's: when its owner last proved it

    @property
    def subject(self) -> Subject:
        return self.user.subject()

    @property
    def actor(self) -> str:
        """How the audit trail names this caller: who, through what, from where."""
        return f"{self.via}:{self.user.username}@{self.address}"


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def cookie_name(request: Request, name: str) -> str:
    """The name a cookie of weerbaar's goes by on this app: prefixed when secure."""
    return f"{SECURE_PREFIX}{name}" if request.app.state.secure_cookies else name


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def find_caller(request: Request) -> Caller | None:
    """The signed-in caller, or None. A bearer token wins over a cookie."""
    db = database(request)
    address = client_address(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        use = resolve_token(db, header[7:].strip(), address)
        if use is None:
            raise UnauthenticatedError(said("invalid, revoked or expired API token"))
        return Caller(use.user, "api", address, token_id=use.id, scope=use.scope)
    cookie = request.cookies.get(cookie_name(request, SESSION_COOKIE))
    if cookie:
        found = resolve_session(db, cookie, settings=settings_of(request).sign_in)
        if found is not None:
            return Caller(
                found.user,
                "web",
                address,
                found.csrf_token,
                found.id,
                stage=found.stage,
                verified_at=found.verified_at,
            )
    return None


def require_caller(request: Request) -> Caller:
    """The caller, signed in fully: a session whose second factor is still to come
    reaches nothing but the page that asks for it."""
    caller = find_caller(request)
    if caller is None:
        raise UnauthenticatedError(said("sign in first"))
    if caller.stage != FULL:
        raise SignInIncompleteError(caller.stage)
    return caller


def check_csrf(caller: Caller, submitted: str | None) -> None:
    """Refuse a browser write whose form or header lacks the session's CSRF token."""
    if caller.csrf_token is None:
        return  # token-authenticated API call
    if not submitted or not hmac.compare_digest(submitted, caller.csrf_token):
        raise ForbiddenError(said("the form has expired or did not come from this site; reload it"))
