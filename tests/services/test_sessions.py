"""Expert sessions through the services: independent scoring under the blind rule,
disagreement, a second scoring round, the conclusion and its provenance, guests, and
bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.helpers import seed_scored_round
from weerbaar.domain.sessions import SessionStatus
from weerbaar.errors import (
    ForbiddenError,
    NotFoundError,
    StepError,
    ValidationError,
)
from weerbaar.services import sessions
from weerbaar.services.accounts import add_user, get_user
from weerbaar.services.context import Context
from weerbaar.services.records import get_record, list_records
from weerbaar.storage.tables import audit_entries, expert_scores, notifications

PASSWORD = "a long enough passphrase"
DAY = dt.date(2026, 12, 10)


def _accounts(ctx: Context) -> None:
    for username, role in [
        ("chair", "analyst"),
        ("ann", "analyst"),
        ("bob", "viewer"),
        ("guest", "expert"),
        ("boss", "coordinator"),
    ]:
        add_user(
            ctx,
            username=username,
            password=PASSWORD,
            role=role,
            organisation="nctv",
            clearance="dep-v",
        )


def _as(ctx: Context, username: str) -> Context:
    return Context(db=ctx.db, actor=username, subject=get_user(ctx.db, username).subject())


@pytest.fixture
def planned(ctx: Context) -> Context:
    seed_scored_round(ctx)
    _accounts(ctx)
    chair = _as(ctx, "chair")
    sessions.create_session(
        chair,
        key="s-floods",
        round_key="r-2019",
        title="Overstromingen",
        held_on=DAY,
        scenarios=["lek-dike"],
    )
    for username in ("ann", "bob", "guest"):
        sessions.add_participant(
            chair, session="s-floods", username=username, email=f"{username}@example.org"
        )
    return chair


def _audit_count(ctx: Context) -> int:
    with ctx.db.transaction() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_entries)).scalar_one())


def test_invitations_go_to_the_outbox_in_each_experts_language(planned: Context) -> None:
    with planned.db.transaction() as connection:
        rows = connection.execute(select(notifications).order_by(notifications.c.target)).all()
    assert [r.target for r in rows] == ["ann@example.org", "bob@example.org", "guest@example.org"]
    assert all(r.kind == "email" and r.status == "pending" for r in rows)
    assert all("s-floods" in r.subject and "s-floods" in r.text for r in rows)
    # Nothing of the scenarios leaves the system in an invitation.
    assert not any("Lek" in r.text or "lek-dike" in r.text for r in rows)
    assert rows[0].language == "nl" and "Uitnodiging" in rows[0].subject


def test_blind_scoring_disagreement_second_round_and_conclusion(planned: Context) -> None:
    ctx = planned
    sessions.advance(ctx, session="s-floods", to=SessionStatus.SCORING)
    ann, bob, guest = (_as(ctx, u) for u in ("ann", "bob", "guest"))
    sessions.score(ann, session="s-floods", scenario="lek-dike", criterion="2.1", value="A")
    sessions.score(
        bob,
        session="s-floods",
        scenario="lek-dike",
        criterion="2.1",
        value="C",
        low="B",
        high="D",
        confidence="high",
        rationale="Dike ring 16 holds 700,000 people.",
    )
    sessions.score(guest, session="s-floods", scenario="lek-dike", criterion="2.1", value="400")
    sessions.score(ann, session="s-floods", scenario="lek-dike", criterion="kans", value="C")
    # Before submitting, an expert sees only their own scores.
    seen = sessions.scores_of(ctx.db, subject=ann.subject, session="s-floods")
    assert {s.username for s in seen} == {"ann"}
    assert {
        c.criterion for c in sessions.disagreement(ctx.db, subject=ann.subject, session="s-floods")
    } == {"2.1", "likelihood"}
    assert all(
        len(c.scores) == 1
        for c in sessions.disagreement(ctx.db, subject=ann.subject, session="s-floods")
    )
    # The chair watches them arrive.
    live = sessions.disagreement(ctx.db, subject=ctx.subject, session="s-floods")
    dike = next(c for c in live if c.criterion == "2.1")
    assert len(dike.scores) == 3
    assert dike.spread is not None and dike.spread.classes == 2 and dike.spread.flagged
    # A, C and 400 deaths (Chigh): the median is C, the hull runs from A to Chigh.
    assert dike.proposal is not None and str(dike.proposal.expected) == "C"
    assert (str(dike.lowest), str(dike.highest)) == ("A", "D")
    # Someone outside the session sees nothing of the scores until it is concluded.
    boss = _as(ctx, "boss")
    assert sessions.scores_of(ctx.db, subject=boss.subject, session="s-floods") == []
    sessions.submit(ann, session="s-floods")
    assert {
        s.username for s in sessions.scores_of(ctx.db, subject=ann.subject, session="s-floods")
    } == {"ann", "bob", "guest"}
    with pytest.raises(StepError, match="final"):
        sessions.score(ann, session="s-floods", scenario="lek-dike", criterion="2.1", value="B")
    # Bob has not submitted: still blind.
    assert {
        s.username for s in sessions.scores_of(ctx.db, subject=bob.subject, session="s-floods")
    } == {"bob"}
    sessions.advance(ctx, session="s-floods", to=SessionStatus.DISCUSSION)
    second = sessions.advance(ctx, session="s-floods", to=SessionStatus.SCORING)
    assert second.scoring_round == 2 and not any(p.submitted for p in second.participants)
    # Round 1 was discussed in the open; round 2 is blind again.
    assert (
        len(sessions.scores_of(ctx.db, subject=bob.subject, session="s-floods", scoring_round=1))
        == 4
    )
    sessions.score(ann, session="s-floods", scenario="lek-dike", criterion="2.1", value="B")
    sessions.score(
        bob, session="s-floods", scenario="lek-dike", criterion="2.1", value="C", low="B", high="D"
    )
    sessions.score(guest, session="s-floods", scenario="lek-dike", criterion="2.1", value="C")
    sessions.score(
        bob,
        session="s-floods",
        scenario="lek-dike",
        criterion="likelihood",
        value="0.02",
        low="0.01",
        high="0.05",
    )
    assert {
        s.username for s in sessions.scores_of(ctx.db, subject=guest.subject, session="s-floods")
    } == {"guest"}
    sessions.advance(ctx, session="s-floods", to=SessionStatus.DISCUSSION)
    done = sessions.conclude(
        ctx,
        session="s-floods",
        rationale="The experts converged on C after the discussion of evacuation.",
        outcomes={("lek-dike", "L"): sessions.Outcome(value="C", low="B", high="C")},
    )
    assert done.status is SessionStatus.CONCLUDED and done.concluded_by == "chair"
    score = get_record(ctx.db, entity_name="impact_scores", key="r-2019/lek-dike/2.1").record
    assert (score.expected, score.lowest, score.highest) == ("C", "B", "D")
    assert score.note.startswith("Expert session s-floods (3 experts, 1 class apart)")
    likelihood = get_record(ctx.db, entity_name="likelihood_scores", key="r-2019/lek-dike").record
    assert (likelihood.expected, likelihood.lowest, likelihood.highest) == ("C", "B", "C")
    # Once concluded, the analysts' network reads every score.
    assert len(sessions.scores_of(ctx.db, subject=boss.subject, session="s-floods")) == 4
    with ctx.db.transaction() as connection:
        pools = sessions.expert_distributions(connection, "r-2019")
    assert [w for w, _ in pools[("lek-dike", "2.1")]] == [1.0, 1.0, 1.0]
    # A second conclusion is refused, and writes nothing.
    before = _audit_count(ctx)
    with pytest.raises(StepError, match="concluded"):
        sessions.conclude(ctx, session="s-floods", rationale="again")
    assert _audit_count(ctx) == before


def test_bad_input_is_refused_and_nothing_written(planned: Context) -> None:
    ctx = planned
    sessions.advance(ctx, session="s-floods", to=SessionStatus.SCORING)
    ann = _as(ctx, "ann")
    before = _audit_count(ctx)
    with pytest.raises(ValidationError, match="criterion"):
        sessions.score(ann, session="s-floods", scenario="lek-dike", criterion="9.9", value="C")
    with pytest.raises(ValidationError, match="bad class"):
        sessions.score(
            ann, session="s-floods", scenario="lek-dike", criterion="2.1", value="C", low="Q"
        )
    with pytest.raises(ValidationError, match="not one of session"):
        sessions.score(
            ann, session="s-floods", scenario="attack-station", criterion="2.1", value="C"
        )
    with pytest.raises(ForbiddenError, match="takes no part"):
        sessions.score(
            _as(ctx, "boss"), session="s-floods", scenario="lek-dike", criterion="2.1", value="C"
        )
    with pytest.raises(ForbiddenError, match="for themselves"):
        sessions.score(
            ann, session="s-floods", scenario="lek-dike", criterion="2.1", value="C", expert="bob"
        )
    with pytest.raises(ValidationError, match="at least one"):
        sessions.submit(ann, session="s-floods")
    with pytest.raises(StepError, match="goes from"):
        sessions.advance(ctx, session="s-floods", to=SessionStatus.PLANNED)
    with pytest.raises(ValidationError, match="reasoning"):
        sessions.conclude(ctx, session="s-floods", rationale="  ")
    with pytest.raises(ForbiddenError, match="chair"):
        sessions.advance(ann, session="s-floods", to=SessionStatus.DISCUSSION)
    with pytest.raises(ValidationError, match="chair watches"):
        sessions.add_participant(ctx, session="s-floods", username="chair")
    assert _audit_count(ctx) == before
    with ctx.db.transaction() as connection:
        assert connection.execute(select(func.count()).select_from(expert_scores)).scalar_one() == 0


def test_a_guest_sees_only_their_sessions_scenarios(planned: Context) -> None:
    guest = _as(planned, "guest")
    assert [
        s.key for s in list_records(planned.db, entity_name="scenarios", subject=guest.subject)
    ] == ["lek-dike"]
    assert list_records(planned.db, entity_name="impact_scores", subject=guest.subject) == []
    assert [s.key for s in sessions.list_sessions(planned.db, subject=guest.subject)] == [
        "s-floods"
    ]
    with pytest.raises(NotFoundError):
        get_record(planned.db, entity_name="scenarios", key="attack-station", subject=guest.subject)


def test_a_session_outside_the_readers_need_to_know_reads_as_missing(planned: Context) -> None:
    add_user(
        Context(db=planned.db, actor="admin"),
        username="outsider",
        password=PASSWORD,
        role="analyst",
        organisation="min-jenv",
        clearance="public",
    )
    from weerbaar.services.records import update_record

    update_record(
        Context(db=planned.db, actor="admin"),
        entity_name="scenarios",
        key="lek-dike",
        changes={"classification": "dep-v", "owned_by": "nctv"},
    )
    outsider = get_user(planned.db, "outsider").subject()
    assert sessions.list_sessions(planned.db, subject=outsider) == []
    for key in ("s-floods", "s-none"):
        with pytest.raises(NotFoundError, match="no session"):
            sessions.get_session(planned.db, subject=outsider, key=key)


def _concluded(ctx: Context) -> None:
    sessions.advance(ctx, session="s-floods", to=SessionStatus.SCORING)
    for username, value in (("ann", "A"), ("bob", "C"), ("guest", "Chigh")):
        expert = _as(ctx, username)
        sessions.score(
            expert,
            session="s-floods",
            scenario="lek-dike",
            criterion="2.1",
            value=value,
            rationale=f"{username}'s own reasoning",
        )
        sessions.submit(expert, session="s-floods")
    sessions.advance(ctx, session="s-floods", to=SessionStatus.DISCUSSION)


def test_minutes_say_the_spread_and_the_outcome_but_no_experts_score(planned: Context) -> None:
    from weerbaar import i18n
    from weerbaar.reports.minutes import minutes_html, minutes_markdown

    _concluded(planned)
    boss = _as(planned, "boss")
    # Not concluded: a draft for the chair alone.
    assert sessions.minutes(planned.db, subject=planned.subject, session="s-floods").draft
    with pytest.raises(NotFoundError):
        sessions.minutes(planned.db, subject=boss.subject, session="s-floods")
    sessions.conclude(planned, session="s-floods", rationale="Evacuation <limits> the toll.")
    made = sessions.minutes(planned.db, subject=boss.subject, session="s-floods")
    assert not made.draft
    with i18n.speaking("en"):
        text = minutes_markdown(made)
        page = minutes_html(made)
    assert (
        "| 2.1 " in text
        and "| 3 | A – Chigh | 2 classes ⚑ | C (A – Chigh) (proposal taken) |" in text
    )
    assert "ann's own reasoning" not in text and "ann's own reasoning" not in page
    assert "Evacuation &lt;limits&gt; the toll." in page and "<limits>" not in page
    with i18n.speaking("nl"):
        dutch = minutes_markdown(made)
    assert "Verslag van expertsessie s-floods" in dutch and "2 klassen" in dutch


def test_the_pooled_monte_carlo_draws_from_the_concluded_experts(planned: Context) -> None:
    from weerbaar.services.assessment import assess_round

    _concluded(planned)
    sessions.conclude(planned, session="s-floods", rationale="The median, as proposed.")
    plain = assess_round(planned.db, round_key="r-2019", draws=20_000, seed=11)
    pooled = assess_round(planned.db, round_key="r-2019", draws=20_000, seed=11, pooled=True)
    again = assess_round(planned.db, round_key="r-2019", draws=20_000, seed=11, pooled=True)
    assert pooled.pooled == (("lek-dike", "2.1"),)
    one, other = plain.result("lek-dike"), pooled.result("lek-dike")
    assert one is not None and other is not None and one.band and other.band
    # The same point, a band as wide as the experts' disagreement: A to Chigh.
    assert one.impact == other.impact
    assert other.band.impact[0] < one.band.impact[0]
    assert again.result("lek-dike") == other


def test_sessions_set_the_scenarios_steps_and_respect_the_lock(planned: Context) -> None:
    from weerbaar.errors import LockedError
    from weerbaar.services import sign_off

    _concluded(planned)
    sessions.conclude(planned, session="s-floods", rationale="The median, as proposed.")
    with planned.db.transaction() as connection:
        setters = sign_off.setters_of(connection, round_key="r-2019", scenario="lek-dike")
    assert {"chair", "ann", "bob", "guest"} <= setters and "boss" not in setters
    board = sign_off.status_board(planned.db, None, "r-2019")
    assert {r.scenario.key: r.status for r in board.rows}["lek-dike"] == "concluded"
    boss = _as(planned, "boss")
    sign_off.review(boss, round_key="r-2019", scenario="lek-dike")
    sign_off.approve(boss, round_key="r-2019", scenario="lek-dike")
    before = _audit_count(planned)
    with pytest.raises(LockedError, match="r-2019"):
        sessions.create_session(
            planned,
            key="s-again",
            round_key="r-2019",
            title="Again",
            held_on=DAY,
            scenarios=["lek-dike"],
        )
    assert _audit_count(planned) == before


def test_a_score_typed_in_after_the_conclusion_loses_the_sessions_provenance(
    planned: Context,
) -> None:
    from weerbaar.services.scoring import record_score

    _concluded(planned)
    sessions.conclude(planned, session="s-floods", rationale="The median, as proposed.")
    key = "r-2019/lek-dike/2.1"
    assert get_record(planned.db, entity_name="impact_scores", key=key).record.note
    record_score(planned, scenario="lek-dike", criterion="2.1", value="D", round_key="r-2019")
    assert get_record(planned.db, entity_name="impact_scores", key=key).record.note is None
