"""The tier page and its decision form, the capability analysis on a scenario's page,
and the tier API: proposals beside decisions, and a decision against the proposal
refused until it says why."""

from __future__ import annotations

from tests.web.conftest import ApiClient, MakeUser, SignIn
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.storage.db import Database

THEME = "natural-disasters"  # continued focus in the demo; the rules propose strengthened:
# its risk calls for national attention and a capability gap is open nobody closes.


def test_tier_page_shows_proposals_and_records_a_decision(
    make_user: MakeUser, sign_in: SignIn
) -> None:
    coordinator = sign_in(make_user("cora", role="coordinator", clearance="stg-g"))
    page = coordinator.client.get("/tiers")
    assert page.status_code == 200
    assert f'id="theme-{THEME}"' in page.text and "would change" in page.text
    assert "rule: no-comprehensive-approach" in page.text and "impact_class" in page.text
    assert "holds — proposes this tier" in page.text
    # In Dutch, the rules' own terms (keys, metrics) as they are.
    dutch = coordinator.client.get("/tiers", params={"lang": "nl"}).text
    assert "regel: no-comprehensive-approach" in dutch and "Versterkte aanpak" in dutch
    assert "impact_class" in dutch and "Strengthened approach" not in dutch
    # The reasons in Dutch too, not only the labels around them.
    assert "stelt deze aanpak voor" in dutch and "Wat het zou veranderen" in dutch
    assert "proposes this tier" not in dutch and ": not met" not in dutch
    coordinator.client.get("/tiers", params={"lang": "en"})
    form = {
        "csrf_token": coordinator.csrf_token,
        "theme": THEME,
        "cycle": "nss-2019",
        "tier": "continued_focus",
        "rationale": "(1) The Delta Programme. (2) Yes.",
    }
    refused = coordinator.client.post("/tiers/decide", data=form)
    assert refused.status_code == 422 and "say why the decision differs" in refused.text
    forged = coordinator.client.post("/tiers/decide", data={**form, "csrf_token": "x"})
    assert forged.status_code == 403
    saved = coordinator.client.post(
        "/tiers/decide", data={**form, "deviation": "Flood defences are on schedule."}
    )
    assert saved.status_code == 303
    decision = coordinator.client.get(saved.headers["location"])
    assert "Flood defences are on schedule." in decision.text
    assert "no-comprehensive-approach" in decision.text
    again = coordinator.client.get("/tiers")
    row = again.text[again.text.index(f'id="theme-{THEME}"') :]
    row = row[: row.index("</tr>")]
    # Both sides of the disagreement: the rule's reason and the decision's.
    assert "against the proposal" in row and "no comprehensive approach yet" in row
    assert "Flood defences are on schedule." in row


def test_only_those_who_decide_get_the_form(make_user: MakeUser, sign_in: SignIn) -> None:
    viewer = sign_in(make_user("vic", role="viewer"))
    page = viewer.client.get("/tiers")
    assert page.status_code == 200 and "Record a decision" not in page.text
    posted = viewer.client.post(
        "/tiers/decide",
        data={
            "csrf_token": viewer.csrf_token,
            "theme": THEME,
            "tier": "strengthened",
            "rationale": "x",
        },
    )
    assert posted.status_code == 403


def test_scenario_page_shows_capability_gaps_as_far_as_one_may_see(
    demo_db: Database, make_user: MakeUser, sign_in: SignIn
) -> None:
    create_record(
        Context(db=demo_db, actor="test:setup"),
        entity_name="capability_needs",
        raw={
            "scenario": "lek-dike-breach",
            "capability": "cap-state-actor-intelligence",
            "needed": "strong",
            "current": "absent",
            "note": "A secret assessment of sabotage of the dikes.",
            "classification": "stg-c",
            "owned_by": "aivd",
        },
    )
    outsider = sign_in(make_user("nora", organisation="nctv", clearance="stg-g"))
    page = outsider.client.get("/scenarios/lek-dike-breach")
    assert page.status_code == 200
    assert "Capability analysis" in page.text and "cap-flood-evacuation-planning" in page.text
    assert "cap-state-actor-intelligence" not in page.text
    insider = sign_in(make_user("ivo", organisation="aivd", clearance="stg-c"))
    assert "cap-state-actor-intelligence" in insider.client.get("/scenarios/lek-dike-breach").text


def test_tier_api_proposes_and_records_decisions(
    make_user: MakeUser, api_client: ApiClient
) -> None:
    client = api_client(make_user("cora", role="coordinator", clearance="stg-g"))
    found = client.get("/api/v1/tiers")
    assert found.status_code == 200
    themes = {t["theme"]: t for t in found.json()["themes"]}
    assert themes[THEME]["proposed_tier"] == "strengthened"
    assert themes[THEME]["evidence"]["scenarios"] >= 1
    body = {
        "theme": THEME,
        "tier": "continued_focus",
        "rationale": "(1) The Delta Programme. (2) Yes.",
        "decided_by": "Council of Ministers",
        "decided_on": "2026-11-01",
    }
    refused = client.post("/api/v1/tiers/decisions", json=body)
    assert refused.status_code == 422 and "deviation" in refused.text
    missing = client.post("/api/v1/tiers/decisions", json={**body, "theme": "cyberr"})
    assert missing.status_code == 422 and "cyberr" in missing.text
    saved = client.post("/api/v1/tiers/decisions", json={**body, "deviation": "On schedule."})
    assert saved.status_code == 201, saved.text
    decision = saved.json()
    assert decision["against_proposal"] and decision["proposed_tier"] == "strengthened"
    stored = client.get(saved.headers["location"])
    assert stored.status_code == 200 and stored.json()["deviation"] == "On schedule."


def test_tier_decisions_need_a_role_that_decides(
    make_user: MakeUser, api_client: ApiClient
) -> None:
    client = api_client(make_user("mo", role="ministry-officer", organisation="min-ienw"))
    posted = client.post(
        "/api/v1/tiers/decisions",
        json={"theme": THEME, "tier": "strengthened", "rationale": "x", "decided_by": "me"},
    )
    assert posted.status_code == 403


def test_from_decision_to_progress_through_the_api(
    make_user: MakeUser, api_client: ApiClient
) -> None:
    client = api_client(make_user("cora", role="coordinator", clearance="stg-g"))
    decided = client.post(
        "/api/v1/tiers/decisions",
        json={
            "theme": THEME,
            "tier": "strengthened",
            "rationale": "(1) No supra-regional evacuation strategy. (2) Risk grows.",
            "decided_by": "Council of Ministers",
            "lead": "min-ienw",
        },
    )
    assert decided.status_code == 201 and not decided.json()["against_proposal"]
    writes = [
        (
            "measures",
            {
                "key": "m-floods-evacuation",
                "title": "Evacuation plans for dike-ring areas",
                "kind": "theme_specific",
                "status": "in_progress",
                "owner": "min-ienw",
                "theme": THEME,
                "starts_on": "2025-01-01",
            },
        ),
        (
            "concretisations",
            {
                "key": "conc-floods-ienw",
                "theme": THEME,
                "ministry": "min-ienw",
                "cycle": "nss-2019",
                "decision": decided.json()["key"],
                "goals": "Legal flood standards by 2050.",
                "measures": ["m-floods-evacuation"],
                "status": "concretised",
            },
        ),
        (
            "milestones",
            {
                "key": "ms-floods-plans",
                "title": "Evacuation plans adopted",
                "measure": "m-floods-evacuation",
                "due_on": "2025-06-30",
            },
        ),
    ]
    for entity, body in writes:
        created = client.post(f"/api/v1/{entity}", json=body)
        assert created.status_code == 201, created.text
    early = client.post(
        "/api/v1/milestones",
        json={
            "key": "ms-early",
            "title": "x",
            "measure": "m-floods-evacuation",
            "due_on": "2024-01-01",
        },
    )
    assert early.status_code == 422 and "before its measure" in early.text
    progress = client.get("/api/v1/progress", params={"ministry": "min-ienw"})
    assert progress.status_code == 200
    text = progress.text
    assert "ms-floods-plans" in text and "conc-floods-ienw" in text and "ms-early" not in text
    tiers = {t["theme"]: t for t in client.get("/api/v1/tiers").json()["themes"]}
    assert tiers[THEME]["current_tier"] == "strengthened"
    assert tiers[THEME]["decision"]["tier"] == "strengthened"
    assert not tiers[THEME]["against_proposal"]


def test_capability_gaps_api(make_user: MakeUser, api_client: ApiClient) -> None:
    client = api_client(make_user("ana", organisation="nctv", clearance="dep-v"))
    found = client.get("/api/v1/capability-gaps", params={"scenario": "lek-dike-breach"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["scale"][0] == "absent" and body["needs"] == len(body["gaps"]) >= 1
    evacuation = next(g for g in body["gaps"] if g["capability"] == "cap-flood-evacuation-planning")
    assert (evacuation["needed"], evacuation["current"], evacuation["shortfall"]) == (
        "adequate",
        "initial",
        2,
    )
    only = client.get("/api/v1/capability-gaps", params={"only_gaps": True}).json()
    assert only["gaps"] and all(g["shortfall"] > 0 for g in only["gaps"])
    # The dissident scenario is stg-c, AIVD's: as if it did not exist.
    hidden = client.get("/api/v1/capability-gaps", params={"scenario": "dissident-assassination"})
    assert hidden.status_code == 404
    assert "dissident-assassination" not in client.get("/api/v1/capability-gaps").text
