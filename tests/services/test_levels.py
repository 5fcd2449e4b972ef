"""Setting threat levels on a real database: the measures a change switches, the tier
review it raises, conflicts between changes made at once, and refusals that write
nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from typing import Any

import pytest

from tests.notify_receivers import Hook, Mailbox, smtp_server, webhook_server
from weerbaar import i18n
from weerbaar.config import DeliverySettings
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.levels import Activation
from weerbaar.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from weerbaar.reference.access import roles
from weerbaar.services import levels as levels_service
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.level_views import levels_view
from weerbaar.services.levels import LevelRequest, rebuild_levels, resolve_target, set_level
from weerbaar.services.notifications.channels import add_channel
from weerbaar.services.notifications.delivery import deliver_due
from weerbaar.services.notifications.views import list_notifications
from weerbaar.services.records import create_record, list_records
from weerbaar.services.tier_proposals import propose_tiers
from weerbaar.storage.db import Database

WATER_MEASURES = {"am-water-access-control", "am-water-sampling", "am-water-police-patrols"}


def _open(db: Database, state: str) -> dict[str, Activation]:
    found: list[Activation] = list_records(db, entity_name="activations", where={"state": state})
    open_ = [a for a in found if a.until is None]
    assert len({a.measure for a in open_}) == len(open_), "a measure is active twice"
    return {a.measure: a for a in open_}


def _version(db: Database, scope: str) -> int:
    return next(s.version for s in levels_view(db).scopes if s.scope.key == scope)


def _writes(db: Database) -> int:
    return len(recent_entries(db, limit=100_000))


@pytest.fixture
def demo(demo_register: Database) -> Context:
    return Context(db=demo_register, actor="test:coordinator")


def test_the_demo_history_gives_each_scope_its_level_and_measures(demo: Context) -> None:
    view = levels_view(demo.db)
    by_key = {s.scope.key: s for s in view.scopes}
    assert by_key["dtn"].state.level == 3
    assert by_key["dtn-provincie-utrecht"].state.level == 4
    assert by_key["atb-airports"].state.level == 2
    assert {a.measure.key for a in by_key["atb-airports"].active} == {"am-air-visible-patrols"}
    assert by_key["atb-drinking-water"].active == ()
    assert rebuild_levels(demo) == 0  # nothing left without a state


def test_raising_a_sector_level_switches_on_its_measures_and_flags_the_theme(
    demo: Context,
) -> None:
    before = _writes(demo.db)
    change = set_level(
        demo,
        LevelRequest(
            scale="atb",
            sector="drinking water",
            level="Matige dreiging",
            rationale="Concrete indications of interest in water production sites",
            expected_version=_version(demo.db, "atb-drinking-water"),
        ),
    )
    assert change.transition.before == 1 and change.transition.after == 3
    active = _open(demo.db, "atb-drinking-water")
    assert set(active) == WATER_MEASURES
    assert {a.activated_by for a in active.values()} == {change.picture.key}
    assert all(a.since == change.transition.at for a in active.values())
    # The picture, the state and three activations: each write in the audit trail.
    assert _writes(demo.db) - before == 5
    report = propose_tiers(demo.db)
    assert any("drinking water" in r for r in report.review["terrorism-extremism"])
    assert change.picture.previous_level == 1 and change.picture.theme == "terrorism-extremism"


def test_lowering_ends_the_measures_with_the_change_that_ended_them(demo: Context) -> None:
    raised = set_level(
        demo, LevelRequest(scale="atb", sector="drinking water", level=3, rationale="up")
    )
    lowered = set_level(
        demo, LevelRequest(scale="atb", sector="drinking water", level=2, rationale="down")
    )
    assert set(_open(demo.db, "atb-drinking-water")) == {"am-water-access-control"}
    ended = [
        a
        for a in list_records(
            demo.db, entity_name="activations", where={"state": "atb-drinking-water"}
        )
        if a.until is not None
    ]
    assert {a.measure for a in ended} == {"am-water-sampling", "am-water-police-patrols"}
    assert {a.ended_by for a in ended} == {lowered.picture.key}
    assert all(a.since == raised.transition.at for a in ended)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": 5, "rationale": "x"}, "level"),
        ({"level": "severe", "rationale": "x"}, "level"),
        ({"level": 3, "rationale": "  "}, "rationale"),
        ({"level": 3, "rationale": "x", "at": dt.datetime(2010, 1, 1, tzinfo=dt.UTC)}, "at"),
        ({"level": 3, "rationale": "x", "scale": "nope"}, "scale"),
        ({"level": 3, "rationale": "x", "sector": "no such sector"}, "sector"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    demo: Context, changes: dict[str, Any], field: str
) -> None:
    before = _writes(demo.db)
    args: dict[str, Any] = {"scale": "atb", "sector": "drinking water", **changes}
    with pytest.raises(ValidationError) as caught:
        set_level(demo, LevelRequest(**args))
    assert [i.field for i in caught.value.issues] == [field]
    assert _writes(demo.db) == before
    assert _open(demo.db, "atb-drinking-water") == {}


def test_two_changes_at_once_one_wins_the_other_conflicts(demo: Context) -> None:
    version = _version(demo.db, "atb-drinking-water")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def change(level: int) -> None:
        barrier.wait()
        try:
            outcomes.append(
                set_level(
                    demo,
                    LevelRequest(
                        scale="atb",
                        sector="drinking water",
                        level=level,
                        rationale=f"to {level}",
                        expected_version=version,
                    ),
                )
            )
        except ConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=change, args=(n,)) for n in (2, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
    won = [o for o in outcomes if not isinstance(o, ConflictError)]
    assert len(conflicts) == 1 and len(won) == 1
    assert _version(demo.db, "atb-drinking-water") == version + 1
    winner = won[0]
    assert isinstance(winner, levels_service.LevelChange)
    expected = {"am-water-access-control"} if winner.transition.after == 2 else WATER_MEASURES
    expected = expected | ({"am-water-emergency-supply"} if winner.transition.after == 4 else set())
    assert set(_open(demo.db, "atb-drinking-water")) == expected


def test_a_failure_after_the_measures_are_switched_leaves_nothing_half_done(
    demo: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(levels_service, "queue_notices", broken)
    before = _writes(demo.db)
    with pytest.raises(RuntimeError):
        set_level(demo, LevelRequest(scale="atb", sector="drinking water", level=3, rationale="up"))
    assert _writes(demo.db) == before
    assert _open(demo.db, "atb-drinking-water") == {}
    assert _version(demo.db, "atb-drinking-water") == 1


def test_pictures_states_and_activations_are_written_only_by_a_level_change(
    demo: Context,
) -> None:
    raw = {"key": "p-x", "title": "x", "system": "dtn", "level": 5, "issued_on": "2026-01-01"}
    with pytest.raises(ForbiddenError, match="written only by a level change"):
        create_record(demo, entity_name="threat_pictures", raw=raw)


def test_only_roles_that_may_write_level_states_set_levels(demo: Context) -> None:
    analyst = Subject("ana", roles()["analyst"], "nctv", "stg-g")
    with pytest.raises(ForbiddenError):
        set_level(
            dataclasses.replace(demo, subject=analyst),
            LevelRequest(
                scale="dtn",
                level=4,
                rationale="analysts advise; the coordinator sets",
            ),
        )
    assert _version(demo.db, "dtn") == 1


def test_those_who_take_a_measure_see_it_in_force_though_the_reasons_are_classified(
    demo: Context,
) -> None:
    coordinator = Subject("cora", roles()["coordinator"], "nctv", "stg-g")
    set_level(
        dataclasses.replace(demo, subject=coordinator),
        LevelRequest(
            scale="atb",
            sector="drinking water",
            level=3,
            rationale="intelligence from a source that must stay protected",
            classification="stg-c",
        ),
    )
    operator = Subject("vera", roles()["viewer"], "vitens", "dep-v")
    view = levels_view(demo.db, subject=operator)
    water = next(s for s in view.scopes if s.scope.key == "atb-drinking-water")
    assert water.state.level == 3
    assert water.picture is None and water.state.picture is None  # redacted
    assert {a.measure.key for a in water.active} == WATER_MEASURES
    assert all(a.picture is None for a in water.active)
    assert all(p.classification == "public" for p in view.history)


def test_targets_resolve_to_scale_and_sector(demo: Context) -> None:
    assert resolve_target(demo.db, "dtn") == levels_service.Target("dtn", None)
    assert resolve_target(demo.db, "terrorism-extremism") == levels_service.Target("dtn", None)
    assert resolve_target(demo.db, "cyber") == levels_service.Target("cyber", None)
    found = resolve_target(demo.db, "drinking water")
    assert found == levels_service.Target("atb", "drinking water")
    assert resolve_target(demo.db, "Binnenhof", scale="bb") == levels_service.Target(
        "bb", site="Binnenhof"
    )
    with pytest.raises(ValidationError, match="not a scale"):
        resolve_target(demo.db, "nowhere")


def test_a_raise_reaches_each_organisation_by_e_mail_and_signed_webhook(demo: Context) -> None:
    mailbox, hook = Mailbox(), Hook()
    with smtp_server(mailbox) as smtp_port, webhook_server(hook) as url:
        add_channel(demo, organisation="evides", kind="email", target="crisis@evides.example")
        _, secret = add_channel(demo, organisation="vitens", kind="webhook", target=url)
        hook.secret = secret
        change = set_level(
            demo, LevelRequest(scale="atb", sector="drinking water", level=3, rationale="up")
        )
        assert change.notices == 2
        settings = DeliverySettings(smtp_host="127.0.0.1", smtp_port=smtp_port)
        report = deliver_due(demo.db, settings=settings)
    assert (report.sent, report.failed, report.dead) == (2, 0, 0)
    [mail] = mailbox.messages
    assert mail["To"] == "crisis@evides.example"
    assert "Moderate threat" in mail["Subject"]
    assert "Extra sampling and online quality monitoring" in mail.get_content()
    [call] = hook.received
    assert call.valid
    payload = json.loads(call.body)
    assert payload["change"] == change.picture.key and payload["organisation"] == "vitens"
    assert [m["key"] for m in payload["activated"]] == ["am-water-access-control"]
    # Titles as written in the register, whatever language the one who set it reads.
    assert payload["activated"][0]["title"].startswith("Verscherpte toegangscontrole")
    assert payload["rationale"] == "up"
    sent = list_notifications(demo.db, subject=None, change=change.picture.key)
    assert {n.status for n in sent} == {"sent"}


def test_a_raise_reads_in_each_channels_language_and_its_webhook_in_none(demo: Context) -> None:
    mailbox, dutch_hook, english_hook = Mailbox(), Hook(), Hook()
    with (
        smtp_server(mailbox) as smtp_port,
        webhook_server(dutch_hook) as dutch_url,
        webhook_server(english_hook) as english_url,
    ):
        add_channel(demo, organisation="evides", kind="email", target="nl@evides", language="nl")
        add_channel(demo, organisation="evides", kind="email", target="en@evides", language="en")
        _, dutch_hook.secret = add_channel(
            demo, organisation="vitens", kind="webhook", target=dutch_url, language="nl"
        )
        _, english_hook.secret = add_channel(
            demo, organisation="vitens", kind="webhook", target=english_url, language="en"
        )
        at = dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC)
        with i18n.speaking("nl"):  # the coordinator reads Dutch
            change = set_level(
                demo,
                LevelRequest(
                    scale="atb", sector="drinking water", level=3, rationale="dreiging", at=at
                ),
            )
        assert change.notices == 4
        settings = DeliverySettings(smtp_host="127.0.0.1", smtp_port=smtp_port)
        assert deliver_due(demo.db, settings=settings).sent == 4
    mails = {m["To"]: m for m in mailbox.messages}
    dutch, english = mails["nl@evides"], mails["en@evides"]
    assert dutch["Subject"] == (
        "[weerbaar] Alerteringssysteem Terrorismebestrijding verhoogd naar "
        "3 Matige dreiging (drinking water)"
    )
    dutch_text = dutch.get_content()
    assert "1 Basisniveau → 3 Matige dreiging" in dutch_text
    assert "Van kracht vanaf 6 december 2026, 14:05:00 UTC" in dutch_text
    assert "Onderbouwing: dreiging" in dutch_text
    assert "Uw maatregelen die nu van kracht zijn:" in dutch_text
    assert "Extra bemonstering en online kwaliteitsbewaking" in dutch_text
    assert "Moderate" not in dutch_text and "Extra sampling" not in dutch_text
    assert english["Subject"] == (
        "[weerbaar] Counter-terrorism alert system raised to "
        "3 Moderate threat (Matige dreiging) (drinking water)"
    )
    english_text = english.get_content()
    assert "1 Standard (Basisniveau) → 3 Moderate threat (Matige dreiging)" in english_text
    assert "In force from 6 December 2026, 14:05:00 UTC" in english_text
    assert "Extra sampling and online quality monitoring" in english_text
    assert "Uw maatregelen" not in english_text
    [from_dutch], [from_english] = dutch_hook.received, english_hook.received
    assert from_dutch.valid and from_english.valid and from_dutch.body == from_english.body
    payload = json.loads(from_dutch.body)
    assert payload["before"] == "1 Standard (Basisniveau)"
    assert payload["after"] == "3 Moderate threat (Matige dreiging)"
    assert payload["scope"] == "atb: drinking water"
    assert [m["title"] for m in payload["activated"]] == [
        "Verscherpte toegangscontrole bij productielocaties en reservoirs"
    ]


def test_classified_reasons_never_leave_the_system(demo: Context) -> None:
    add_channel(demo, organisation="vitens", kind="email", target="crisis@vitens.example")
    change = set_level(
        demo,
        LevelRequest(
            scale="atb",
            sector="drinking water",
            level=2,
            rationale="a protected source says so",
            classification="stg-c",
        ),
    )
    [row] = list_notifications(demo.db, subject=None, change=change.picture.key)
    assert "protected source" not in row.body and "protected source" not in row.text
    assert "Strengthened access control" in row.text
    hidden = set_level(
        demo,
        LevelRequest(
            scale="atb",
            sector="drinking water",
            level=3,
            rationale="r",
            level_classification="dep-v",
        ),
    )
    [row] = list_notifications(demo.db, subject=None, change=hidden.picture.key)
    assert "Moderate" not in row.body and "Moderate" not in row.text


def test_a_level_one_may_not_see_cannot_be_set_or_probed(demo: Context) -> None:
    set_level(
        demo,
        LevelRequest(
            scale="cyber",
            level=3,
            rationale="attacks under way",
            level_classification="stg-c",
        ),
    )
    cleared_low = Subject("cor", roles()["coordinator"], "nctv", "dep-v")
    with pytest.raises(NotFoundError):
        set_level(
            dataclasses.replace(demo, subject=cleared_low),
            LevelRequest(
                scale="cyber",
                level=1,
                rationale="all clear",
                expected_version=99,
            ),
        )
    assert _version(demo.db, "cyber") == 1


def test_the_one_who_sets_a_level_is_told_only_of_measures_they_may_see(demo: Context) -> None:
    secret = {
        "key": "am-water-covert-watch",
        "title": "Covert observation of a named suspect near production sites",
        "scale": "atb",
        "sector": "drinking water",
        "from_level": 2,
        "organisation": "aivd",
        "classification": "stg-c",
    }
    create_record(demo, entity_name="alert_measures", raw=secret)
    coordinator = Subject("cor", roles()["coordinator"], "nctv", "dep-v")
    change = set_level(
        dataclasses.replace(demo, subject=coordinator),
        LevelRequest(
            scale="atb",
            sector="drinking water",
            level=3,
            rationale="up",
        ),
    )
    assert {m.key for m in change.transition.activate} == WATER_MEASURES
    assert set(_open(demo.db, "atb-drinking-water")) == WATER_MEASURES | {secret["key"]}
