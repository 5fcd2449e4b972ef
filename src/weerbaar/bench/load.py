"""A plain HTTP load generator: some clients, each on its own keep-alive connection,
asking for one path over and over for a fixed time.

Each client is a thread with a standard-library connection: the server under test
runs in another process, so the clients' own work (small next to the server's)
does not compete with it for the interpreter lock.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

CONNECT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one load run measured; latencies in seconds, one per completed request."""

    label: str
    clients: int
    seconds: float
    latencies: tuple[float, ...]
    errors: int  # answers other than 200, and broken connections

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) if self.latencies else float("nan")


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


def warm_up(port: int, path: str, headers: Mapping[str, str]) -> None:
    """One request before measuring: the first answer of a path pays for one-off work
    (compiling the Monte Carlo kernel, filling the need-to-know cache)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CONNECT_TIMEOUT)
    try:
        connection.request("GET", path, headers=dict(headers))
        connection.getresponse().read()
    finally:
        connection.close()


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
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return LoadResult(
        label=label,
        clients=clients,
        seconds=elapsed,
        latencies=tuple(t for per_client in latencies for t in per_client),
        errors=len(errors),
    )
