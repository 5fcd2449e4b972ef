"""Single sign-on: the OpenID providers people may sign in with, and how what a
provider says about someone (the claims of its ID token) becomes an account's role,
organisation and clearance.

A provider never grants more than the administrator allowed: each organisation has a
ceiling, and a clearance the claims ask above it is lowered to it (and the lowering
is reported, so that it is audited). The provider's sign-in counts as the second
factor only when its ID token says a multi-factor method was used (``acr`` or
``amr`` values the configuration names).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from weerbaar.domain.access import Levels
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.errors import ForbiddenError, said

AccountPolicy = Literal["create", "existing"]
USERNAME_LENGTH = 64  # as the users table holds a username


@dataclass(frozen=True, slots=True)
class ClaimNames:
    """Which claim of the ID token carries each fact about the person."""

    username: str = "preferred_username"
    display_name: str = "name"
    groups: str = "groups"
    organisation: str = "organisation"
    assurance: str = "acr"


@dataclass(frozen=True, slots=True)
class RoleRule:
    group: str
    role: str


@dataclass(frozen=True, slots=True)
class ClearanceRule:
    """A clearance for a group value or an assurance value (one of the two)."""

    clearance: str
    group: str | None = None
    assurance: str | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    key: str
    title: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = ("openid", "profile")
    accounts: AccountPolicy = "existing"
    claims: ClaimNames = ClaimNames()
    roles: tuple[RoleRule, ...] = ()  # the first whose group the person is in
    default_role: str | None = None  # for whom no rule matches; None: refused
    organisations: Mapping[str, str] = field(default_factory=dict)  # claim value → key
    clearances: tuple[ClearanceRule, ...] = ()  # the highest that matches
    default_clearance: str = "public"
    ceilings: Mapping[str, str] = field(default_factory=dict)  # organisation → highest
    mfa_acr: frozenset[str] = frozenset()
    mfa_amr: frozenset[str] = frozenset()

    @property
    def manages_accounts(self) -> bool:
        """Whether the provider creates accounts and keeps their role, organisation
        and clearance; otherwise it only vouches for who someone is."""
        return self.accounts == "create"

    def satisfies_second_factor(self, claims: Mapping[str, Any]) -> bool:
        """Whether the ID token says the person signed in with more than one factor."""
        acr = claims.get("acr")
        if isinstance(acr, str) and acr in self.mfa_acr:
            return True
        return bool(set(_strings(claims.get("amr"))) & self.mfa_amr)


@dataclass(frozen=True, slots=True)
class MappedAccount:
    """An account as a provider's claims describe it, within the ceilings."""

    username: str
    display_name: str
    role: str
    organisation: str
    clearance: str
    asked_clearance: str  # what the claims asked, before the ceiling

    @property
    def capped(self) -> bool:
        return self.clearance != self.asked_clearance


def _strings(value: Any) -> tuple[str, ...]:
    """A claim that holds one string or a list of them, as a tuple of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def username_of(provider: Provider, claims: Mapping[str, Any]) -> str:
    """The weerbaar username the claims name: lower-case, and of the form usernames
    take, or the sign-in is refused."""
    name = _text(claims, provider.claims.username).lower()
    if not name:
        raise ForbiddenError(
            said(
                "%(provider)s did not say who you are (no %(username)s claim)",
                provider=provider.title,
                username=repr(provider.claims.username),
            )
        )
    if len(name) > USERNAME_LENGTH or not KEY_PATTERN.fullmatch(name):
        raise ForbiddenError(
            said(
                "%(provider)s names you %(name)s, which is no weerbaar username "
                "(lower-case letters, digits and hyphens, starting with a letter)",
                provider=provider.title,
                name=repr(name[:80]),
            )
        )
    return name


def map_claims(provider: Provider, claims: Mapping[str, Any], levels: Levels) -> MappedAccount:
    """The account the claims describe. Refused (ForbiddenError) when they give no
    role or no organisation the configuration knows."""
    username = username_of(provider, claims)
    groups = set(_strings(claims.get(provider.claims.groups)))
    role = next((r.role for r in provider.roles if r.group in groups), provider.default_role)
    if role is None:
        raise ForbiddenError(
            said("%(provider)s gives you no role in weerbaar", provider=provider.title)
        )
    given = _text(claims, provider.claims.organisation)
    organisation = provider.organisations.get(given)
    if organisation is None:
        raise ForbiddenError(
            said("%(provider)s gives you no organisation weerbaar knows", provider=provider.title)
        )
    assurance = set(_strings(claims.get(provider.claims.assurance)))
    matched = [
        rule.clearance
        for rule in provider.clearances
        if (rule.group is not None and rule.group in groups)
        or (rule.assurance is not None and rule.assurance in assurance)
    ]
    asked = max([provider.default_clearance, *matched], key=levels.rank)
    ceiling = provider.ceilings[organisation]
    clearance = min(asked, ceiling, key=levels.rank)
    return MappedAccount(
        username=username,
        display_name=_text(claims, provider.claims.display_name)[:200] or username,
        role=role,
        organisation=organisation,
        clearance=clearance,
        asked_clearance=asked,
    )
