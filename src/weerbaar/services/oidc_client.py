"""The OpenID Connect side of single sign-on (Authlib): a provider's metadata from its
discovery document, the authorization request (with PKCE, S256), the code exchange,
and the check of the ID token — its signature against the provider's published keys,
its issuer, audience, expiry and nonce.

Every failure is an :class:`~weerbaar.errors.UnauthenticatedError` whose message says
what went wrong without quoting a token or a secret: the caller audits it.
Sign-ins are rare, so the metadata and keys are fetched at each one rather than
cached: a provider's key rotation is then followed at once.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from weerbaar.domain.single_sign_on import Provider
from weerbaar.errors import UnauthenticatedError, said

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import OAuth2Client

TIMEOUT = 10.0  # seconds for each request to a provider
LEEWAY = 60  # seconds of clock difference allowed on the token's times
# Signatures with a provider's published public key only: never "none", nor a MAC
# under the client secret, which anyone who holds that secret could forge.
ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a provider's discovery document says, as far as weerbaar uses it."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]


def _oauth_client(provider: Provider, redirect_uri: str | None = None) -> OAuth2Client:
    # Authlib's httpx client warns at import that it would prefer httpx2; the httpx
    # weerbaar depends on serves it fully. Authlib's own filter, which shows its
    # warnings always, is installed first so that this one comes before it.
    with warnings.catch_warnings():
        import authlib.deprecate  # noqa: F401

        warnings.simplefilter("ignore", DeprecationWarning)
        from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=" ".join(provider.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=TIMEOUT,
        follow_redirects=False,
    )


def _secure(provider: Provider, url: object, what: str) -> str:
    """An endpoint of the provider's: over HTTPS, or plain HTTP on this machine when
    the issuer itself is there (tests, a provider beside the app)."""
    if not isinstance(url, str) or not url:
        raise UnauthenticatedError(
            said("%(provider)s publishes no %(what)s", provider=provider.title, what=what)
        )
    parts = urlsplit(url)
    loopback = urlsplit(provider.issuer).scheme == "http" and parts.hostname in {
        "localhost",
        "127.0.0.1",
        "::1",
    }
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise UnauthenticatedError(
            said(
                "%(provider)s's %(what)s is not an https:// address",
                provider=provider.title,
                what=what,
            )
        )
    return url


def _json(client: OAuth2Client, url: str, provider: Provider, what: str) -> dict[str, Any]:
    try:
        response = client.request("GET", url, withhold_token=True)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError):
        raise UnauthenticatedError(
            said(
                "%(provider)s could not be asked for its %(what)s",
                provider=provider.title,
                what=what,
            )
        ) from None
    if not isinstance(document, dict):
        raise UnauthenticatedError(
            said("%(provider)s's %(what)s is not a JSON object", provider=provider.title, what=what)
        )
    return document


def discover(provider: Provider) -> Metadata:
    """The provider's metadata from ``{issuer}/.well-known/openid-configuration``; it
    must name the configured issuer (OpenID Connect Discovery, section 4.3)."""
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    with _oauth_client(provider) as client:
        document = _json(client, url, provider, said("discovery document"))
    if document.get("issuer") != provider.issuer:
        raise UnauthenticatedError(
            said("%(provider)s's discovery document names another issuer", provider=provider.title)
        )
    offered = document.get("id_token_signing_alg_values_supported", ["RS256"])
    algorithms = tuple(a for a in offered if isinstance(a, str) and a in ALGORITHMS)
    if not algorithms:
        raise UnauthenticatedError(
            said("%(provider)s signs ID tokens with no algorithm allowed", provider=provider.title)
        )
    return Metadata(
        authorization_endpoint=_secure(
            provider, document.get("authorization_endpoint"), said("authorization endpoint")
        ),
        token_endpoint=_secure(provider, document.get("token_endpoint"), said("token endpoint")),
        jwks_uri=_secure(provider, document.get("jwks_uri"), said("key set")),
        algorithms=algorithms,
    )


def authorization_url(
    provider: Provider,
    metadata: Metadata,
    *,
    redirect_uri: str,
    state: str,
    nonce: str,
    verifier: str,
) -> str:
    """Where the browser goes to sign in at the provider."""
    with _oauth_client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce
        )
    return str(url)


def redeem(
    provider: Provider, metadata: Metadata, *, code: str, redirect_uri: str, verifier: str
) -> dict[str, Any]:
    """The token response for an authorization code: the provider is sent the code,
    the PKCE verifier and the client's credentials."""
    from authlib.common.errors import AuthlibBaseError

    with _oauth_client(provider, redirect_uri) as client:
        try:
            token = client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
            )
        except AuthlibBaseError as exc:
            error = "".join(c for c in str(exc.error or "") if c.isalnum() or c == "_")[:40]
            raise UnauthenticatedError(
                said(
                    "%(provider)s would not exchange the sign-in code (%(error)s)",
                    provider=provider.title,
                    error=error or said("refused"),
                )
            ) from None
        except (httpx.HTTPError, ValueError):
            raise UnauthenticatedError(
                said("%(provider)s could not be reached", provider=provider.title)
            ) from None
    if not isinstance(token.get("id_token"), str):
        raise UnauthenticatedError(said("%(provider)s sent no ID token", provider=provider.title))
    return dict(token)


def signing_keys(provider: Provider, metadata: Metadata) -> KeySet:
    """The provider's published public keys."""
    with _oauth_client(provider) as client:
        document = _json(client, metadata.jwks_uri, provider, said("key set"))
    try:
        return KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise UnauthenticatedError(
            said("%(provider)s's key set cannot be read", provider=provider.title)
        ) from None


def verify_id_token(
    provider: Provider,
    metadata: Metadata,
    keys: KeySet,
    id_token: str,
    *,
    nonce: str,
    access_token: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The claims of ``id_token`` once its signature, issuer, audience, times, nonce
    (and the access token's hash, when it carries one) are right."""
    from authlib.oidc.core import CodeIDToken

    moment = int((now or dt.datetime.now(dt.UTC)).timestamp())
    try:
        token = jwt.decode(id_token, keys, algorithms=list(metadata.algorithms))
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "sub": {"essential": True},
                "nonce": {"essential": True},
            },
            params={"nonce": nonce, "client_id": provider.client_id, "access_token": access_token},
        )
        claims.validate(now=moment, leeway=LEEWAY)
    except JoseError as exc:
        # joserfc's messages name the check that failed and the claim, never a value.
        raise UnauthenticatedError(
            said(
                "the ID token from %(provider)s was refused (%(error)s)",
                provider=provider.title,
                error=str(exc)[:120],
            )
        ) from None
    except (ValueError, TypeError):
        raise UnauthenticatedError(
            said("the ID token from %(provider)s cannot be read", provider=provider.title)
        ) from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise UnauthenticatedError(
            said("the ID token from %(provider)s names no subject", provider=provider.title)
        )
    return dict(claims)
