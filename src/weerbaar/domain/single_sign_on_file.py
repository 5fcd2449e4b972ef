"""The shape of the single sign-on configuration file (``WEERBAAR_OIDC_CONFIG``), and
its reading into :class:`~weerbaar.domain.single_sign_on.Provider` values.

The file names each client secret's environment variable, never the secret: the
file can then be kept under version control and shown to auditors. Every complaint
names the file and the field. Whether the roles and clearances it names exist is
checked against the reference data when the web app starts.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.domain.single_sign_on import (
    ClaimNames,
    ClearanceRule,
    Provider,
    RoleRule,
)
from weerbaar.errors import ConfigError

__all__ = ["read_providers"]

_VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Claims(_Strict):
    username: str = "preferred_username"
    display_name: str = "name"
    groups: str = "groups"
    organisation: str = "organisation"
    assurance: str = "acr"


class _RoleRule(_Strict):
    group: str = Field(min_length=1)
    role: str = Field(min_length=1)


class _ClearanceRule(_Strict):
    clearance: str = Field(min_length=1)
    group: str | None = Field(default=None, min_length=1)
    assurance: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_condition(self) -> _ClearanceRule:
        if (self.group is None) == (self.assurance is None):
            raise ValueError("give either group or assurance, not both or neither")
        return self


class _Provider(_Strict):
    key: str = Field(max_length=64)
    title: str = Field(min_length=1, max_length=80)
    issuer: str = Field(min_length=1, max_length=500)
    client_id: str = Field(min_length=1, max_length=500)
    client_secret_env: str
    scopes: list[str] = Field(default=["openid", "profile"], min_length=1)
    accounts: Literal["create", "existing"]
    claims: _Claims = _Claims()
    roles: list[_RoleRule] = []
    default_role: str | None = None
    organisations: dict[str, str] = {}
    clearances: list[_ClearanceRule] = []
    default_clearance: str = "public"
    ceilings: dict[str, str] = {}
    mfa_acr: list[str] = []
    mfa_amr: list[str] = []

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not KEY_PATTERN.fullmatch(value):
            raise ValueError("lower-case letters, digits and hyphens, starting with a letter")
        return value

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
        if not secure or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                "an https:// address without query or fragment (http:// only on this machine)"
            )
        return value

    @field_validator("client_secret_env")
    @classmethod
    def _variable(cls, value: str) -> str:
        if not _VARIABLE.fullmatch(value):
            raise ValueError("the name of an environment variable (A-Z, 0-9, _), not a secret")
        return value

    @field_validator("scopes")
    @classmethod
    def _openid(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("must include openid")
        return value

    @model_validator(mode="after")
    def _complete(self) -> _Provider:
        if self.accounts == "create" and not self.organisations:
            raise ValueError("accounts: create needs organisations (claim value: organisation)")
        missing = sorted(set(self.organisations.values()) - set(self.ceilings))
        if missing:
            raise ValueError(f"ceilings: no clearance ceiling for organisations {missing}")
        return self


class _File(_Strict):
    providers: list[_Provider] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> _File:
        keys = [p.key for p in self.providers]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"provider keys repeat: {repeated}")
        return self


def _place(location: tuple[int | str, ...], document: Any) -> str:
    """A pydantic error location as a person finds it: ``providers[0] (intranet).issuer``."""
    text = ""
    for step in location:
        if isinstance(step, int):
            text += f"[{step}]"
            if text.startswith("providers[") and text.count("[") == 1:
                with contextlib.suppress(KeyError, IndexError, TypeError):
                    text += f" ({document['providers'][step]['key']})"
        else:
            text += f".{step}" if text else step
    return text or "(the file)"


def _secret(provider: _Provider, env: Mapping[str, str], source: str) -> str:
    value = env.get(provider.client_secret_env, "").strip()
    if not value:
        raise ConfigError(
            f"{source}: provider {provider.key!r}: client_secret_env names "
            f"{provider.client_secret_env}, which is not set"
        )
    return value


def read_providers(document: Any, *, source: str, env: Mapping[str, str]) -> tuple[Provider, ...]:
    """The providers a parsed configuration file describes, their client secrets
    taken from ``env``; a ConfigError naming ``source`` and the field otherwise."""
    try:
        parsed = _File.model_validate(document)
    except ValidationError as exc:
        problems = [
            f"  - {_place(error['loc'], document)}: {error['msg']}" for error in exc.errors()
        ]
        raise ConfigError(
            f"{source} is not a valid single sign-on configuration:\n" + "\n".join(problems)
        ) from None
    return tuple(
        Provider(
            key=p.key,
            title=p.title,
            issuer=p.issuer,
            client_id=p.client_id,
            client_secret=_secret(p, env, source),
            scopes=tuple(p.scopes),
            accounts=p.accounts,
            claims=ClaimNames(**p.claims.model_dump()),
            roles=tuple(RoleRule(r.group, r.role) for r in p.roles),
            default_role=p.default_role,
            organisations=dict(p.organisations),
            clearances=tuple(
                ClearanceRule(c.clearance, c.group, c.assurance) for c in p.clearances
            ),
            default_clearance=p.default_clearance,
            ceilings=dict(p.ceilings),
            mfa_acr=frozenset(p.mfa_acr),
            mfa_amr=frozenset(p.mfa_amr),
        )
        for p in parsed.providers
    )
