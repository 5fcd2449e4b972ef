"""How much the fuzz generates, and the count of what it did generate.

``WEERBAAR_FUZZ_SCALE`` multiplies every test's number of examples: 1 (the default,
what CI runs) gives more than 10,000 generated files in all; 0.1 is a quick look,
10 a release-time run. Examples are derandomised, so a run is reproducible and a
failure shows the same shrunk input every time.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

__all__ = ["GENERATED", "SCALE", "count", "fuzz_settings"]

SCALE = float(os.environ.get("WEERBAAR_FUZZ_SCALE", "1"))

GENERATED: Counter[str] = Counter()
"""Files generated per format; the session's summary prints them."""


def count(fmt: str, files: int = 1) -> None:
    GENERATED[fmt] += files


def fuzz_settings(examples: int) -> settings:
    """Deterministic settings for ``examples`` examples (times the scale)."""
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )
