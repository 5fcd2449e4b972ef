"""Enumerations of the register; their values are what files and the database hold."""

from __future__ import annotations

from enum import StrEnum

from weerbaar.errors import said_in


class Tier(StrEnum):
    STRENGTHENED = "strengthened"
    CONTINUED_FOCUS = "continued_focus"
    EXPLORE_MONITOR = "explore_monitor"

    @property
    def label(self) -> str:
        return _TIER_LABELS[self]


_TIER_LABELS = {
    Tier.STRENGTHENED: "Strengthened approach (versterkte aanpak)",
    Tier.CONTINUED_FOCUS: "Continued focus on resilience (onverminderde inzet op weerbaarheid)",
    Tier.EXPLORE_MONITOR: "Explore and monitor (verkennen en monitoren)",
}


class OrgKind(StrEnum):
    MINISTRY = "ministry"
    AGENCY = "agency"
    MUNICIPALITY = "municipality"
    SAFETY_REGION = "safety_region"
    BUSINESS = "business"
    CIVIL_SOCIETY = "civil_society"
    KNOWLEDGE_INSTITUTE = "knowledge_institute"
    INTERNATIONAL_BODY = "international_body"


class ScenarioKind(StrEnum):
    HAZARD = "hazard"
    THREAT = "threat"


class ActorKind(StrEnum):
    STATE = "state"
    NON_STATE = "non_state"


class Level(StrEnum):
    UNKNOWN = "unknown"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Phase(StrEnum):
    """The links of the security chain (veiligheidsketen)."""

    PROACTION = "proaction"
    PREVENTION = "prevention"
    PREPARATION = "preparation"
    RESPONSE = "response"
    AFTERCARE = "aftercare"


class MeasureKind(StrEnum):
    GENERIC = "generic"  # raises resilience against many threats at once
    THEME_SPECIFIC = "theme_specific"
    LEGISLATIVE = "legislative"  # a legislative item, with its review steps
    INTERNATIONAL = "international_commitment"  # e.g. within the EU, NATO, OSCE or UN


class ReviewStep(StrEnum):
    """Where a legislative item stands on one of its review steps (the seed: weigh
    practitioners' wishes and the principles of the rule of law)."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class LegislativeStage(StrEnum):
    """The Dutch legislative process, from drafting to entry into force."""

    DRAFTING = "drafting"
    CONSULTATION = "consultation"  # internetconsultatie
    COUNCIL_OF_STATE = "council_of_state"  # advies Raad van State
    HOUSE = "house_of_representatives"  # Tweede Kamer
    SENATE = "senate"  # Eerste Kamer
    IN_FORCE = "in_force"
    WITHDRAWN = "withdrawn"


class ConcretisationStatus(StrEnum):
    NOT_STARTED = "not_started"
    DRAFTING = "drafting"
    CONCRETISED = "concretised"  # goals and measures set
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def concretised(self) -> bool:
        return self not in (ConcretisationStatus.NOT_STARTED, ConcretisationStatus.DRAFTING)


class RuleMatch(StrEnum):
    ANY = "any"
    ALL = "all"


class MeasureStatus(StrEnum):
    PROPOSED = "proposed"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    STOPPED = "stopped"


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class VitalCategory(StrEnum):
    A = "A"
    B = "B"


class BasicNeed(StrEnum):
    YES = "yes"
    NO = "no"


class DependencyKind(StrEnum):
    """What one vital process supplies to another."""

    ELECTRICITY = "electricity"
    GAS = "gas"
    FUEL = "fuel"
    WATER = "water"
    COOLING = "cooling"
    DATA = "data"
    TELECOM = "telecom"
    PAYMENTS = "payments"
    TRANSPORT = "transport"
    PERSONNEL = "personnel"
    CONTROL = "control"
    OTHER = "other"


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class SignalKind(StrEnum):
    NEWS = "news"  # a feed item, an article
    REPORT = "report"  # a threat-intelligence report (STIX report, MISP event)
    CAMPAIGN = "campaign"
    INDICATOR = "indicator"


class SourceKind(StrEnum):
    FEED = "feed"  # RSS or Atom
    JSON = "json"  # JSON or JSON Lines of signals at an address
    CSV = "csv"
    TAXII = "taxii"  # a TAXII 2.1 collection
    MISP = "misp"  # a MISP feed: manifest.json and one file per event


class AuthScheme(StrEnum):
    NONE = "none"
    BASIC = "basic"  # the secret is the password of the user named
    BEARER = "bearer"  # Authorization: Bearer <secret>
    KEY = "key"  # Authorization: <secret>, as MISP's API keys are sent


class ThemeSource(StrEnum):
    MODEL = "model"  # the classifier's
    ANALYST = "analyst"  # set or corrected by a person: training data for the next model


class AlertKind(StrEnum):
    GROWING = "growing"  # a theme's signals rise above their baseline
    NEW = "new"  # signals that fit no theme cluster together


class AlertStatus(StrEnum):
    OPEN = "open"
    FLAGGED = "flagged"  # its scenarios are to be reassessed in the round named
    DISMISSED = "dismissed"


_TIER_WORDS = {
    Tier.STRENGTHENED: said_in("value", "strengthened approach"),
    Tier.CONTINUED_FOCUS: said_in("value", "continued focus on resilience"),
    Tier.EXPLORE_MONITOR: said_in("value", "explore and monitor"),
}


def value_said(value: StrEnum) -> str:
    """An enumerated value in words, for a message: ``in_progress`` reads "in
    progress", and each reader reads it in their language (the "value" names of
    ``weerbaar.i18n.vocabulary``)."""
    if isinstance(value, Tier):
        return _TIER_WORDS[value]
    return said_in("value", str(value.value).replace("_", " "))
