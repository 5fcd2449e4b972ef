"""The REST API under ``/api/v1``: one router joined from small parts.

Every operation needs a signed-in caller (an API token, or the browser session with
its CSRF token for writes); reads pass the caller's need-to-know to the services and
writes go through them as the caller, so they are checked and audited alike.
"""

from __future__ import annotations

from fastapi import APIRouter, Security

from weerbaar.domain.register import ENTITIES
from weerbaar.web.api import (
    account,
    actors,
    assessment,
    audit,
    capabilities,
    declassify,
    expert_sessions,
    export,
    infrastructure,
    levels,
    notifications,
    portfolio,
    reports,
    rounds,
    search,
    signals,
    tiers,
)
from weerbaar.web.api.callers import bearer
from weerbaar.web.api.fallback import fallback_router
from weerbaar.web.api.problems import install_error_handlers
from weerbaar.web.api.records import entity_router

__all__ = ["install_error_handlers", "router"]

_parts = [
    account.router,
    assessment.router,
    tiers.router,
    levels.router,
    notifications.router,
    capabilities.router,
    infrastructure.router,
    portfolio.router,
    reports.router,
    search.router,
    audit.router,
    export.router,
    expert_sessions.router,
    signals.router,  # before the generic /signals/{key}
    actors.router,  # before the generic /actors/{key}
    declassify.router,  # before the generic /{entity}/{key}
    rounds.router,  # before the generic /rounds/{key}
    *(entity_router(spec) for spec in ENTITIES),
]
router = APIRouter(dependencies=[Security(bearer)])
for _part in _parts:
    router.include_router(_part)
router.include_router(fallback_router())  # last: it matches every path
