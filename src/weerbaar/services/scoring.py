"""Recording one score from the command line or a form: a class or a number for a
scenario on a criterion (or its likelihood), created or updated, with the rule that
the method applied to it."""

from __future__ import annotations

from collections.abc import Mapping

from weerbaar.domain.classes import ClassScore, ClassSyntaxError
from weerbaar.domain.entities.scores import ImpactScore, LikelihoodScore
from weerbaar.errors import NotFoundError
from weerbaar.method.resolve import Resolved, resolve_impact, resolve_likelihood
from weerbaar.reference.method import editions, scales_for
from weerbaar.services.context import Context
from weerbaar.services.records import Versioned, create_record, get_record, update_record
from weerbaar.services.rounds import newest_round
from weerbaar.services.visibility import visibility
from weerbaar.storage.repository import Repository

LIKELIHOOD = ("l", "likelihood", "kans")


def _is_class(text: str) -> bool:
    try:
        ClassScore.parse(text)
    except ClassSyntaxError:
        return False
    return True


def record_score(
    ctx: Context,
    *,
    scenario: str,
    criterion: str,
    value: str,
    low: str | None = None,
    high: str | None = None,
    extra: Mapping[str, object] | None = None,
    round_key: str | None = None,
    expected_version: int | None = None,
) -> tuple[Versioned, Resolved]:
    """Create or update the score; ``value``, ``low`` and ``high`` are classes (C,
    Chigh) or numbers, ``extra`` more fields (duration, horizon_years, note)."""
    round_key = round_key or _newest_round(ctx)
    likelihood = criterion.strip().lower() in LIKELIHOOD
    entity_name = "likelihood_scores" if likelihood else "impact_scores"
    if _is_class(value):
        raw: dict[str, object] = {"expected": value, "lowest": low, "highest": high}
    else:
        name = "probability" if likelihood else "quantity"
        raw = {name: value, f"{name}_low": low, f"{name}_high": high}
    raw.update({"round": round_key, "scenario": scenario, **(extra or {})})
    if not likelihood:
        raw["criterion"] = criterion.strip()
    key = "/".join([round_key, scenario] + ([] if likelihood else [criterion.strip()]))
    try:
        get_record(ctx.db, entity_name=entity_name, key=key, subject=ctx.subject)
    except NotFoundError:
        saved = create_record(ctx, entity_name=entity_name, raw=raw)
    else:
        # An update replaces the whole score: fields not given are cleared, its note
        # too, which said why the score it replaces was given (an expert session's
        # provenance must not stay on a score typed in by hand afterwards).
        blank = {"expected": None, "lowest": None, "highest": None, "note": None}
        blank |= (
            {
                "probability": None,
                "probability_low": None,
                "probability_high": None,
                "horizon_years": None,
            }
            if likelihood
            else {
                "quantity": None,
                "quantity_low": None,
                "quantity_high": None,
                "duration": None,
                "duration_low": None,
                "duration_high": None,
            }
        )
        saved = update_record(
            ctx,
            entity_name=entity_name,
            key=key,
            changes={**blank, **raw},
            expected_version=expected_version,
        )
    return saved, explain(ctx, saved.record)


def explain(ctx: Context, score: ImpactScore | LikelihoodScore) -> Resolved:
    """The classes and rule of a stored score."""
    with ctx.db.transaction() as connection:
        repo = Repository(connection)
        round_ = repo.require("rounds", score.round)
        scenario = repo.require("scenarios", score.scenario)
    scales = scales_for(editions()[round_.edition])
    if isinstance(score, ImpactScore):
        return resolve_impact(score, scales.scale(score.criterion), scales.classes)
    return resolve_likelihood(
        score, scales.likelihood, scenario.horizon_years, scales.classes.high_from
    )


def _newest_round(ctx: Context) -> str:
    with ctx.db.transaction() as connection:
        return newest_round(Repository(connection), visibility(connection, ctx.subject)).key
