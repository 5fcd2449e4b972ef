"""What the national risk profile of a round says, read through one edition's reader.

Everything is read as :attr:`Edition.reader` sees it, before anything is counted,
ranked or drawn, so nothing of a record above the edition's level, or outside the
reader's organisations, can reach a sentence, a table, a count or a figure. The
contents are built in the report's language (:func:`weerbaar.i18n.speaking`): every
text here is ready to print, and the templates only lay it out.

:attr:`Profile.marking` is the highest classification of the records it holds, which
every page of a classified copy carries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Organisation, Round, Scenario, Theme
from weerbaar.domain.enums import AlertStatus, Phase
from weerbaar.domain.sessions import LIKELIHOOD, SessionStatus
from weerbaar.errors import NotFoundError
from weerbaar.i18n import gettext as _
from weerbaar.i18n import localised
from weerbaar.i18n.vocabulary import value_label
from weerbaar.method.resolve import Resolved
from weerbaar.reference.access import classification_levels
from weerbaar.reference.method import profiles
from weerbaar.services.assessment import RoundAssessment, ScenarioResult, assess_round
from weerbaar.services.capability_analysis import capability_analysis
from weerbaar.services.risk_profile.edition import Edition
from weerbaar.services.sensitivity import weight_sensitivity_report
from weerbaar.services.sessions import list_sessions, minutes
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

__all__ = [
    "CriterionLine",
    "MethodSection",
    "Movement",
    "Profile",
    "RiskLine",
    "ScenarioSheet",
    "SessionLine",
    "ThemeSection",
    "build_profile",
]

# Draws for the uncertainty bands, and their seed: a report is made again bit for bit.
BAND_DRAWS = 2000
BAND_SEED = 20_240_101
SENSITIVITY_SAMPLES = 256
TOP = 10  # scenarios named in the summary


@dataclass(frozen=True, slots=True)
class RiskLine:
    """One scenario's place in the diagram."""

    key: str
    title: str
    theme: str
    rank: int
    impact: str  # the impact class reached, e.g. "D"
    likelihood: str
    band: str  # "impact 0.30–0.90, likelihood 2.1–3.4", or "" without a band
    risk: float


@dataclass(frozen=True, slots=True)
class Movement:
    key: str
    title: str
    was: int | None  # rank in the previous round; None: new
    now: int
    why: str  # the criteria whose class changed, and the notes of their scores


@dataclass(frozen=True, slots=True)
class CriterionLine:
    code: str
    name: str
    value: str  # the expected class
    low: str
    high: str
    rule: str
    weight: str


@dataclass(frozen=True, slots=True)
class SessionLine:
    key: str
    title: str
    held_on: str
    organisations: tuple[str, ...]  # "Ministry X (2)"
    spreads: tuple[tuple[str, str], ...]  # (criterion, "2 classes ⚑")


@dataclass(frozen=True, slots=True)
class ScenarioSheet:
    key: str
    title: str
    theme: str
    kind: str
    narrative: str
    actors: tuple[str, ...]
    rank: int
    criteria: tuple[CriterionLine, ...]
    likelihood: CriterionLine
    band: str
    sessions: tuple[SessionLine, ...]


@dataclass(frozen=True, slots=True)
class ThemeSection:
    key: str
    name: str
    tier: str
    lead: str
    decision: str  # "Strengthened approach, decided on … by …"
    rationale: str
    scenarios: tuple[RiskLine, ...]
    measures: tuple[tuple[str, str, str], ...]  # (title, status, owner and partners)
    gaps: tuple[tuple[str, int, int], ...]  # (link of the chain, open gaps, closed)
    levels: tuple[str, ...]  # the levels in force: "ATB, drinking water: 3 since …"
    level_history: tuple[str, ...]  # pictures issued in the period
    alerts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MethodSection:
    edition: str
    source: str
    interests: tuple[tuple[str, tuple[str, ...]], ...]  # interest, its criteria
    classes: tuple[tuple[str, str, str], ...]  # letter, impact label, likelihood label
    thresholds: str  # official, or calibrated and not official, with its notice
    likelihood: str
    weights: str
    uncertainty: str


@dataclass(frozen=True, slots=True)
class Profile:
    language: str
    round_key: str
    round_name: str
    cycle_name: str
    previous_round: str | None
    level: str  # the edition's level key
    level_name: str
    marking: str  # the highest level it contains, key
    marking_name: str
    public: bool
    made_on: dt.date
    top: tuple[RiskLine, ...]
    movements: tuple[Movement, ...]
    unscored: tuple[tuple[str, str], ...]  # key, title: seen, but not scored in the round
    method: MethodSection
    themes: tuple[ThemeSection, ...]
    sheets: tuple[ScenarioSheet, ...]
    scores: tuple[tuple[str, str, tuple[str, ...]], ...]  # scenario key, title, classes
    score_columns: tuple[str, ...]
    weight_profiles: tuple[tuple[str, str, str], ...]  # name, description, per interest
    influences: tuple[tuple[str, str, str], ...]  # criterion, weight, total-order index
    rank_spreads: tuple[tuple[str, int, str], ...]  # scenario, rank, "P5–P95"
    organisations: tuple[tuple[str, str], ...]  # name, abbreviation
    keys: frozenset[str] = field(default_factory=frozenset)  # scenarios, for checks
    since: dt.date = dt.date.min  # the cycle's start: the period levels and signals cover
    # The rounds as assessed for the edition's reader, for the figures to draw.
    assessed: RoundAssessment | None = field(default=None, repr=False, compare=False)
    earlier: RoundAssessment | None = field(default=None, repr=False, compare=False)


class _Markings:
    """The classifications of the records the report holds, for its marking."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def add(self, records: Iterable[Any]) -> None:
        self.seen.update(r.classification for r in records)

    def highest(self, floor: str) -> str:
        levels = classification_levels()
        known = [c for c in self.seen if c in levels] + [floor]
        return max(known, key=levels.rank)


def build_profile(
    db: Database, edition: Edition, *, round_key: str, today: dt.date | None = None
) -> Profile:
    """The contents of the round's profile in this edition, in the current language."""
    reader = edition.reader
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, reader)
        if reader.organisation and repo.get("organisations", reader.organisation) is None:
            raise NotFoundError("organisation", reader.organisation)
        seen.require("rounds", round_key)
        round_: Round = repo.require("rounds", round_key)
        register = _Register.read(repo, seen)
    current = assess_round(
        db, round_key=round_key, draws=BAND_DRAWS, seed=BAND_SEED, subject=reader
    )
    previous = _previous_round(register.rounds, round_)
    earlier = assess_round(db, round_key=previous.key, subject=reader) if previous else None
    marks = _Markings()
    marks.add([round_])
    results = current.results
    marks.add(r.scenario for r in results)
    marks.add(register.themes.values())
    lines = {r.scenario.key: _risk_line(r, register.themes) for r in results}
    sheets = tuple(_sheet(r, current, register, lines[r.scenario.key]) for r in results)
    marks.add(a for r in results for a in register.actors_of(r.scenario))
    sessions = _sessions(db, reader, round_key)
    sheets = tuple(_with_sessions(s, [x for x in sessions if s.key in x[1]]) for s in sheets)
    themes = _themes(db, reader, register, current, lines, marks, round_)
    levels = classification_levels()
    marking = marks.highest(levels.keys[0])
    cycle = register.cycles.get(round_.cycle)
    sensitivity = (
        weight_sensitivity_report(
            db, round_key=round_key, samples=SENSITIVITY_SAMPLES, seed=BAND_SEED, subject=reader
        )
        if len(results) >= 2
        else None
    )
    codes = tuple(current.weights.weights)
    return Profile(
        language=i18n.language(),
        round_key=round_.key,
        round_name=localised(round_),
        cycle_name=localised(cycle) if cycle else round_.cycle,
        previous_round=localised(previous) if previous else None,
        level=edition.level,
        level_name=_level_name(edition.level),
        marking=marking,
        marking_name=_level_name(marking),
        public=edition.public,
        made_on=today or dt.date.today(),
        top=tuple(lines[r.scenario.key] for r in results[:TOP]),
        movements=_movements(current, earlier),
        unscored=tuple(
            (key, localised(register.scenarios[key], "title"))
            for key in current.unscored + current.incomplete
            if key in register.scenarios
        ),
        method=_method(current),
        themes=themes,
        sheets=sheets,
        scores=tuple(
            (
                r.scenario.key,
                localised(r.scenario, "title"),
                (*tuple(_class_of(r, code) for code in codes), str(r.likelihood.expected)),
            )
            for r in results
        ),
        score_columns=(*codes, _("Likelihood")),
        weight_profiles=_weight_profiles(current),
        influences=tuple(
            (
                _criterion_name(current, w.criterion),
                i18n.format_number(w.weight, 3),
                i18n.format_number(w.total_order, 2),
            )
            for w in (sensitivity.influences if sensitivity else ())
        ),
        rank_spreads=tuple(
            (
                lines[s.scenario].title if s.scenario in lines else s.scenario,
                s.rank,
                f"{i18n.format_number(s.p5, 0)}–{i18n.format_number(s.p95, 0)}",
            )
            for s in (sensitivity.ranks if sensitivity else ())
        ),
        organisations=tuple(
            (localised(o), o.abbreviation or "")
            for o in sorted(register.organisations.values(), key=lambda o: localised(o))
            if o.key in register.taking_part
        ),
        keys=frozenset(lines),
        since=cycle.starts_on if cycle else dt.date.min,
        assessed=current,
        earlier=earlier,
    )


# -- the register as the reader sees it ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Register:
    rounds: Mapping[str, Round]
    cycles: Mapping[str, Any]
    themes: Mapping[str, Theme]
    organisations: Mapping[str, Organisation]
    actors: Mapping[str, Any]
    decisions: Sequence[Any]
    measures: Sequence[Any]
    level_states: Sequence[Any]
    pictures: Sequence[Any]
    alerts: Sequence[Any]
    scenarios: Mapping[str, Scenario]

    @classmethod
    def read(cls, repo: Repository, seen: Visibility) -> _Register:
        def visible(name: str) -> list[Any]:
            return seen.filter(name, repo.fetch(name))

        return cls(
            rounds={r.key: r for r in visible("rounds")},
            cycles={c.key: c for c in visible("cycles")},
            themes={t.key: t for t in visible("themes")},
            organisations={o.key: o for o in visible("organisations")},
            actors={a.key: a for a in visible("actors")},
            decisions=visible("decisions"),
            measures=visible("measures"),
            level_states=visible("level_states"),
            pictures=visible("threat_pictures"),
            alerts=visible("alerts"),
            scenarios={s.key: s for s in visible("scenarios")},
        )

    def actors_of(self, scenario: Scenario) -> list[Any]:
        return [self.actors[a] for a in scenario.actors if a in self.actors]

    @property
    def taking_part(self) -> set[str]:
        """The organisations that lead, own or take part in what the report shows."""
        out: set[str] = set()
        for t in self.themes.values():
            out.update([t.lead] if t.lead else [])
        for m in self.measures:
            out.add(m.owner)
            out.update(m.partners)
        for d in self.decisions:
            out.update([d.lead] if d.lead else [])
            out.update(d.involved)
        return out


def _level_name(key: str) -> str:
    level = next(x for x in classification_levels().levels if x.key == key)
    return localised(level)


def _previous_round(rounds: Mapping[str, Round], round_: Round) -> Round | None:
    before = [r for r in rounds.values() if (r.held_on, r.key) < (round_.held_on, round_.key)]
    return max(before, key=lambda r: (r.held_on, r.key)) if before else None


# -- lines and sheets --------------------------------------------------------------------


def _span(values: tuple[float, float, float], digits: int) -> str:
    return f"{i18n.format_number(values[0], digits)}–{i18n.format_number(values[2], digits)}"


def _band(result: ScenarioResult) -> str:
    if result.band is None:
        return ""
    return _(
        "impact %(impact)s, likelihood %(likelihood)s (P5–P95)",
        impact=_span(result.band.impact, 2),
        likelihood=_span(result.band.likelihood, 1),
    )


def _impact_class(result: ScenarioResult) -> str:
    worst = max((c.resolved.expected for c in result.criteria), default=None, key=_order)
    return str(worst) if worst is not None else "–"


def _order(score: Any) -> tuple[int, bool]:
    return (score.index, score.high)


def _risk_line(result: ScenarioResult, themes: Mapping[str, Theme]) -> RiskLine:
    theme = themes.get(result.scenario.theme)
    return RiskLine(
        key=result.scenario.key,
        title=localised(result.scenario, "title"),
        theme=localised(theme) if theme else "",
        rank=result.rank,
        impact=_impact_class(result),
        likelihood=str(result.likelihood.expected),
        band=_band(result),
        risk=result.risk,
    )


def _criterion_name(assessment: RoundAssessment, code: str) -> str:
    criterion = assessment.edition.criterion(code)
    return f"{code} {localised(criterion)}" if criterion else code


def _line(code: str, name: str, resolved: Resolved, weight: str) -> CriterionLine:
    return CriterionLine(
        code=code,
        name=name,
        value=str(resolved.expected),
        low=str(resolved.lowest),
        high=str(resolved.highest),
        rule=i18n.translated(resolved.rule),
        weight=weight,
    )


def _class_of(result: ScenarioResult, code: str) -> str:
    found = next((c for c in result.criteria if c.code == code), None)
    return str(found.resolved.expected) if found else "–"


def _sheet(
    result: ScenarioResult,
    assessment: RoundAssessment,
    register: _Register,
    line: RiskLine,
) -> ScenarioSheet:
    s = result.scenario
    weights = assessment.weights.weights
    return ScenarioSheet(
        key=s.key,
        title=line.title,
        theme=line.theme,
        kind=value_label(s.kind),
        narrative=localised(s, "narrative"),
        actors=tuple(localised(a) for a in register.actors_of(s)),
        rank=result.rank,
        criteria=tuple(
            _line(
                c.code,
                _criterion_name(assessment, c.code),
                c.resolved,
                i18n.format_number(weights.get(c.code, 0.0), 3),
            )
            for c in result.criteria
        ),
        likelihood=_line(LIKELIHOOD, _("Likelihood"), result.likelihood, ""),
        band=line.band,
        sessions=(),
    )


def _sessions(
    db: Database, reader: Subject, round_key: str
) -> list[tuple[SessionLine, frozenset[str]]]:
    """The round's concluded sessions the reader sees, each with its scenarios."""
    out = []
    for view in list_sessions(db, subject=reader, round_key=round_key):
        if view.status is not SessionStatus.CONCLUDED:
            continue
        m = minutes(db, subject=reader, session=view.key)
        by_org = Counter(
            (p.organisation_en if i18n.language() == "en" and p.organisation_en else None)
            or p.organisation
            for p in m.participants
        )
        spreads = tuple(
            (
                _("Likelihood") if row.code == LIKELIHOOD else row.code,
                _spread_text(row.spread, row.flagged),
            )
            for part in m.scenarios
            for row in part.criteria
            if row.spread is not None
        )
        line = SessionLine(
            key=view.key,
            title=localised(view, "title"),
            held_on=i18n.format_date(view.held_on, "long"),
            organisations=tuple(f"{org} ({n})" for org, n in sorted(by_org.items())),
            spreads=spreads,
        )
        out.append((line, frozenset(view.scenarios)))
    return out


def _spread_text(spread: int, flagged: bool) -> str:
    text = i18n.ngettext("%(count)s class", "%(count)s classes", spread, count=spread)
    return f"{text} ⚑" if flagged else text


def _with_sessions(
    sheet: ScenarioSheet, sessions: Sequence[tuple[SessionLine, frozenset[str]]]
) -> ScenarioSheet:
    if not sessions:
        return sheet
    return replace(sheet, sessions=tuple(line for line, _scenarios in sessions))


# -- what moved --------------------------------------------------------------------------


def _movements(current: RoundAssessment, earlier: RoundAssessment | None) -> tuple[Movement, ...]:
    if earlier is None:
        return ()
    before = {r.scenario.key: r for r in earlier.results}
    out = []
    for r in current.results:
        old = before.get(r.scenario.key)
        if old is not None and old.rank == r.rank and _classes(old) == _classes(r):
            continue
        out.append(
            Movement(
                key=r.scenario.key,
                title=localised(r.scenario, "title"),
                was=old.rank if old else None,
                now=r.rank,
                why=_why(old, r),
            )
        )
    return tuple(out)


def _classes(result: ScenarioResult) -> dict[str, str]:
    out = {c.code: str(c.resolved.expected) for c in result.criteria}
    out[LIKELIHOOD] = str(result.likelihood.expected)
    return out


def _why(old: ScenarioResult | None, new: ScenarioResult) -> str:
    if old is None:
        return _("new in this round")
    was, now = _classes(old), _classes(new)
    changed = [
        f"{_('likelihood') if code == LIKELIHOOD else code} {was.get(code, '–')} → {value}"
        for code, value in now.items()
        if was.get(code) != value
    ]
    if not changed:
        return _("other scenarios moved")
    return "; ".join(changed)


# -- the method --------------------------------------------------------------------------


def _method(assessment: RoundAssessment) -> MethodSection:
    edition, scales = assessment.edition, assessment.scales
    language = i18n.language()
    classes = tuple(
        (
            letter,
            scales.classes.impact_labels.get(letter, {}).get(language, ""),
            scales.classes.likelihood_labels.get(letter, {}).get(language, ""),
        )
        for letter in scales.classes.values
    )
    thresholds = (
        _("The class thresholds (%(scales)s) are the official ones.", scales=scales.name)
        if scales.official
        else _(
            "The class thresholds (%(scales)s) are calibrated, not official: %(notice)s",
            scales=scales.name,
            notice=scales.notice.strip(),
        )
    )
    return MethodSection(
        edition=edition.name,
        source=edition.source.strip(),
        interests=tuple(
            (
                f"{i.code} {localised(i)}",
                tuple(
                    f"{c.code} {localised(c)}"
                    for c in edition.criteria
                    if c.interest_code == i.code
                ),
            )
            for i in edition.interests
        ),
        classes=classes,
        thresholds=thresholds,
        likelihood=_(
            "Likelihood is scored in classes A to E over a horizon of %(years)s years: "
            "for a hazard from its probability, for a threat from the actors' intent and "
            "capability. Each class up is ten times as likely.",
            years=i18n.format_number(scales.likelihood.horizon_years, 0),
        ),
        weights=_(
            "The impact criteria are weighted by the profile %(weights)s; the risk is "
            "the weighted impact times the relative likelihood.",
            weights=localised(assessment.weights),
        ),
        uncertainty=_(
            "Every score may carry a range (lowest and highest class). The bands are the "
            "5th to 95th percentiles of %(draws)s Monte Carlo draws over those ranges "
            "(seed %(seed)s); where an expert session set a score, the experts' ranges "
            "are kept with it.",
            draws=i18n.format_number(assessment.draws or BAND_DRAWS),
            seed=assessment.seed if assessment.seed is not None else BAND_SEED,
        ),
    )


def _weight_profiles(assessment: RoundAssessment) -> tuple[tuple[str, str, str], ...]:
    out = []
    for profile in profiles().values():
        per = (
            ", ".join(
                f"{code} {i18n.format_number(w, 2)}"
                for code, w in sorted(profile.per_interest.items())
            )
            if profile.per_interest
            else _("equal per criterion")
        )
        out.append((localised(profile), localised(profile, "description"), per))
    return tuple(out)


# -- per theme ---------------------------------------------------------------------------


def _themes(
    db: Database,
    reader: Subject,
    register: _Register,
    current: RoundAssessment,
    lines: Mapping[str, RiskLine],
    marks: _Markings,
    round_: Round,
) -> tuple[ThemeSection, ...]:
    gaps = capability_analysis(db, subject=reader).gaps
    scenario_theme = {r.scenario.key: r.scenario.theme for r in current.results}
    cycle = register.cycles.get(round_.cycle)
    since = cycle.starts_on if cycle else dt.date.min
    out = []
    for theme in sorted(register.themes.values(), key=lambda t: (t.tier.value, localised(t))):
        decisions = sorted(
            (d for d in register.decisions if d.theme == theme.key),
            key=lambda d: (d.decided_on, d.key),
        )
        decision = decisions[-1] if decisions else None
        measures = [m for m in register.measures if m.theme == theme.key]
        states = [s for s in register.level_states if s.theme == theme.key]
        pictures = [p for p in register.pictures if p.theme == theme.key and p.issued_on >= since]
        alerts = [
            a for a in register.alerts if a.theme == theme.key and a.status is AlertStatus.FLAGGED
        ]
        marks.add([theme, *([decision] if decision else []), *measures, *states])
        marks.add([*pictures, *alerts])
        own = [lines[k] for k, t in scenario_theme.items() if t == theme.key]
        phase_gaps = Counter(
            (g.phase, g.open) for g in gaps if scenario_theme.get(g.scenario) == theme.key
        )
        out.append(
            ThemeSection(
                key=theme.key,
                name=localised(theme),
                tier=value_label(theme.tier),
                lead=_org(register, theme.lead),
                decision=(
                    _(
                        "%(tier)s, decided on %(day)s by %(who)s",
                        tier=value_label(decision.tier),
                        day=i18n.format_date(decision.decided_on, "long"),
                        who=decision.decided_by,
                    )
                    if decision
                    else ""
                ),
                rationale=localised(decision, "rationale") if decision else "",
                scenarios=tuple(sorted(own, key=lambda x: x.rank)),
                measures=tuple(
                    (
                        localised(m, "title"),
                        value_label(m.status),
                        ", ".join(
                            [_org(register, m.owner)] + [_org(register, p) for p in m.partners]
                        ),
                    )
                    for m in sorted(measures, key=lambda m: m.key)
                ),
                gaps=tuple(
                    (value_label(phase), phase_gaps[(phase, True)], phase_gaps[(phase, False)])
                    for phase in Phase
                    if phase_gaps[(phase, True)] or phase_gaps[(phase, False)]
                ),
                levels=tuple(
                    _(
                        "%(scope)s: level %(level)s since %(day)s",
                        scope=" · ".join(
                            x for x in (s.scale.upper(), s.sector, s.region, s.site) if x
                        ),
                        level=s.level,
                        day=i18n.format_date(s.since.date(), "long"),
                    )
                    for s in states
                ),
                level_history=tuple(
                    f"{i18n.format_date(p.issued_on, 'long')}: {localised(p, 'title')} "
                    f"({p.system.upper()} {p.previous_level or '–'} → {p.level})"
                    for p in sorted(pictures, key=lambda p: (p.issued_on, p.key))
                ),
                alerts=tuple(
                    f"{a.title} ({_('since %(day)s', day=i18n.format_date(a.since, 'long'))})"
                    for a in alerts
                ),
            )
        )
    return tuple(out)


def _org(register: _Register, key: str | None) -> str:
    if key is None:
        return ""
    found = register.organisations.get(key)
    return localised(found) if found else ""
