from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parents[2] / "data"


@pytest.fixture
def signals_dir() -> Path:
    return DATA / "signals"


@pytest.fixture
def stix_dir() -> Path:
    return DATA / "stix"
