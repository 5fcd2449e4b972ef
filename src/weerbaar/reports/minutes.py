"""A session's minutes as a document: Markdown, and a standalone HTML page, in the
reader's language (:func:`weerbaar.i18n.speaking`)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from weerbaar import i18n
from weerbaar.domain.sessions import LIKELIHOOD
from weerbaar.services.sessions.minutes import CriterionMinutes, Minutes, Person

__all__ = ["minutes_html", "minutes_markdown"]

_ = i18n.gettext


def _criterion(row: CriterionMinutes) -> str:
    if row.code == LIKELIHOOD:
        return _("Likelihood")
    if row.criterion is None:
        return row.code
    return f"{row.code} {i18n.localised(row.criterion)}"


def _person(person: Person) -> str:
    org = person.organisation_en if i18n.language() == "en" and person.organisation_en else None
    return f"{person.name} ({org or person.organisation})"


def _spread(row: CriterionMinutes) -> str:
    if row.spread is None:
        return "–"
    text = i18n.ngettext("%(count)s class", "%(count)s classes", row.spread, count=row.spread)
    return f"{text} ⚑" if row.flagged else text


def _outcome(row: CriterionMinutes) -> str:
    if not row.outcome:
        return "–"
    return f"{row.outcome} ({_('proposal taken')})" if row.aggregate else row.outcome


def _cell(text: str) -> str:
    # A table cell holds one line, and a bar would end it.
    return " ".join(text.split()).replace("|", "\\|")


def minutes_markdown(m: Minutes) -> str:
    """The minutes in Markdown."""
    s = m.session
    title = i18n.localised(s, "title")
    lines = [
        f"# {_('Minutes of expert session %(session)s', session=s.key)}: {_cell(title)}",
        "",
    ]
    if m.draft:
        lines += [f"**{_('Draft: the session is not concluded yet.')}**", ""]
    lines += [
        f"- {_('Round')}: {_cell(i18n.localised(m.round))} ({m.round.key})",
        f"- {_('Date')}: {i18n.format_date(s.held_on, 'long')}",
        f"- {_('Chair')}: {_cell(_person(m.chair))}",
        f"- {_('Scoring rounds')}: {m.scoring_rounds}",
    ]
    if m.concluded_at is not None:
        lines.append(f"- {_('Concluded')}: {i18n.format_datetime(m.concluded_at, 'long')}")
    lines += ["", f"## {_('Participants')}", ""]
    lines += [f"- {_cell(_person(p))}" for p in m.participants] or [f"- {_('none')}"]
    if s.rationale:
        lines += ["", f"## {_('Conclusion')}", "", s.rationale.strip()]
    for part in m.scenarios:
        lines += [
            "",
            f"## {_cell(i18n.localised(part.scenario, 'title'))} ({part.scenario.key})",
            "",
            "| "
            + " | ".join(
                [
                    _("Criterion"),
                    _("Experts"),
                    _("Expected classes"),
                    _("Spread"),
                    _("Outcome"),
                    _("Reasoning"),
                ]
            )
            + " |",
            "|---|---:|---|---|---|---|",
        ]
        for row in part.criteria:
            lines.append(
                "| "
                + " | ".join(
                    _cell(x)
                    for x in (
                        _criterion(row),
                        str(row.experts),
                        row.range_seen or "–",
                        _spread(row),
                        _outcome(row),
                        row.rationale or "–",
                    )
                )
                + " |"
            )
    lines += ["", _("⚑: the experts lay as far apart as the threshold for discussion, or further.")]
    return "\n".join(lines) + "\n"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("weerbaar.reports", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def minutes_html(m: Minutes) -> str:
    """The minutes as a standalone HTML page (no script, no outside resource)."""
    template = _environment().get_template("minutes.html")
    return template.render(
        m=m,
        _=_,
        title=i18n.localised(m.session, "title"),
        round_name=i18n.localised(m.round),
        held_on=i18n.format_date(m.session.held_on, "long"),
        concluded=None if m.concluded_at is None else i18n.format_datetime(m.concluded_at, "long"),
        person=_person,
        criterion=_criterion,
        spread=_spread,
        outcome=_outcome,
        localised=i18n.localised,
        lang=i18n.language(),
    )
