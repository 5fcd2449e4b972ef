"""The site as security keys know it: the host name and origin a request came to."""

from __future__ import annotations

from fastapi import Request

from weerbaar.services.security_keys import RelyingParty


def relying_party(request: Request) -> RelyingParty:
    """The host name (WebAuthn's "RP ID") and origin of this request. A key is bound to
    the host name it was made on and the browser signs the origin it saw, so a key
    answers only the site it was made for, whatever a request's Host header says."""
    url = request.url
    return RelyingParty(id=url.hostname or "localhost", origin=f"{url.scheme}://{url.netloc}")
