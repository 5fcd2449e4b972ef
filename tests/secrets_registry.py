"""What the tests make that no log line may hold: passwords, API tokens, session
cookies. Helpers register each value as they make it; at the end of the run each test
process saves its values beside its log file, so that the scan (tests/log_scan.py)
sees those of every worker."""

from __future__ import annotations

import json
from pathlib import Path

# Shorter values would be found by chance in ordinary text.
MIN_LENGTH = 8

_KNOWN: dict[str, str] = {}  # value → its kind ("password", "API token", …)


def register(kind: str, value: str) -> str:
    """Remember ``value`` as a secret of ``kind``; returns it, for use in place."""
    if len(value) >= MIN_LENGTH:
        _KNOWN.setdefault(value, kind)
    return value


def known() -> dict[str, str]:
    return dict(_KNOWN)


def save(path: Path, values: dict[str, str]) -> None:
    path.write_text(json.dumps(values), encoding="utf-8")


def load(folder: Path) -> dict[str, str]:
    """Every process's values in ``folder``."""
    merged: dict[str, str] = {}
    for path in sorted(folder.glob("secrets-*.json")):
        for value, kind in json.loads(path.read_text(encoding="utf-8")).items():
            merged.setdefault(value, kind)
    return merged
