"""Tier proposals over the draws of the risk, on the API and the tier page: how sure
each is, what would change it, how they moved over the rounds, the same answer for the
same seed, and nothing of a theme the reader may not see."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import ApiClient, MakeUser, SignIn
from weerbaar.services.accounts import User
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.storage.db import Database

THEME = "natural-disasters"  # the rules propose strengthened: a capability gap nobody closes
UNSURE = "cyber"  # its scenarios' bands straddle the diagonal of the risk diagram
ROUND = "gra-2019"
HIDDEN = "covert-programme"  # stg-c, AIVD's own
SABOTAGE = "north-sea-infrastructure-sabotage"  # a dep-v scenario of military threats
FEW = {"draws": 200}  # enough to tell seeds apart, quick enough for many requests


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("cora", role="coordinator", organisation="nctv", clearance="stg-g")


@pytest.fixture
def hidden(demo_db: Database) -> None:
    create_record(
        Context(db=demo_db, actor="test:setup"),
        entity_name="themes",
        raw={
            "key": HIDDEN,
            "name": "Heimelijk programma",
            "name_en": "Covert programme",
            "tier": "explore_monitor",
            "classification": "stg-c",
            "owned_by": "aivd",
        },
    )


def _themes(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["theme"]: t for t in answer["themes"]}


def test_tiers_need_a_caller(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/tiers").status_code == 401


def test_every_proposal_says_how_sure_it_is_and_what_would_change_it(
    api_client: ApiClient, coordinator: User
) -> None:
    found = api_client(coordinator).get("/api/v1/tiers")
    assert found.status_code == 200, found.text
    answer = found.json()
    assert (answer["draws"], answer["seed"]) == (1000, 2019)
    assert answer["round"] == ROUND
    themes = _themes(answer)
    for theme in themes.values():
        assert 0.0 <= theme["certainty"] <= 1.0
        assert sum(theme["shares"].values()) == pytest.approx(1.0)
        assert theme["certainty"] == pytest.approx(theme["shares"][theme["proposed_tier"]])
        assert theme["draws"] == 1000
        assert theme["history"] is None
        for change in theme["counterfactuals"]:
            assert change["tier"] != theme["proposed_tier"] and change["text"]
        for metric in ("impact_class", "likelihood_class", "risk_class"):
            band = theme["evidence"][metric]
            if band is not None:
                assert band["p5"] <= band["median"] <= band["p95"]
    assert all(theme["counterfactuals"] for theme in themes.values())
    flood = themes[THEME]
    assert flood["proposed_tier"] == "strengthened"
    assert flood["rule"] == "no-comprehensive-approach"
    assert "no comprehensive approach yet" in flood["rule_reason"]
    gaps = next(c for c in flood["counterfactuals"] if c["metric"] == "gaps_open")
    assert (gaps["before"], gaps["after"], gaps["tier"]) == (1, 0, "continued_focus")
    assert gaps["text"] == "continued focus on resilience if gaps_open went from 1 to 0"
    # The demo decided continued focus: a decision against the proposal.
    assert flood["decision"]["tier"] == "continued_focus" and flood["against_proposal"]
    assert flood["decision"]["key"].startswith("dec-")
    unsure = themes[UNSURE]
    assert 0.5 < unsure["certainty"] < 1.0 and len(unsure["shares"]) > 1
    assert any("risk_class >= 6" in line for line in unsure["straddles"])
    levels = [t["evidence"]["threat_level"] for t in themes.values()]
    assert any(level and re.fullmatch(r"\S+ \d+ .+", level) for level in levels)
    assert sum(answer["counts"].values()) == len(themes)
    assert answer["decided"] == sum(1 for t in themes.values() if t["decision"])
    assert answer["agreeing"] == sum(
        1 for t in themes.values() if t["decision"] and not t["against_proposal"]
    )


def test_the_same_seed_gives_the_same_answer(api_client: ApiClient, coordinator: User) -> None:
    client = api_client(coordinator)
    first = client.get("/api/v1/tiers", params={**FEW, "seed": 7})
    again = client.get("/api/v1/tiers", params={**FEW, "seed": 7})
    other = client.get("/api/v1/tiers", params={**FEW, "seed": 8})
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.json() == again.json()
    assert (first.json()["draws"], first.json()["seed"]) == (200, 7)
    assert _themes(first.json())[UNSURE]["draws"] == 200
    assert _themes(first.json())[UNSURE]["shares"] != _themes(other.json())[UNSURE]["shares"]


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("draws", "0", "greater than or equal to 1"),
        ("draws", str(10**9), "less than or equal to 20000"),
        ("draws", "x", "valid integer"),
        ("seed", "-1", "greater than or equal to 0"),
    ],
)
def test_draws_and_seed_out_of_bounds_are_refused(
    api_client: ApiClient, coordinator: User, name: str, value: str, reason: str
) -> None:
    refused = api_client(coordinator).get("/api/v1/tiers", params={name: value})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid"
    assert [(i["place"], i["field"]) for i in error["issues"]] == [("query", name)]
    assert reason in error["issues"][0]["reason"]


def test_history_gives_each_themes_proposal_per_round(
    api_client: ApiClient, coordinator: User
) -> None:
    answer = api_client(coordinator).get("/api/v1/tiers", params={**FEW, "history": True})
    assert answer.status_code == 200
    for theme in answer.json()["themes"]:
        assert [h["round"] for h in theme["history"]] == [ROUND]
        # The newest round is the one the proposal itself weighs.
        assert theme["history"][-1]["tier"] == theme["proposed_tier"]
        assert theme["history"][-1]["certainty"] == pytest.approx(theme["certainty"])


def test_a_hidden_theme_is_proposed_only_to_those_who_may_see_it(
    hidden: None, make_user: MakeUser, api_client: ApiClient, sign_in: SignIn, coordinator: User
) -> None:
    outsider = api_client(coordinator).get("/api/v1/tiers", params={**FEW, "history": True})
    assert outsider.status_code == 200 and HIDDEN not in outsider.text
    insider = make_user("ivo", organisation="aivd", clearance="stg-c")
    seen = _themes(api_client(insider).get("/api/v1/tiers", params=FEW).json())
    assert seen[HIDDEN]["proposed_tier"] == "explore_monitor"  # nothing assessed yet
    assert seen[HIDDEN]["evidence"]["scenarios"] == 0
    page = sign_in(coordinator).client.get("/tiers")
    assert page.status_code == 200
    assert HIDDEN not in page.text and "Covert programme" not in page.text
    assert HIDDEN in sign_in(insider).client.get("/tiers").text


def test_a_reader_without_clearance_weighs_only_what_they_may_see(
    make_user: MakeUser, api_client: ApiClient
) -> None:
    cleared = make_user("ana", organisation="nctv", clearance="dep-v")
    public = make_user("pim", role="viewer", organisation="gem-amsterdam", clearance="public")
    military = {
        name: _themes(api_client(user).get("/api/v1/tiers", params=FEW).json())["military-threats"]
        for name, user in (("cleared", cleared), ("public", public))
    }
    assert (
        military["public"]["evidence"]["scenarios"] < military["cleared"]["evidence"]["scenarios"]
    )
    assert SABOTAGE not in api_client(public).get("/api/v1/tiers", params=FEW).text


def test_the_page_shows_how_sure_what_would_change_it_and_how_it_moved(
    sign_in: SignIn, coordinator: User
) -> None:
    page = sign_in(coordinator).client.get("/tiers")
    assert page.status_code == 200
    text = page.text
    row = text[text.index(f'id="theme-{UNSURE}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r"Strengthened approach in \d+ % of draws; Explore and monitor in \d+ %", row)
    assert "bands lie across a threshold of the rules:" in row
    assert "What would change it" in row
    assert re.search(r"Explore and monitor if <span translate=\"no\">impact_class", row)
    flood = text[text.index(f'id="theme-{THEME}"') :]
    flood = flood[: flood.index("</tr>")]
    assert "Strengthened approach in 100 % of draws" in flood
    assert "against the proposal" in flood and "no comprehensive approach yet" in flood
    assert "Proposed — Strengthened approach: " in text
    history = text[text.index('id="history"') :]
    assert "How proposals moved" in history and f'href="/rounds/{ROUND}"' in history
    assert f'href="#theme-{THEME}"' in history
    assert text.count(f'id="theme-{THEME}"') == 1
