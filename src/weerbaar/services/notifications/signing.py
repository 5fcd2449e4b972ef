"""Webhook signatures: ``X-Weerbaar-Signature: sha256=<hex HMAC-SHA256(secret,
"<timestamp>." + body)>``, with the Unix time of the send in
``X-Weerbaar-Timestamp``. Receivers check a request with :func:`verify_signature`."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

SIGNATURE_TOLERANCE = 300  # seconds a receiver accepts between the send and its check


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Weerbaar-Signature`` of ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes,
    signature: str,
    *,
    now: dt.datetime,
    tolerance: int = SIGNATURE_TOLERANCE,
) -> bool:
    """Whether a webhook request is ours and fresh: the signature matches the body
    and timestamp as received, and the timestamp is within ``tolerance`` seconds of
    ``now`` (older requests may be replays)."""
    stamp = str(timestamp).strip()
    if not stamp.isascii() or not stamp.isdigit():
        return False
    if abs(now.timestamp() - int(stamp)) > tolerance:
        return False
    expected = sign(secret, stamp, body).encode("ascii")
    return hmac.compare_digest(expected, signature.strip().encode("utf-8"))
