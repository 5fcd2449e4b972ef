"""The public summary for citizens: which risks the country prepares for, what is
done about them, and what people can do themselves.

Built only from public records, whoever asks: the register is read as a citizen
would read it (the lowest classification, no organisation), through the same
need-to-know rule as every other read. So a record classified above public, or
owned by an organisation and not public to all, never shows; nor does a record that
requires one (a scenario under a classified theme, a measure whose owner is hidden);
and what a public record refers to that is not public is left out (a measure's
classified scenarios or partners). The summary takes no reader: it cannot depend on
anyone's clearance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment

from weerbaar.domain.access import Role, Subject
from weerbaar.domain.entities.strategy import Measure, Organisation, Scenario, Theme
from weerbaar.domain.enums import MeasureKind, OrgKind, Tier
from weerbaar.domain.portfolio import theme_measures
from weerbaar.reference.access import classification_levels
from weerbaar.reference.public import self_help
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

_CITIZEN_ORGANISATION = ""  # no organisation: no key can be empty, so none is shared with it

# Words by which a generic measure's title or description shows it speaks to citizens.
_CITIZEN_WORDS = re.compile(
    r"\b(citizens?|residents?|inhabitants?|households?|the public|yourself|self-relian\w*|"
    r"burgers?|inwoners?|huishoudens?|zelfredzaam\w*)\b",
    re.IGNORECASE,
)


def citizen() -> Subject:
    """Someone cleared for nothing above the lowest level, of no organisation."""
    lowest = classification_levels().keys[0]
    role = Role(key="public", name="Publiek", name_en="Public", writes=frozenset())
    return Subject("public", role, _CITIZEN_ORGANISATION, lowest)


@dataclass(frozen=True, slots=True)
class PublicMeasure:
    key: str
    title: str
    owner: str
    status: str
    civil_society: tuple[str, ...] = ()  # partner names


@dataclass(frozen=True, slots=True)
class PublicRisk:
    key: str
    title: str
    kind: str


@dataclass(frozen=True, slots=True)
class PublicTheme:
    key: str
    name: str
    name_en: str
    approach: str | None
    risks: tuple[PublicRisk, ...]
    measures: tuple[PublicMeasure, ...]
    advice: tuple[str, ...]  # what you can do yourself, from the reference data


@dataclass(frozen=True, slots=True)
class PublicTier:
    tier: str
    label: str
    themes: tuple[PublicTheme, ...]


@dataclass(frozen=True, slots=True)
class PublicSummary:
    tiers: tuple[PublicTier, ...]
    self_help_measures: tuple[PublicMeasure, ...]
    advice: tuple[str, ...]  # general advice, for every risk
    advice_source: str


def public_summary(db: Database) -> PublicSummary:
    """The summary for citizens, from public records only; the same for every reader."""
    who = citizen()
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, who)
        themes: list[Theme] = _public(who, seen.filter("themes", repo.fetch("themes")))
        scenarios: list[Scenario] = _public(who, seen.filter("scenarios", repo.fetch("scenarios")))
        measures: list[Measure] = _public(who, seen.filter("measures", repo.fetch("measures")))
        organisations: dict[str, Organisation] = {
            o.key: o
            for o in _public(who, seen.filter("organisations", repo.fetch("organisations")))
        }
    advice = self_help()
    tiers = []
    for tier in Tier:
        rows = []
        for theme in sorted((t for t in themes if t.tier is tier), key=lambda t: t.name_en):
            own = [s for s in scenarios if s.theme == theme.key]
            covering = theme_measures(theme, {s.key for s in own}, measures)
            rows.append(
                PublicTheme(
                    key=theme.key,
                    name=theme.name,
                    name_en=theme.name_en,
                    approach=theme.approach,
                    risks=tuple(PublicRisk(s.key, s.title, str(s.kind)) for s in own),
                    measures=tuple(_measure(m, organisations) for m in covering),
                    advice=tuple(advice.themes.get(theme.key, ())),
                )
            )
        tiers.append(PublicTier(str(tier), tier.label, tuple(rows)))
    return PublicSummary(
        tiers=tuple(tiers),
        self_help_measures=tuple(
            _measure(m, organisations) for m in measures if _for_citizens(m, organisations)
        ),
        advice=tuple(advice.general),
        advice_source=" ".join(advice.source.split()),
    )


def _public(who: Subject, records: Sequence[Any]) -> list[Any]:
    # The visibility rule already leaves out everything else; this says so again, so
    # a change to that rule cannot quietly publish a marked record.
    for record in records:
        if record.classification != who.clearance or record.owned_by is not None:
            raise AssertionError(f"not a public record: {record.key}")
    return list(records)


def _measure(measure: Measure, organisations: Mapping[str, Organisation]) -> PublicMeasure:
    owner = organisations[measure.owner]  # a measure is shown only with its owner
    return PublicMeasure(
        key=measure.key,
        title=measure.title,
        owner=owner.name_en or owner.name,
        status=str(measure.status).replace("_", " "),
        civil_society=tuple(
            organisations[p].name_en or organisations[p].name
            for p in measure.partners
            if p in organisations and organisations[p].kind is OrgKind.CIVIL_SOCIETY
        ),
    )


def _for_citizens(measure: Measure, organisations: Mapping[str, Organisation]) -> bool:
    if measure.kind is not MeasureKind.GENERIC:
        return False
    with_society = any(
        p in organisations and organisations[p].kind is OrgKind.CIVIL_SOCIETY
        for p in measure.partners
    )
    return with_society or bool(
        _CITIZEN_WORDS.search(f"{measure.title} {measure.description or ''}")
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def as_markdown(summary: PublicSummary) -> str:
    lines = ["# How the Netherlands prepares for risks and threats", ""]
    for tier in summary.tiers:
        if not tier.themes:
            continue
        lines += [f"## {_md(tier.label)}", ""]
        for theme in tier.themes:
            lines += [f"### {_md(theme.name_en)} ({_md(theme.name)})", ""]
            if theme.approach:
                lines += [_md(theme.approach), ""]
            if theme.risks:
                lines += ["Risks prepared for:", ""]
                lines += [f"- {_md(r.title)}" for r in theme.risks]
                lines.append("")
            if theme.measures:
                lines += ["What is being done:", ""]
                lines += [
                    f"- {_md(m.title)} — {_md(m.owner)} ({_md(m.status)})" for m in theme.measures
                ]
                lines.append("")
            if theme.advice:
                lines += ["What you can do yourself:", ""]
                lines += [f"- {_md(a)}" for a in theme.advice]
                lines.append("")
    lines += ["## What you can do yourself", ""]
    lines += [f"- {_md(a)}" for a in summary.advice]
    if summary.self_help_measures:
        lines += ["", "Where society helps:", ""]
        for m in summary.self_help_measures:
            partners = f"; with {_md(', '.join(m.civil_society))}" if m.civil_society else ""
            lines.append(f"- {_md(m.title)} — {_md(m.owner)}{partners}")
    lines += ["", f"*Source of the advice: {_md(summary.advice_source)}*", ""]
    return "\n".join(lines)


_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="weerbaar">
<title>How the Netherlands prepares for risks and threats</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; max-width: 46rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.5; color: #222; }
h2 { border-bottom: 1px solid #ccc; } .status { color: #555; } .source { color: #555; }
</style>
</head>
<body>
<h1>How the Netherlands prepares for risks and threats</h1>
{% for tier in summary.tiers if tier.themes %}
<h2>{{ tier.label }}</h2>
{% for theme in tier.themes %}
<section>
<h3>{{ theme.name_en }} <small>({{ theme.name }})</small></h3>
{% if theme.approach %}<p>{{ theme.approach }}</p>{% endif %}
{% if theme.risks %}<p>Risks prepared for:</p>
<ul>{% for r in theme.risks %}<li>{{ r.title }}</li>{% endfor %}</ul>{% endif %}
{% if theme.measures %}<p>What is being done:</p>
<ul>{% for m in theme.measures %}<li>{{ m.title }} — {{ m.owner }}
 <span class="status">({{ m.status }})</span></li>{% endfor %}</ul>{% endif %}
{% if theme.advice %}<p>What you can do yourself:</p>
<ul>{% for a in theme.advice %}<li>{{ a }}</li>{% endfor %}</ul>{% endif %}
</section>
{% endfor %}
{% endfor %}
<h2>What you can do yourself</h2>
<ul>{% for a in summary.advice %}<li>{{ a }}</li>{% endfor %}</ul>
{% if summary.self_help_measures %}<p>Where society helps:</p>
<ul>{% for m in summary.self_help_measures %}<li>{{ m.title }} — {{ m.owner }}
{%- if m.civil_society %}; with {{ m.civil_society | join(", ") }}{% endif %}</li>
{% endfor %}</ul>{% endif %}
<p class="source"><em>Source of the advice: {{ summary.advice_source }}</em></p>
</body>
</html>
"""

_template = Environment(autoescape=True, keep_trailing_newline=True).from_string(_HTML)


def as_html(summary: PublicSummary) -> str:
    """One self-contained page: no script, no style or font fetched from elsewhere."""
    return _template.render(summary=summary)
