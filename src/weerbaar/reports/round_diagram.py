"""The national risk diagram of a round, optionally against an earlier round, as the
plain description that :mod:`weerbaar.reports` draws, in the current language: its
title, notes and hover texts, and the names of themes and scenarios (the register's
English companions for an English reader)."""

from __future__ import annotations

from collections.abc import Mapping

from weerbaar.domain.access import Subject
from weerbaar.i18n import format_number, gettext, localised
from weerbaar.method.classes import describe_position, impact_position
from weerbaar.reports.diagram import DiagramPoint, RiskDiagram, impact_axis, likelihood_axis
from weerbaar.services.assessment import RoundAssessment, ScenarioResult, assess_round
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

LABEL_LENGTH = 24


def _label(title: str) -> str:
    return title if len(title) <= LABEL_LENGTH else title[: LABEL_LENGTH - 1].rstrip() + "…"


def _position(value: float, ratio: float) -> float:
    """Class position of an impact value; 0 sits at the bottom edge of the plot."""
    found = impact_position(value, ratio=ratio)
    return 0.5 if found is None else max(found, 0.5)


def _point(
    result: ScenarioResult, assessment: RoundAssessment, theme: str, *, new: bool
) -> DiagramPoint | None:
    if result.impact_position is None:
        return None
    ratio = assessment.scales.classes.ratio()
    offset = assessment.scales.classes.high_offset
    if result.band is not None:
        impact_range = (
            _position(result.band.impact[0], ratio),
            _position(result.band.impact[2], ratio),
        )
        likelihood_range = (result.band.likelihood[0], result.band.likelihood[2])
    else:
        impact_range = (
            _position(result.impact_range[0], ratio),
            _position(result.impact_range[1], ratio),
        )
        likelihood_range = (
            result.likelihood.lowest.index + (offset if result.likelihood.lowest.high else 0),
            result.likelihood.highest.index + (offset if result.likelihood.highest.high else 0),
        )
    impact = format_number(result.impact, 2)
    hover = {
        gettext("scenario"): result.scenario.key,
        gettext("impact"): f"{impact} ({describe_position(result.impact_position)})",
        gettext("likelihood"): f"{result.likelihood.expected} "
        f"({result.likelihood.lowest}–{result.likelihood.highest})",
        gettext("rank"): gettext(
            "%(rank)s (medal method: %(medal)s)", rank=result.rank, medal=result.medal_rank
        ),
    }
    if result.band is not None:
        hover[gettext("top 5 / top 10")] = f"{result.band.top5:.0%} / {result.band.top10:.0%}"
    return DiagramPoint(
        key=result.scenario.key,
        label=_label(localised(result.scenario, "title")),
        theme=theme,
        impact=result.impact_position,
        likelihood=result.likelihood_position,
        impact_range=impact_range,
        likelihood_range=likelihood_range,
        new=new,
        hover=hover,
    )


def theme_names(db: Database, subject: Subject | None) -> Mapping[str, str]:
    """The names of the themes the reader may see; another's stays its key."""
    with db.transaction() as connection:
        themes = Repository(connection).fetch("themes")
        if subject is not None:
            themes = visibility(connection, subject).filter("themes", themes)
        return {t.key: localised(t) for t in themes}


def risk_diagram(
    db: Database,
    *,
    round_key: str | None = None,
    compare: str | None = None,
    weights: str | Mapping[str, object] = "equal",
    draws: int = 0,
    seed: int | None = None,
    subject: Subject | None = None,
) -> RiskDiagram:
    """The diagram of a round; with ``compare``, arrows from that round's positions."""
    current = assess_round(
        db, round_key=round_key, weights=weights, draws=draws, seed=seed, subject=subject
    )
    earlier = (
        assess_round(
            db, round_key=compare, weights=weights, draws=draws, seed=seed, subject=subject
        )
        if compare
        else None
    )
    return assessed_diagram(current, earlier, theme_names(db, subject))


def assessed_diagram(
    current: RoundAssessment,
    earlier: RoundAssessment | None,
    themes: Mapping[str, str],
    *,
    most: int | None = None,
) -> RiskDiagram:
    """The diagram of rounds already assessed, with ``themes`` naming their themes.

    With ``most``, only that many of the highest risks are drawn (and of the earlier
    round only those same scenarios), and a note says so: hundreds of labelled points
    make a diagram nobody can read."""
    before = {r.scenario.key for r in earlier.results} if earlier else set()
    shown = current.results if most is None else current.results[:most]
    kept = {r.scenario.key for r in shown}
    points, unplaced = [], []
    for result in shown:
        point = _point(
            result,
            current,
            themes.get(result.scenario.theme, result.scenario.theme),
            new=earlier is not None and result.scenario.key not in before,
        )
        if point is None:
            unplaced.append(f"{result.scenario.key} {localised(result.scenario, 'title')}")
        else:
            points.append(point)
    previous = []
    if earlier is not None:
        for result in earlier.results:
            if len(shown) < len(current.results) and result.scenario.key not in kept:
                continue
            point = _point(
                result, earlier, themes.get(result.scenario.theme, result.scenario.theme), new=False
            )
            if point is not None:
                previous.append(point)
    labels = current.scales.classes
    notes = [gettext("Weights: %(weights)s.", weights=localised(current.weights))]
    if len(shown) < len(current.results):
        notes.append(
            gettext(
                "The %(shown)s highest risks of %(count)s are drawn.",
                shown=len(shown),
                count=len(current.results),
            )
        )
    if not current.scales.official:
        notes.append(
            gettext(
                "Class thresholds %(scales)s: calibrated, not official.",
                scales=current.scales.key,
            )
        )
    if current.draws:
        notes.append(
            gettext(
                "Ranges P5–P95 from %(draws)s Monte Carlo draws (seed %(seed)s).",
                draws=format_number(current.draws),
                seed=current.seed,
            )
        )
    subtitle = gettext(
        "Round %(name)s (%(key)s) · edition %(edition)s",
        name=localised(current.round),
        key=current.round.key,
        edition=current.edition.key,
    )
    if earlier is not None:
        subtitle += " · " + gettext(
            "compared with %(name)s (%(key)s)",
            name=localised(earlier.round),
            key=earlier.round.key,
        )
    return RiskDiagram(
        title=gettext("National risk diagram"),
        subtitle=subtitle,
        points=points,
        previous=previous,
        unplaced=unplaced,
        illustrative=not current.scales.official,
        previous_name=earlier.round.key if earlier else gettext("previous round"),
        range_label="P5–P95" if current.draws else "uncertainty range (LL–UL)",
        notes=notes,
        likelihood_axis=likelihood_axis(labels=[labels.likelihood_label(x) for x in "ABCDE"]),
        impact_axis=impact_axis(labels=[labels.impact_label(x) for x in "ABCDE"]),
    )
