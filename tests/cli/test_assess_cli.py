import json
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import seed_scored_round, trail_config
from weerbaar.cli.main import app
from weerbaar.services.context import Context
from weerbaar.storage.db import Database


def setup(db_url: str) -> None:
    db = Database(db_url, trail=trail_config())
    db.upgrade()
    seed_scored_round(Context(db, "test"))
    db.dispose()


def test_score_shows_the_rule_and_assess_lists_ranks(runner: CliRunner, db_url: str) -> None:
    setup(db_url)
    result = runner.invoke(
        app,
        [
            "score",
            "lek-dike",
            "2.2",
            "2500",
            "--low",
            "800",
            "--high",
            "9000",
            "--note",
            "hospital data",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "r-2019/lek-dike/2.2 (version 1)" in result.output
    assert "2,500 people → C" in result.output
    assert "range Bhigh–Chigh" in result.output
    result = runner.invoke(app, ["assess", "--format", "json", "--draws", "0"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["round"] == "r-2019" and doc["official_thresholds"] is False
    assert [r["scenario"] for r in doc["results"]] == ["attack-station", "lek-dike"]
    assert doc["results"][1]["criteria"]["2.2"] == "C"
    table = runner.invoke(app, ["assess", "--draws", "0"])
    assert "calibrated, not official" in table.output


def test_bad_score_and_bad_weights_exit_non_zero(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    setup(db_url)
    bad = runner.invoke(app, ["score", "lek-dike", "9.9", "C"])
    assert bad.exit_code == 3 and "has no criterion '9.9'" in bad.output
    weights = tmp_path / "w.yaml"
    weights.write_text("'2.1': 0.7\n'3.1': 0.7\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", "--weights", str(weights), "--draws", "0"])
    assert result.exit_code == 3
    assert "no weight given" in result.output


def test_criteria_lists_thresholds() -> None:
    result = CliRunner().invoke(app, ["criteria", "--edition", "rbra-2022"])
    assert result.exit_code == 0
    assert "6.5" in result.output and "calibrated, not official" in result.output


def test_diagram_png_svg_html_and_comparison(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    setup(db_url)
    png, svg, html = tmp_path / "d.png", tmp_path / "d.svg", tmp_path / "d.html"
    for path in (png, svg, html):
        result = runner.invoke(app, ["diagram", "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert "2 scenarios" in result.output
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "Lek dike breach" in svg.read_text("utf-8")
    assert "attack-station" in html.read_text("utf-8")
    ok = runner.invoke(
        app,
        [
            "round",
            "add",
            "r-2023",
            "--cycle",
            "nss-2019",
            "--name",
            "Round 2023",
            "--held-on",
            "2023-03-01",
            "--edition",
            "gra-2019",
            "--status",
            "open",
        ],
    )
    assert ok.exit_code == 0, ok.output
    for args in (
        ["lek-dike", "2.1", "2000"],
        ["lek-dike", "likelihood", "0.05"],
        ["attack-station", "5.3", "C"],
        ["attack-station", "likelihood", "E"],
    ):
        result = runner.invoke(app, ["score", *args, "--round", "r-2023"])
        assert result.exit_code == 0, result.output
    compare = tmp_path / "compare.html"
    result = runner.invoke(
        app, ["diagram", "--round", "r-2023", "--compare", "r-2019", "-o", str(compare)]
    )
    assert result.exit_code == 0, result.output
    assert "compared with GRA 2019" in compare.read_text("utf-8")
    bad = runner.invoke(app, ["diagram", "-o", str(tmp_path / "d.pdf")])
    assert bad.exit_code == 7


def test_sensitivity_names_the_weights_that_move_the_ranking(
    runner: CliRunner, db_url: str
) -> None:
    setup(db_url)
    args = ["sensitivity", "--format", "json", "--samples", "32", "--seed", "4"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    doc = json.loads(first.output)
    assert doc["seed"] == 4 and doc["round"] == "r-2019"
    assert {r["scenario"] for r in doc["ranks"]} == {"attack-station", "lek-dike"}
    assert len(doc["criteria"]) == 16
    totals = [c["total_order"] for c in doc["criteria"]]
    assert totals == sorted(totals, reverse=True)
    assert runner.invoke(app, args).output == first.output
    table = runner.invoke(app, ["sensitivity", "--samples", "32", "--seed", "4"])
    assert table.exit_code == 0 and "each weight varied by ±50%" in table.output
