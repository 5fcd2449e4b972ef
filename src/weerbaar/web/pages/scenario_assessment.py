"""A scenario's assessment in the newest round, as its page shows it: each criterion's
class with the rule the method applied, the likelihood, the aggregated impact, the
ranks and the Monte Carlo band, and the form that records one score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from weerbaar import i18n
from weerbaar.domain.entities.strategy import Scenario
from weerbaar.errors import NotFoundError
from weerbaar.method.classes import describe_position
from weerbaar.method.resolve import Resolved
from weerbaar.services.assessment import RoundAssessment, assess_round
from weerbaar.services.capability_analysis import capability_analysis, gap_rows
from weerbaar.storage.db import Database
from weerbaar.web.auth import Caller, database
from weerbaar.web.pages.display import step_label
from weerbaar.web.pages.rounds import DRAWS, SEED

SCORE_FIELDS = (
    "criterion",
    "value",
    "low",
    "high",
    "duration",
    "duration_low",
    "duration_high",
    "note",
)
# What a score may carry beyond its value: durations for criteria read off a table.
SCORE_EXTRAS = ("duration", "duration_low", "duration_high", "note")
BLANK_SCORE = dict.fromkeys(SCORE_FIELDS, "")


@dataclass(frozen=True, slots=True)
class ScoreRow:
    code: str
    name: str
    expected: str
    span: str
    rule: str
    href: str


def _span(resolved: Resolved) -> str:
    if resolved.lowest == resolved.highest:
        return str(resolved.expected)
    return f"{resolved.lowest}–{resolved.highest}"


def _newest_assessment(db: Database, caller: Caller) -> RoundAssessment | None:
    try:
        return assess_round(db, draws=DRAWS, seed=SEED, subject=caller.subject)
    except NotFoundError:
        return None  # no round the caller may see


def capability_section(request: Request, caller: Caller, scenario: str) -> dict[str, Any]:
    """The scenario's capability analysis: per link of the security chain, what it
    needs, what exists, the gap and the measures closing it."""
    analysis = capability_analysis(database(request), scenario=scenario, subject=caller.subject)
    rows = gap_rows(analysis, analysis.of(scenario))
    for row in rows:
        row["capability_name"] = i18n.localised(analysis.capabilities[row["capability"]])
        row["needed_label"] = step_label(analysis.scale.levels, row["needed"])
        row["current_label"] = step_label(analysis.scale.levels, row["current"])
        row["measures"] = [
            (key, i18n.localised(analysis.measures[key], "title")) for key in row["closed_by"]
        ]
    return {
        "rows": rows,
        "summary": analysis.summary(scenario),
        "scale": [step_label(analysis.scale.levels, k) for k in analysis.scale.keys],
        "may_write": caller.subject.role.may_write("capability_needs"),
    }


def assessment_section(
    request: Request,
    caller: Caller,
    scenario: Scenario,
    *,
    form: dict[str, str] | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """What the scenario page shows of the assessment, and its score form."""
    found = _newest_assessment(database(request), caller)
    may_score = caller.subject.role.may_write("impact_scores") and caller.subject.role.may_write(
        "likelihood_scores"
    )
    section: dict[str, Any] = {
        "assessment": found,
        "may_score": may_score,
        "form": form or BLANK_SCORE,
        "problems": problems or [],
    }
    if found is None:
        return section
    result = found.result(scenario.key)
    names = {c.code: i18n.localised(c) for c in found.edition.criteria}
    section |= {
        "round": found.round,
        "criteria": [(c.code, f"{c.code} {i18n.localised(c)}") for c in found.edition.criteria],
        "official": found.scales.official,
        "scales": found.scales.key,
        "count": len(found.results),
        "result": result,
        "state": (
            "incomplete"
            if scenario.key in found.incomplete
            else "unscored"
            if result is None
            else "assessed"
        ),
    }
    if result is None:
        return section
    prefix = f"/impact_scores/{found.round.key}/{scenario.key}/"
    section |= {
        "scores": [
            ScoreRow(
                c.code,
                names.get(c.code, ""),
                str(c.resolved.expected),
                _span(c.resolved),
                i18n.translated(c.resolved.rule),
                prefix + c.code,
            )
            for c in result.criteria
        ],
        "likelihood": ScoreRow(
            i18n.gettext("Likelihood"),
            "",
            str(result.likelihood.expected),
            _span(result.likelihood),
            i18n.translated(result.likelihood.rule),
            f"/likelihood_scores/{found.round.key}/{scenario.key}",
        ),
        "impact_class": describe_position(result.impact_position),
    }
    return section
