"""``weerbaar portfolio`` and ``weerbaar report`` on a small register of their own (the
demo profile's portfolio is not counted on)."""

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.helpers import seed_scored_round, trail_config
from weerbaar.cli.main import app
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.storage.db import Database

RECORDS: list[tuple[str, dict[str, object]]] = [
    (
        "organisations",
        {
            "key": "min-ienw",
            "name": "Ministerie van IenW",
            "kind": "ministry",
            "abbreviation": "IenW",
        },
    ),
    (
        "organisations",
        {"key": "rws", "name": "Rijkswaterstaat", "kind": "agency", "parent": "min-ienw"},
    ),
    (
        "measures",
        {
            "key": "m-dikes",
            "title": "Dike reinforcement",
            "kind": "theme_specific",
            "status": "in_progress",
            "owner": "rws",
            "scenarios": ["lek-dike"],
            "budget": 5_000_000,
        },
    ),
    (
        "measures",
        {
            "key": "m-awareness",
            "title": "Crisis awareness for households",
            "kind": "generic",
            "status": "planned",
            "owner": "min-jenv",
        },
    ),
    (
        "concretisations",
        {
            "key": "conc-terrorism",
            "theme": "terrorism",
            "ministry": "min-jenv",
            "cycle": "nss-2019",
            "status": "drafting",
        },
    ),
    (
        "milestones",
        {
            "key": "ms-plan",
            "title": "Plan agreed",
            "concretisation": "conc-terrorism",
            "due_on": "2021-04-01",
        },
    ),
    (
        "milestones",
        {"key": "ms-dike", "title": "First stretch", "measure": "m-dikes", "due_on": "2021-07-01"},
    ),
]


def setup(db_url: str) -> None:
    db = Database(db_url, trail=trail_config())
    db.upgrade()
    ctx = Context(db, "test")
    seed_scored_round(ctx)
    for entity_name, raw in RECORDS:
        create_record(ctx, entity_name=entity_name, raw=raw)
    db.dispose()


def test_portfolio_prints_the_matrix_effort_and_lists(runner: CliRunner, db_url: str) -> None:
    setup(db_url)
    result = runner.invoke(app, ["portfolio", "--today", "2021-06-01"])
    assert result.exit_code == 0, result.output
    for text in (
        "ranked by risk in round r-2019",
        "Scenarios × ministries",
        "IenW",
        "JenV",
        "Effort per ministry",
        "€ 5,000,000",
        "Effort per theme",
        "Risks with no measures (1)",
        "attack-station",
        "Risks with only stalled measures (0)",
        "Measures linked to no risk (1)",
        "m-awareness",
    ):
        assert text in result.output, text


def test_portfolio_json_and_csv(runner: CliRunner, db_url: str) -> None:
    setup(db_url)
    result = runner.invoke(app, ["portfolio", "--format", "json", "--today", "2021-06-01"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [s["scenario"] for s in doc["rows"]] == ["attack-station", "lek-dike"]
    # JenV's only measure covers no risk: its column stays, empty.
    assert [m["key"] for m in doc["ministries"]] == ["min-ienw", "min-jenv"]
    assert doc["matrix"] == [[0, 0], [1, 0]]
    assert doc["uncovered"] == ["attack-station"]
    assert [m["key"] for m in doc["unlinked"]] == ["m-awareness"]
    assert doc["rows"][1]["by_ministry"] == {"min-ienw": ["m-dikes"]}
    result = runner.invoke(app, ["portfolio", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["rank", "scenario", "title", "theme", "state", "measures", "IenW", "JenV"]
    assert rows[2][1:] == ["lek-dike", "Lek dike breach", "floods", "covered", "1", "1", "0"]


def test_portfolio_filters_and_refusals(runner: CliRunner, db_url: str) -> None:
    setup(db_url)
    result = runner.invoke(app, ["portfolio", "--theme", "floods", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [s["scenario"] for s in json.loads(result.output)["rows"]] == ["lek-dike"]
    result = runner.invoke(app, ["portfolio", "--ministry", "JenV", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["ministry"] == "min-jenv"
    assert [m["key"] for m in doc["unlinked"]] == ["m-awareness"]
    assert runner.invoke(app, ["portfolio", "--theme", "nope"]).exit_code == 5
    assert runner.invoke(app, ["portfolio", "--ministry", "nope"]).exit_code == 5
    bad = runner.invoke(app, ["portfolio", "--plot", "out.pdf"])
    assert bad.exit_code == 7 and ".html or .png" in bad.output


def test_portfolio_plots_html_and_png(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    setup(db_url)
    page = tmp_path / "matrix.html"
    result = runner.invoke(app, ["portfolio", "--plot", str(page)])
    assert result.exit_code == 0, result.output
    text = page.read_text("utf-8")
    assert "Dike reinforcement" in text and "Lek dike breach" in text  # hover and rows
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text)  # offline
    image = tmp_path / "matrix.png"
    result = runner.invoke(app, ["portfolio", "--plot", str(image), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert image.read_bytes().startswith(b"\x89PNG")


def test_report_progress(runner: CliRunner, db_url: str) -> None:
    setup(db_url)
    args = ["report", "progress", "--today", "2021-06-01", "--since", "2021-03-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for text in (
        "Late milestones (1)",
        "Plan agreed",
        "Milestones due within 90 days (1)",
        "Milestones due later (0)",
        "not yet concretised",
        "Changes since 2021-03-01",
        "Milestones that became late (1)",
    ):
        assert text in result.output, text
    result = runner.invoke(app, [*args, "--horizon", "20", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert _in_state(doc, "due") == []
    assert _in_state(doc, "later") == ["ms-dike"]
    assert doc["concretisations"][0]["not_yet_concretised"] is True
    assert doc["changes"]["milestones_became_late"] == ["ms-plan"]
    result = runner.invoke(app, [*args, "--ministry", "IenW", "--format", "json"])
    doc = json.loads(result.output)
    assert doc["concretisations"] == [] and _in_state(doc, "late") == []


def _in_state(doc: dict[str, Any], state: str) -> list[str]:
    return [m["key"] for m in doc["milestones"] if m["state"] == state]


def test_report_public_in_three_formats(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    setup(db_url)
    result = runner.invoke(app, ["report", "public"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# How the Netherlands prepares")
    assert "Lek dike breach" in result.output and "Dike reinforcement" in result.output
    assert "Crisis awareness for households" in result.output  # speaks to households
    result = runner.invoke(app, ["report", "public", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["advice"]
    page = tmp_path / "public.html"
    result = runner.invoke(app, ["report", "public", "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert page.read_text("utf-8").startswith("<!DOCTYPE html>")
