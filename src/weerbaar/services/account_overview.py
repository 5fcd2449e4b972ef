"""Every account at a glance, for administrators: who it is, whether it signs in with a
second factor and which, and how many browsers it is signed in on now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from weerbaar.services.account_events import require_admin, stamp
from weerbaar.services.accounts import User, list_users
from weerbaar.services.context import Context
from weerbaar.storage.tables import external_identities, second_factors, web_sessions


@dataclass(frozen=True, slots=True)
class AccountLine:
    user: User
    factors: tuple[str, ...]  # "totp", "webauthn"
    sessions: int
    providers: tuple[str, ...]  # single sign-on providers it signs in through


def account_overview(ctx: Context) -> list[AccountLine]:
    """Every account, by name; administrators and the local operator only."""
    require_admin(ctx)
    with ctx.db.transaction() as connection:
        factors = connection.execute(
            select(second_factors.c.username, second_factors.c.kind)
            .where(second_factors.c.confirmed)
            .distinct()
        ).all()
        sessions = connection.execute(
            select(web_sessions.c.username, func.count())
            .where(web_sessions.c.expires_at > stamp(ctx.clock()))
            .group_by(web_sessions.c.username)
        ).all()
        linked = connection.execute(
            select(external_identities.c.username, external_identities.c.provider).distinct()
        ).all()
    kinds: dict[str, set[str]] = {}
    for username, kind in factors:
        kinds.setdefault(username, set()).add(kind)
    live = {username: int(count) for username, count in sessions}
    providers: dict[str, set[str]] = {}
    for username, provider in linked:
        providers.setdefault(username, set()).add(provider)
    return [
        AccountLine(
            user,
            tuple(sorted(kinds.get(user.username, ()))),
            live.get(user.username, 0),
            tuple(sorted(providers.get(user.username, ()))),
        )
        for user in list_users(ctx.db)
    ]
