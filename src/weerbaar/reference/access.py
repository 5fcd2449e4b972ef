"""The classification levels records carry and the roles users can have
(``weerbaar/data/access/``)."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from weerbaar.domain.access import ClassificationLevel, Levels, Role
from weerbaar.domain.register import BY_NAME
from weerbaar.errors import ConfigError
from weerbaar.reference._loader import Strict, checked

__all__ = ["classification_levels", "roles"]


class _ClassificationFile(Strict):
    key: str
    name: str
    name_en: str


class _ClassificationsFile(Strict):
    source: str
    levels: list[_ClassificationFile] = Field(min_length=1)


class _RoleFile(Strict):
    name: str
    name_en: str
    writes: list[str]
    manages_accounts: bool = False


class _RolesFile(Strict):
    source: str
    roles: dict[str, _RoleFile] = Field(min_length=1)


@cache
def classification_levels() -> Levels:
    """The classification levels records carry, lowest first."""
    data = checked(_ClassificationsFile, "access/classifications.yaml")
    keys = [lv.key for lv in data.levels]
    if len(set(keys)) != len(keys):
        raise ConfigError("weerbaar/data/access/classifications.yaml: level keys repeat")
    return Levels(tuple(ClassificationLevel(lv.key, lv.name, lv.name_en) for lv in data.levels))


@cache
def roles() -> dict[str, Role]:
    """The roles users can have, by key, with what each may write."""
    data = checked(_RolesFile, "access/roles.yaml")
    for key, role in data.roles.items():
        unknown = [e for e in role.writes if e != "*" and e not in BY_NAME]
        if unknown:
            raise ConfigError(f"weerbaar/data/access/roles.yaml: role {key!r} names {unknown}")
    return {
        key: Role(key, r.name, r.name_en, frozenset(r.writes), r.manages_accounts)
        for key, r in data.roles.items()
    }
