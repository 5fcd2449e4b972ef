"""A real OpenID provider on loopback (oidc-provider-mock), and a person's part at it:
who signs in, with which claims. The provider signs real ID tokens with its own RSA
key and publishes that key, so weerbaar's checks run against the real thing."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from weerbaar.domain.single_sign_on import ClaimNames, ClearanceRule, Provider, RoleRule


@contextmanager
def running_provider() -> Iterator[str]:
    """A provider serving on this machine until the block ends; its issuer."""
    with warnings.catch_warnings():
        import authlib.deprecate  # noqa: F401 - its filter first, so that ours wins

        # The provider still imports authlib.jose, which warns that it is deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def provider_at(issuer: str, **changes: Any) -> Provider:
    """The test provider as weerbaar is configured for it: it creates accounts, and
    AIVD's ceiling is stg-c, NCSC's dep-v."""
    made = Provider(
        key="intranet",
        title="Intranet",
        issuer=issuer,
        client_id="weerbaar",
        client_secret="client secret of the tests",  # the provider takes any
        accounts="create",
        claims=ClaimNames(),
        roles=(RoleRule("coordinators", "coordinator"), RoleRule("analysts", "analyst")),
        default_role="viewer",
        organisations={"NCTV": "nctv", "AIVD": "aivd", "NCSC": "ncsc"},
        clearances=(
            ClearanceRule("stg-g", group="cleared-stg-g"),
            ClearanceRule("stg-c", group="cleared-stg-c"),
            ClearanceRule("dep-v", assurance="substantial"),
        ),
        ceilings={"nctv": "stg-g", "aivd": "stg-c", "ncsc": "dep-v"},
        mfa_acr=frozenset({"high"}),
        mfa_amr=frozenset({"mfa", "otp"}),
    )
    return dataclasses.replace(made, **changes)


def authorize(issuer: str, url: str, subject: str, claims: dict[str, Any]) -> str:
    """Sign in at the provider as ``subject`` with ``claims``, at the authorization
    address weerbaar sent the browser to; where the provider sends the browser back."""
    assert url.startswith(issuer)
    httpx.put(f"{issuer}/users/{subject}", json=claims).raise_for_status()
    answer = httpx.post(url, data={"sub": subject})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def deny(url: str) -> str:
    """Refuse at the provider: where it sends the browser back."""
    answer = httpx.post(url, data={"action": "deny"})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def answer_of(location: str) -> dict[str, str]:
    """The parameters of the provider's answer (code and state, or error)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
