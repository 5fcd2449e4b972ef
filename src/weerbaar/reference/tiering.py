"""The rule set that proposes tiers by default (``weerbaar/data/tiering/default.yaml``)."""

from __future__ import annotations

from functools import cache

from weerbaar.domain.tiering import RuleError, RuleSet, parse_rule_set
from weerbaar.errors import ConfigError
from weerbaar.reference._loader import load

__all__ = ["default_tier_rules"]


@cache
def default_tier_rules() -> RuleSet:
    """The rule set that proposes tiers for a cycle without rules of its own."""
    path = "tiering/default.yaml"
    data = load(path)
    if not isinstance(data, dict):
        raise ConfigError(f"reference data file weerbaar/data/{path} is not a rule set")
    try:
        return parse_rule_set(data)
    except RuleError as exc:
        raise ConfigError(f"reference data file weerbaar/data/{path} is invalid: {exc}") from exc
