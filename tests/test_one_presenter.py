"""One presenter per view: ``weerbaar … --format json`` prints exactly what the API
answers for the same view of the same register.

The command line runs as the local operator, who sees every record; the API's caller
is an administrator of the organisation that owns the demo's threat picture, cleared
for the highest level, with every other owned record of the demo shared with them, so
both see the same register.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.helpers import cli_runner, make_token, settings_for
from weerbaar.cli.main import app as cli
from weerbaar.domain.register import ENTITIES
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.records import list_records, update_record
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

ORGANISATION = "ncsc"
PROCESS = "vp-electricity-regional-zh"
SESSION = "gra-2019-drones"  # the demo's concluded expert session

# (the command's arguments, the API's method, path and body) for every view both offer.
VIEWS: dict[str, tuple[list[str], str, str, dict[str, Any] | None]] = {
    "portfolio": (["portfolio"], "GET", "/portfolio", None),
    "progress": (["report", "progress"], "GET", "/progress", None),
    "public summary": (["report", "public"], "GET", "/public-summary", None),
    "assessment": (["assess", "--draws", "0"], "GET", "/assessment", None),
    "assessment with bands": (
        ["assess", "--draws", "200", "--seed", "7"],
        "GET",
        "/assessment?draws=200&seed=7",
        None,
    ),
    "capability gaps": (["gaps"], "GET", "/capability-gaps", None),
    "tier proposals": (["tiers", "propose"], "GET", "/tiers", None),
    "levels": (["levels", "show"], "GET", "/levels", None),
    "measures in force": (["levels", "active"], "GET", "/levels/active", None),
    "level history": (["levels", "history"], "GET", "/levels/history", None),
    "signal trends": (["signals", "trends"], "GET", "/signals/trends", None),
    "cascade": (
        ["cascade", "run", PROCESS, "--hours", "48"],
        "POST",
        "/infrastructure/cascades",
        {"targets": [PROCESS], "hours": 48},
    ),
    "cascade ensemble": (
        ["cascade", "run", "energy", "--hours", "24", "--members", "30", "--seed", "5"],
        "POST",
        "/infrastructure/cascades",
        {"targets": ["energy"], "hours": 24, "members": 30, "seed": 5},
    ),
    "expert session": (["session", "show", SESSION], "GET", f"/expert-sessions/{SESSION}", None),
    "expert sessions": (["session", "list"], "GET", "/expert-sessions", None),
    "expert scores": (
        ["session", "scores", SESSION],
        "GET",
        f"/expert-sessions/{SESSION}/scores",
        None,
    ),
    "expert disagreement": (
        ["session", "disagreement", SESSION, "--round", "1"],
        "GET",
        f"/expert-sessions/{SESSION}/disagreement?round=1",
        None,
    ),
    "criticality ranking": (
        ["cascade", "rank", "--hours", "12", "--limit", "5"],
        "GET",
        "/infrastructure/ranking?hours=12&limit=5",
        None,
    ),
}


def _share_everything(db: Database) -> None:
    """Share every owned record the use cases let one edit with :data:`ORGANISATION`."""
    operator = Context(db=db, actor="test:setup")
    for spec in ENTITIES:
        if spec.written_by is not None or "shared_with" not in spec.field_names:
            continue
        for record in list_records(db, entity_name=spec.name):
            shared = list(record.shared_with)
            if record.owned_by in (None, ORGANISATION) or ORGANISATION in shared:
                continue
            update_record(
                operator,
                entity_name=spec.name,
                key=record.key,
                changes={"shared_with": [*shared, ORGANISATION]},
            )


@pytest.fixture(scope="module")
def api(module_demo_register: Database) -> Iterator[TestClient]:
    """The API on a register shared by the module's tests: no view writes to it."""
    register = module_demo_register
    _share_everything(register)
    operator = Context(db=register, actor="test:setup")
    accounts.add_user(
        operator,
        username="presenter",
        password="correct horse battery staple",
        role="administrator",
        organisation=ORGANISATION,
        clearance="stg-g",
    )
    token = make_token(operator, "presenter", "tests")
    with TestClient(
        create_app(settings_for(register), db=register),
        headers={"Authorization": f"Bearer {token}"},
    ) as client:
        yield client


@pytest.fixture
def runner(module_demo_register: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return cli_runner(module_demo_register.url, monkeypatch)


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_command_line_prints_what_the_api_answers(
    view: str, api: TestClient, runner: CliRunner
) -> None:
    args, method, path, body = VIEWS[view]
    printed = runner.invoke(cli, [*args, "--format", "json"])
    assert printed.exit_code == 0, printed.output
    answer = api.request(method, f"/api/v1{path}", json=body)
    assert answer.status_code == 200, answer.text
    expected = answer.json()
    assert expected, "an empty answer proves nothing"
    assert json.loads(printed.stdout) == expected
