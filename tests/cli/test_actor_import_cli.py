"""``weerbaar actor import`` end to end on the shipped galaxy files: the report, the
JSON answer, a second run that changes nothing, and a refused file's exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pymispgalaxies
from typer.testing import CliRunner

from weerbaar.cli.main import app

CLUSTERS = Path(pymispgalaxies.__file__).parent / "data" / "misp-galaxy" / "clusters"


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_import_the_attack_galaxy_then_again(runner: CliRunner) -> None:
    run(runner, "init")
    path = CLUSTERS / "mitre-intrusion-set.json"
    values = json.loads(path.read_bytes())["values"]
    report = json.loads(run(runner, "actor", "import", str(path), "--format", "json"))
    assert report["kind"] == "galaxy" and report["read"] == len(values)
    assert len(report["created"]) == len(values) and report["rejected"] == []
    shown = run(runner, "actor", "import", str(path))
    assert f"{len(values)} unchanged" in shown and "0 new" in shown
    listed = json.loads(run(runner, "actor", "list", "--format", "json"))
    assert len(listed) == len(values)


def test_a_wrong_galaxy_and_a_missing_file_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    run(runner, "init")
    out = run(runner, "actor", "import", str(CLUSTERS / "tool.json"), code=7)
    assert "tool.json: a MISP galaxy of type 'tool'" in out
    out = run(runner, "actor", "import", str(tmp_path / "missing.json"), code=7)
    assert "missing.json" in out
    bad = tmp_path / "half.json"
    bad.write_text('{"values": [{"value": "A"}, {"uuid": "x"}], "type": "threat-actor"}')
    out = run(runner, "actor", "import", str(bad), "--classification", "public")
    assert "1 new" in out and "half.json value 2" in out and "no value" in out
