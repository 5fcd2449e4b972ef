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

import numpy as np
from numpy.typing import NDArray

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
from weerbaar.domain.tier_counterfactuals import Counterfactual, counterfactuals
from weerbaar.domain.tiering import (
    Proposal,
    RuleError,
    RuleSet,
    ThemeEvidence,
    ThreatLevel,
    TierChange,
    dry_run,
    inlined,
    parse_rule_set,
    propose_all,
)
from weerbaar.errors import Issue, NotFoundError, ValidationError, message_of, named, said
from weerbaar.reference.alerting import level_scales, threat_level_names
from weerbaar.reference.capabilities import capability_scale
from weerbaar.reference.tiering import default_tier_rules
from weerbaar.services.assessment import RiskDraws, risk_draws
from weerbaar.services.context import Context
from weerbaar.services.horizon import theme_trends
from weerbaar.services.kept import Kept, sight_key
from weerbaar.services.records import Create, Versioned, write_together
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

DRAWS = 1000
"""Monte Carlo draws of the risk a proposal is weighed over, by default."""
MAX_DRAWS = 20_000
"""The most draws a proposal is weighed over: its counterfactuals weigh every rule a few
hundred times, so more would keep a page or a request waiting for many seconds."""
SEED = 2019
"""The default seed, so that the same register gives the same proposal every time."""


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
    counterfactuals: Mapping[str, tuple[Counterfactual, ...]]  # per theme: what flips it
    draws: int
    seed: int

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
    """A cycle's rule records as a rule set. A record whose conditions are a list
    separated by ';' is of the older form and joins them by its ``match``."""
    default = default_tier_rules()
    data = {
        "key": cycle,
        "name": f"Tier rules of cycle {cycle}",
        "source": f"tier_rules records of cycle {cycle}",
        "default_tier": str(default.default_tier),
        "rules": [_rule_data(r) for r in sorted(rules, key=lambda r: (r.position, r.name))],
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


def _rule_data(rule: TierRule) -> dict[str, object]:
    data: dict[str, object] = {
        "key": rule.name,
        "tier": str(rule.tier),
        "question": rule.question,
        "reason": rule.reason,
    }
    parts = [c.strip() for c in rule.conditions.split(";") if c.strip()]
    if len(parts) > 1:
        data["when"] = parts
        data["match"] = str(rule.match or "all")
    else:
        data["when"] = rule.conditions
    return data


def rules_as_records(cycle: str, rule_set: RuleSet) -> list[dict[str, object]]:
    """A rule set as ``tier_rules`` rows of a cycle, to copy and edit: the named
    conditions written out, since a record carries no definitions."""
    return [
        {
            "cycle": cycle,
            "name": rule.key,
            "position": position * 10,
            "tier": rule.tier.value,
            "question": rule.question,
            "conditions": inlined(rule.when),
            "reason": rule.reason,
        }
        for position, rule in enumerate(rule_set.rules, start=1)
    ]


def default_rules_as_records(cycle: str) -> list[dict[str, object]]:
    """The default rule set as ``tier_rules`` rows of a cycle."""
    return rules_as_records(cycle, default_tier_rules())


def give_cycle_rules(ctx: Context, cycle: str, rule_set: RuleSet) -> list[Versioned]:
    """Make ``rule_set`` the cycle's own rules, all in one write or none: refused when
    the cycle already has rules (delete them first, so that nothing is replaced
    unseen). The rule set was checked when it was read; each record is checked again
    on the way in, and audited."""
    if cycle_rules(ctx.db, cycle, subject=ctx.subject) is not None:
        raise ValidationError(
            [
                Issue(
                    "cycle",
                    "tier_rules",
                    said("cycle %(key)s already has its own rules", key=repr(cycle)),
                )
            ],
            summary=said("nothing written"),
        )
    return write_together(
        ctx, [Create("tier_rules", row) for row in rules_as_records(cycle, rule_set)]
    )


def propose_tiers(
    db: Database,
    *,
    cycle: str | None = None,
    rule_set: RuleSet | None = None,
    today: dt.date | None = None,
    subject: Subject | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
    round_key: str | None = None,
    explain: bool = True,
) -> TierReport:
    """Proposals for every visible theme in ``cycle`` (default: the newest cycle), by
    ``rule_set`` if given (a dry run of edited rules), else the cycle's own rules;
    the risk weighed over ``draws`` Monte Carlo draws of the assessment (``seed``) of
    the cycle's newest round, or of ``round_key``. ``explain=False`` leaves out the
    counterfactuals, for callers that only need the tiers."""
    today = today or dt.date.today()
    if rule_set is not None:  # a dry run of rules from outside the register
        return _propose(db, cycle, rule_set, today, subject, draws, seed, round_key, explain)
    key = sight_key(db, subject, cycle, today, draws, seed, round_key, explain)
    return _kept.get(
        key, lambda: _propose(db, cycle, None, today, subject, draws, seed, round_key, explain)
    )


# The dashboard asks for the proposals on every view; they change only with the
# register (and the day).
_kept: Kept[TierReport] = Kept(32)


def _propose(
    db: Database,
    cycle: str | None,
    rule_set: RuleSet | None,
    today: dt.date,
    subject: Subject | None,
    draws: int,
    seed: int,
    round_key: str | None,
    explain: bool,
) -> TierReport:
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        cycle_record = _cycle(repo, seen, cycle)
        data = _Register.read(repo, seen)
        own_rules = [r for r in data.tier_rules if r.cycle == cycle_record.key]
    if round_key is not None:
        current_round: Round | None = next((r for r in data.rounds if r.key == round_key), None)
        if current_round is None:
            raise NotFoundError("round", round_key)
    else:
        rounds = sorted(
            (r for r in data.rounds if r.cycle == cycle_record.key),
            key=lambda r: (r.held_on, r.key),
        )
        current_round = rounds[-1] if rounds else None
    earlier = [r for r in data.rounds if current_round and r.held_on < current_round.held_on]
    previous_round = max(earlier, key=lambda r: (r.held_on, r.key)) if earlier else None
    from_cycle = rule_set is None and bool(own_rules)
    if rule_set is None:
        rule_set = rules_as_set(cycle_record.key, own_rules) if own_rules else default_tier_rules()
    current = _drawn(db, current_round, subject, draws, seed)
    previous = _drawn(db, previous_round, subject, draws, seed)
    growing = _growing(db, subject)
    evidence = tuple(
        _evidence(theme, data, current, previous, growing, today)
        for theme in sorted(data.themes, key=lambda t: t.key)
    )
    decisions: dict[str, Decision] = {}
    for decision in sorted(data.decisions, key=lambda d: (d.decided_on, d.key)):
        if decision.cycle == cycle_record.key:
            decisions[decision.theme] = decision
    levels = threat_level_names()
    return TierReport(
        cycle=cycle_record,
        rule_set=rule_set,
        rules_from_cycle=from_cycle,
        round=current_round,
        previous_round=previous_round,
        evidence=evidence,
        proposals=propose_all(rule_set, evidence, levels),
        themes={t.key: t for t in data.themes},
        decisions=decisions,
        review=_review(data, decisions),
        counterfactuals=(
            {e.theme: counterfactuals(rule_set, e, levels) for e in evidence} if explain else {}
        ),
        draws=draws,
        seed=seed,
    )


@dataclass(frozen=True, slots=True)
class RoundProposals:
    """What the rules proposed on one round's assessment."""

    round: Round
    proposals: Mapping[str, Proposal]  # by theme


def proposal_history(
    db: Database,
    report: TierReport,
    *,
    today: dt.date | None = None,
    subject: Subject | None = None,
) -> tuple[RoundProposals, ...]:
    """How the proposals moved: ``report``'s rules and draws weighed on every visible
    round up to the one it weighed, oldest first (that one is taken from ``report``)."""
    if report.round is None:
        return ()
    newest = report.round
    with db.transaction() as connection:
        seen = visibility(connection, subject)
        rounds = seen.filter("rounds", Repository(connection).fetch("rounds"))
    out = []
    for each in sorted(rounds, key=lambda r: (r.held_on, r.key)):
        if (each.held_on, each.key) > (newest.held_on, newest.key):
            continue
        weighed = report
        if each.key != newest.key:
            weighed = propose_tiers(
                db,
                cycle=report.cycle.key,
                rule_set=report.rule_set,
                today=today,
                subject=subject,
                draws=report.draws,
                seed=report.seed,
                round_key=each.key,
                explain=False,
            )
        out.append(RoundProposals(each, {p.theme: p for p in weighed.proposals}))
    return tuple(out)


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


def _drawn(
    db: Database, round_: Round | None, subject: Subject | None, draws: int, seed: int
) -> RiskDraws | None:
    if round_ is None:
        return None
    return risk_draws(db, round_key=round_.key, draws=draws, seed=seed, subject=subject)


_LOG10_3 = math.log10(3.0)
F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _ThemeRisk:
    impact: F64  # per draw, the highest impact class position of its scenarios
    likelihood: F64
    diagonal: F64  # the highest impact + likelihood position
    log_risk: F64  # log10 of the highest risk (impact value × relative probability)


def _theme_risk(drawn: RiskDraws | None, scenarios: set[str]) -> _ThemeRisk | None:
    if drawn is None:
        return None
    columns = [i for i, key in enumerate(drawn.scenarios) if key in scenarios]
    if not columns:
        return None
    impact = drawn.impact_class[:, columns]
    likelihood = drawn.likelihood_class[:, columns]
    # An impact of 0 (all criteria X) is no risk at all: minus infinity on a log axis.
    with np.errstate(invalid="ignore"):
        log_risk = np.where(impact > 0, (impact - 1.0) * _LOG10_3 + (likelihood - 1.0), -np.inf)
    return _ThemeRisk(
        impact=impact.max(axis=1),
        likelihood=likelihood.max(axis=1),
        diagonal=(impact + likelihood).max(axis=1),
        log_risk=log_risk.max(axis=1),
    )


def _trend(now: _ThemeRisk | None, before: _ThemeRisk | None) -> F64 | None:
    if now is None or before is None:
        return None
    if not (np.isfinite(now.log_risk).all() and np.isfinite(before.log_risk).all()):
        return None
    trend: F64 = now.log_risk - before.log_risk
    return trend


def _growing(db: Database, subject: Subject | None) -> set[str]:
    """The themes whose signals horizon scanning finds growing (the CUSUM detection
    that raises its alerts), over what ``subject`` may see."""
    return {t.theme for t in theme_trends(db, subject=subject) if t.growth is not None}


def _evidence(
    theme: Theme,
    data: _Register,
    current: RiskDraws | None,
    previous: RiskDraws | None,
    growing: set[str],
    today: dt.date,
) -> ThemeEvidence:
    scenarios = {s.key for s in data.scenarios if s.theme == theme.key}
    now, before = _theme_risk(current, scenarios), _theme_risk(previous, scenarios)
    gaps = summarise(
        analyse(
            (n for n in data.needs if n.scenario in scenarios),
            data.capabilities,
            data.measures,
            capability_scale(),
        )
    )
    measures = theme_measures(theme, scenarios, data.measures)
    running = [m for m in measures if not stalled(m, today)]
    organisations = {m.owner for m in measures} | {p for m in measures for p in m.partners}
    level = _threat_level(theme, data.pictures)
    return ThemeEvidence(
        theme=theme.key,
        impact_class=now.impact if now else None,
        likelihood_class=now.likelihood if now else None,
        risk_class=now.diagonal if now else None,
        risk_trend=_trend(now, before),
        threat_level=level[0] if level else None,
        threat_level_raised=level[1] if level else None,
        capability_gap=gaps.share,
        largest_gap=gaps.largest if gaps.needs else None,
        gaps_open=gaps.open if gaps.needs else None,
        measures=len(measures),
        measures_stalled=(
            sum(1 for m in measures if stalled(m, today)) / len(measures) if measures else None
        ),
        chain_links=len({m.phase for m in running if m.phase is not None}),
        lead=1 if theme.lead else 0,
        partners=len(organisations - {theme.lead}),
        signals_growing=1 if theme.key in growing else 0,
        scenarios=len(scenarios),
    )


def _threat_level(
    theme: Theme, pictures: Sequence[ThreatPicture]
) -> tuple[ThreatLevel, int] | None:
    """The theme's newest threat level, and how many steps its picture raised it."""
    own = [p for p in pictures if p.theme == theme.key]
    if not own:
        return None
    newest = max(own, key=lambda p: (picture_time(p.issued_on, p.effective_at), p.key))
    scale = level_scales().get(newest.system)
    found = next((lv for lv in scale.levels if lv.rank == newest.level), None) if scale else None
    name = named(found.name, found.name_en) if found else str(newest.level)
    raised = newest.level - newest.previous_level if newest.previous_level is not None else 0
    return ThreatLevel(system=newest.system, level=newest.level, name_en=name), raised
