"""Tier proposals from the register's evidence, by the cycle's rules.

Gathers, per theme and as far as the reader may see, the evidence the rules weigh
(:class:`weerbaar.domain.tiering.ThemeEvidence`): where its scenarios rank in the
newest round of the cycle, how that moved since the round before, the newest threat
picture, the capability gaps and how its measures fare. Then applies the cycle's
rules (``tier_rules`` records) or, for a cycle without any, the shipped default set.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from weerbaar.domain.access import Subject
from weerbaar.domain.alerting import LevelScale, picture_time
from weerbaar.domain.capabilities import analyse, summarise
from weerbaar.domain.entities.levels import LevelState, ThreatPicture
from weerbaar.domain.entities.strategy import (
    Capability,
    CapabilityNeed,
    Cycle,
    Decision,
    Measure,
    Round,
    Scenario,
    Theme,
    TierRule,
)
from weerbaar.domain.portfolio import stalled, theme_measures
from weerbaar.domain.tiering import (
    Proposal,
    RuleError,
    RuleSet,
    ThemeEvidence,
    ThreatLevel,
    TierChange,
    dry_run,
    parse_rule_set,
    propose_all,
)
from weerbaar.errors import Issue, NotFoundError, ValidationError, message_of, named, said
from weerbaar.reference.alerting import level_scales, threat_level_names
from weerbaar.reference.capabilities import capability_scale
from weerbaar.reference.tiering import default_tier_rules
from weerbaar.services.assessment import RoundAssessment, assess_round
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class TierReport:
    cycle: Cycle
    rule_set: RuleSet
    rules_from_cycle: bool  # False: the default set, or rules given for a dry run
    round: Round | None  # the round whose assessment was weighed
    previous_round: Round | None
    evidence: tuple[ThemeEvidence, ...]
    proposals: tuple[Proposal, ...]
    themes: Mapping[str, Theme]
    decisions: Mapping[str, Decision]  # the newest decision per theme in the cycle
    # Per theme, why its tier is up for review: threat levels raised since its newest
    # decision. The rules still propose; a raised level asks people to look again.
    review: Mapping[str, tuple[str, ...]]

    def proposal(self, theme: str) -> Proposal | None:
        return next((p for p in self.proposals if p.theme == theme), None)

    def changes(self) -> tuple[TierChange, ...]:
        """Themes whose current tier the rules would change."""
        current = {key: theme.tier for key, theme in self.themes.items()}
        return dry_run(self.rule_set, self.evidence, threat_level_names(), current)


def cycle_rules(db: Database, cycle: str, *, subject: Subject | None = None) -> RuleSet | None:
    """The cycle's own rule set, or None when it has no rules (the default applies)."""
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        rules = seen.filter("tier_rules", repo.fetch("tier_rules", where={"cycle": cycle}))
    return rules_as_set(cycle, rules) if rules else None


def rules_as_set(cycle: str, rules: Sequence[TierRule]) -> RuleSet:
    default = default_tier_rules()
    data = {
        "key": cycle,
        "name": f"Tier rules of cycle {cycle}",
        "source": f"tier_rules records of cycle {cycle}",
        "default_tier": str(default.default_tier),
        "rules": [
            {
                "key": r.name,
                "tier": str(r.tier),
                "question": r.question,
                "match": str(r.match),
                "when": [c.strip() for c in r.conditions.split(";") if c.strip()],
                "reason": r.reason,
            }
            for r in sorted(rules, key=lambda r: (r.position, r.name))
        ],
    }
    try:
        return parse_rule_set(data)
    except RuleError as exc:  # stored rules checked by an older version of weerbaar
        raise ValidationError(
            [
                Issue(
                    said("tier rules of cycle %(cycle)s", cycle=cycle),
                    "conditions",
                    message_of(exc),
                )
            ],
            summary=said("the tier rules of cycle %(cycle)s cannot be applied", cycle=repr(cycle)),
        ) from exc


def default_rules_as_records(cycle: str) -> list[dict[str, object]]:
    """The default rule set as ``tier_rules`` rows of a cycle, to copy and edit."""
    return [
        {
            "cycle": cycle,
            "name": rule.key,
            "position": position * 10,
            "tier": rule.tier.value,
            "question": rule.question,
            "match": rule.match,
            "conditions": "; ".join(c.text for c in rule.conditions),
            "reason": rule.reason,
        }
        for position, rule in enumerate(default_tier_rules().rules, start=1)
    ]


def propose_tiers(
    db: Database,
    *,
    cycle: str | None = None,
    rule_set: RuleSet | None = None,
    today: dt.date | None = None,
    subject: Subject | None = None,
) -> TierReport:
    """Proposals for every visible theme in ``cycle`` (default: the newest cycle), by
    ``rule_set`` if given (a dry run of edited rules), else the cycle's own rules."""
    today = today or dt.date.today()
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        cycle_record = _cycle(repo, seen, cycle)
        data = _Register.read(repo, seen)
        own_rules = [r for r in data.tier_rules if r.cycle == cycle_record.key]
    rounds = sorted(
        (r for r in data.rounds if r.cycle == cycle_record.key), key=lambda r: (r.held_on, r.key)
    )
    current_round = rounds[-1] if rounds else None
    earlier = [r for r in data.rounds if current_round and r.held_on < current_round.held_on]
    previous_round = max(earlier, key=lambda r: (r.held_on, r.key)) if earlier else None
    current = _assessed(db, current_round, subject)
    previous = _assessed(db, previous_round, subject)
    from_cycle = rule_set is None and bool(own_rules)
    if rule_set is None:
        rule_set = rules_as_set(cycle_record.key, own_rules) if own_rules else default_tier_rules()
    evidence = tuple(
        _evidence(theme, data, current, previous, today)
        for theme in sorted(data.themes, key=lambda t: t.key)
    )
    decisions: dict[str, Decision] = {}
    for decision in sorted(data.decisions, key=lambda d: (d.decided_on, d.key)):
        if decision.cycle == cycle_record.key:
            decisions[decision.theme] = decision
    return TierReport(
        cycle=cycle_record,
        rule_set=rule_set,
        rules_from_cycle=from_cycle,
        round=current_round,
        previous_round=previous_round,
        evidence=evidence,
        proposals=propose_all(rule_set, evidence, threat_level_names()),
        themes={t.key: t for t in data.themes},
        decisions=decisions,
        review=_review(data, decisions),
    )


def _review(data: _Register, decisions: Mapping[str, Decision]) -> dict[str, tuple[str, ...]]:
    pictures = {p.key: p for p in data.pictures}
    scales = level_scales()
    out: dict[str, list[str]] = {}
    for state in data.states:
        picture = pictures.get(state.picture) if state.picture else None
        if state.theme is None or picture is None or state.scale not in scales:
            continue
        before = picture.previous_level
        if before is None or picture.level <= before:
            continue
        decided = decisions.get(state.theme)
        if decided is not None and state.since.date() <= decided.decided_on:
            continue
        scale = scales[state.scale]
        where = " / ".join(p for p in (state.sector, state.region, state.site) if p)
        raised = {
            "scale": named(scale.name, scale.name_en),
            "where": where or said("national"),
            "before": _named_level(scale, before),
            "after": _named_level(scale, picture.level),
            "on": state.since.date().isoformat(),
        }
        out.setdefault(state.theme, []).append(
            said(
                "%(scale)s (%(where)s) raised from %(before)s to %(after)s on %(on)s, "
                "after the decision of %(decided)s",
                decided=decided.decided_on.isoformat(),
                **raised,
            )
            if decided
            else said(
                "%(scale)s (%(where)s) raised from %(before)s to %(after)s on %(on)s", **raised
            )
        )
    return {theme: tuple(reasons) for theme, reasons in out.items()}


def _named_level(scale: LevelScale, rank: int) -> str:
    level = scale.level(rank)
    return named(level.name, level.name_en)


def _cycle(repo: Repository, seen: Visibility, key: str | None) -> Cycle:
    if key:
        seen.require("cycles", key)
        return cast(Cycle, repo.require("cycles", key))
    cycles: list[Cycle] = seen.filter("cycles", repo.fetch("cycles"))
    if not cycles:
        raise NotFoundError("cycle", "(any: add a strategy cycle first)")
    return max(cycles, key=lambda c: (c.starts_on, c.key))


@dataclass(frozen=True, slots=True)
class _Register:
    """What the evidence needs, already filtered to what the reader may see."""

    themes: list[Theme]
    scenarios: list[Scenario]
    rounds: list[Round]
    measures: list[Measure]
    pictures: list[ThreatPicture]
    states: list[LevelState]
    needs: list[CapabilityNeed]
    capabilities: dict[str, Capability]
    decisions: list[Decision]
    tier_rules: list[TierRule]

    @classmethod
    def read(cls, repo: Repository, seen: Visibility) -> _Register:
        def visible(name: str) -> list[Any]:
            return seen.filter(name, repo.fetch(name))

        return cls(
            themes=visible("themes"),
            scenarios=visible("scenarios"),
            rounds=visible("rounds"),
            measures=visible("measures"),
            pictures=visible("threat_pictures"),
            states=visible("level_states"),
            needs=visible("capability_needs"),
            capabilities={c.key: c for c in visible("capabilities")},
            decisions=visible("decisions"),
            tier_rules=visible("tier_rules"),
        )


def _assessed(
    db: Database, round_: Round | None, subject: Subject | None
) -> RoundAssessment | None:
    if round_ is None:
        return None
    return assess_round(db, round_key=round_.key, subject=subject)


def _percentiles(assessment: RoundAssessment | None) -> dict[str, float]:
    """Each scenario's percentile rank by risk: 1.0 for the highest, 0.0 the lowest."""
    if assessment is None or not assessment.results:
        return {}
    n = len(assessment.results)
    if n == 1:
        return {assessment.results[0].scenario.key: 1.0}
    return {r.scenario.key: (n - r.rank) / (n - 1) for r in assessment.results}


def _top_risk(assessment: RoundAssessment | None, scenarios: set[str]) -> float | None:
    if assessment is None:
        return None
    risks = [r.risk for r in assessment.results if r.scenario.key in scenarios and r.risk > 0]
    return max(risks) if risks else None


def _evidence(
    theme: Theme,
    data: _Register,
    current: RoundAssessment | None,
    previous: RoundAssessment | None,
    today: dt.date,
) -> ThemeEvidence:
    scenarios = {s.key for s in data.scenarios if s.theme == theme.key}
    percentiles = _percentiles(current)
    ranked = [percentiles[s] for s in scenarios if s in percentiles]
    now, before = _top_risk(current, scenarios), _top_risk(previous, scenarios)
    gaps = summarise(
        analyse(
            (n for n in data.needs if n.scenario in scenarios),
            data.capabilities,
            data.measures,
            capability_scale(),
        )
    )
    measures = theme_measures(theme, scenarios, data.measures)
    return ThemeEvidence(
        theme=theme.key,
        risk_quantile=max(ranked) if ranked else None,
        risk_trend=math.log10(now / before) if now and before else None,
        threat_level=_threat_level(theme, data.pictures),
        capability_gap=gaps.share,
        largest_gap=gaps.largest if gaps.needs else None,
        measures=len(measures),
        measures_stalled=(
            sum(1 for m in measures if stalled(m, today)) / len(measures) if measures else None
        ),
        scenarios=len(scenarios),
    )


def _threat_level(theme: Theme, pictures: Sequence[ThreatPicture]) -> ThreatLevel | None:
    own = [p for p in pictures if p.theme == theme.key]
    if not own:
        return None
    newest = max(own, key=lambda p: (picture_time(p.issued_on, p.effective_at), p.key))
    scale = level_scales().get(newest.system)
    found = next((lv for lv in scale.levels if lv.rank == newest.level), None) if scale else None
    name = named(found.name, found.name_en) if found else str(newest.level)
    return ThreatLevel(system=newest.system, level=newest.level, name_en=name)
