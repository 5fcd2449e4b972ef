"""Enumerations of the register; their values are what files and the database hold."""

from __future__ import annotations

from enum import StrEnum


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
    GENERIC = "generic"
    THEME_SPECIFIC = "theme_specific"
    LEGISLATIVE = "legislative"


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


class PictureSystem(StrEnum):
    DTN = "dtn"
    ATB = "atb"
    SECTOR = "sector"


class Language(StrEnum):
    NL = "nl"
    EN = "en"
