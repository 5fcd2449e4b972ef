"""The web app on several worker processes: gunicorn's arbiter with uvicorn workers.

One Python process serves on one core, so a busy installation runs one worker per
core. Each worker makes its own app (and with it its own database connections: a
connection pool must not cross a fork) after gunicorn forks it, so nothing but the
settings is shared in memory. What workers must agree on lives in the database:
browser sessions, sign-in failures and their limits, the audit trail, and the leases
by which the notification deliverer and the source poller take work, so that each
notification and each poll is done once however many workers run them. In-process
caches are keyed by the audit head, so a worker never serves what another worker's
write made stale.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from gunicorn.app.base import BaseApplication
from prometheus_client.multiprocess import mark_process_dead
from uvicorn_worker import UvicornWorker

from weerbaar.config import LogSettings
from weerbaar.log_format import logging_config, servers_through_root

__all__ = ["TrustingWorker", "run_workers"]


class TrustingWorker(UvicornWorker):  # type: ignore[misc]
    """A uvicorn worker that believes proxy headers only from the proxies named, and
    logs as the rest of weerbaar does.

    uvicorn reads X-Forwarded-For by default (trusting 127.0.0.1); with no proxy
    named the headers are ignored, whoever sends them, as with one process.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        named = [address for address in self.cfg.forwarded_allow_ips if address]
        self.config.proxy_headers = bool(named)
        self.config.forwarded_allow_ips = named or None
        # uvicorn's worker hands its loggers gunicorn's handlers, and its access log
        # would write the query string: weerbaar's own lines stand for both.
        self.config.access_log = False
        servers_through_root()


class _Arbiter(BaseApplication):  # type: ignore[misc]
    def __init__(self, make_app: Callable[[], FastAPI], options: dict[str, object]) -> None:
        self.make_app = make_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> FastAPI:
        # Called in each worker after the fork (no preloading).
        return self.make_app()


def _forgetting(metrics_dir: Path) -> Callable[[Any, Any], None]:
    """gunicorn's hook for a worker that ended: its gauges leave the sums a scrape
    makes (its counts stay in them, so no count goes back)."""

    def child_exit(_arbiter: Any, worker: Any) -> None:
        mark_process_dead(worker.pid, str(metrics_dir))  # type: ignore[no-untyped-call]

    return child_exit


def run_workers(
    make_app: Callable[[], FastAPI],
    *,
    host: str,
    port: int,
    workers: int,
    forwarded_allow_ips: list[str],
    logs: LogSettings,
    metrics_dir: Path,
) -> None:
    """Serve ``make_app()`` on ``workers`` processes until stopped (SIGINT, SIGTERM),
    every process logging as ``logs`` say and keeping its request figures in
    ``metrics_dir``."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Arbiter(
        make_app,
        {
            "child_exit": _forgetting(metrics_dir),
            "bind": [bind],
            "workers": workers,
            "worker_class": f"{TrustingWorker.__module__}.{TrustingWorker.__qualname__}",
            "forwarded_allow_ips": ",".join(forwarded_allow_ips),
            "preload_app": False,
            "loglevel": logs.level.lower(),
            "logconfig_dict": logging_config(logs.format, logs.level),
            "accesslog": None,
            # How long a stopping worker may finish the requests it holds.
            "graceful_timeout": 10,
        },
    ).run()
