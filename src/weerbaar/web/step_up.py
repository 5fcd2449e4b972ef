"""Asking again before sensitive acts: making API tokens, setting a threat level,
adding a security key.

A browser session whose owner last gave their password or a second factor more than
a few minutes ago (``confirm_again_minutes`` in ``data/access/second_factor.yaml``)
is sent to ``/account/confirm`` first (``web.confirm``); the API answers 401
``confirm_again``. API tokens are not asked: a token is made by a session that was.
"""

from __future__ import annotations

import datetime as dt

from weerbaar.errors import ConfirmAgainError
from weerbaar.reference.access import second_factor_policy
from weerbaar.web.auth import Caller


def is_recent(caller: Caller, now: dt.datetime | None = None) -> bool:
    if caller.via != "web":
        return True
    if caller.verified_at is None:
        return False
    window = dt.timedelta(minutes=second_factor_policy().confirm_again_minutes)
    return (now or dt.datetime.now(dt.UTC)) - caller.verified_at <= window


def require_recent(caller: Caller) -> None:
    """Refuse a sensitive act of a session whose last proof is too old."""
    if not is_recent(caller):
        raise ConfirmAgainError(second_factor_policy().confirm_again_minutes)
