"""Load from ``wrk``, the compiled HTTP benchmarking tool (Debian package ``wrk``).

A Python client spends about as much CPU per request as a cheap answer costs the
server, and on a two-core machine the two compete; ``wrk`` drives the same load
from one event loop for a fraction of that. The session cookie or API token goes
into a Lua script that only this user may read, not onto ``wrk``'s command line
where any local user would see it; the script's ``done`` hook prints the figures
in a line of its own, so no human-readable output is parsed.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from weerbaar.bench.load import PERCENTILES, LoadResult, warm_up

__all__ = ["WrkError", "drive_wrk", "wrk_path"]

THREADS = 1
"""One event loop keeps dozens of connections busy and leaves the cores to the server."""
TIMEOUT = 60
_MARK = "weerbaar-wrk"


class WrkError(RuntimeError):
    """``wrk`` failed or printed no figures."""


def wrk_path() -> str | None:
    """Where ``wrk`` is installed, if it is."""
    return shutil.which("wrk")


def _lua(value: str) -> str:
    """``value`` as a Lua string literal: decimal escapes for every byte that is not
    plainly printable, so no header value can end the string early."""
    safe = (
        chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\{b:03d}" for b in value.encode()
    )
    return '"' + "".join(safe) + '"'


def _script(headers: Mapping[str, str]) -> str:
    lines = [f"wrk.headers[{_lua(name)}] = {_lua(value)}" for name, value in headers.items()]
    figures = ", ".join(f"latency:percentile({q})" for q in PERCENTILES)
    lines += [
        "done = function(summary, latency, requests)",
        "  local e = summary.errors",
        f'  io.write(string.format("{_MARK}' + " %d" * (7 + len(PERCENTILES)) + '\\n",',
        "    summary.requests, summary.duration, e.connect, e.read, e.write, e.status,",
        f"    e.timeout, {figures}))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def drive_wrk(
    port: int,
    path: str,
    *,
    label: str,
    headers: Mapping[str, str],
    clients: int,
    seconds: float,
    program: str | None = None,
) -> LoadResult:
    """``clients`` connections of ``wrk`` asking for ``path`` for ``seconds``, after
    a warm-up request."""
    program = program or wrk_path()
    if program is None:
        raise WrkError("wrk is not installed (Debian: apt-get install wrk)")
    warm_up(port, path, headers)
    with tempfile.TemporaryDirectory(prefix="weerbaar-wrk-") as folder:
        script = Path(folder) / "load.lua"
        script.touch(mode=0o600)
        script.write_text(_script(headers), encoding="utf-8")
        command = [
            program,
            f"--threads={min(THREADS, clients)}",
            f"--connections={clients}",
            f"--duration={max(1, round(seconds))}s",
            f"--timeout={TIMEOUT}s",
            f"--script={script}",
            f"http://127.0.0.1:{port}{path}",
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        except OSError as exc:
            raise WrkError(f"wrk could not start ({program}): {exc.strerror}") from exc
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in done.stdout.splitlines() if x.startswith(_MARK + " ")), None)
    if done.returncode != 0 or line is None:
        raise WrkError(f"wrk failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    numbers = [int(x) for x in line.split()[1:]]
    requests, duration, *errors = numbers[:7]
    micros = numbers[7:]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return LoadResult(
        label,
        clients,
        duration / 1e6,
        requests,
        sum(errors),
        {q: micros[i] / 1e6 for i, q in enumerate(PERCENTILES)},
        client_cpu=cpu,
        generator="wrk",
    )
