"""The vital infrastructure pages: the dependency graph the reader may see, filtered by
region and sector; a cascade run from a process or sector with its timeline, affected
processes and impact classes; that run stored as a scenario's impact scores; and the
criticality ranking.

Everything is computed from the graph of the signed-in reader: a process they may not
see is not drawn, not listed, not offered and, named in a cascade, refused exactly as
a process that does not exist.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from weerbaar import i18n
from weerbaar.domain.entities.strategy import Scenario
from weerbaar.errors import ValidationError, grouped
from weerbaar.services.cascade_runs import cascade_of
from weerbaar.services.graph_filters import chosen_keys
from weerbaar.services.infrastructure.graph import InfrastructureGraph, load_graph
from weerbaar.services.infrastructure.ranking import rank_processes
from weerbaar.services.infrastructure.runs import CascadeReport
from weerbaar.services.infrastructure.scores import write_scores
from weerbaar.services.records import list_records
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.kept_views import kept_view
from weerbaar.web.limits import MAX_HOURS, MAX_MEMBERS, MAX_RANKED, MAX_SEED
from weerbaar.web.pages.common import (
    Form,
    check_form,
    form_text,
    record_url,
    see_other,
)
from weerbaar.web.pages.infrastructure_figures import (
    MEASURES,
    graph_figure,
    ranking_figure,
    timeline_figure,
)
from weerbaar.web.pages.rounds import visible_rounds
from weerbaar.web.query import blank
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

CASCADE_FIELDS = ("process", "region", "hours", "at", "members", "seed", "min_strength")
DEFAULTS = {
    "process": "",
    "region": "",
    "hours": "24",
    "at": "0",
    "members": "0",
    "seed": "",
    "min_strength": "0.5",
}
Errors = dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class Params:
    process: str
    region: str | None
    hours: float
    at: float
    members: int
    seed: int | None
    min_strength: float
    edition: str | None = None


@dataclass(slots=True)
class Outcome:
    values: dict[str, str]
    errors: Errors = field(default_factory=dict)
    report: CascadeReport | None = None
    score_values: dict[str, str] = field(default_factory=dict)


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _number(
    values: Mapping[str, str],
    name: str,
    errors: Errors,
    *,
    low: float,
    high: float,
    above: bool = False,
) -> float:
    text = values.get(name, "")
    try:
        number = float(text)
    except ValueError:
        _add(
            errors,
            name,
            i18n.gettext("give a number, not %(text)s", text=repr(text))
            if text
            else i18n.gettext("give a number"),
        )
        return 0.0
    if not math.isfinite(number) or number < low or number > high or (above and number == low):
        message = (
            i18n.N_("must be above %(low)s and at most %(high)s, not %(text)s")
            if above
            else i18n.N_("must be at least %(low)s and at most %(high)s, not %(text)s")
        )
        _add(
            errors,
            name,
            i18n.gettext(message, low=format(low, "g"), high=format(high, "g"), text=text),
        )
    return number


def _integer(
    values: Mapping[str, str], name: str, errors: Errors, *, high: int, optional: bool = False
) -> int | None:
    text = values.get(name, "")
    if not text and optional:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        _add(
            errors,
            name,
            i18n.gettext("give a whole number from 0 to %(high)s", high=grouped(high)),
        )
        return None
    number = int(text)
    if number > high:
        _add(
            errors,
            name,
            i18n.gettext(
                "must be between 0 and %(high)s, not %(number)s",
                high=grouped(high),
                number=grouped(number),
            ),
        )
    return number


def parse(values: Mapping[str, str]) -> tuple[Params | None, Errors]:
    errors: Errors = {}
    if not values.get("process"):
        _add(errors, "process", i18n.gettext("choose a process or a sector"))
    hours = _number(values, "hours", errors, low=0, high=MAX_HOURS)
    at = _number(values, "at", errors, low=0, high=MAX_HOURS)
    members = _integer(values, "members", errors, high=MAX_MEMBERS)
    seed = _integer(values, "seed", errors, high=MAX_SEED, optional=True)
    strength = _number(values, "min_strength", errors, low=0, high=1, above=True)
    if errors:
        return None, errors
    params = Params(
        process=values["process"],
        region=values.get("region") or None,
        hours=hours,
        at=at,
        members=members or 0,
        seed=seed,
        min_strength=strength,
        edition=values.get("edition") or None,
    )
    return params, errors


FIELD_OF = {"targets": "process", "process": "process", "round": "round", "scenario": "scenario"}


def issues_as_errors(exc: ValidationError, errors: Errors) -> None:
    """Each issue beside the field it is about (the services name it as place or field)."""
    for issue in exc.issues:
        name = issue.field or issue.place
        _add(errors, FIELD_OF.get(name, name), i18n.translated(issue.reason))


def run(request: Request, caller: Caller, graph: InfrastructureGraph, params: Params) -> Any:
    return cascade_of(
        database(request),
        subject=caller.subject,
        graph=graph,
        targets=[params.process],
        hours=params.hours,
        at=params.at,
        region=params.region,
        members=params.members,
        seed=params.seed,
        min_strength=params.min_strength,
        edition=params.edition,
    )


def _form_values(form: FormData | None) -> dict[str, str]:
    if form is None:
        return dict(DEFAULTS)
    values = {name: form_text(form, name) for name in (*CASCADE_FIELDS, "edition")}
    for name in ("at", "members", "min_strength"):  # left empty: the default
        values[name] = values[name] or DEFAULTS[name]
    return values


def _targets(graph: InfrastructureGraph, selected: str) -> list[dict[str, Any]]:
    sectors = [
        {
            "value": s,
            "label": i18n.gettext("sector: %(sector)s (every process)", sector=s),
            "selected": s == selected,
        }
        for s in graph.sectors()
    ]
    processes = [
        {
            "value": p.key,
            "label": f"{i18n.localised(p)} ({p.key})",
            "selected": p.key == selected,
        }
        for p in sorted(graph.processes, key=lambda p: (p.sector, i18n.localised(p).casefold()))
    ]
    return [
        {"label": i18n.gettext("Sectors"), "options": sectors},
        {"label": i18n.gettext("Processes"), "options": processes},
    ]


def _money(amount: float) -> str:
    return f"€ {amount:,.0f}"


def _hours(h: float) -> str:
    return f"{h:,.1f}"


def _result(report: CascadeReport, graph: InfrastructureGraph) -> dict[str, Any]:
    names = {p.key: i18n.localised(p) for p in graph.processes}
    return {
        "summary": report.summary(),
        "money": _money(report.cost),
        "timeline": timeline_figure(report, graph.sectors()),
        "affected": [
            {
                **a.row(),
                "href": record_url("vital_processes", a.process),
                "cause_href": record_url("vital_processes", a.cause) if a.cause else None,
                "cause_name": names.get(a.cause or "", a.cause),
                "cost_text": _money(a.cost),
                "probability": None if a.fail_probability is None else f"{a.fail_probability:.0%}",
            }
            for a in report.affected
        ],
        "impacts": [
            {
                **i.row(),
                "rule": i18n.translated(i.rule),
                "range": None
                if i.quantity_low is None
                else f"{i.quantity_low:,.0f}–{i.quantity_high or 0:,.0f}",
                "days_range": None
                if i.days_low is None
                else f"{i.days_low:,.1f}–{i.days_high or 0:,.1f}",
                "class_range": None if i.lowest is None else f"{i.lowest}–{i.highest}",
            }
            for i in report.impacts
        ],
        "distributions": report.distributions,
    }


def _score_form(
    request: Request, caller: Caller, report: CascadeReport, outcome: Outcome
) -> dict[str, Any] | None:
    if not caller.subject.role.may_write("impact_scores"):
        return None
    db = database(request)
    scenarios = cast(
        list[Scenario], list_records(db, entity_name="scenarios", subject=caller.subject)
    )
    rounds = visible_rounds(db, caller.subject)
    chosen_round = outcome.score_values.get("round") or (rounds[-1].key if rounds else "")
    chosen_scenario = outcome.score_values.get("scenario", "")
    hidden = dict(outcome.values)
    if report.seed is not None:
        hidden["seed"] = str(report.seed)  # the same members again
    hidden["edition"] = report.edition
    return {
        "hidden": hidden,
        "scenarios": [
            {
                "value": s.key,
                "label": f"{i18n.localised(s, 'title')} ({s.key})",
                "selected": s.key == chosen_scenario,
            }
            for s in sorted(scenarios, key=lambda s: i18n.localised(s, "title").casefold())
        ],
        "rounds": [
            {
                "value": r.key,
                "label": f"{i18n.localised(r)} ({r.key}, {r.edition})",
                "selected": r.key == chosen_round,
            }
            for r in reversed(rounds)
        ],
    }


def _page(
    request: Request,
    caller: Caller,
    *,
    region: str | None,
    sector: str | None,
    outcome: Outcome,
    status: int = 200,
) -> Response:
    graph = load_graph(database(request), subject=caller.subject)
    filter_errors: Errors = {}
    try:
        keys = chosen_keys(graph, region=region, sector=sector)
    except ValidationError as exc:
        issues_as_errors(exc, filter_errors)
        keys = set()
        status = 422
    shown = [p for p in graph.processes if p.key in keys]
    edges = [d for d in graph.dependencies if d.supplier in keys and d.dependent in keys]
    report = outcome.report
    return render(
        request,
        "infrastructure.html",
        {
            "caller": caller,
            "region": region or "",
            "sector": sector or "",
            "regions": graph.regions(),
            "sectors": graph.sectors(),
            "filter_errors": filter_errors,
            "figure": graph_figure(graph, keys),
            "nodes": [
                {
                    "key": p.key,
                    "name": i18n.localised(p),
                    "sector": p.sector,
                    "region": p.region or i18n.gettext("nationwide"),
                    "people": "—" if p.people_served is None else f"{p.people_served:,.0f}",
                    "href": record_url("vital_processes", p.key),
                }
                for p in shown
            ],
            "edge_count": len(edges),
            "targets": _targets(graph, outcome.values.get("process", "")),
            "values": outcome.values,
            "errors": outcome.errors,
            "result": _result(report, graph) if report is not None else None,
            "score_form": _score_form(request, caller, report, outcome) if report else None,
            "max_members": MAX_MEMBERS,
            "max_hours": MAX_HOURS,
            "plotly_version": metadata.version("plotly"),
        },
        status_code=status,
    )


@router.get("/infrastructure")
def infrastructure_page(
    request: Request, region: str | None = None, sector: str | None = None
) -> Response:
    caller = require_caller(request)
    return _page(
        request, caller, region=blank(region), sector=blank(sector), outcome=Outcome(dict(DEFAULTS))
    )


def _cascade(request: Request, caller: Caller, values: dict[str, str]) -> Outcome:
    outcome = Outcome(values)
    params, outcome.errors = parse(values)
    if params is None:
        return outcome
    graph = load_graph(database(request), subject=caller.subject)
    try:
        outcome.report = run(request, caller, graph, params)
    except ValidationError as exc:
        issues_as_errors(exc, outcome.errors)
    return outcome


@router.post("/infrastructure/cascade")
def cascade_form(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    outcome = _cascade(request, caller, _form_values(form))
    status = 422 if outcome.errors else 200
    return _page(request, caller, region=None, sector=None, outcome=outcome, status=status)


@router.post("/infrastructure/scores")
def scores_form(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "impact_scores")
    outcome = _cascade(request, caller, _form_values(form))
    outcome.score_values = {name: form_text(form, name) for name in ("scenario", "round")}
    for name, message in (
        ("scenario", i18n.N_("choose a scenario")),
        ("round", i18n.N_("choose a round")),
    ):
        if not outcome.score_values[name]:
            _add(outcome.errors, name, i18n.gettext(message))
    if outcome.report is not None and not outcome.errors:
        scenario = outcome.score_values["scenario"]
        try:
            write_scores(
                context_of(request, caller),
                outcome.report,
                scenario=scenario,
                round_key=outcome.score_values["round"],
            )
        except ValidationError as exc:
            issues_as_errors(exc, outcome.errors)
        else:
            return see_other(f"{record_url('scenarios', scenario)}#assessment")
    return _page(request, caller, region=None, sector=None, outcome=outcome, status=422)


# ---------------------------------------------------------------- ranking


@router.get("/infrastructure/ranking")
def ranking_page(
    request: Request, hours: str = "24", by: str = "people_hours", limit: str = "25"
) -> Response:
    caller = require_caller(request)
    return kept_view(request, caller, lambda: _ranking_page(request, caller, hours, by, limit))


def _ranking_page(request: Request, caller: Caller, hours: str, by: str, limit: str) -> Response:
    values = {"hours": hours.strip(), "by": by.strip(), "limit": limit.strip()}
    errors: Errors = {}
    chosen_hours = _number(values, "hours", errors, low=0, high=MAX_HOURS)
    if values["by"] not in MEASURES:
        _add(errors, "by", i18n.gettext("choose one of %(choices)s", choices=", ".join(MEASURES)))
    chosen_limit = _integer(values, "limit", errors, high=MAX_RANKED, optional=True)
    if chosen_limit == 0:
        _add(errors, "limit", i18n.gettext("must be at least 1"))
    rows: list[dict[str, Any]] = []
    figure = None
    if not errors:
        graph = load_graph(database(request), subject=caller.subject)
        ranked = rank_processes(
            database(request),
            subject=caller.subject,
            graph=graph,
            hours=chosen_hours,
            by=values["by"],  # type: ignore[arg-type]
            limit=chosen_limit,
        )
        figure = ranking_figure(ranked, values["by"], graph.sectors())
        rows = [
            {
                **r.row(),
                "href": record_url("vital_processes", r.process),
                "cost_text": _money(r.cost),
            }
            for r in ranked
        ]
    return render(
        request,
        "infrastructure_ranking.html",
        {
            "caller": caller,
            "values": values,
            "errors": errors,
            "measures": MEASURES,
            "rows": rows,
            "figure": figure,
            "plotly_version": metadata.version("plotly"),
        },
        status_code=422 if errors else 200,
    )
