"""Vital infrastructure: the processes, the dependencies between them, and who knows
them."""

from __future__ import annotations

from weerbaar.domain.entities.base import (
    Marked,
    derived_key,
    english,
    enum,
    key,
    number,
    record,
    ref,
    text,
)
from weerbaar.domain.enums import BasicNeed, DependencyKind, VitalCategory

__all__ = ["Dependency", "Expertise", "VitalProcess"]


@record
class VitalProcess(Marked):
    """A process of the national list of vital processes, nationwide or for one region,
    with what its outage costs: the people it serves and the money per hour."""

    key: str = key()
    name: str = text("name", required=True)
    name_en: str | None = english("name")
    sector: str = text("sector", required=True)
    category: VitalCategory = enum(VitalCategory, "category A or B", required=True)
    operator: str | None = ref("organisations", "operating organisation")
    region: str | None = text("region it serves (blank: the whole country)")
    people_served: float | None = number("people who depend on it", minimum=0)
    basic_need: BasicNeed | None = enum(
        BasicNeed, "its outage leaves people without basic necessities (criterion 2.3)"
    )
    restart_hours: float | None = number("hours to restart once its supplies are back", minimum=0)
    restart_hours_high: float | None = number("longest restart, hours", minimum=0)
    cost_per_hour: float | None = number("cost of its outage per hour, EUR", minimum=0)
    description: str | None = text("description")


@record
class Dependency(Marked):
    """One vital process needing another: the dependent fails when the supplier has been
    down longer than the dependent's buffer, after the lag the effect takes to arrive."""

    key: str = derived_key()
    supplier: str = ref("vital_processes", "the process supplied from", required=True)
    dependent: str = ref("vital_processes", "the process that needs it", required=True)
    kind: DependencyKind = enum(DependencyKind, "what is supplied", required=True)
    strength: float | None = number(
        "probability that losing the supply takes the dependent down (blank: 1)",
        minimum=0.01,
        maximum=1,
    )
    lag_hours: float | None = number("hours before the effect arrives (blank: 0)", minimum=0)
    lag_hours_high: float | None = number("longest lag, hours", minimum=0)
    buffer_hours: float | None = number(
        "hours the dependent bridges without it: stock, backup (blank: 0)", minimum=0
    )
    buffer_hours_high: float | None = number("longest buffer, hours", minimum=0)
    note: str | None = text("why: sources, reasoning")


@record
class Expertise(Marked):
    """An organisation that holds knowledge of a vital process."""

    key: str = derived_key()
    process: str = ref("vital_processes", "vital process", required=True)
    organisation: str = ref("organisations", "organisation with the knowledge", required=True)
    topic: str = text("what it knows: design, dependencies, recovery, …", required=True)
    contact: str | None = text("how to reach the experts")
