from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz.budget import GENERATED, SCALE
from tests.helpers import REPORTED


@pytest.fixture(scope="session", autouse=True)
def report_generated_files() -> Iterator[None]:
    """The number of files the fuzz generated, among the run's measured figures."""
    yield
    if GENERATED:
        per_format = ", ".join(f"{fmt} {n:,}" for fmt, n in sorted(GENERATED.items()))
        REPORTED.append(
            f"fuzz: {GENERATED.total():,} generated files at scale {SCALE:g} ({per_format})"
        )
