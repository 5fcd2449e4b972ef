"""An app started as ``weerbaar serve`` starts it loads the compiled engines itself,
so the first dashboard or ranking does not wait for Numba."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# A process of its own: in the test process another test may have loaded them already.
SCRIPT = textwrap.dedent(
    """
    import dataclasses, time
    from fastapi.testclient import TestClient
    from weerbaar.cascade import engine
    from weerbaar.config import load_settings
    from weerbaar.simulation import compiled
    from weerbaar.storage.db import Database
    from weerbaar.web.app import create_app

    settings = load_settings(db="sqlite://")
    db = Database(settings.db_url, trail=settings.trail)
    assert "kernel" not in engine._state and "kernel" not in compiled._state
    web = dataclasses.replace(settings.web, warm_engines=True)
    with TestClient(create_app(dataclasses.replace(settings, web=web), db=db)):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if "kernel" in engine._state and "kernel" in compiled._state:
                break
            time.sleep(0.1)
    info = compiled.kernel_info()
    used = [k for k in compiled.KERNELS if info[k]["cache_hits"] + info[k]["cache_misses"]]
    print("cascade", "kernel" in engine._state, "simulation", sorted(used))
    """
)


def test_serving_loads_both_engines_before_any_request() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith("cascade True simulation [")
    assert "pass_rank" in line  # the Monte Carlo kernel ran, not only imported
