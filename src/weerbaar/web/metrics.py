"""``/metrics``: the installation's figures for Prometheus, to a scraper that brings
the token ``WEERBAAR_METRICS_TOKEN`` sets (docs/operations.md lists the series).

Requests are counted by the route that answered them, as its template
(``/api/v1/scenarios/{key}``), never by the path asked for: a path can hold a
record's key, and one series per key would grow without end. Each process counts its
own requests; under ``weerbaar serve --workers N`` the workers keep their counts in a
folder they share and a scrape adds them up, whichever worker takes it. What the
register says (the outbox, the sources, sign-ins, the trail) is read from the database
at each scrape.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from weerbaar.errors import NotFoundError, WeerbaarError
from weerbaar.i18n import _
from weerbaar.services.context import utc_now
from weerbaar.services.register_gauges import read_gauges
from weerbaar.storage.db import Database

__all__ = ["AppMetrics", "RequestMetrics", "router"]

UNMATCHED = "unmatched"  # the route of a request no route took
# Any other method a client sends is counted as "other": a label takes few values.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


class RegisterFigures:
    """The gauges read from the register at each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "weerbaar_register_up", "1 when this scrape could read the register, else 0"
        )
        try:
            figures = read_gauges(self.db, now=utc_now())
        except (WeerbaarError, SQLAlchemyError) as exc:
            log.warning("metrics: the register could not be read (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield _labelled(
            "weerbaar_notifications",
            "notifications in the outbox, by status (dead: on the dead-letter list)",
            "status",
            figures.outbox,
        )
        yield _labelled(
            "weerbaar_sources", "polled sources, by how their polls go", "health", figures.sources
        )
        yield GaugeMetricFamily(
            "weerbaar_sign_in_failures",
            "failed sign-ins within the lockout window",
            value=figures.sign_in_failures,
        )
        yield GaugeMetricFamily(
            "weerbaar_sign_in_locked_accounts",
            "accounts refused further sign-in tries for now",
            value=figures.locked_accounts,
        )
        yield GaugeMetricFamily(
            "weerbaar_sign_in_locked_addresses",
            "client addresses refused further sign-in tries for now",
            value=figures.locked_addresses,
        )
        if figures.trail_head_seq is not None:
            yield GaugeMetricFamily(
                "weerbaar_audit_trail_head_seq",
                "entries in the audit trail",
                value=figures.trail_head_seq,
            )
        if figures.checkpoint_seq is not None and figures.checkpoint_age is not None:
            yield GaugeMetricFamily(
                "weerbaar_audit_checkpoint_seq",
                "entries the newest signed checkpoint covers",
                value=figures.checkpoint_seq,
            )
            yield GaugeMetricFamily(
                "weerbaar_audit_checkpoint_age_seconds",
                "seconds since the newest signed checkpoint was made",
                value=figures.checkpoint_age,
            )
        yield _labelled(
            "weerbaar_scheduler_beat_age_seconds",
            "seconds since each background scheduler last completed a round",
            "scheduler",
            figures.scheduler_ages,
        )


def _labelled(
    name: str, documentation: str, label: str, values: dict[str, int] | dict[str, float]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in values.items():
        family.add_metric([value], count)
    return family


class AppMetrics:
    """One app's series. In a registry of the app's own, so that several apps in one
    process (the tests) keep theirs apart; with ``shared_dir``, in the files there
    that every worker process of the installation writes."""

    def __init__(self, db: Database, *, shared_dir: Path | None) -> None:
        self.db = db
        self.shared_dir = shared_dir
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "weerbaar_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "weerbaar_http_request_duration_seconds",
            "seconds from a request's arrival to the end of its answer, by route template",
            ["route"],
            registry=self.registry,
        )
        # Per process; a scrape adds up the processes that live.
        self.pool = {
            part: Gauge(
                f"weerbaar_db_pool_{part}",
                documentation,
                registry=self.registry,
                multiprocess_mode="livesum",
            )
            for part, documentation in (
                ("size", "database connections the pool keeps"),
                ("checked_out", "database connections in use"),
                ("checked_in", "database connections open and idle in the pool"),
                ("overflow", "database connections open beyond the pool's size"),
            )
        }
        self.figures = RegisterFigures(db)
        if shared_dir is None:
            self.registry.register(self.figures)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        shown = method if method in METHODS else "other"
        self.requests.labels(route, shown, str(status)).inc()
        self.latency.labels(route).observe(seconds)
        self._observe_pool()

    def _observe_pool(self) -> None:
        pool = self.db.engine.pool
        if isinstance(pool, QueuePool):
            self.pool["size"].set(pool.size())
            self.pool["checked_out"].set(pool.checkedout())
            self.pool["checked_in"].set(pool.checkedin())
            self.pool["overflow"].set(max(0, pool.overflow()))

    def exposition(self) -> bytes:
        """Every series, in Prometheus's text format."""
        self._observe_pool()
        if self.shared_dir is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.shared_dir))  # type: ignore[no-untyped-call]
        registry.register(self.figures)
        return generate_latest(registry)


class RouteTemplates:
    """Each route's whole path template, prefixes included (``/api/v1/{entity_name}``).

    A FastAPI route names itself in the request's scope as it takes the request, but
    knows only its own part of the path when it was included under a prefix, so its
    template is looked up by the route. The few other routes (the static files, the
    API's documentation) are matched against the request as it came in.
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.named: dict[int, str] = {}
        self.plain: list[tuple[BaseRoute, str]] = []
        for context in iter_route_contexts(routes):
            template = context.path_format
            if not template:
                continue
            if isinstance(context.original_route, APIRoute):
                self.named[id(context.original_route)] = template
            else:
                self.plain.append((context.original_route, template))

    def of(self, arrived: Scope, answered: Scope) -> str:
        """The template of the route that answered (``answered``: the scope as routing
        left it; ``arrived``: as it came in)."""
        route = answered.get("route")
        if route is not None:
            return self.named.get(id(route), UNMATCHED)
        for candidate, template in self.plain:
            if candidate.matches(arrived)[0] is not Match.NONE:
                return template
        return UNMATCHED


class RequestMetrics:
    """ASGI middleware: count each request and time it, under the template of the route
    that took it (known once the app has answered). The templates are read at the
    first request, when the app has all its routes."""

    def __init__(self, app: ASGIApp, *, metrics: AppMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self.templates: RouteTemplates | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.templates is None:
            self.templates = RouteTemplates(scope["app"].routes)
        arrived = dict(scope)  # routing changes the scope it is given
        started = time.perf_counter()
        status = 500  # unless the app says otherwise before it fails
        counted = False

        def count() -> None:
            nonlocal counted
            counted = True
            assert self.templates is not None
            route = self.templates.of(arrived, scope)
            self.metrics.observe(route, scope["method"], status, time.perf_counter() - started)

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            # Counted before the answer's last part goes out: a scrape the caller sends
            # once it has its answer, to whichever worker, finds it counted.
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                count()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if not counted:  # the app failed, or the caller went away, before the end
                count()


def _bearer(header: str | None, token: str) -> bool:
    scheme, _space, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8"), token.encode("utf-8")
    )


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    token = request.app.state.settings.web.metrics_token
    if token is None:
        raise NotFoundError("page", "metrics")  # as any path the site does not have
    if not _bearer(request.headers.get("authorization"), token):
        return PlainTextResponse(
            _("a scrape needs the metrics token: Authorization: Bearer TOKEN"),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    figures: AppMetrics = request.app.state.metrics
    body = await asyncio.to_thread(figures.exposition)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
