"""The server-rendered pages.

The routers are joined in an order that matters: fixed paths (``/search``,
``/audit``, ``/diagram.png``, ``/portfolio/export.csv``, ``/public.md``) and the
exports and score form come before the generic entity routes, whose ``/{entity}`` and
``/{entity}/{key:path}`` would match them too; so would ``/levels`` and
``/notifications``, ``/sessions``, and the signal pages (``/signals``, ``/signals/trends``,
``/signals/alerts``, ``/signals/sources``) before ``/signals/{key}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from weerbaar.web.pages import (
    account,
    accounts_admin,
    actor_import,
    audit,
    dashboard,
    declassify,
    exports,
    infrastructure,
    levels,
    notifications,
    portfolio,
    progress,
    public,
    records,
    reports,
    round_status,
    scenario_scores,
    search,
    sessions,
    signals,
    signals_alerts,
    signals_sources,
    signals_trends,
    tiers,
)

router = APIRouter(include_in_schema=False)
for part in (
    dashboard,
    account,
    accounts_admin,
    search,
    audit,
    tiers,
    levels,
    infrastructure,
    signals_trends,
    signals_alerts,
    signals_sources,
    signals,
    notifications,
    portfolio,
    progress,
    reports,
    public,
    exports,
    scenario_scores,
    sessions,
    declassify,  # before the generic /{entity}/{key:path}
    round_status,  # before the generic /{entity}/{key:path}
    actor_import,  # before the generic /{entity}/{key:path}
    records,
):
    router.include_router(part.router)
