"""The classification levels records carry and the roles users can have
(``weerbaar/data/access/``)."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from weerbaar.domain.access import ClassificationLevel, Levels, Role
from weerbaar.domain.password_policy import PasswordPolicy
from weerbaar.domain.register import BY_NAME
from weerbaar.domain.second_factor import SecondFactorPolicy
from weerbaar.errors import ConfigError
from weerbaar.reference._loader import Strict, checked

__all__ = ["classification_levels", "password_policy", "roles", "second_factor_policy"]


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
    acts: tuple[Literal["chair", "review", "approve", "reopen"], ...] = ()
    guest: bool = False


class _RolesFile(Strict):
    source: str
    roles: dict[str, _RoleFile] = Field(min_length=1)


class _PasswordsFile(Strict):
    source: str
    min_length: int = Field(ge=8, le=256)
    max_length: int = Field(ge=64, le=4096)
    min_score: int = Field(ge=0, le=4)
    words: list[str]


@cache
def password_policy() -> PasswordPolicy:
    """What a new password must be."""
    data = checked(_PasswordsFile, "access/passwords.yaml")
    if data.min_length > data.max_length:
        raise ConfigError("weerbaar/data/access/passwords.yaml: min_length above max_length")
    words = frozenset(w.strip().casefold() for w in data.words if w.strip())
    return PasswordPolicy(data.min_length, data.max_length, data.min_score, words)


class _SecondFactorFile(Strict):
    source: str
    clearances: list[str]
    roles: list[str]
    recovery_codes: int = Field(ge=1, le=50)
    drift_steps: int = Field(ge=0, le=3)
    confirm_again_minutes: int = Field(ge=1, le=60)


@cache
def second_factor_policy() -> SecondFactorPolicy:
    """Who must sign in with a second factor, and how codes are checked."""
    data = checked(_SecondFactorFile, "access/second_factor.yaml")
    name = "weerbaar/data/access/second_factor.yaml"
    unknown = [c for c in data.clearances if c not in classification_levels()]
    if unknown:
        raise ConfigError(f"{name}: unknown clearances {unknown}")
    strange = [r for r in data.roles if r not in roles()]
    if strange:
        raise ConfigError(f"{name}: unknown roles {strange}")
    return SecondFactorPolicy(
        frozenset(data.clearances),
        frozenset(data.roles),
        data.recovery_codes,
        data.drift_steps,
        data.confirm_again_minutes,
    )


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
        key: Role(
            key,
            r.name,
            r.name_en,
            frozenset(r.writes),
            r.manages_accounts,
            acts=frozenset(r.acts),
            guest=r.guest,
        )
        for key, r in data.roles.items()
    }
