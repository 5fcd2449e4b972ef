"""``weerbaar session``: a session played through on the command line, its refusals
with their exit codes and nothing written, and ``--format json`` as the API answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.helpers import make_token, settings_for
from weerbaar.cli.main import app
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.records import get_record
from weerbaar.storage.db import Database
from weerbaar.storage.tables import audit_entries, notifications
from weerbaar.web.app import create_app

KEY = "s-dike"
SCENARIO = "lek-dike-breach"


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _audit_count(db: Database) -> int:
    with db.transaction() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_entries)).scalar_one())


@pytest.fixture
def planned(demo_register: Database, runner: CliRunner) -> Database:
    operator = Context(db=demo_register, actor="test:setup")
    for username, role in (("chair", "analyst"), ("ann", "analyst"), ("gus", "expert")):
        accounts.add_user(
            operator,
            username=username,
            password="correct horse battery staple",
            role=role,
            organisation="nctv",
            clearance="dep-v",
        )
    run(
        runner,
        "session",
        "create",
        KEY,
        "--round",
        "gra-2019",
        "--title",
        "Dijkdoorbraak Lek",
        "--date",
        "2026-12-10",
        "--scenario",
        SCENARIO,
        "--chair",
        "chair",
    )
    run(runner, "session", "add-expert", KEY, "ann", "--email", "ann@example.org")
    run(runner, "session", "add-expert", KEY, "gus", "--weight", "2", "--language", "en")
    return demo_register


def test_a_session_played_through(planned: Database, runner: CliRunner, tmp_path: Path) -> None:
    shown = json.loads(run(runner, "session", "show", KEY, "--format", "json"))
    assert shown["status"] == "planned" and shown["chair"] == "chair"
    assert [(p["username"], p["weight"], p["invited"]) for p in shown["participants"]] == [
        ("ann", 1.0, True),
        ("gus", 2.0, False),
    ]
    with planned.transaction() as connection:
        sent = connection.execute(select(notifications.c.target)).scalars().all()
    assert "ann@example.org" in sent
    listed = run(runner, "session", "list", "--round", "gra-2019")
    assert KEY in listed and "planned" in listed
    assert "0.5" in run(runner, "session", "weight", KEY, "gus", "0.5")
    assert "scoring" in run(runner, "session", "start", KEY)

    run(
        runner,
        "session",
        "score",
        KEY,
        SCENARIO,
        "2.1",
        "A",
        "--expert",
        "ann",
        "--rationale",
        "ann's reasoning",
    )
    run(
        runner,
        "session",
        "score",
        KEY,
        SCENARIO,
        "2.1",
        "C",
        "--low",
        "B",
        "--high",
        "D",
        "--confidence",
        "high",
        "--expert",
        "gus",
    )
    run(runner, "session", "score", KEY, SCENARIO, "L", "C", "--expert", "ann")
    assert "1 of 2" in run(runner, "session", "submit", KEY, "--expert", "ann")

    table = run(runner, "session", "disagreement", KEY)
    assert "2 classes ⚑" in table and "1 criterion flagged" in table
    assert "ann's reasoning" in table
    assert "\x1b[" not in table  # plain when not a terminal
    spread = json.loads(run(runner, "session", "disagreement", KEY, "--format", "json"))
    dike = next(c for c in spread["criteria"] if c["criterion"] == "2.1")
    assert dike["flagged"] and dike["spread"] == 2 and dike["experts"] == 2
    scores = json.loads(run(runner, "session", "scores", KEY, "--format", "json"))
    assert {s["expert"] for s in scores["scores"]} == {"ann", "gus"}

    run(runner, "session", "discuss", KEY)
    reopened = run(runner, "session", "reopen-scoring", KEY)
    assert "scoring round 2" in reopened
    run(runner, "session", "score", KEY, SCENARIO, "2.1", "B", "--expert", "ann")
    run(runner, "session", "score", KEY, SCENARIO, "2.1", "C", "--expert", "gus")
    assert (
        json.loads(run(runner, "session", "scores", KEY, "--round", "1", "--format", "json"))[
            "scoring_round"
        ]
        == 1
    )
    run(runner, "session", "discuss", KEY)

    draft = run(runner, "session", "minutes", KEY)
    assert "Draft" in draft
    done = run(
        runner,
        "session",
        "conclude",
        KEY,
        "--rationale",
        "Converged after the discussion of evacuation.",
        "--outcome",
        f"{SCENARIO}:L=C:B:C",
    )
    assert "concluded" in done
    score = get_record(planned, entity_name="impact_scores", key=f"gra-2019/{SCENARIO}/2.1")
    assert score.record.note.startswith(f"Expert session {KEY}")
    likelihood = get_record(planned, entity_name="likelihood_scores", key=f"gra-2019/{SCENARIO}")
    assert (likelihood.record.expected, likelihood.record.lowest) == ("C", "B")

    page = tmp_path / "minutes.html"
    assert "minutes.html" in run(
        runner, "session", "minutes", KEY, "--format", "html", "-o", str(page)
    )
    assert "Converged after the discussion" in page.read_text("utf-8")
    assert "ann's reasoning" not in page.read_text("utf-8")


def test_refusals_have_their_exit_codes_and_write_nothing(
    planned: Database, runner: CliRunner
) -> None:
    before = _audit_count(planned)
    out = run(runner, "session", "score", KEY, SCENARIO, "2.1", "C", "--expert", "ann", code=4)
    assert "not scoring now" in out
    run(runner, "session", "start", KEY)
    before = _audit_count(planned)
    cases: list[tuple[list[str], int, str]] = [
        (["score", KEY, SCENARIO, "9.9", "C", "--expert", "ann"], 3, "criterion"),
        (
            ["score", KEY, "drone-airport-disruption", "2.1", "C", "--expert", "ann"],
            3,
            "not one of session",
        ),
        (["score", KEY, SCENARIO, "2.1", "C", "--expert", "chair"], 10, "takes no part"),
        (
            ["score", KEY, SCENARIO, "2.1", "C", "--confidence", "sure", "--expert", "ann"],
            3,
            "confidence",
        ),
        (["submit", KEY, "--expert", "ann"], 3, "at least one"),
        (["start", KEY], 4, "goes from"),
        (["conclude", KEY, "--rationale", " "], 3, "reasoning"),
        (
            ["conclude", KEY, "--rationale", "ok", "--outcome", "nonsense"],
            3,
            "SCENARIO:CRITERION=VALUE",
        ),
        (["add-expert", KEY, "chair"], 3, "chair watches"),
        (["add-expert", KEY, "ann"], 8, "ann"),
        (["weight", KEY, "ann", "0"], 3, "above 0"),
        (["show", "s-none"], 5, "s-none"),
        (
            [
                "create",
                "s-x",
                "--round",
                "gra-2019",
                "--title",
                "x",
                "--date",
                "10-12-2026",
                "--scenario",
                SCENARIO,
                "--chair",
                "chair",
            ],
            3,
            "YYYY-MM-DD",
        ),
        (
            [
                "create",
                "s-x",
                "--round",
                "gra-2019",
                "--title",
                "x",
                "--date",
                "2026-12-10",
                "--scenario",
                SCENARIO,
            ],
            3,
            "chair",
        ),
    ]
    for args, code, said in cases:
        out = run(runner, "session", *args, code=code)
        assert "error:" in out and said in out, (args, out)
    assert _audit_count(planned) == before


def test_a_second_conclusion_is_refused(planned: Database, runner: CliRunner) -> None:
    run(runner, "session", "start", KEY)
    run(runner, "session", "score", KEY, SCENARIO, "2.1", "C", "--expert", "ann")
    run(runner, "session", "discuss", KEY)
    run(runner, "session", "conclude", KEY, "--rationale", "first")
    before = _audit_count(planned)
    out = run(runner, "session", "conclude", KEY, "--rationale", "again", code=4)
    assert "concluded" in out
    assert _audit_count(planned) == before


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["show", KEY], f"/{KEY}"),
        (["list"], ""),
        (["list", "--round", "gra-2019"], "?round=gra-2019"),
        (["scores", KEY], f"/{KEY}/scores"),
        (["disagreement", KEY, "--round", "1"], f"/{KEY}/disagreement?round=1"),
    ],
)
def test_json_is_what_the_api_answers(
    planned: Database, runner: CliRunner, args: list[str], path: str
) -> None:
    """The chair, through the API, sees what the local operator sees."""
    run(runner, "session", "start", KEY)
    run(runner, "session", "score", KEY, SCENARIO, "2.1", "C", "--expert", "ann")
    run(runner, "session", "score", KEY, SCENARIO, "2.1", "A", "--expert", "gus")
    token = make_token(Context(db=planned, actor="test:setup"), "chair", "tests")
    with TestClient(
        create_app(settings_for(planned), db=planned), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        answer = client.get(f"/api/v1/expert-sessions{path}")
    assert answer.status_code == 200, answer.text
    expected: Any = answer.json()
    printed = json.loads(run(runner, "session", *args, "--format", "json"))
    if args[0] == "list":  # the chair does not see every session the operator does
        printed["sessions"] = [s for s in printed["sessions"] if s["key"] == KEY]
        expected["sessions"] = [s for s in expected["sessions"] if s["key"] == KEY]
    assert printed == expected
