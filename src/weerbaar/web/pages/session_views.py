"""What the session pages show, built from the sessions service: the criteria to
score, an expert's own scores as the quick form's rows, the disagreement view and the
rows of the chair's conclusion. Everything here reads through the services, under the
reader's need-to-know and the blind rule they enforce."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Round
from weerbaar.domain.sessions import LIKELIHOOD, SessionStatus
from weerbaar.reference.method import editions
from weerbaar.services import sessions
from weerbaar.services.records import get_record
from weerbaar.services.sessions import CriterionView, ExpertScoreView, SessionView
from weerbaar.storage.db import Database
from weerbaar.web.pages.common import form_text

# The fields of one row of the quick scoring form, and of one row of the conclusion.
SCORE_INPUTS = ("value", "low", "high", "confidence", "rationale")
OUTCOME_INPUTS = ("choice", "value", "low", "high", "rationale")
_RANGES = (
    ("expected", "lowest", "highest"),
    ("quantity", "quantity_low", "quantity_high"),
    ("probability", "probability_low", "probability_high"),
)


@dataclass(frozen=True, slots=True)
class Row:
    """One criterion of one scenario: in the quick form, the conclusion or the
    disagreement view."""

    scenario: str
    criterion: str  # a catalogue code, or "likelihood"
    label: str

    @property
    def name(self) -> str:
        """The prefix of its inputs' names: ``<field>:<scenario>:<criterion>``."""
        return f"{self.scenario}:{self.criterion}"

    @property
    def slug(self) -> str:
        """A piece of an element id: letters, digits and hyphens only."""
        return f"{self.scenario}-{self.criterion.replace('.', '-')}"


@dataclass(slots=True)
class SessionPage:
    """Everything the session page needs besides its forms."""

    view: SessionView
    round: Round
    titles: dict[str, str]  # scenario key → its title in the reader's language
    labels: dict[str, str]  # criterion code → "2.1 Deaths"
    names: dict[str, str]  # username → display name
    is_chair: bool
    me: sessions.Participant | None
    own: dict[str, dict[str, str]] = field(default_factory=dict)  # row name → inputs


def _number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def criterion_labels(round_: Round) -> dict[str, str]:
    """The round's catalogue in the reader's language, the likelihood last."""
    edition = editions().get(round_.edition)
    labels = {}
    if edition is not None:
        labels = {c.code: f"{c.code} {i18n.localised(c)}" for c in edition.criteria}
    labels[LIKELIHOOD] = i18n.gettext("Likelihood")
    return labels


def rows_of(page: SessionPage) -> list[Row]:
    """Every criterion of the catalogue and the likelihood, for each scenario."""
    return [
        Row(scenario, code, label)
        for scenario in page.view.scenarios
        for code, label in page.labels.items()
    ]


def inputs_of(score: ExpertScoreView) -> dict[str, str]:
    """A stored score as the quick form's inputs show it."""
    given = {"value": "", "low": "", "high": ""}
    for mid, low, high in _RANGES:
        if score.values.get(mid) is not None:
            given = {
                "value": _number(score.values[mid]),
                "low": _number(score.values.get(low)),
                "high": _number(score.values.get(high)),
            }
            break
    return given | {"confidence": score.confidence or "", "rationale": score.rationale or ""}


def session_page(db: Database, subject: Subject, key: str) -> SessionPage:
    """The session as ``subject`` may see it (not found as a missing one if not)."""
    view = sessions.get_session(db, subject=subject, key=key)
    round_: Round = get_record(db, entity_name="rounds", key=view.round, subject=subject).record
    titles = {
        s: i18n.localised(
            get_record(db, entity_name="scenarios", key=s, subject=subject).record, "title"
        )
        for s in view.scenarios
    }
    me = next((p for p in view.participants if p.username == subject.username), None)
    page = SessionPage(
        view=view,
        round=round_,
        titles=titles,
        labels=criterion_labels(round_),
        names={p.username: p.display_name for p in view.participants},
        is_chair=view.is_chair(subject) or subject.role.manages_accounts,
        me=me,
    )
    if me is not None:
        page.own = {
            f"{s.scenario}:{s.criterion}": inputs_of(s)
            for s in sessions.scores_of(db, subject=subject, session=key)
            if s.username == subject.username
        }
    return page


def shows_others(page: SessionPage) -> bool:
    """Whether the page shows the experts' scores side by side: to the chair always,
    to an expert once they have submitted this round's, to everyone else who may see
    the session once it is concluded. (The service decides what is in it.)"""
    if page.is_chair or page.view.status is SessionStatus.CONCLUDED:
        return True
    return page.me is not None and page.me.submitted


def typed(form: FormData, rows: Iterable[Row], inputs: Iterable[str]) -> dict[str, dict[str, str]]:
    """What was typed in each row's inputs, to act on and to show again."""
    wanted = tuple(inputs)
    return {row.name: {f: form_text(form, f"{f}:{row.name}") for f in wanted} for row in rows}


def filled(values: Mapping[str, str]) -> bool:
    return any(values.get(name) for name in SCORE_INPUTS)


def _span(low: object, expected: object, high: object) -> str:
    if str(low) == str(high):
        return str(expected)
    return f"{expected} ({low} – {high})"


def disagreement_rows(
    db: Database, subject: Subject, page: SessionPage, scoring_round: int | None = None
) -> list[dict[str, Any]]:
    """The disagreement view of one scoring round (default: the current) as the
    service lets ``subject`` see it, per scenario and criterion."""
    found: list[CriterionView] = sessions.disagreement(
        db, subject=subject, session=page.view.key, scoring_round=scoring_round
    )
    out = []
    for c in found:
        row = Row(c.scenario, c.criterion, page.labels.get(c.criterion, c.criterion))
        out.append(
            {
                "row": row,
                "title": page.titles.get(c.scenario, c.scenario),
                "spread": c.spread,
                "proposal": None
                if c.proposal is None
                else _span(c.proposal.lowest, c.proposal.expected, c.proposal.highest),
                "scores": [
                    {
                        "username": s.username,
                        "name": page.names.get(s.username, s.username),
                        "classes": ""
                        if s.resolved is None
                        else _span(s.resolved.lowest, s.resolved.expected, s.resolved.highest),
                        "given": s.value,
                        "confidence": s.confidence or "",
                        "rationale": s.rationale or "",
                    }
                    for s in c.scores
                ],
            }
        )
    return out


def conclusion_rows(rows: list[dict[str, Any]]) -> list[Row]:
    """The criteria the experts scored: the rows of the chair's conclusion."""
    return [r["row"] for r in rows]
