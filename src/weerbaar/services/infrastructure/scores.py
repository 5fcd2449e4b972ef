"""A run's impact written to a scenario as its impact scores in a round."""

from __future__ import annotations

from weerbaar.errors import Issue, ValidationError, said
from weerbaar.services.context import Context
from weerbaar.services.infrastructure.runs import CascadeReport
from weerbaar.services.records import Create, Update, Versioned, write_in
from weerbaar.services.visibility import visibility
from weerbaar.storage.repository import Repository

__all__ = ["describe", "write_scores"]


def describe(report: CascadeReport) -> str:
    """One line saying where a score came from, for the score's note."""
    starts = "; ".join(f"{s.process} down {s.hours:g} h from hour {s.at:g}" for s in report.starts)
    spread = (
        f"; {report.members} Monte Carlo members, seed {report.seed}, range P5–P95"
        if report.members
        else ""
    )
    return (
        f"From a cascade run: {starts}; {len(report.affected)} processes affected, "
        f"{report.taken_down} taken down by the cascade; min strength "
        f"{report.min_strength:g}{spread}."
    )


def write_scores(
    ctx: Context,
    report: CascadeReport,
    *,
    scenario: str,
    round_key: str,
) -> list[Versioned]:
    """Store the run's impact on each of its criteria as the scenario's scores in the
    round (created or replaced, each audited); the note says where they came from."""
    with ctx.db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, ctx.subject)
        seen.require("rounds", round_key)
        seen.require("scenarios", scenario)
        edition = repo.require("rounds", round_key).edition
    if edition != report.edition:
        raise ValidationError(
            [
                Issue(
                    "round",
                    "",
                    said(
                        "round %(round)s uses edition %(edition)s, the run was classified "
                        "with %(classified)s: run it again for this round",
                        round=repr(round_key),
                        edition=edition,
                        classified=report.edition,
                    ),
                )
            ]
        )
    note = describe(report)
    writes: list[Create | Update] = []
    with ctx.db.transaction(write=True) as connection:
        repo = Repository(connection)
        for impact in report.impacts:
            # The whole score is replaced: a class or range set by hand before goes.
            fields: dict[str, object] = {
                "expected": None,
                "lowest": None,
                "highest": None,
                "quantity": impact.quantity,
                "quantity_low": impact.quantity_low,
                "quantity_high": impact.quantity_high,
                "duration": impact.days,
                "duration_low": impact.days_low,
                "duration_high": impact.days_high,
                "note": note,
            }
            key = f"{round_key}/{scenario}/{impact.code}"
            if repo.version("impact_scores", key) is None:
                raw = {"round": round_key, "scenario": scenario, "criterion": impact.code}
                writes.append(Create("impact_scores", raw | fields))
            else:
                writes.append(Update("impact_scores", key, fields))
        return write_in(ctx, connection, writes)
