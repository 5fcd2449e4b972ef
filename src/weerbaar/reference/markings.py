"""The table that reads TLP and PAP markings as weerbaar's classification and
need-to-know, and back (``weerbaar/data/signals/markings.yaml``)."""

from __future__ import annotations

from functools import cache

from weerbaar.domain.markings import Keep, MarkingRule, MarkingTable, marking_name
from weerbaar.errors import ConfigError
from weerbaar.reference._loader import Strict, checked
from weerbaar.reference.access import classification_levels

__all__ = ["marking_table"]

_PATH = "signals/markings.yaml"


class _Rule(Strict):
    classification: str
    keep: Keep | None = None


class _MarkingsFile(Strict):
    source: str
    markings: dict[str, _Rule]
    export_order: list[str]
    stix_ids: dict[str, str]


@cache
def marking_table() -> MarkingTable:
    data = checked(_MarkingsFile, _PATH)
    levels = classification_levels()
    rules: dict[str, MarkingRule] = {}
    for name, rule in data.markings.items():
        if marking_name(name) != name:
            raise ConfigError(f"weerbaar/data/{_PATH}: write {name!r} as {marking_name(name)!r}")
        if rule.classification not in levels:
            raise ConfigError(
                f"weerbaar/data/{_PATH}: {name}: unknown classification {rule.classification!r}"
            )
        rules[name] = MarkingRule(rule.classification, rule.keep)
    for name in (*data.export_order, *data.stix_ids.values()):
        if name not in rules:
            raise ConfigError(f"weerbaar/data/{_PATH}: {name!r} has no reading in markings")
    if not data.export_order:
        raise ConfigError(f"weerbaar/data/{_PATH}: export_order is empty")
    return MarkingTable(rules, tuple(data.export_order), dict(data.stix_ids))
