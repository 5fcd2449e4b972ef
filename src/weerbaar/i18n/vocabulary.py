"""The names people read for the register's entities, fields and enumerated values,
and the help text of each field, in the reader's language. Files, the API and the
database keep the machine names (``threat_pictures``, ``horizon_years``,
``in_progress``); these tables give each its English words and, through the
catalogue, its Dutch ones (tested to cover every entity, field and value of the
register). A field's help is written in English where the field is declared
(:mod:`weerbaar.domain.entities`, read for the catalogue as babel.cfg says) and
translated here."""

from __future__ import annotations

from enum import Enum

from weerbaar.domain.entities import base
from weerbaar.domain.enums import Tier
from weerbaar.domain.fields import FieldSpec
from weerbaar.errors import said_in
from weerbaar.i18n import N_, NP_, gettext, pgettext

ENTITY = "entity"
FIELD = "field"
VALUE = "value"

ENTITY_TITLES: dict[str, str] = {
    "organisations": NP_("entity", "Organisations"),
    "cycles": NP_("entity", "Cycles"),
    "rounds": NP_("entity", "Rounds"),
    "themes": NP_("entity", "Themes"),
    "threats": NP_("entity", "Threats"),
    "actors": NP_("entity", "Actors"),
    "scenarios": NP_("entity", "Scenarios"),
    "capabilities": NP_("entity", "Capabilities"),
    "measures": NP_("entity", "Measures"),
    "decisions": NP_("entity", "Decisions"),
    "concretisations": NP_("entity", "Concretisations"),
    "milestones": NP_("entity", "Milestones"),
    "capability_needs": NP_("entity", "Capability needs"),
    "tier_rules": NP_("entity", "Tier rules"),
    "threat_pictures": NP_("entity", "Threat pictures"),
    "alert_measures": NP_("entity", "Alert measures"),
    "level_states": NP_("entity", "Level states"),
    "activations": NP_("entity", "Activations"),
    "vital_processes": NP_("entity", "Vital processes"),
    "dependencies": NP_("entity", "Dependencies"),
    "expertise": NP_("entity", "Expertise"),
    "sources": NP_("entity", "Sources"),
    "signals": NP_("entity", "Signals"),
    "alerts": NP_("entity", "Alerts"),
    "impact_scores": NP_("entity", "Impact scores"),
    "likelihood_scores": NP_("entity", "Likelihood scores"),
    # Not in the register, but in the audit trail: accounts, notifications, restores.
    "users": NP_("entity", "Accounts"),
    "api_tokens": NP_("entity", "API tokens"),
    "web_sessions": NP_("entity", "Browser sessions"),
    "sign_ins": NP_("entity", "Sign-ins"),
    "external_identities": NP_("entity", "External identities"),
    "second_factors": NP_("entity", "Second factors"),
    "recovery_codes": NP_("entity", "Recovery codes"),
    "notification_channels": NP_("entity", "Notification channels"),
    "notifications": NP_("entity", "Notifications"),
    "backups": NP_("entity", "Backups"),
}

SINGULARS: dict[str, str] = {
    "organisations": NP_("record", "organisation"),
    "cycles": NP_("record", "cycle"),
    "rounds": NP_("record", "round"),
    "themes": NP_("record", "theme"),
    "threats": NP_("record", "threat"),
    "actors": NP_("record", "actor"),
    "scenarios": NP_("record", "scenario"),
    "capabilities": NP_("record", "capability"),
    "measures": NP_("record", "measure"),
    "decisions": NP_("record", "decision"),
    "concretisations": NP_("record", "concretisation"),
    "milestones": NP_("record", "milestone"),
    "capability_needs": NP_("record", "capability need"),
    "tier_rules": NP_("record", "tier rule"),
    "threat_pictures": NP_("record", "threat picture"),
    "alert_measures": NP_("record", "pre-agreed measure"),
    "level_states": NP_("record", "level state"),
    "activations": NP_("record", "measure activation"),
    "vital_processes": NP_("record", "vital process"),
    "dependencies": NP_("record", "dependency"),
    "expertise": NP_("record", "expertise"),
    "sources": NP_("record", "source"),
    "signals": NP_("record", "signal"),
    "alerts": NP_("record", "alert"),
    "impact_scores": NP_("record", "impact score"),
    "likelihood_scores": NP_("record", "likelihood score"),
}

# What else an error can name as not found, a duplicate or in conflict: the words
# errors.NotFoundError and its kin read in the "record" context (errors.record_word).
OTHER_RECORDS: tuple[str, ...] = (
    NP_("record", "user"),
    NP_("record", "API token"),
    NP_("record", "session"),
    NP_("record", "notification"),
    NP_("record", "notification channel"),
    NP_("record", "ministry"),
    NP_("record", "page"),
    NP_("record", "export format"),
    NP_("record", "level timeline"),
)

FIELD_TITLES: dict[str, str] = {
    "abbreviation": NP_("field", "Abbreviation"),
    "activated_by": NP_("field", "Activated by"),
    "actors": NP_("field", "Actors"),
    "address": NP_("field", "Address"),
    "approach": NP_("field", "Approach"),
    "approach_en": NP_("field", "Approach (English)"),
    "auth": NP_("field", "Authentication"),
    "basic_need": NP_("field", "Basic need"),
    "budget": NP_("field", "Budget"),
    "buffer_hours": NP_("field", "Buffer hours"),
    "buffer_hours_high": NP_("field", "Buffer hours high"),
    "capabilities": NP_("field", "Capabilities"),
    "capability": NP_("field", "Capability"),
    "category": NP_("field", "Category"),
    "classification": NP_("field", "Classification"),
    "concretisation": NP_("field", "Concretisation"),
    "conditions": NP_("field", "Conditions"),
    "contact": NP_("field", "Contact"),
    "cost_per_hour": NP_("field", "Cost per hour"),
    "country": NP_("field", "Country"),
    "criterion": NP_("field", "Criterion"),
    "current": NP_("field", "Current"),
    "cycle": NP_("field", "Cycle"),
    "decided_by": NP_("field", "Decided by"),
    "decided_on": NP_("field", "Decided on"),
    "decision": NP_("field", "Decision"),
    "dependent": NP_("field", "Dependent"),
    "description": NP_("field", "Description"),
    "description_en": NP_("field", "Description (English)"),
    "detected_on": NP_("field", "Detected on"),
    "deviation": NP_("field", "Deviation"),
    "done_on": NP_("field", "Done on"),
    "due_on": NP_("field", "Due on"),
    "duplicate_of": NP_("field", "Duplicate of"),
    "duration": NP_("field", "Duration"),
    "duration_high": NP_("field", "Duration high"),
    "duration_low": NP_("field", "Duration low"),
    "edition": NP_("field", "Edition"),
    "effective_at": NP_("field", "Effective at"),
    "ended_by": NP_("field", "Ended by"),
    "ends_on": NP_("field", "Ends on"),
    "expected": NP_("field", "Expected"),
    "external_id": NP_("field", "External id"),
    "fingerprint": NP_("field", "Fingerprint"),
    "from_level": NP_("field", "From level"),
    "goals": NP_("field", "Goals"),
    "goals_en": NP_("field", "Goals (English)"),
    "held_on": NP_("field", "Held on"),
    "highest": NP_("field", "Highest"),
    "horizon_years": NP_("field", "Horizon years"),
    "intent": NP_("field", "Intent"),
    "interval_minutes": NP_("field", "Interval minutes"),
    "involved": NP_("field", "Involved"),
    "issued_on": NP_("field", "Issued on"),
    "issuer": NP_("field", "Issuer"),
    "key": NP_("field", "Key"),
    "kind": NP_("field", "Kind"),
    "lag_hours": NP_("field", "Lag hours"),
    "lag_hours_high": NP_("field", "Lag hours high"),
    "language": NP_("field", "Language"),
    "lead": NP_("field", "Lead"),
    "legislative_stage": NP_("field", "Legislative stage"),
    "level": NP_("field", "Level"),
    "lowest": NP_("field", "Lowest"),
    "match": NP_("field", "Match"),
    "measure": NP_("field", "Measure"),
    "measures": NP_("field", "Measures"),
    "ministry": NP_("field", "Ministry"),
    "name": NP_("field", "Name"),
    "name_en": NP_("field", "Name (English)"),
    "narrative": NP_("field", "Narrative"),
    "narrative_en": NP_("field", "Narrative (English)"),
    "needed": NP_("field", "Needed"),
    "note": NP_("field", "Note"),
    "note_en": NP_("field", "Note (English)"),
    "operator": NP_("field", "Operator"),
    "organisation": NP_("field", "Organisation"),
    "owned_by": NP_("field", "Owned by"),
    "owner": NP_("field", "Owner"),
    "parent": NP_("field", "Parent"),
    "partners": NP_("field", "Partners"),
    "people_served": NP_("field", "People served"),
    "phase": NP_("field", "Phase"),
    "picture": NP_("field", "Picture"),
    "position": NP_("field", "Position"),
    "practitioners_consulted": NP_("field", "Practitioners consulted"),
    "previous_level": NP_("field", "Previous level"),
    "probability": NP_("field", "Probability"),
    "probability_high": NP_("field", "Probability high"),
    "probability_low": NP_("field", "Probability low"),
    "process": NP_("field", "Process"),
    "proposal_reasons": NP_("field", "Proposal reasons"),
    "proposal_rule": NP_("field", "Proposal rule"),
    "proposed_tier": NP_("field", "Proposed tier"),
    "published_on": NP_("field", "Published on"),
    "quantity": NP_("field", "Quantity"),
    "quantity_high": NP_("field", "Quantity high"),
    "quantity_low": NP_("field", "Quantity low"),
    "question": NP_("field", "Question"),
    "rationale": NP_("field", "Rationale"),
    "rationale_en": NP_("field", "Rationale (English)"),
    "reason": NP_("field", "Reason"),
    "references": NP_("field", "References"),
    "region": NP_("field", "Region"),
    "restart_hours": NP_("field", "Restart hours"),
    "restart_hours_high": NP_("field", "Restart hours high"),
    "round": NP_("field", "Round"),
    "rule_of_law_review": NP_("field", "Rule of law review"),
    "scale": NP_("field", "Scale"),
    "scenario": NP_("field", "Scenario"),
    "scenarios": NP_("field", "Scenarios"),
    "secret_env": NP_("field", "Secret variable"),
    "secret_file": NP_("field", "Secret file"),
    "sector": NP_("field", "Sector"),
    "shared_with": NP_("field", "Shared with"),
    "signals": NP_("field", "Signals"),
    "since": NP_("field", "Since"),
    "site": NP_("field", "Site"),
    "source": NP_("field", "Source"),
    "sources": NP_("field", "Sources"),
    "sponsor": NP_("field", "Sponsor"),
    "starts_on": NP_("field", "Starts on"),
    "state": NP_("field", "State"),
    "status": NP_("field", "Status"),
    "strength": NP_("field", "Strength"),
    "summary": NP_("field", "Summary"),
    "summary_en": NP_("field", "Summary (English)"),
    "supplier": NP_("field", "Supplier"),
    "synonyms": NP_("field", "Synonyms"),
    "system": NP_("field", "System"),
    "target_sectors": NP_("field", "Target sectors"),
    "theme": NP_("field", "Theme"),
    "theme_by": NP_("field", "Theme by"),
    "theme_confidence": NP_("field", "Theme confidence"),
    "threat": NP_("field", "Threat"),
    "tier": NP_("field", "Tier"),
    "title": NP_("field", "Title"),
    "title_en": NP_("field", "Title (English)"),
    "topic": NP_("field", "Topic"),
    "until": NP_("field", "Until"),
    "url": NP_("field", "Url"),
    "username": NP_("field", "User name"),
    "victims": NP_("field", "Victims"),
}

ENGLISH_HELP = N_("%(field)s in English, for English readers")
"""The help of an English companion field (``name_en`` beside ``name``), marked for
the catalogue: the same words as :data:`weerbaar.domain.entities.base.ENGLISH_HELP`,
which the domain, speaking no i18n, cannot mark itself."""

VALUE_LABELS: dict[str, str] = {
    "aftercare": NP_("value", "aftercare"),
    "agency": NP_("value", "agency"),
    "all": NP_("value", "all"),
    "analyst": NP_("value", "analyst"),
    "any": NP_("value", "any"),
    "basic": NP_("value", "basic"),
    "bearer": NP_("value", "bearer"),
    "business": NP_("value", "business"),
    "campaign": NP_("value", "campaign"),
    "civil_society": NP_("value", "civil society"),
    "closed": NP_("value", "closed"),
    "completed": NP_("value", "completed"),
    "concretised": NP_("value", "concretised"),
    "consultation": NP_("value", "consultation"),
    "control": NP_("value", "control"),
    "cooling": NP_("value", "cooling"),
    "council_of_state": NP_("value", "council of state"),
    "csv": NP_("value", "csv"),
    "data": NP_("value", "data"),
    "dismissed": NP_("value", "dismissed"),
    "done": NP_("value", "done"),
    "drafting": NP_("value", "drafting"),
    "electricity": NP_("value", "electricity"),
    "en": NP_("value", "en"),
    "feed": NP_("value", "feed"),
    "flagged": NP_("value", "flagged"),
    "fuel": NP_("value", "fuel"),
    "gas": NP_("value", "gas"),
    "generic": NP_("value", "generic"),
    "growing": NP_("value", "growing"),
    "hazard": NP_("value", "hazard"),
    "high": NP_("value", "high"),
    "house_of_representatives": NP_("value", "house of representatives"),
    "in_force": NP_("value", "in force"),
    "in_progress": NP_("value", "in progress"),
    "indicator": NP_("value", "indicator"),
    "international_body": NP_("value", "international body"),
    "international_commitment": NP_("value", "international commitment"),
    "json": NP_("value", "json"),
    "key": NP_("value", "key"),
    "knowledge_institute": NP_("value", "knowledge institute"),
    "legislative": NP_("value", "legislative"),
    "low": NP_("value", "low"),
    "medium": NP_("value", "medium"),
    "ministry": NP_("value", "ministry"),
    "misp": NP_("value", "misp"),
    "model": NP_("value", "model"),
    "municipality": NP_("value", "municipality"),
    "new": NP_("value", "new"),
    "news": NP_("value", "news"),
    "nl": NP_("value", "nl"),
    "no": NP_("value", "no"),
    "non_state": NP_("value", "non state"),
    "none": NP_("value", "none"),
    "not_applicable": NP_("value", "not applicable"),
    "not_started": NP_("value", "not started"),
    "open": NP_("value", "open"),
    "other": NP_("value", "other"),
    "payments": NP_("value", "payments"),
    "pending": NP_("value", "pending"),
    "personnel": NP_("value", "personnel"),
    "planned": NP_("value", "planned"),
    "preparation": NP_("value", "preparation"),
    "prevention": NP_("value", "prevention"),
    "proaction": NP_("value", "proaction"),
    "proposed": NP_("value", "proposed"),
    "report": NP_("value", "report"),
    "response": NP_("value", "response"),
    "safety_region": NP_("value", "safety region"),
    "senate": NP_("value", "senate"),
    "state": NP_("value", "state"),
    "stopped": NP_("value", "stopped"),
    "taxii": NP_("value", "taxii"),
    "telecom": NP_("value", "telecom"),
    "theme_specific": NP_("value", "theme specific"),
    "threat": NP_("value", "threat"),
    "transport": NP_("value", "transport"),
    "unknown": NP_("value", "unknown"),
    "water": NP_("value", "water"),
    "withdrawn": NP_("value", "withdrawn"),
    "yes": NP_("value", "yes"),
}

TIER_LABELS: dict[Tier, str] = {
    Tier.STRENGTHENED: NP_("value", "Strengthened approach"),
    Tier.CONTINUED_FOCUS: NP_("value", "Continued focus on resilience"),
    Tier.EXPLORE_MONITOR: NP_("value", "Explore and monitor"),
}


ACTION_LABELS: dict[str, str] = {
    "create": NP_("action", "create"),
    "update": NP_("action", "update"),
    "delete": NP_("action", "delete"),
    "declassify": NP_("action", "declassify"),
    "refuse": NP_("action", "refuse"),
    "confirm": NP_("action", "confirm"),
    "restore": NP_("action", "restore"),
}


def action_label(action: str) -> str:
    """What an audit entry did, in words; the entry itself keeps the machine word."""
    found = ACTION_LABELS.get(action)
    return pgettext("action", found) if found else action.replace("_", " ")


def entity_title(name: str) -> str:
    """``"Threat pictures"`` / ``"Dreigingsbeelden"``."""
    return pgettext(ENTITY, ENTITY_TITLES.get(name) or name.replace("_", " ").capitalize())


def singular(name: str) -> str:
    """One record of the entity, in lower case: "threat picture" / "dreigingsbeeld"."""
    found = SINGULARS.get(name)
    return pgettext("record", found) if found else name.replace("_", " ")


def field_title(name: str) -> str:
    """``"Horizon years"`` / ``"Horizon (jaren)"``; a field outside the register (a
    column of a computed table) reads as its words."""
    return pgettext(FIELD, FIELD_TITLES.get(name) or name.replace("_", " ").capitalize())


def field_help(field: FieldSpec) -> str:
    """What a field holds, as shown under it on a form: "name of the cycle" / "naam van
    de cyclus". An English companion's help names its Dutch field by that field's title
    in the reader's language: "description in English, for English readers" /
    "beschrijving in het Engels, voor Engelstalige lezers"."""
    if not field.help:
        return ""  # the catalogue's "" is its header, not a translation
    dutch = field.name.removesuffix("_en")
    if dutch != field.name and field.help == base.ENGLISH_HELP % {"field": dutch}:
        return gettext(ENGLISH_HELP, field=_in_sentence(field_title(dutch)))
    return gettext(field.help)


def _in_sentence(title: str) -> str:
    """A field's title inside a sentence: "Description" reads "description"; an
    abbreviation ("ISO code") keeps its capitals."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def value_label(value: Enum | str) -> str:
    """An enumerated value in words: ``in_progress`` reads "in progress" / "in uitvoering"."""
    if isinstance(value, Tier):
        return tier_label(value)
    text = str(value.value if isinstance(value, Enum) else value)
    found = VALUE_LABELS.get(text)
    return pgettext(VALUE, found) if found else text.replace("_", " ")


def tier_label(tier: Tier) -> str:
    """The strategy's name of a tier: "Versterkte aanpak" for Dutch readers."""
    return pgettext(VALUE, TIER_LABELS[tier])


def said_entity(name: str) -> str:
    """An entity's title for a message (``"Threat pictures"``), that each reader reads
    in their language (see :func:`weerbaar.errors.said`)."""
    return said_in(ENTITY, ENTITY_TITLES.get(name) or name.replace("_", " ").capitalize())


def said_record(name: str) -> str:
    """One record of the entity for a message (``"threat picture"``), that each reader
    reads in their language."""
    return said_in("record", SINGULARS.get(name) or name.replace("_", " "))
