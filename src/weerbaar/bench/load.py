"""A plain HTTP load generator: some clients, each on its own keep-alive connection,
asking for one path over and over for a fixed time.

Each client is a thread with a standard-library connection: the server under test
runs in another process, so the clients' own work does not compete with it for the
interpreter lock — but it does for the cores, which is why each run reports the CPU
time the clients took. Where ``wrk`` is installed, :mod:`.wrk` drives the load
instead, at a fraction of the cost.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

CONNECT_TIMEOUT = 60.0


PERCENTILES = (50, 95, 99)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one load run measured (times in seconds): completed requests, their
    latency percentiles, and the CPU time the load generator itself used."""

    label: str
    clients: int
    seconds: float
    requests: int
    errors: int  # answers other than 200, and broken connections
    latency: dict[int, float]  # percentile (50, 95, 99) → seconds
    client_cpu: float = float("nan")
    generator: str = "python"

    @classmethod
    def of(
        cls,
        label: str,
        *,
        clients: int,
        seconds: float,
        latencies: Sequence[float],
        errors: int,
        client_cpu: float = float("nan"),
    ) -> LoadResult:
        """The result of a run that timed each request."""
        found = np.percentile(latencies, PERCENTILES) if len(latencies) else None
        return cls(
            label,
            clients,
            seconds,
            len(latencies),
            errors,
            {
                q: float(found[i]) if found is not None else float("nan")
                for i, q in enumerate(PERCENTILES)
            },
            client_cpu,
        )

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def client_share(self) -> float:
        """The generator's CPU time as a share of one core over the run."""
        return self.client_cpu / self.seconds if self.seconds > 0 else float("nan")

    def percentile(self, q: int) -> float:
        return self.latency.get(q, float("nan"))


def _client(
    port: int,
    path: str,
    headers: Mapping[str, str],
    seconds: float,
    start: threading.Barrier,
    latencies: list[float],
    errors: list[int],
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CONNECT_TIMEOUT)
    start.wait()
    deadline = time.perf_counter() + seconds
    try:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=dict(headers))
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors.append(1)
                connection.close()  # reconnects on the next request
                continue
            latencies.append(time.perf_counter() - began)
            if response.status != 200:
                errors.append(1)
    finally:
        connection.close()


WARM_UP_CONNECTIONS = 8
"""Warm-up requests sent at once, so that every worker process of the server gets some."""


def warm_up(port: int, path: str, headers: Mapping[str, str]) -> None:
    """Requests before measuring, several at once on their own connections: the
    first answer of a path in each server process pays for one-off work (compiling
    the Monte Carlo kernel, the assessment, filling the need-to-know cache)."""

    def once() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CONNECT_TIMEOUT)
        try:
            connection.request("GET", path, headers=dict(headers))
            connection.getresponse().read()
        finally:
            connection.close()

    threads = [threading.Thread(target=once, daemon=True) for _ in range(WARM_UP_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def drive(
    port: int,
    path: str,
    *,
    label: str,
    headers: Mapping[str, str],
    clients: int,
    seconds: float,
) -> LoadResult:
    """``clients`` concurrent clients asking for ``path`` for ``seconds``, after a
    warm-up request."""
    warm_up(port, path, headers)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[int] = []
    start = threading.Barrier(clients + 1)  # the clients and this thread set off together
    threads = [
        threading.Thread(
            target=_client,
            args=(port, path, headers, seconds, start, latencies[i], errors),
            daemon=True,
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    cpu = time.process_time()  # every thread of this process: the clients' work
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return LoadResult.of(
        label,
        clients=clients,
        seconds=elapsed,
        latencies=[t for per_client in latencies for t in per_client],
        errors=len(errors),
        client_cpu=time.process_time() - cpu,
    )
