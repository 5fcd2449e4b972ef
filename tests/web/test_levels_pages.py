"""The levels page, its form and timeline, the notification log and the threat-level
box on the dashboard: a coordinator raises a sector's level and sees the measures it
switched on; others see no form and are refused; a refused or stale change writes
nothing; and a reader sees only what their need-to-know allows."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from fastapi import FastAPI

from tests.helpers import settings_for
from tests.notify_receivers import free_port
from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar.config import DeliverySettings
from weerbaar.services.context import Context
from weerbaar.services.level_views import levels_view
from weerbaar.services.levels import LevelRequest, set_level
from weerbaar.services.notifications.channels import add_channel
from weerbaar.services.notifications.delivery import deliver_due
from weerbaar.services.notifications.views import list_notifications
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

WATER = "atb-drinking-water"  # at level 1 in the demo, state version 1
WATER_MEASURES = (
    "Strengthened access control at production sites and reservoirs",  # vitens, from 2
    "Extra sampling and online quality monitoring of treated water",  # evides, from 3
    "Police patrols at critical drinking water installations",  # politie, from 3
)
RATIONALE = "Concrete indications of an attack on a drinking water company."


@pytest.fixture
def coordinator(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("cora", role="coordinator", clearance="stg-g"))


@pytest.fixture
def app(demo_db: Database) -> FastAPI:
    """The app, its deliveries in the background going to a port nobody listens on,
    at once."""
    quiet = DeliverySettings(smtp_host="127.0.0.1", smtp_port=free_port(), timeout=2)
    settings = dataclasses.replace(settings_for(demo_db), delivery=quiet)
    return create_app(settings, db=demo_db)


def _form(person: SignedIn, **given: str) -> dict[str, str]:
    return {
        "csrf_token": person.csrf_token,
        "form": WATER,
        "scale": "atb",
        "sector": "drinking water",
        "level": "3",
        "rationale": RATIONALE,
        "version": "1",
        **given,
    }


def _row(html: str, key: str) -> str:
    found = re.search(rf'<tr id="scope-{re.escape(key)}".*?</tr>', html, re.DOTALL)
    assert found, f"no row for {key}"
    return found.group(0)


def _state(db: Database, key: str) -> Any:
    view = levels_view(db)
    return next(s for s in view.scopes if s.scope.key == key)


def test_the_page_shows_the_demo_levels(coordinator: SignedIn) -> None:
    page = coordinator.client.get("/levels")
    assert page.status_code == 200
    text = page.text
    assert "Counter-terrorism alert system" in text and "National terrorism threat level" in text
    airports = _row(text, "atb-airports")
    assert "2 Low threat" in airports
    assert "Visible armed patrols in terminals and at access roads" in airports
    assert 'href="/organisations/kmar"' in airports and 'href="/activations/' in airports
    assert "Set level" in airports and 'name="version" value="1"' in airports
    assert "History of threat pictures" in text and 'src="/levels/timeline.png"' in text
    assert "Set a level for a new scope" in text
    # Only the scale's own levels in a scope's form.
    assert '<option value="4"' in airports and '<option value="5"' not in airports

    atb = coordinator.client.get("/levels?scale=atb")
    assert atb.status_code == 200
    assert 'id="scale-atb"' in atb.text and 'id="scale-dtn"' not in atb.text
    assert 'src="/levels/timeline.png?scale=atb"' in atb.text
    assert coordinator.client.get("/levels?scale=nope").status_code == 422


def test_a_coordinator_raises_a_level_and_sees_its_measures(
    coordinator: SignedIn, demo_db: Database
) -> None:
    saved = coordinator.client.post("/levels/set", data=_form(coordinator))
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert location.startswith("/levels?changed=atb-drinking-water-")
    assert location.endswith(f"#scope-{WATER}")
    page = coordinator.client.get(location)
    assert "Level set:" in page.text
    row = _row(page.text, WATER)
    assert "3 Moderate threat" in row and "↑ raised" in row
    for title in WATER_MEASURES:
        assert title in row
    assert RATIONALE in row
    state = _state(demo_db, WATER)
    assert state.state.level == 3 and state.version == 2
    assert {a.measure.organisation for a in state.active} == {"vitens", "evides", "politie"}


def test_a_viewer_gets_no_form_and_cannot_post(
    make_user: MakeUser, sign_in: SignIn, demo_db: Database
) -> None:
    viewer = sign_in(make_user("vic", role="viewer"))
    page = viewer.client.get("/levels")
    assert page.status_code == 200
    assert "Set level" not in page.text and 'action="/levels/set"' not in page.text
    refused = viewer.client.post("/levels/set", data=_form(viewer))
    assert refused.status_code == 403
    assert _state(demo_db, WATER).state.level == 1


def test_a_forged_form_is_refused(coordinator: SignedIn, demo_db: Database) -> None:
    forged = coordinator.client.post("/levels/set", data=_form(coordinator, csrf_token="x"))
    assert forged.status_code == 403
    assert _state(demo_db, WATER).version == 1


def test_a_change_without_rationale_is_refused_and_nothing_written(
    coordinator: SignedIn, demo_db: Database
) -> None:
    pictures = len(levels_view(demo_db).history)
    refused = coordinator.client.post(
        "/levels/set", data=_form(coordinator, rationale="", summary="kept summary")
    )
    assert refused.status_code == 422
    row = _row(refused.text, WATER)
    assert "rationale: a change of level (1 → 3) needs a rationale" in row
    assert "<details open>" in row and "kept summary" in row  # what was typed is kept
    assert _state(demo_db, WATER).version == 1
    assert len(levels_view(demo_db).history) == pictures


def test_a_new_scope_level_must_belong_to_the_chosen_scale(
    coordinator: SignedIn, demo_db: Database
) -> None:
    form = _form(coordinator, form="new", scale="atb", sector="drinking water", version="0")
    refused = coordinator.client.post("/levels/set", data={**form, "level": "dtn:3"})
    assert refused.status_code == 422
    assert "the level chosen is one of the dtn scale, not of atb" in refused.text
    # A new scope: the cyber level, which the demo does not set.
    created = coordinator.client.post(
        "/levels/set",
        data={**form, "scale": "cyber", "sector": "", "level": "cyber:3", "rationale": "Campaign."},
    )
    assert created.status_code == 303, created.text
    state = _state(demo_db, "cyber")
    assert state.state.level == 3 and state.version == 1


def test_a_stale_form_is_a_conflict_and_nothing_written(
    coordinator: SignedIn, demo_db: Database
) -> None:
    first = coordinator.client.post("/levels/set", data=_form(coordinator))
    assert first.status_code == 303
    # A second person, who loaded the page before the first change, lowers it.
    second = coordinator.client.post("/levels/set", data=_form(coordinator, level="2"))
    assert second.status_code == 409
    text = second.text
    assert "Someone else changed this level" in text
    assert "It is now <strong>3 Moderate threat (Matige dreiging)</strong>" in text
    assert "Reload the page" in text
    state = _state(demo_db, WATER)
    assert state.state.level == 3 and state.version == 2
    # The form keeps the version its author saw, so sending it again conflicts again.
    assert 'name="version" value="1"' in _row(text, WATER)


def test_a_classified_picture_shows_the_level_not_the_reasons(
    demo_db: Database, make_user: MakeUser, sign_in: SignIn
) -> None:
    secret = "A classified source reports a plan against the nuclear plant."
    change = set_level(
        Context(db=demo_db, actor="test:setup"),
        LevelRequest(
            scale="atb",
            sector="nuclear",
            level=3,
            rationale=secret,
            expected_version=1,
            classification="stg-c",
            owned_by="aivd",
        ),
    )
    reader = sign_in(make_user("rita", role="viewer", organisation="epz", clearance="dep-v"))
    page = reader.client.get("/levels")
    row = _row(page.text, "atb-nuclear")
    assert "3 Moderate threat" in row
    assert "Armed guard reinforcement at the nuclear power plant" in row
    assert "a picture you may not see" in row
    assert secret not in page.text and change.picture.key not in page.text
    cleared = sign_in(make_user("ivo", organisation="aivd", clearance="stg-c"))
    insider = cleared.client.get("/levels")
    assert secret in _row(insider.text, "atb-nuclear") and change.picture.key in insider.text


def test_the_timeline_is_a_png(coordinator: SignedIn) -> None:
    image = coordinator.client.get("/levels/timeline.png?scale=atb&sector=drinking+water")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert coordinator.client.get("/levels/timeline.png?sector=nowhere").status_code == 404


def _with_channels(demo_db: Database) -> None:
    operator = Context(db=demo_db, actor="test:setup")
    add_channel(operator, organisation="vitens", kind="webhook", target="http://127.0.0.1:9/hook")
    add_channel(operator, organisation="evides", kind="email", target="alerts@evides.example")


def test_the_notification_log_shows_each_reader_their_own(
    demo_db: Database,
    make_user: MakeUser,
    sign_in: SignIn,
    coordinator: SignedIn,
) -> None:
    _with_channels(demo_db)
    assert coordinator.client.post("/levels/set", data=_form(coordinator)).status_code == 303
    # Delivered in the background, to receivers that are not there: still pending.
    queued = list_notifications(demo_db, subject=None)
    assert {n.organisation for n in queued} == {"vitens", "evides"}
    assert all(n.status == "pending" and n.attempts == 1 for n in queued)

    log = coordinator.client.get("/notifications")
    assert log.status_code == 200
    assert "alerts@evides.example" in log.text and "http://127.0.0.1:9/hook" in log.text
    assert "Retry" in log.text

    water = sign_in(make_user("wim", role="viewer", organisation="vitens", clearance="public"))
    own = water.client.get("/notifications")
    assert own.status_code == 200
    assert "http://127.0.0.1:9/hook" in own.text
    assert "alerts@evides.example" not in own.text and "evides" not in own.text
    assert "Retry" not in own.text
    mine = next(n for n in queued if n.organisation == "vitens")
    refused = water.client.post(
        f"/notifications/{mine.id}/retry", data={"csrf_token": water.csrf_token}
    )
    assert refused.status_code == 403


def test_dead_letters_are_highlighted_and_retried(demo_db: Database, coordinator: SignedIn) -> None:
    _with_channels(demo_db)
    set_level(
        Context(db=demo_db, actor="test:setup"),
        LevelRequest(
            scale="atb",
            sector="drinking water",
            level=3,
            rationale=RATIONALE,
        ),
    )
    once = DeliverySettings(smtp_host="127.0.0.1", smtp_port=free_port(), attempts=1, timeout=2)
    report = deliver_due(demo_db, settings=once)
    assert report.dead == 2
    page = coordinator.client.get("/notifications")
    assert "Dead letters (2)" in page.text
    dead = coordinator.client.get("/notifications?status=dead")
    assert dead.status_code == 200 and "Notifications dead" in dead.text
    assert coordinator.client.get("/notifications?status=lost").status_code == 422
    target = list_notifications(demo_db, subject=None, status="dead")[0]
    again = coordinator.client.post(
        f"/notifications/{target.id}/retry", data={"csrf_token": coordinator.csrf_token}
    )
    assert again.status_code == 303
    assert again.headers["location"] == f"/notifications?retried={target.id}#n-{target.id}"
    shown = coordinator.client.get(again.headers["location"])
    assert f"Notification {target.id} is back in the queue." in shown.text
    assert "Dead letters (1)" in shown.text
    forged = coordinator.client.post(f"/notifications/{target.id}/retry", data={"csrf_token": "x"})
    assert forged.status_code == 403
    missing = coordinator.client.post(
        "/notifications/999999/retry", data={"csrf_token": coordinator.csrf_token}
    )
    assert missing.status_code == 404


def test_the_dashboard_shows_raised_levels_and_themes_for_review(
    coordinator: SignedIn,
) -> None:
    before = coordinator.client.get("/")
    assert "Threat levels" in before.text
    assert 'href="/levels#scope-atb-airports"' in before.text  # at 2 of 1–4
    assert 'href="/levels#scope-atb-drinking-water"' not in before.text  # at the lowest
    assert coordinator.client.post("/levels/set", data=_form(coordinator)).status_code == 303
    after = coordinator.client.get("/")
    assert 'href="/levels#scope-atb-drinking-water"' in after.text
    assert "Flagged for tier review" in after.text
    assert 'href="/tiers#theme-terrorism-extremism"' in after.text
    tiers = coordinator.client.get("/tiers")
    row = re.search(r'<tr id="theme-terrorism-extremism".*?</tr>', tiers.text, re.DOTALL)
    assert row and "review: threat level raised" in row.group(0)
    assert "Counter-terrorism alert system (drinking water) raised from Standard" in row.group(0)
