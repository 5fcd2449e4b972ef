"""The demo national risk profile shipped with weerbaar (illustrative, not official):
the register, and illustrative scores for its assessment round."""

from __future__ import annotations

from importlib import resources

import yaml

from weerbaar.formats.document import from_data
from weerbaar.formats.raw import RawDocument
from weerbaar.services.context import Context
from weerbaar.services.demo_sessions import load_demo_sessions
from weerbaar.services.transfer import ImportSummary, Progress, import_register

DEMO_FILES = (
    "demo/profile.yaml",
    "demo/portfolio.yaml",
    "demo/alerting.yaml",
    "demo/infrastructure.yaml",
    "demo/signals.yaml",
    "demo/scores.yaml",
)


def demo_data(name: str = DEMO_FILES[0]) -> object:
    text = resources.files("weerbaar.data").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


def demo_document() -> RawDocument:
    """The demo files as one document, so they load in one transaction."""
    merged = RawDocument()
    for name in DEMO_FILES:
        for entity, rows in from_data(demo_data(name), name).rows.items():
            merged.rows.setdefault(entity, []).extend(rows)
    return merged


def load_demo(ctx: Context, *, progress: Progress | None = None) -> ImportSummary:
    """Load (or refresh) the demo profile; records already equal are left alone. Its
    expert session is played through once, after the register it scores."""
    summary = import_register(ctx, doc=demo_document(), progress=progress)
    load_demo_sessions(ctx)
    return summary
