"""``weerbaar round status|review|approve|approve-round|reopen``, and the lock they put
on ``weerbaar score``, ``weerbaar impact-score edit`` and ``weerbaar import``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import seed_scored_round
from weerbaar.cli.main import app
from weerbaar.services import sign_off
from weerbaar.services.context import Context
from weerbaar.services.transfer import export_register
from weerbaar.storage.db import Database

ROUND = "r-2019"


def conclude(db: Database, scenario: str) -> None:
    with db.transaction(write=True) as connection:
        sign_off.set_state_in(
            Context(db=db, actor="web:chair@x"),
            connection,
            round_key=ROUND,
            scenario=scenario,
            status="concluded",
        )


def test_the_round_commands_walk_the_flow(ctx: Context, db: Database, runner: CliRunner) -> None:
    seed_scored_round(ctx)
    conclude(db, "lek-dike")
    result = runner.invoke(app, ["round", "status", ROUND])
    assert result.exit_code == 0, result.output
    assert (
        "lek-dike" in result.output and "concluded" in result.output and "review" in result.output
    )
    result = runner.invoke(app, ["round", "review", ROUND, "lek-dike"])
    assert result.exit_code == 0, result.output
    assert "reviewed lek-dike in round r-2019" in result.output
    result = runner.invoke(app, ["round", "approve", ROUND, "lek-dike"])
    assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(app, ["round", "status", ROUND, "--format", "json"]).output)
    states = {s["scenario"]: s["status"] for s in shown["scenarios"]}
    assert states == {"lek-dike": "approved", "attack-station": "draft"}
    assert shown["locked"] is False
    # An approved scenario's score: refused by `weerbaar score` and the register's edit.
    result = runner.invoke(app, ["score", "lek-dike", "2.1", "D", "--round", ROUND])
    assert result.exit_code == 4, result.output
    assert "r-2019" in result.output and "locked" in result.output
    result = runner.invoke(
        app, ["impact-score", "edit", f"{ROUND}/lek-dike/2.1", "--note", "changed"]
    )
    assert result.exit_code == 4, result.output
    assert "r-2019" in result.output
    # The other scenario is still open; the round cannot be approved yet.
    result = runner.invoke(app, ["round", "approve-round", ROUND])
    assert result.exit_code == 3, result.output
    assert "attack-station" in result.output


def test_four_eyes_on_the_command_line(ctx: Context, db: Database, runner: CliRunner) -> None:
    seed_scored_round(ctx)
    # The operator (WEERBAAR_USER test:cli) writes a score, so may not approve it.
    result = runner.invoke(app, ["score", "lek-dike", "2.1", "D", "--round", ROUND])
    assert result.exit_code == 0, result.output
    conclude(db, "lek-dike")
    assert runner.invoke(app, ["round", "review", ROUND, "lek-dike"]).exit_code == 0
    result = runner.invoke(app, ["round", "approve", ROUND, "lek-dike"])
    assert result.exit_code == 10, result.output
    assert "four eyes" in result.output
    other = runner.invoke(app, ["--user", "dave", "round", "approve", ROUND, "lek-dike"])
    assert other.exit_code == 0, other.output


def test_import_and_reopen_on_the_command_line(
    ctx: Context, db: Database, runner: CliRunner, tmp_path: Path
) -> None:
    seed_scored_round(ctx)
    for scenario in ("lek-dike", "attack-station"):
        conclude(db, scenario)
        assert runner.invoke(app, ["round", "review", ROUND, scenario]).exit_code == 0
        assert runner.invoke(app, ["round", "approve", ROUND, scenario]).exit_code == 0
    result = runner.invoke(app, ["round", "approve-round", ROUND])
    assert result.exit_code == 0, result.output
    exported = export_register(db)
    for score in exported["likelihood_scores"]:
        if score["scenario"] == "lek-dike":
            score["probability"] = 0.02
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(exported), "utf-8")
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 3, result.output
    assert "nothing imported" in result.output and "r-2019" in result.output
    result = runner.invoke(app, ["round", "reopen", ROUND])
    assert result.exit_code == 3, result.output
    assert "reason is required" in result.output
    result = runner.invoke(
        app, ["round", "reopen", ROUND, "--scenario", "lek-dike", "--reason", "new data"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
