"""The server-rendered pages: every page renders, forms create, edit and delete
through the services, and a write needs the right role and the session's CSRF token."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, MakeUser, SignedIn, SignIn
from weerbaar.domain.register import ENTITIES
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, get_record, list_records, update_record
from weerbaar.services.tier_proposals import default_rules_as_records
from weerbaar.storage.db import Database

NARRATIVE = "Ransomware encrypts the control systems of a drinking water company."


@pytest.fixture
def admin(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("admin", role="administrator", clearance="stg-g"))


@pytest.fixture
def analyst(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("analyst", role="analyst", clearance="stg-g"))


def test_signing_in_through_the_form_opens_the_pages(app: object, make_user: MakeUser) -> None:
    make_user("jdevries", clearance="public")  # needs no second factor
    client = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
    assert client.get("/scenarios").headers["location"] == "/login?next=/scenarios"
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={
            "username": "jdevries",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/scenarios",
        },
    )
    assert answer.status_code == 303
    assert "Lek dike breach" in client.get("/scenarios").text


@pytest.mark.parametrize("spec", ENTITIES, ids=lambda s: s.name)
def test_every_entity_lists_shows_and_offers_its_forms(
    admin: SignedIn, demo_db: Database, spec: object
) -> None:
    name = spec.name  # type: ignore[attr-defined]
    if name == "tier_rules":  # the demo's cycle uses the default rule set: copy it
        operator = Context(db=demo_db, actor="test:setup")
        for row in default_rules_as_records("nss-2019"):
            create_record(operator, entity_name=name, raw=row)
    if name == "sources":  # the demo polls nothing: one that is never polled here
        create_record(
            Context(db=demo_db, actor="test:setup"),
            entity_name=name,
            raw={"key": "example-feed", "name": "Example feed", "kind": "feed",
                 "address": "https://feeds.example.org/news.rss"},
        )  # fmt: skip
    first = list_records(demo_db, entity_name=name)[0]
    if name == "signals":  # its list is the signals page: newest first reports first
        first = max(
            (s for s in list_records(demo_db, entity_name=name) if s.duplicate_of is None),
            key=lambda s: (s.published_on, s.key),
        )
    client = admin.client
    listed = client.get(f"/{name}")
    assert listed.status_code == 200
    assert f'href="/{name}/{first.key}"' in listed.text
    shown = client.get(f"/{name}/{first.key}")
    assert shown.status_code == 200
    assert "version 1" in shown.text
    if spec.written_by is not None:  # type: ignore[attr-defined]
        # Only a level change writes these: no forms, though the role writes everything.
        assert f'href="/{name}/-/new"' not in listed.text
        assert f'href="/{name}/{first.key}/edit"' not in shown.text
        assert client.get(f"/{name}/-/new").status_code == 403
        assert client.get(f"/{name}/{first.key}/edit").status_code == 403
    else:
        assert client.get(f"/{name}/-/new").status_code == 200
        edit = client.get(f"/{name}/{first.key}/edit")
        assert edit.status_code == 200
        assert 'name="version" value="1"' in edit.text
        # Every input is labelled.
        inputs = re.findall(r'<(?:input|select|textarea) id="(f-[a-z_]+)"', edit.text)
        assert inputs
        assert all(f'<label for="{i}">' in edit.text for i in inputs)
    for fmt in ("csv", "xlsx", "json"):
        download = client.get(f"/{name}/export.{fmt}")
        assert download.status_code == 200
        assert f'filename="{name}.{fmt}"' in download.headers["content-disposition"]


def test_the_dashboard_search_and_audit_log_render(admin: SignedIn) -> None:
    client = admin.client
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "<h3>Strengthened approach</h3>" in dashboard.text
    assert "<h3>Versterkte aanpak</h3>" in client.get("/", params={"lang": "nl"}).text
    client.get("/", params={"lang": "en"})
    assert 'id="diagram-data"' in dashboard.text
    assert "ILLUSTRATIVE DATA" in dashboard.text
    found = client.get("/search", params={"q": "dike"})
    assert found.status_code == 200
    assert 'href="/scenarios/lek-dike-breach"' in found.text
    assert client.get("/search", params={"q": " ".join(["w"] * 20)}).status_code == 422
    audit = client.get("/audit", params={"entity": "scenarios", "key": "lek-dike-breach"})
    assert audit.status_code == 200
    assert "create" in audit.text


def test_a_list_filters_by_field_like_the_command_line(admin: SignedIn) -> None:
    page = admin.client.get("/scenarios", params={"theme": "natural-disasters", "kind": "hazard"})
    assert 'href="/scenarios/lek-dike-breach"' in page.text
    assert 'href="/scenarios/complex-jihadist-attack"' not in page.text
    exported = admin.client.get(
        "/scenarios/export.csv", params={"theme": "natural-disasters", "kind": "hazard"}
    )
    assert "lek-dike-breach" in exported.text
    assert "complex-jihadist-attack" not in exported.text
    assert admin.client.get("/scenarios", params={"colour": "red"}).status_code == 422


def test_create_edit_and_delete_through_the_forms(analyst: SignedIn, demo_db: Database) -> None:
    client, token = analyst.client, analyst.csrf_token
    created = client.post(
        "/scenarios",
        data={
            "csrf_token": token,
            "key": "ransomware-water",
            "title": "Ransomware at a water company",
            "kind": "threat",
            "theme": "cyber",
            "narrative": NARRATIVE,
            "horizon_years": "5",
            "actors": ["ransomware-groups"],
            "classification": "public",
        },
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/scenarios/ransomware-water"
    page = client.get("/scenarios/ransomware-water")
    assert "Ransomware at a water company" in page.text
    assert 'href="/actors/ransomware-groups"' in page.text

    edited = client.post(
        "/scenarios/ransomware-water",
        data={
            "csrf_token": token,
            "version": "1",
            "title": "Ransomware at a drinking water company",
            "kind": "threat",
            "theme": "cyber",
            "narrative": NARRATIVE,
            "horizon_years": "5",
            "classification": "public",
        },
    )
    assert edited.status_code == 303
    found = get_record(demo_db, entity_name="scenarios", key="ransomware-water")
    assert found.version == 2
    assert found.record.title == "Ransomware at a drinking water company"
    assert found.record.actors == ()
    assert "Ransomware at a water company" in client.get("/audit").text

    deleted = client.post(
        "/scenarios/ransomware-water/delete", data={"csrf_token": token, "version": "2"}
    )
    assert deleted.status_code == 303
    assert client.get("/scenarios/ransomware-water").status_code == 404


def test_problems_show_beside_their_fields_with_the_form_refilled(analyst: SignedIn) -> None:
    answer = analyst.client.post(
        "/scenarios",
        data={
            "csrf_token": analyst.csrf_token,
            "key": "Bad Key",
            "title": "",
            "kind": "threat",
            "theme": "cyber",
            "narrative": NARRATIVE,
        },
    )
    assert answer.status_code == 422
    assert 'id="error-key"' in answer.text
    assert 'id="error-title"' in answer.text
    assert NARRATIVE in answer.text
    assert 'value="Bad Key"' in answer.text


def test_a_stale_edit_is_refused_with_a_conflict_not_saved(
    analyst: SignedIn, demo_db: Database
) -> None:
    form = analyst.client.get("/scenarios/lek-dike-breach/edit")
    assert 'name="version" value="1"' in form.text
    update_record(
        Context(db=demo_db, actor="test:colleague"),
        entity_name="scenarios",
        key="lek-dike-breach",
        changes={"title": "Lek dike breach near Culemborg"},
    )
    answer = analyst.client.post(
        "/scenarios/lek-dike-breach",
        data={
            "csrf_token": analyst.csrf_token,
            "version": "1",
            "title": "My stale title",
            "kind": "hazard",
            "theme": "natural-disasters",
            "narrative": NARRATIVE,
            "classification": "public",
        },
    )
    assert answer.status_code == 409
    assert "changed by someone else" in answer.text
    assert 'value="My stale title"' in answer.text
    found = get_record(demo_db, entity_name="scenarios", key="lek-dike-breach")
    assert found.record.title == "Lek dike breach near Culemborg"


def test_a_viewer_sees_no_write_buttons_and_may_not_write(
    make_user: MakeUser, sign_in: SignIn
) -> None:
    viewer = sign_in(make_user("reader", role="viewer", clearance="stg-g"))
    page = viewer.client.get("/scenarios/lek-dike-breach")
    assert page.status_code == 200
    assert "/edit" not in page.text
    assert "Record a score" not in page.text
    assert "New scenario" not in viewer.client.get("/scenarios").text
    assert viewer.client.get("/scenarios/-/new").status_code == 403
    refused = viewer.client.post(
        "/scenarios/lek-dike-breach/delete", data={"csrf_token": viewer.csrf_token}
    )
    assert refused.status_code == 403


def test_a_role_writes_only_its_own_entities(make_user: MakeUser, sign_in: SignIn) -> None:
    officer = sign_in(make_user("officer", role="ministry-officer", organisation="min-jenv"))
    assert "New measure" in officer.client.get("/measures").text
    assert "New scenario" not in officer.client.get("/scenarios").text
    answer = officer.client.post(
        "/scenarios",
        data={
            "csrf_token": officer.csrf_token,
            "key": "x-scenario",
            "title": "X",
            "kind": "hazard",
            "theme": "cyber",
            "narrative": "n",
        },
    )
    assert answer.status_code == 403


def test_a_post_without_the_sessions_csrf_token_is_refused(
    analyst: SignedIn, demo_db: Database
) -> None:
    data = {"title": "Hijacked", "kind": "hazard", "theme": "natural-disasters"}
    for token in (None, "not-the-token"):
        sent = data if token is None else {**data, "csrf_token": token}
        assert analyst.client.post("/scenarios/lek-dike-breach", data=sent).status_code == 403
        deleted = analyst.client.post("/scenarios/lek-dike-breach/delete", data=sent)
        assert deleted.status_code == 403
        scored = analyst.client.post(
            "/scenarios/lek-dike-breach/scores", data={**sent, "criterion": "2.1", "value": "1"}
        )
        assert scored.status_code == 403
    found = get_record(demo_db, entity_name="scenarios", key="lek-dike-breach")
    assert found.version == 1


def test_a_record_still_referred_to_is_not_deleted(admin: SignedIn) -> None:
    answer = admin.client.post(
        "/themes/cyber/delete", data={"csrf_token": admin.csrf_token, "version": "1"}
    )
    assert answer.status_code == 409
    assert "cannot be deleted" in answer.text


def test_score_keys_with_slashes_have_pages(admin: SignedIn) -> None:
    key = "gra-2019/lek-dike-breach/2.1"
    page = admin.client.get(f"/impact_scores/{key}")
    assert page.status_code == 200
    assert f"<code>{key}</code>" in page.text
    assert admin.client.get(f"/impact_scores/{key}/edit").status_code == 200


def test_unknown_pages_and_records_are_not_found(admin: SignedIn) -> None:
    assert admin.client.get("/dragons").status_code == 404
    assert admin.client.get("/scenarios/no-such-scenario").status_code == 404
    assert admin.client.get("/scenarios/export.pdf").status_code == 404


def test_plotly_is_served_from_the_installed_package(admin: SignedIn) -> None:
    script = admin.client.get("/static-lib/plotly.min.js")
    assert script.status_code == 200
    assert "max-age" in script.headers["cache-control"]
    assert b"plotly" in script.content[:2000].lower()


def test_a_score_is_created_through_the_generic_form_under_its_derived_key(
    analyst: SignedIn,
) -> None:
    score = {
        "csrf_token": analyst.csrf_token,
        "round": "gra-2019",
        "scenario": "lek-dike-breach",
        "criterion": "6.4",
        "expected": "A",
        "classification": "public",
    }
    created = analyst.client.post("/impact_scores", data=score)
    assert created.status_code == 303
    assert created.headers["location"] == "/impact_scores/gra-2019/lek-dike-breach/6.4"
    again = analyst.client.post("/impact_scores", data=score)
    assert again.status_code == 409
    assert "already exists" in again.text
