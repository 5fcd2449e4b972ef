"""Review, sign-off and the round lock: the state flow, four eyes, and the lock on every
service path (records, import, the cascade's scores, signal flags)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import seed_scored_round
from tests.services.test_infrastructure import DEPENDENCIES, PROCESSES
from weerbaar import formats
from weerbaar.domain.access import Subject
from weerbaar.errors import ForbiddenError, LockedError, NotFoundError, ValidationError
from weerbaar.reference.access import roles
from weerbaar.services import sign_off
from weerbaar.services.context import Context
from weerbaar.services.horizon import flag_alert
from weerbaar.services.infrastructure.runs import run_cascade
from weerbaar.services.infrastructure.scores import write_scores
from weerbaar.services.infrastructure.starts import Start
from weerbaar.services.records import (
    Create,
    create_record,
    delete_record,
    get_record,
    update_record,
    write_in,
    write_together,
)
from weerbaar.services.scoring import record_score
from weerbaar.services.transfer import export_register, import_register
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database

ROUND = "r-2019"


def person(db: Database, name: str, role: str = "coordinator", clearance: str = "stg-g") -> Context:
    """A signed-in user of NCTV, acting through the web."""
    subject = Subject(name, roles()[role], "nctv", clearance)
    return Context(db=db, actor=f"web:{name}@10.0.0.7", subject=subject)


def conclude(db: Database, *scenarios: str) -> None:
    chair = Context(db=db, actor="web:chair@10.0.0.9")
    with db.transaction(write=True) as connection:
        for scenario in scenarios:
            sign_off.set_state_in(
                chair, connection, round_key=ROUND, scenario=scenario, status="concluded"
            )


def trail_length(db: Database) -> int:
    with db.transaction() as connection:
        head = audit_log.head(connection)
        return 0 if head is None else head.seq


def status(db: Database, scenario: str) -> str:
    board = sign_off.status_board(db, None, ROUND)
    return next(r.status for r in board.rows if r.scenario.key == scenario)


@pytest.fixture
def scored(ctx: Context) -> Context:
    seed_scored_round(ctx)  # scored by "test:analyst"
    return ctx


def approve_both(db: Database) -> None:
    conclude(db, "lek-dike", "attack-station")
    for scenario in ("lek-dike", "attack-station"):
        sign_off.review(person(db, "ann", "analyst"), round_key=ROUND, scenario=scenario)
        sign_off.approve(person(db, "cor"), round_key=ROUND, scenario=scenario)


def test_the_full_state_flow(scored: Context, db: Database) -> None:
    board = sign_off.status_board(db, None, ROUND)
    assert [(r.scenario.key, r.status) for r in board.rows] == [
        ("attack-station", "draft"),
        ("lek-dike", "draft"),
    ]
    with pytest.raises(ValidationError, match="needs it concluded"):
        sign_off.review(person(db, "ann", "analyst"), round_key=ROUND, scenario="lek-dike")
    conclude(db, "lek-dike")
    assert status(db, "lek-dike") == "concluded"
    with pytest.raises(ValidationError, match="needs it reviewed"):
        sign_off.approve(person(db, "cor"), round_key=ROUND, scenario="lek-dike")
    sign_off.review(person(db, "ann", "analyst"), round_key=ROUND, scenario="lek-dike")
    assert status(db, "lek-dike") == "reviewed"
    sign_off.approve(person(db, "cor"), round_key=ROUND, scenario="lek-dike")
    board = sign_off.status_board(db, None, ROUND)
    row = next(r for r in board.rows if r.scenario.key == "lek-dike")
    assert (row.status, row.changed_by, str(row.waits_for)) == (
        "approved",
        "cor",
        "the round's approval",
    )
    with pytest.raises(ValidationError, match="not approved yet in round 'r-2019': 'attack-st"):
        sign_off.approve_round(person(db, "cor"), round_key=ROUND)
    conclude(db, "attack-station")
    sign_off.review(person(db, "ann", "analyst"), round_key=ROUND, scenario="attack-station")
    sign_off.approve(person(db, "cor"), round_key=ROUND, scenario="attack-station")
    sign_off.approve_round(person(db, "cor"), round_key=ROUND)
    board = sign_off.status_board(db, None, ROUND)
    assert board.locked and board.approved_by == "cor"
    with db.transaction() as connection:
        entries = list(audit_log.ascending(connection))
    acts = [(e.action, e.entity) for e in entries if e.entity in sign_off_entities()]
    assert acts[-1] == ("approve", "round_approvals")
    assert ("conclude", "assessment_states") in acts and ("review", "assessment_states") in acts


def sign_off_entities() -> set[str]:
    return {"assessment_states", "round_approvals"}


def test_roles_take_only_their_acts(scored: Context, db: Database) -> None:
    conclude(db, "lek-dike")
    with pytest.raises(ForbiddenError, match="may not review"):
        sign_off.review(person(db, "vic", "viewer"), round_key=ROUND, scenario="lek-dike")
    sign_off.review(person(db, "ann", "analyst"), round_key=ROUND, scenario="lek-dike")
    with pytest.raises(ForbiddenError, match="may not approve"):
        sign_off.approve(person(db, "ann2", "analyst"), round_key=ROUND, scenario="lek-dike")
    with pytest.raises(ForbiddenError, match="may not reopen"):
        sign_off.reopen(person(db, "ann", "analyst"), round_key=ROUND, reason="typo")


@pytest.mark.parametrize(
    "writer_actor", ["web:carol@10.0.0.1", "api:carol@192.0.2.4", "cli:carol", "carol"]
)
def test_four_eyes_whoever_set_a_score_cannot_approve_it(
    scored: Context, db: Database, writer_actor: str
) -> None:
    writer = Context(db=db, actor=writer_actor)
    record_score(writer, scenario="lek-dike", criterion="2.1", value="D", round_key=ROUND)
    conclude(db, "lek-dike")
    sign_off.review(person(db, "ann", "analyst"), round_key=ROUND, scenario="lek-dike")
    before = trail_length(db)
    with pytest.raises(ForbiddenError, match="four eyes") as refused:
        sign_off.approve(person(db, "carol"), round_key=ROUND, scenario="lek-dike")
    assert "'lek-dike'" in str(refused.value) and "'r-2019'" in str(refused.value)
    assert trail_length(db) == before
    assert status(db, "lek-dike") == "reviewed"
    with db.transaction() as connection:
        assert "carol" in sign_off.setters_of(connection, round_key=ROUND, scenario="lek-dike")
    # The chair who concluded it may not approve it either; someone else may.
    with pytest.raises(ForbiddenError, match="four eyes"):
        sign_off.approve(person(db, "chair"), round_key=ROUND, scenario="lek-dike")
    sign_off.approve(person(db, "dave"), round_key=ROUND, scenario="lek-dike")


def test_four_eyes_over_a_whole_round(scored: Context, db: Database) -> None:
    approve_both(db)
    # The scores of the small round were written by "test:analyst".
    with pytest.raises(ForbiddenError, match="four eyes"):
        sign_off.approve_round(Context(db=db, actor="test:analyst"), round_key=ROUND)
    sign_off.approve_round(person(db, "cor"), round_key=ROUND)


def test_an_approved_scenario_refuses_every_score_write(scored: Context, db: Database) -> None:
    conclude(db, "lek-dike")
    sign_off.review(person(db, "ann", "analyst"), round_key=ROUND, scenario="lek-dike")
    sign_off.approve(person(db, "cor"), round_key=ROUND, scenario="lek-dike")
    before = trail_length(db)
    key = f"{ROUND}/lek-dike/2.1"
    with pytest.raises(LockedError, match="scenario 'lek-dike' is approved in round 'r-2019'"):
        update_record(scored, entity_name="impact_scores", key=key, changes={"quantity": 5})
    with pytest.raises(LockedError, match="r-2019"):
        record_score(scored, scenario="lek-dike", criterion="likelihood", value="B")
    with pytest.raises(LockedError, match="r-2019"):
        delete_record(scored, entity_name="impact_scores", key=key)
    with pytest.raises(LockedError, match="r-2019"):
        write_together(
            scored,
            [
                Create(
                    "impact_scores",
                    {"round": ROUND, "scenario": "lek-dike", "criterion": "1.1", "expected": "A"},
                )
            ],
        )
    assert trail_length(db) == before
    # The other scenario is still open.
    record_score(scored, scenario="attack-station", criterion="2.1", value="C", round_key=ROUND)
    # Reads stay open.
    assert get_record(db, entity_name="impact_scores", key=key).record.quantity == 400


def test_an_approved_round_is_locked_on_every_path(
    scored: Context, db: Database, tmp_path: Path
) -> None:
    approve_both(db)
    sign_off.approve_round(person(db, "cor"), round_key=ROUND)
    with pytest.raises(LockedError, match="round 'r-2019' is approved and locked"):
        update_record(scored, entity_name="rounds", key=ROUND, changes={"name": "GRA 2019 bis"})
    with pytest.raises(LockedError, match="r-2019"):
        delete_record(scored, entity_name="rounds", key=ROUND)
    # The cascade's "store as scores".
    for raw in PROCESSES:
        create_record(scored, entity_name="vital_processes", raw=raw)
    for raw in DEPENDENCIES:
        create_record(scored, entity_name="dependencies", raw=raw)
    report = run_cascade(db, [Start("grid", 48.0)])
    with pytest.raises(LockedError, match="r-2019"):
        write_scores(scored, report, scenario="lek-dike", round_key=ROUND)
    # A signal alert flagged for the round.
    with db.transaction(write=True) as connection:
        write_in(
            scored,
            connection,
            [
                Create(
                    "alerts",
                    {
                        "key": "alert-1",
                        "kind": "growing",
                        "title": "More floods",
                        "theme": "floods",
                        "since": "2019-01-01",
                        "detected_on": "2019-02-01",
                        "status": "open",
                        "scenarios": ["lek-dike"],
                    },
                )
            ],
        )
    with pytest.raises(LockedError, match="r-2019"):
        flag_alert(scored, "alert-1", round_key=ROUND)
    flag_alert(scored, "alert-1", round_key=None, dismiss=True)  # dismissing is no change to it
    # An import with one changed score: nothing imported, the row's issue names the round.
    exported = export_register(db)
    for score in exported["impact_scores"]:
        if score["key"] == f"{ROUND}/lek-dike/2.1":
            score["quantity"] = 450
    exported["organisations"][0]["name"] = "Changed too"
    path = tmp_path / "register.json"
    path.write_text(json.dumps(exported), "utf-8")
    before = trail_length(db)
    with pytest.raises(ValidationError, match="nothing imported") as refused:
        import_register(scored, doc=formats.read(path))
    (issue,) = refused.value.issues
    assert "round 'r-2019' is approved and locked" in issue.reason
    assert trail_length(db) == before
    assert get_record(db, entity_name="impact_scores", key=f"{ROUND}/lek-dike/2.1").record.quantity
    assert (
        get_record(
            db, entity_name="organisations", key=exported["organisations"][0]["key"]
        ).record.name
        != "Changed too"
    )
    # An unchanged re-import writes nothing and is not refused.
    unchanged = tmp_path / "same.json"
    unchanged.write_text(json.dumps(export_register(db)), "utf-8")
    assert import_register(scored, doc=formats.read(unchanged)).written == 0


def test_reopening_without_a_reason_writes_nothing(scored: Context, db: Database) -> None:
    approve_both(db)
    sign_off.approve_round(person(db, "cor"), round_key=ROUND)
    before = trail_length(db)
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="reason is required"):
            sign_off.reopen(person(db, "cor"), round_key=ROUND, reason=reason)
        with pytest.raises(ValidationError, match="reason is required"):
            sign_off.reopen(person(db, "cor"), round_key=ROUND, scenario="lek-dike", reason=reason)
    assert trail_length(db) == before
    assert sign_off.status_board(db, None, ROUND).locked


def test_reopening_with_a_reason_is_audited_and_makes_it_editable(
    scored: Context, db: Database
) -> None:
    approve_both(db)
    sign_off.approve_round(person(db, "cor"), round_key=ROUND)
    sign_off.reopen(person(db, "cor"), round_key=ROUND, reason="new flood data")
    board = sign_off.status_board(db, None, ROUND)
    assert not board.locked
    # Its scenarios stay approved, each locked, until reopened one by one.
    assert {r.status for r in board.rows} == {"approved"}
    update_record(scored, entity_name="rounds", key=ROUND, changes={"name": "GRA 2019 (rev.)"})
    with pytest.raises(LockedError, match="scenario 'lek-dike'"):
        record_score(scored, scenario="lek-dike", criterion="2.1", value="E", round_key=ROUND)
    sign_off.approve_round(person(db, "cor"), round_key=ROUND)  # approved again
    sign_off.reopen(
        person(db, "cor"), round_key=ROUND, scenario="lek-dike", reason="dike data revised"
    )
    board = sign_off.status_board(db, None, ROUND)
    assert not board.locked  # a reopened scenario unlocks its round
    row = next(r for r in board.rows if r.scenario.key == "lek-dike")
    assert (row.status, row.reason) == ("draft", "dike data revised")
    saved, _ = record_score(
        scored, scenario="lek-dike", criterion="2.1", value="E", round_key=ROUND
    )
    assert saved.record.expected is not None
    with db.transaction() as connection:
        entries = [e for e in audit_log.ascending(connection) if e.action == "reopen"]
    assert [(e.entity, e.note) for e in entries] == [
        ("round_approvals", "new flood data"),
        ("round_approvals", "dike data revised"),
        ("assessment_states", "dike data revised"),
    ]
    assert all(e.actor == "web:cor@10.0.0.7" for e in entries)


def test_reopening_what_is_not_approved_is_refused(scored: Context, db: Database) -> None:
    with pytest.raises(ValidationError, match="nothing to reopen"):
        sign_off.reopen(person(db, "cor"), round_key=ROUND, reason="why not")
    with pytest.raises(ValidationError, match="nothing to reopen"):
        sign_off.reopen(person(db, "cor"), round_key=ROUND, scenario="lek-dike", reason="x")


def test_a_locked_round_refuses_session_states(scored: Context, db: Database) -> None:
    approve_both(db)
    with db.transaction() as connection:
        assert sign_off.lock_refusal_in(connection, round_key=ROUND) is None
        refusal = sign_off.lock_refusal_in(connection, round_key=ROUND, scenario="lek-dike")
        assert refusal is not None and "r-2019" in refusal
    with pytest.raises(LockedError):
        conclude(db, "lek-dike")


def test_the_board_shows_only_what_the_reader_may_see(scored: Context, db: Database) -> None:
    update_record(
        scored,
        entity_name="scenarios",
        key="attack-station",
        changes={"classification": "stg-c", "owned_by": "nctv"},
    )
    conclude(db, "attack-station", "lek-dike")
    low = Subject("low", roles()["analyst"], "nctv", "dep-v")
    board = sign_off.status_board(db, low, ROUND)
    assert [r.scenario.key for r in board.rows] == ["lek-dike"]
    with pytest.raises(NotFoundError) as hidden:
        sign_off.review(
            Context(db=db, actor="web:low@x", subject=low),
            round_key=ROUND,
            scenario="attack-station",
        )
    with pytest.raises(NotFoundError) as missing:
        sign_off.review(
            Context(db=db, actor="web:low@x", subject=low), round_key=ROUND, scenario="nope"
        )
    assert str(hidden.value).replace("attack-station", "K") == str(missing.value).replace(
        "nope", "K"
    )
    # A round the reader may not see answers as one that does not exist.
    update_record(
        scored,
        entity_name="rounds",
        key=ROUND,
        changes={"classification": "stg-c", "owned_by": "nctv"},
    )
    with pytest.raises(NotFoundError, match="no round with key 'r-2019'"):
        sign_off.status_board(db, low, ROUND)
    with pytest.raises(NotFoundError, match="no round with key 'r-2020'"):
        sign_off.status_board(db, low, "r-2020")


def test_who_an_actor_is() -> None:
    assert sign_off.person_of("web:alice@10.0.0.1") == "alice"
    assert sign_off.person_of("api:alice@2001:db8::1") == "alice"
    assert sign_off.person_of("cli:alice") == "alice"
    assert sign_off.person_of("alice") == "alice"
    assert sign_off.person_of("test:setup") == "test:setup"


def test_states_keep_when_they_changed(scored: Context, db: Database) -> None:
    moment = dt.datetime(2026, 12, 8, 9, 30, tzinfo=dt.UTC)
    chair = Context(db=db, actor="web:chair@x", clock=lambda: moment)
    with db.transaction(write=True) as connection:
        sign_off.set_state_in(
            chair, connection, round_key=ROUND, scenario="lek-dike", status="in_session"
        )
    row = next(
        r for r in sign_off.status_board(db, None, ROUND).rows if r.scenario.key == "lek-dike"
    )
    assert (row.status, row.changed_at, row.changed_by) == ("in_session", moment, "chair")
