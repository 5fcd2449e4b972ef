"""``weerbaar levels`` on the demo profile: show, set, active, history, timeline."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from weerbaar.cli.main import app


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _levels(runner: CliRunner) -> dict[str, dict[str, Any]]:
    shown = json.loads(run(runner, "levels", "show", "--format", "json"))
    return {r["scope"]: r for r in shown["scopes"]}


@pytest.mark.usefixtures("demo_register")
def test_set_a_sector_level_and_see_its_measures(runner: CliRunner, tmp_path: Path) -> None:
    assert _levels(runner)["atb-drinking-water"]["level"] == 1
    out = run(
        runner,
        "levels",
        "set",
        "drinking water",
        "Moderate threat",
        "--rationale",
        "Indications of interest in production sites",
        "--no-deliver",
    )
    assert "→" in out and "Strengthened access control" in out
    shown = _levels(runner)["atb-drinking-water"]
    assert shown["level"] == 3 and shown["raised"] is True and len(shown["active"]) == 3
    active = json.loads(run(runner, "levels", "active", "--format", "json"))["measures"]
    water = {a["measure"] for a in active if "drinking water" in a["where"]}
    assert water == {"am-water-access-control", "am-water-sampling", "am-water-police-patrols"}
    history = json.loads(run(runner, "levels", "history", "--format", "json", "--limit", "1"))
    change = history["pictures"][0]
    assert change["previous_level"] == 1 and change["level"] == 3
    assert change["rationale"] == "Indications of interest in production sites"
    assert all(a["activated_by"] == change["key"] for a in active if "drinking water" in a["where"])

    plot = tmp_path / "levels.svg"
    assert "plotted" in run(runner, "levels", "timeline", "-o", str(plot), "--scale", "atb")
    assert "drinking water" in plot.read_text("utf-8")


@pytest.mark.usefixtures("demo_register")
def test_refusals_name_the_problem_and_change_nothing(runner: CliRunner) -> None:
    before = _levels(runner)
    out = run(runner, "levels", "set", "dtn", "6", "--rationale", "x", code=3)
    assert "dtn levels run from 1 to 5" in out
    out = run(runner, "levels", "set", "dtn", "4", code=3)
    assert "needs a rationale" in out
    out = run(runner, "levels", "set", "dtn", "4", "--rationale", "x", "--at", "2001-01-01", code=3)
    assert "earlier than the last change" in out
    out = run(runner, "levels", "set", "atlantis", "2", "--rationale", "x", code=3)
    assert "not a scale" in out
    assert _levels(runner) == before
    out = run(runner, "threat-picture", "add", "--help", code=2)
    assert "No such command" in out


def test_advice_per_object(runner: CliRunner) -> None:
    out = run(runner, "levels", "advise", "--severity", "zeer ernstig", "--likelihood", "4")
    assert "Heavy measures" in out
    low = run(runner, "levels", "advise", "--severity", "1", "--likelihood", "1")
    assert "No extra measures" in low and "illustrative" in low
    assert "unknown severity" in run(
        runner, "levels", "advise", "--severity", "x", "--likelihood", "1", code=3
    )


@pytest.mark.usefixtures("demo_register")
def test_advice_for_a_site_is_set_on_the_site_scale(runner: CliRunner) -> None:
    run(
        runner,
        "levels",
        "set",
        "Binnenhof",
        "Heavy measures",
        "--scale",
        "bb",
        "--rationale",
        "Severity very serious, likelihood likely: see `levels advise`",
        "--no-deliver",
    )
    site = _levels(runner)["bb-binnenhof"]
    assert site["level"] == 4 and site["where"] == "bb: Binnenhof"
