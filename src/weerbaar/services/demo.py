"""The demo national risk profile shipped with weerbaar (illustrative, not official)."""

from __future__ import annotations

from importlib import resources

import yaml

from weerbaar.formats.document import from_data
from weerbaar.services.context import Context
from weerbaar.services.transfer import ImportSummary, Progress, import_register

DEMO_FILE = "demo/profile.yaml"


def demo_data() -> object:
    text = resources.files("weerbaar.data").joinpath(DEMO_FILE).read_text("utf-8")
    return yaml.safe_load(text)


def load_demo(ctx: Context, *, progress: Progress | None = None) -> ImportSummary:
    """Load (or refresh) the demo profile; records already equal are left alone."""
    return import_register(ctx, doc=from_data(demo_data(), DEMO_FILE), progress=progress)
