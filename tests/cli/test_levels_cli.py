"""``weerbaar levels`` on the demo profile: show, set, active, history, timeline."""

import json
from pathlib import Path

from typer.testing import CliRunner

from weerbaar.cli.main import app


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _levels(runner: CliRunner) -> dict[str, dict[str, object]]:
    return {r["scope"]: r for r in json.loads(run(runner, "levels", "show", "--format", "json"))}


def test_set_a_sector_level_and_see_its_measures(runner: CliRunner, tmp_path: Path) -> None:
    run(runner, "init")
    run(runner, "demo", "load")
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
    assert shown["level"] == 3 and shown["raised"] is True and shown["measures_in_force"] == 3
    active = json.loads(run(runner, "levels", "active", "--format", "json"))
    water = {a["measure"] for a in active if "drinking water" in a["where"]}
    assert water == {"am-water-access-control", "am-water-sampling", "am-water-police-patrols"}
    assert all(
        a["why"] == "Indications of interest in production sites"
        for a in active
        if "drinking water" in a["where"]
    )
    history = json.loads(run(runner, "levels", "history", "--format", "json", "--limit", "1"))
    assert history[0]["previous_level"] == 1 and history[0]["level"] == 3

    plot = tmp_path / "levels.svg"
    assert "plotted" in run(runner, "levels", "timeline", "-o", str(plot), "--scale", "atb")
    assert "drinking water" in plot.read_text("utf-8")


def test_refusals_name_the_problem_and_change_nothing(runner: CliRunner) -> None:
    run(runner, "init")
    run(runner, "demo", "load")
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


def test_advice_for_a_site_is_set_on_the_site_scale(runner: CliRunner) -> None:
    run(runner, "init")
    run(runner, "demo", "load")
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
