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

The summary keeps every text in both languages, as the register does (``name`` and
``name_en``, ``approach`` and ``approach_en``, …); :meth:`PublicSummary.read` gives it
in the language of the work at hand, and the Markdown, the HTML page and the web page
are written from that reading, each wholly in one language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment

from weerbaar import i18n
from weerbaar.domain.access import Role, Subject
from weerbaar.domain.entities.strategy import Measure, Organisation, Scenario, Theme
from weerbaar.domain.enums import MeasureKind, MeasureStatus, OrgKind, Tier
from weerbaar.domain.portfolio import theme_measures
from weerbaar.i18n import N_, gettext, localised
from weerbaar.reference.access import classification_levels
from weerbaar.reference.public import Advice, self_help
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

__all__ = [
    "TIER_NAMES",
    "PublicMeasure",
    "PublicOrganisation",
    "PublicReading",
    "PublicRisk",
    "PublicSummary",
    "PublicTheme",
    "PublicTier",
    "as_html",
    "as_markdown",
    "citizen",
    "public_summary",
]

_CITIZEN_ORGANISATION = ""  # no organisation: no key can be empty, so none is shared with it

# Words by which a generic measure's title or description shows it speaks to citizens.
_CITIZEN_WORDS = re.compile(
    r"\b(citizens?|residents?|inhabitants?|households?|the public|yourself|self-relian\w*|"
    r"burgers?|inwoners?|huishoudens?|zelfredzaam\w*)\b",
    re.IGNORECASE,
)

# The tiers by the strategy's own names (versterkte aanpak, …), in the reader's language.
TIER_NAMES: Mapping[Tier, str] = {
    Tier.STRENGTHENED: N_("Strengthened approach"),
    Tier.CONTINUED_FOCUS: N_("Continued focus on resilience"),
    Tier.EXPLORE_MONITOR: N_("Explore and monitor"),
}

TITLE = N_("How the Netherlands prepares for risks and threats")


def citizen() -> Subject:
    """Someone cleared for nothing above the lowest level, of no organisation."""
    lowest = classification_levels().keys[0]
    role = Role(key="public", name="Publiek", name_en="Public", writes=frozenset())
    return Subject("public", role, _CITIZEN_ORGANISATION, lowest)


@dataclass(frozen=True, slots=True)
class PublicOrganisation:
    key: str
    name: str  # the official (Dutch) name
    name_en: str | None


@dataclass(frozen=True, slots=True)
class PublicMeasure:
    key: str
    title: str
    title_en: str | None
    owner: PublicOrganisation
    status: str  # a MeasureStatus value
    civil_society: tuple[PublicOrganisation, ...] = ()  # partners from civil society


@dataclass(frozen=True, slots=True)
class PublicRisk:
    key: str
    title: str
    title_en: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class PublicTheme:
    key: str
    name: str
    name_en: str | None
    approach: str | None
    approach_en: str | None
    risks: tuple[PublicRisk, ...]
    measures: tuple[PublicMeasure, ...]
    advice: tuple[Advice, ...]  # what you can do yourself, from the reference data


@dataclass(frozen=True, slots=True)
class PublicTier:
    tier: str
    label: str
    themes: tuple[PublicTheme, ...]

    @property
    def name(self) -> str:
        """The tier's name in the current language."""
        return gettext(TIER_NAMES[Tier(self.tier)])


@dataclass(frozen=True, slots=True)
class PublicSummary:
    tiers: tuple[PublicTier, ...]
    self_help_measures: tuple[PublicMeasure, ...]
    advice: tuple[Advice, ...]  # general advice, for every risk
    advice_source: str  # in Dutch
    advice_source_en: str

    def read(self) -> PublicReading:
        """The summary in the current language."""
        return _reading(self)


# -- the summary in one language ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasureReading:
    key: str
    title: str
    owner: str
    status: str
    partners: tuple[str, ...]  # civil society


@dataclass(frozen=True, slots=True)
class ThemeReading:
    key: str
    name: str
    approach: str
    risks: tuple[str, ...]
    measures: tuple[MeasureReading, ...]
    advice: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TierReading:
    tier: str
    name: str
    themes: tuple[ThemeReading, ...]


@dataclass(frozen=True, slots=True)
class PublicReading:
    """What a reader of one language reads: every name, text and heading in it."""

    language: str
    title: str
    introduction: str
    tiers: tuple[TierReading, ...]  # the tiers that have a public theme
    advice: tuple[str, ...]
    self_help_measures: tuple[MeasureReading, ...]
    source: str  # "Source of the advice: …"


def _status(status: str) -> str:
    names: dict[str, str] = {
        MeasureStatus.PROPOSED: i18n.pgettext("value", "proposed"),
        MeasureStatus.PLANNED: i18n.pgettext("value", "planned"),
        MeasureStatus.IN_PROGRESS: i18n.pgettext("value", "in progress"),
        MeasureStatus.COMPLETED: i18n.pgettext("value", "completed"),
        MeasureStatus.STOPPED: i18n.pgettext("value", "stopped"),
    }
    return names.get(status, status.replace("_", " "))


def _read_measure(measure: PublicMeasure) -> MeasureReading:
    return MeasureReading(
        key=measure.key,
        title=localised(measure, "title"),
        owner=localised(measure.owner),
        status=_status(measure.status),
        partners=tuple(localised(o) for o in measure.civil_society),
    )


def _read_theme(theme: PublicTheme) -> ThemeReading:
    return ThemeReading(
        key=theme.key,
        name=localised(theme),
        approach=localised(theme, "approach"),
        risks=tuple(localised(r, "title") for r in theme.risks),
        measures=tuple(_read_measure(m) for m in theme.measures),
        advice=tuple(localised(a, "text") for a in theme.advice),
    )


def _reading(summary: PublicSummary) -> PublicReading:
    tiers = []
    for tier in summary.tiers:
        themes = sorted(
            (_read_theme(t) for t in tier.themes), key=lambda t: (t.name.casefold(), t.key)
        )
        if themes:
            tiers.append(TierReading(tier.tier, tier.name, tuple(themes)))
    return PublicReading(
        language=i18n.language(),
        title=gettext(TITLE),
        introduction=gettext(
            "Which risks the country prepares for, what is being done about them, and what "
            "you can do yourself. This summary is built only from information that is public."
        ),
        tiers=tuple(tiers),
        advice=tuple(localised(a, "text") for a in summary.advice),
        self_help_measures=tuple(_read_measure(m) for m in summary.self_help_measures),
        source=gettext(
            "Source of the advice: %(source)s", source=localised(summary, "advice_source")
        ),
    )


# -- building it ----------------------------------------------------------------------


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
        for theme in sorted(
            (t for t in themes if t.tier is tier), key=lambda t: t.name_en or t.name
        ):
            own = [s for s in scenarios if s.theme == theme.key]
            covering = theme_measures(theme, {s.key for s in own}, measures)
            rows.append(
                PublicTheme(
                    key=theme.key,
                    name=theme.name,
                    name_en=theme.name_en,
                    approach=theme.approach,
                    approach_en=_english(theme, "approach"),
                    risks=tuple(
                        PublicRisk(s.key, s.title, _english(s, "title"), str(s.kind)) for s in own
                    ),
                    measures=tuple(_measure(m, organisations) for m in covering),
                    advice=advice.themes.get(theme.key, ()),
                )
            )
        tiers.append(PublicTier(str(tier), tier.label, tuple(rows)))
    return PublicSummary(
        tiers=tuple(tiers),
        self_help_measures=tuple(
            _measure(m, organisations) for m in measures if _for_citizens(m, organisations)
        ),
        advice=advice.general,
        advice_source=advice.source_nl,
        advice_source_en=advice.source,
    )


def _english(record: object, field: str) -> str | None:
    """A record's English companion of ``field``, if it has one."""
    value = getattr(record, f"{field}_en", None)
    return str(value) if value else None


def _public(who: Subject, records: Sequence[Any]) -> list[Any]:
    # The visibility rule already leaves out everything else; this says so again, so
    # a change to that rule cannot quietly publish a marked record.
    for record in records:
        if record.classification != who.clearance or record.owned_by is not None:
            raise AssertionError(f"not a public record: {record.key}")
    return list(records)


def _organisation(organisation: Organisation) -> PublicOrganisation:
    return PublicOrganisation(organisation.key, organisation.name, organisation.name_en)


def _measure(measure: Measure, organisations: Mapping[str, Organisation]) -> PublicMeasure:
    owner = organisations[measure.owner]  # a measure is shown only with its owner
    return PublicMeasure(
        key=measure.key,
        title=measure.title,
        title_en=_english(measure, "title"),
        owner=_organisation(owner),
        status=str(measure.status),
        civil_society=tuple(
            _organisation(organisations[p])
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
    texts = (
        measure.title,
        measure.description,
        _english(measure, "title"),
        _english(measure, "description"),
    )
    return with_society or bool(_CITIZEN_WORDS.search(" ".join(t for t in texts if t)))


# -- as text and as a page ------------------------------------------------------------


def _words() -> dict[str, str]:
    """The headings of the Markdown and the HTML page, in the current language."""
    return {
        "contents": gettext("Contents"),
        "risks": gettext("Risks prepared for"),
        "done": gettext("What is being done"),
        "yourself": gettext("What you can do yourself"),
        "society": gettext("Where society helps"),
    }


def _measure_line(measure: MeasureReading, *, partners: bool) -> str:
    """Its title and owner; with ``partners``, also its partners from civil society."""
    if partners and measure.partners:
        return gettext(
            "%(measure)s — %(owner)s; with %(partners)s",
            measure=measure.title,
            owner=measure.owner,
            partners=", ".join(measure.partners),
        )
    return f"{measure.title} — {measure.owner}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def as_markdown(summary: PublicSummary) -> str:
    """The summary as Markdown, in the current language."""
    reading, words = summary.read(), _words()
    lines = [f"# {_md(reading.title)}", "", _md(reading.introduction), ""]
    for tier in reading.tiers:
        lines += [f"## {_md(tier.name)}", ""]
        for theme in tier.themes:
            lines += [f"### {_md(theme.name)}", ""]
            if theme.approach:
                lines += [_md(theme.approach), ""]
            if theme.risks:
                lines += [f"{words['risks']}:", ""]
                lines += [f"- {_md(r)}" for r in theme.risks]
                lines.append("")
            if theme.measures:
                lines += [f"{words['done']}:", ""]
                lines += [
                    f"- {_md(_measure_line(m, partners=False))} ({_md(m.status)})"
                    for m in theme.measures
                ]
                lines.append("")
            if theme.advice:
                lines += [f"{words['yourself']}:", ""]
                lines += [f"- {_md(a)}" for a in theme.advice]
                lines.append("")
    lines += [f"## {_md(words['yourself'])}", ""]
    lines += [f"- {_md(a)}" for a in reading.advice]
    if reading.self_help_measures:
        lines += ["", f"{words['society']}:", ""]
        lines += [f"- {_md(_measure_line(m, partners=True))}" for m in reading.self_help_measures]
    lines += ["", f"*{_md(reading.source)}*", ""]
    return "\n".join(lines)


_HTML = """<!DOCTYPE html>
<html lang="{{ page.language }}">
<head>
<meta charset="utf-8">
<meta name="generator" content="weerbaar">
<title>{{ page.title }}</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; max-width: 46rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.5; color: #222; }
h2 { border-bottom: 1px solid #ccc; } .status { color: #555; } .source { color: #555; }
</style>
</head>
<body>
<h1>{{ page.title }}</h1>
<p>{{ page.introduction }}</p>
{% for tier in page.tiers %}
<h2>{{ tier.name }}</h2>
{% for theme in tier.themes %}
<section>
<h3>{{ theme.name }}</h3>
{% if theme.approach %}<p>{{ theme.approach }}</p>{% endif %}
{% if theme.risks %}<p>{{ words.risks }}:</p>
<ul>{% for r in theme.risks %}<li>{{ r }}</li>{% endfor %}</ul>{% endif %}
{% if theme.measures %}<p>{{ words.done }}:</p>
<ul>{% for m in theme.measures %}<li>{{ line(m, partners=False) }}
 <span class="status">({{ m.status }})</span></li>{% endfor %}</ul>{% endif %}
{% if theme.advice %}<p>{{ words.yourself }}:</p>
<ul>{% for a in theme.advice %}<li>{{ a }}</li>{% endfor %}</ul>{% endif %}
</section>
{% endfor %}
{% endfor %}
<h2>{{ words.yourself }}</h2>
<ul>{% for a in page.advice %}<li>{{ a }}</li>{% endfor %}</ul>
{% if page.self_help_measures %}<p>{{ words.society }}:</p>
<ul>{% for m in page.self_help_measures %}<li>{{ line(m, partners=True) }}</li>
{% endfor %}</ul>{% endif %}
<p class="source"><em>{{ page.source }}</em></p>
</body>
</html>
"""

_template = Environment(autoescape=True, keep_trailing_newline=True).from_string(_HTML)


def as_html(summary: PublicSummary) -> str:
    """One self-contained page in the current language: no script, no style or font
    fetched from elsewhere."""
    return _template.render(page=summary.read(), words=_words(), line=_measure_line)
