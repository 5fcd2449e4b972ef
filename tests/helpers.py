"""Small registers built through the services, for tests that need some records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

import pytest
from typer.testing import CliRunner

from tests.secrets_registry import register
from weerbaar.config import Settings, SignInSettings, TrailConfig, load_settings
from weerbaar.domain.alerting import Notice, Scope
from weerbaar.reference.alerting import level_scales
from weerbaar.services import api_tokens, web_sessions
from weerbaar.services.accounts import User
from weerbaar.services.context import Context
from weerbaar.services.notifications.outbox import queue_notices
from weerbaar.services.records import create_record
from weerbaar.storage.db import Database

REPORTED: list[str] = []
"""Figures a test measured (e.g. a classifier's macro-F1), printed at the end of the
test run's output by ``pytest_terminal_summary`` in conftest.py."""


def cli_runner(url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the register at ``url``, as the local operator."""
    monkeypatch.setenv("WEERBAAR_DB", url)
    monkeypatch.setenv("WEERBAAR_USER", "test:cli")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def trail_config() -> TrailConfig:
    """Where the test run keeps its audit trails' keys (``WEERBAAR_KEY_DIR``, set by
    conftest.py before the first test)."""
    return TrailConfig.from_env(os.environ)


def settings_for(db: Database) -> Settings:
    """The settings an app over ``db`` starts with: read from the environment now, as
    at a start, for ``db``'s own database and trail."""
    return dataclasses.replace(load_settings(db=db.url), trail=db.trail)


SMALL_REGISTER: list[tuple[str, dict[str, object]]] = [
    (
        "organisations",
        {
            "key": "min-jenv",
            "name": "Ministerie van Justitie en Veiligheid",
            "kind": "ministry",
            "abbreviation": "JenV",
            "country": "NL",
        },
    ),
    (
        "organisations",
        {
            "key": "nctv",
            "name": "Nationaal Coördinator Terrorismebestrijding en Veiligheid",
            "kind": "agency",
            "parent": "min-jenv",
        },
    ),
    (
        "cycles",
        {
            "key": "nss-2019",
            "name": "NVS 2019–2022",
            "starts_on": "2019-06-01",
            "ends_on": "2022-12-31",
        },
    ),
    (
        "themes",
        {
            "key": "terrorism",
            "name": "Terrorisme en extremisme",
            "name_en": "Terrorism and extremism",
            "tier": "strengthened",
            "lead": "min-jenv",
        },
    ),
    ("threats", {"key": "jihadism", "theme": "terrorism", "name": "Jihadistisch terrorisme"}),
    (
        "actors",
        {
            "key": "lone-actor",
            "name": "Lone actor",
            "kind": "non_state",
            "intent": "high",
            "capability": "low",
        },
    ),
    (
        "scenarios",
        {
            "key": "attack-station",
            "title": "Attack on a railway station",
            "kind": "threat",
            "theme": "terrorism",
            "threat": "jihadism",
            "narrative": "A lone actor attacks travellers at rush hour.",
            "actors": "lone-actor",
        },
    ),
]


def seed_small_register(ctx: Context) -> None:
    for entity_name, raw in SMALL_REGISTER:
        create_record(ctx, entity_name=entity_name, raw=raw)


SMALL_ROUND: list[tuple[str, dict[str, object]]] = [
    (
        "rounds",
        {
            "key": "r-2019",
            "cycle": "nss-2019",
            "name": "GRA 2019",
            "held_on": "2019-03-01",
            "edition": "gra-2019",
            "status": "open",
        },
    ),
    (
        "themes",
        {"key": "floods", "name": "Overstromingen", "name_en": "Floods", "tier": "continued_focus"},
    ),
    (
        "scenarios",
        {
            "key": "lek-dike",
            "title": "Lek dike breach",
            "kind": "hazard",
            "theme": "floods",
            "narrative": "The Lek dike breaks near Lexmond.",
        },
    ),
    (
        "impact_scores",
        {
            "round": "r-2019",
            "scenario": "lek-dike",
            "criterion": "2.1",
            "quantity": 400,
            "quantity_low": 200,
            "quantity_high": 900,
        },
    ),
    (
        "impact_scores",
        {"round": "r-2019", "scenario": "lek-dike", "criterion": "3.1", "quantity": 13e9},
    ),
    (
        "impact_scores",
        {
            "round": "r-2019",
            "scenario": "lek-dike",
            "criterion": "5.3",
            "expected": "C",
            "lowest": "B",
            "highest": "D",
        },
    ),
    ("likelihood_scores", {"round": "r-2019", "scenario": "lek-dike", "probability": 0.01}),
    (
        "impact_scores",
        {"round": "r-2019", "scenario": "attack-station", "criterion": "2.1", "expected": "B"},
    ),
    (
        "impact_scores",
        {"round": "r-2019", "scenario": "attack-station", "criterion": "5.3", "expected": "Dhigh"},
    ),
    (
        "likelihood_scores",
        {
            "round": "r-2019",
            "scenario": "attack-station",
            "expected": "D",
            "lowest": "C",
            "highest": "D",
        },
    ),
]


def seed_scored_round(ctx: Context) -> None:
    seed_small_register(ctx)
    for entity_name, raw in SMALL_ROUND:
        create_record(ctx, entity_name=entity_name, raw=raw)


def make_token(
    ctx: Context, username: str, name: str, *, scope: api_tokens.Scope = api_tokens.Scope.WRITE
) -> str:
    """A whole API token for ``username`` (write scope unless asked), with the default
    lifetime."""
    token = api_tokens.create_token(ctx, username, name, settings=SignInSettings(), scope=scope)
    return register("API token", token.token)


def open_session(db: Database, user: User, *, address: str = "testclient") -> tuple[str, str]:
    """A browser session for ``user``: (cookie, CSRF token)."""
    made = web_sessions.start_session(
        db, user, address=address, device="test browser", settings=SignInSettings()
    )
    return register("session cookie", made.cookie), register("CSRF token", made.csrf_token)


def level_change(db: Database, organisation: str = "nctv", change: str = "tp-2026-007") -> None:
    """A raised threat level of ``organisation``, queued for its channels."""
    notice = Notice(
        change=change,
        organisation=organisation,
        scale=level_scales()["dtn"],
        scope=Scope("dtn"),
        before=3,
        after=4,
        raised=True,
        at=dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC),
        rationale=None,
        activated=(),
        deactivated=(),
    )
    with db.transaction(write=True) as connection:
        queue_notices(connection, [notice], now=dt.datetime.now(dt.UTC))
