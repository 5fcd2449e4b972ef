"""The API against its own OpenAPI description: for generated requests to every
operation, as an administrator on a demo register, no server error, and every answer
(success or refusal) has a status, content type and body the description allows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import make_token, settings_for, trail_config
from tests.web.conftest import PASSWORD, copy_database
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The schema is read when the tests are collected, before any fixture exists; each
# test then points the app at its own copy of the demo register. (Schemathesis's
# own fixture loader does not run under this pytest.)
_SCHEMA_DB = Database("sqlite://", trail=trail_config())
APP = create_app(settings_for(_SCHEMA_DB), db=_SCHEMA_DB)
# Building the schema of every entity takes seconds on a busy machine; schemathesis's
# default wait for it is ten.
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP, timeout=300)


@pytest.fixture(scope="module")
def admin_token(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One demo register for every operation in a process: what earlier operations
    wrote is part of what later ones must still describe correctly."""
    path = tmp_path_factory.mktemp("schemathesis") / "register.db"
    db = Database(copy_database(demo_template, path), trail=trail_config())
    operator = Context(db=db, actor="test:setup")
    accounts.add_user(
        operator,
        username="fuzzer",
        password=PASSWORD,
        role="administrator",
        organisation="nctv",
        clearance="stg-g",
    )
    token = make_token(operator, "fuzzer", "fuzz")
    unused = APP.state.db
    APP.state.db = db
    yield token
    APP.state.db = unused
    db.dispose()


# A PDF of the demo profile takes longer than the client waits (10 s), and each
# generated request would make one: the profile is asked for as Markdown here (its
# PDF and HTML are tested in tests/web/test_report_api.py).
QUICK_FORMAT = {"/api/v1/reports/profile": "md"}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_keeps_to_its_description(
    case: schemathesis.Case[Any], admin_token: str
) -> None:
    quick = QUICK_FORMAT.get(case.operation.path)
    if quick is not None and isinstance(case.body, dict):
        case.body["format"] = quick
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
