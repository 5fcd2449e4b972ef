"""Memory figures of the running process, for the benchmarks.

Peak memory is the resident-set high-water mark (``VmHWM``) of the process, reset just
before the measured part by writing ``5`` to ``/proc/self/clear_refs`` (Linux); where
that is not possible the process-lifetime peak (``getrusage``) is reported and labelled
so. Numba's allocations are invisible to ``tracemalloc``, hence the resident set.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

__all__ = ["children_peak_rss", "current_rss", "peak_rss", "reset_peak"]


def reset_peak() -> bool:
    """Reset the resident-set high-water mark (Linux ≥ 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss(reset: bool) -> tuple[int, str]:
    """The peak resident set in bytes, and what it covers: since :func:`reset_peak`
    when ``reset`` (it succeeded), else the whole life of the process."""
    status = Path("/proc/self/status")
    if reset and status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024, "high-water mark during the run"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return peak * scale, "process lifetime peak"


def current_rss() -> int:
    """The resident set of this process now, in bytes (Linux; 0 if not reported)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children_peak_rss() -> int:
    """The largest peak resident set of the finished child processes, in bytes (Linux)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
