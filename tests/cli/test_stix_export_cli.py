"""``weerbaar export x.stix.json``: the STIX 2.1 bundle, chosen by the file's name."""

from __future__ import annotations

import json
from pathlib import Path

import stix2
from typer.testing import CliRunner

from tests.helpers import seed_small_register
from weerbaar.cli.main import app
from weerbaar.services.context import Context


def test_a_stix_name_exports_a_bundle_and_is_refused_for_import(
    runner: CliRunner, ctx: Context, tmp_path: Path
) -> None:
    seed_small_register(ctx)
    target = tmp_path / "register.STIX.json"
    result = runner.invoke(app, ["export", str(target)])
    assert result.exit_code == 0, result.output
    assert "exported 2 records" in result.output  # the actor and the scenario
    bundle = json.loads(target.read_text(encoding="utf-8"))
    parsed = stix2.parse(bundle, allow_custom=True)
    kinds = {o["type"] for o in bundle["objects"]}
    assert {"intrusion-set", "x-weerbaar-scenario", "identity"} <= kinds
    assert len(parsed.objects) == len(bundle["objects"])
    # Said outright, the format needs no such name.
    other = tmp_path / "bundle.json"
    assert runner.invoke(app, ["export", str(other), "--format", "stix"]).exit_code == 0
    assert json.loads(other.read_text(encoding="utf-8")) == bundle
    refused = runner.invoke(app, ["import", str(target)])
    assert refused.exit_code != 0
    assert "weerbaar signals ingest" in refused.output
