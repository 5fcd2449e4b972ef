"""The infrastructure pages: the dependency graph with its filter, a cascade run from
the page, its impact stored as a scenario's scores, the criticality ranking, and
need-to-know over all of them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar.services.context import Context
from weerbaar.services.infrastructure.graph import load_graph
from weerbaar.services.infrastructure.runs import run_cascade
from weerbaar.services.infrastructure.starts import resolve_starts
from weerbaar.services.records import list_records, update_record
from weerbaar.storage.db import Database

START = "vp-electricity-regional-zh"
WATER = "vp-drinking-water-zh"
HIDDEN = "vp-nuclear"
SCENARIO = "lek-dike-breach"


@pytest.fixture
def analyst(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("ana", role="analyst", clearance="stg-g"))


def figure_of(html: str, element: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html, re.S)
    assert found, f"no {element} in the page"
    figure: dict[str, Any] = json.loads(found.group(1))["figure"]
    return figure


def node_keys(figure: dict[str, Any]) -> set[str]:
    return {row[0] for trace in figure["data"] for row in trace.get("customdata") or []}


def cascade(who: SignedIn, **given: str) -> Any:
    data = {"csrf_token": who.csrf_token, "process": START, "hours": "48", **given}
    return who.client.post("/infrastructure/cascade", data=data)


def test_page_draws_the_graph_with_a_sector_legend(analyst: SignedIn, demo_db: Database) -> None:
    page = analyst.client.get("/infrastructure")
    assert page.status_code == 200
    assert 'id="infrastructure-graph"' in page.text
    assert '<a href="/infrastructure">Infrastructure</a>' in page.text  # navigation
    figure = figure_of(page.text, "infrastructure-graph-data")
    graph = load_graph(demo_db, subject=analyst.user.subject())
    assert node_keys(figure) == {p.key for p in graph.processes}
    legend = {t["name"] for t in figure["data"] if t.get("customdata")}
    assert legend == set(graph.sectors())
    assert figure["layout"]["legend"]["title"]["text"] == "Sector"
    arrows = [a for a in figure["layout"]["annotations"] if a.get("showarrow")]
    assert len(arrows) == len(graph.dependencies)
    assert "/vital_processes/vp-drinking-water-zh" in page.text


def test_filter_by_region_narrows_the_nodes(analyst: SignedIn, demo_db: Database) -> None:
    page = analyst.client.get("/infrastructure", params={"region": "Gelderland"})
    assert page.status_code == 200
    shown = node_keys(figure_of(page.text, "infrastructure-graph-data"))
    graph = load_graph(demo_db, subject=analyst.user.subject())
    assert shown == graph.subset(region="Gelderland")
    assert WATER not in shown and "vp-electricity-national" in shown
    sector = analyst.client.get("/infrastructure", params={"sector": "energy"})
    assert all(
        k.startswith(("vp-electricity", "vp-gas", "vp-oil"))
        for k in node_keys(figure_of(sector.text, "infrastructure-graph-data"))
    )
    unknown = analyst.client.get("/infrastructure", params={"region": "Atlantis"})
    assert unknown.status_code == 422 and 'id="error-region"' in unknown.text


def test_a_cascade_shows_timeline_affected_and_impacts(
    analyst: SignedIn, demo_db: Database
) -> None:
    subject = analyst.user.subject()
    graph = load_graph(demo_db, subject=subject)
    starts = resolve_starts(graph, [START], hours=48)
    expected = run_cascade(demo_db, starts, subject=subject, graph=graph)
    water = next(a for a in expected.affected if a.process == WATER)
    assert water.cause == START
    page = cascade(analyst)
    assert page.status_code == 200, page.text
    timeline = figure_of(page.text, "cascade-timeline-data")
    assert any(t["name"] == "start" for t in timeline["data"])
    row = re.search(rf'<tr id="affected-{WATER}">(.*?)</tr>', page.text, re.S)
    assert row, "the drinking water is not listed as affected"
    assert f'<td class="cause"><a href="/vital_processes/{START}">{START}</a>' in row.group(1)
    assert f"{water.fails_at:,.1f}" in row.group(1) and f"{water.recovers_at:,.1f}" in row.group(1)
    for code in ("5.1", "2.3", "3.1"):
        assert f'id="impact-{code}"' in page.text
    assert "Use as the scenario&#39;s impact" in page.text or "Use as a scenario" in page.text


def test_an_ensemble_shows_probabilities_and_ranges(analyst: SignedIn) -> None:
    page = cascade(analyst, members="50", seed="3")
    assert page.status_code == 200
    assert "Fail probability" in page.text and "P5–P95" in page.text
    assert "Distributions over 50 members" in page.text


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"process": "vp-atlantis"}, "process"),
        ({"hours": "-1"}, "hours"),
        ({"members": "1001"}, "members"),
        ({"min_strength": "0"}, "min_strength"),
        ({"hours": "lots"}, "hours"),
    ],
)
def test_bad_input_shows_the_form_with_the_error_by_its_field(
    analyst: SignedIn, given: dict[str, str], field: str
) -> None:
    page = cascade(analyst, **given)
    assert page.status_code == 422
    assert f'id="error-{field}"' in page.text
    assert "cascade-timeline-data" not in page.text


def test_a_form_without_csrf_is_refused(analyst: SignedIn) -> None:
    refused = analyst.client.post("/infrastructure/cascade", data={"process": START, "hours": "4"})
    assert refused.status_code == 403
    scores = analyst.client.post(
        "/infrastructure/scores",
        data={"process": START, "hours": "4", "scenario": SCENARIO, "round": "gra-2019"},
    )
    assert scores.status_code == 403


def _round(demo_db: Database) -> str:
    rounds = list_records(demo_db, entity_name="rounds")
    return str(sorted(rounds, key=lambda r: (r.held_on, r.key))[-1].key)


def test_writing_the_scores_creates_records_and_audit_entries(
    analyst: SignedIn, demo_db: Database
) -> None:
    round_key = _round(demo_db)
    answer = analyst.client.post(
        "/infrastructure/scores",
        data={
            "csrf_token": analyst.csrf_token,
            "process": START,
            "hours": "48",
            "scenario": SCENARIO,
            "round": round_key,
        },
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/scenarios/{SCENARIO}#assessment"
    scores = {
        s.criterion: s
        for s in list_records(demo_db, entity_name="impact_scores", where={"scenario": SCENARIO})
        if s.round == round_key
    }
    for code in ("5.1", "2.3", "3.1"):
        assert "From a cascade run" in (scores[code].note or "")
    audit = analyst.client.get("/audit")
    assert audit.status_code == 200
    assert f"{round_key}/{SCENARIO}/5.1" in audit.text


def test_a_viewer_gets_no_score_form_and_may_not_write(
    make_user: MakeUser, sign_in: SignIn, demo_db: Database
) -> None:
    viewer = sign_in(make_user("vic", role="viewer"))
    page = cascade(viewer)
    assert page.status_code == 200 and "/infrastructure/scores" not in page.text
    refused = viewer.client.post(
        "/infrastructure/scores",
        data={
            "csrf_token": viewer.csrf_token,
            "process": START,
            "hours": "48",
            "scenario": SCENARIO,
            "round": _round(demo_db),
        },
    )
    assert refused.status_code == 403


def test_the_ranking_page(analyst: SignedIn) -> None:
    page = analyst.client.get("/infrastructure/ranking", params={"hours": "24", "limit": "5"})
    assert page.status_code == 200
    assert page.text.count('<tr id="rank-') == 5
    assert 'id="ranking-chart"' in page.text
    bad = analyst.client.get("/infrastructure/ranking", params={"by": "fame", "hours": "-3"})
    assert bad.status_code == 422
    assert 'id="error-by"' in bad.text and 'id="error-hours"' in bad.text


# -- need-to-know ---------------------------------------------------------------------


@pytest.fixture
def outsider(demo_db: Database, make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    """Cleared higher than the hidden process, but of another organisation."""
    update_record(
        Context(db=demo_db, actor="test:setup"),
        entity_name="vital_processes",
        key=HIDDEN,
        changes={"classification": "stg-c", "owned_by": "aivd"},
    )
    return sign_in(make_user("otto", role="analyst", organisation="mivd", clearance="stg-g"))


def test_a_hidden_process_is_nowhere_on_the_pages(outsider: SignedIn) -> None:
    client = outsider.client
    page = client.get("/infrastructure")
    assert HIDDEN not in page.text
    assert HIDDEN not in node_keys(figure_of(page.text, "infrastructure-graph-data"))
    assert HIDDEN not in client.get("/infrastructure/ranking", params={"limit": "1000"}).text
    hidden = cascade(outsider, process=HIDDEN)
    unknown = cascade(outsider, process="vp-nowhere")
    assert hidden.status_code == unknown.status_code == 422

    def error(text: str) -> str:
        found = re.search(r'<p id="error-process"[^>]*>(.*?)</p>', text, re.S)
        assert found
        return found.group(1)

    assert error(hidden.text).replace(HIDDEN, "X") == error(unknown.text).replace("vp-nowhere", "X")
