"""ElevenLabs webhook signatures: `ElevenLabs-Signature: t=<unix>,v0=<hex HMAC-SHA256("<t>.<body>")>`."""

from __future__ import annotations

import hashlib
import hmac
import time


class SignatureError(Exception):
    """The delivery's signature is missing, malformed, wrong or outside the time window."""


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value ElevenLabs would send for this body (used by tests and the demo)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v0={mac}"


def verify(
    header: str | None, body: bytes, secret: str, *, past_s: int, future_s: int, now: float | None = None
) -> None:
    """Raise SignatureError unless the header signs this body with this secret, recently."""
    if not header:
        raise SignatureError("missing ElevenLabs-Signature header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value.strip())
    ts_raw = (parts.get("t") or [""])[0]
    candidates = parts.get("v0") or []
    if not ts_raw.isdigit() or not candidates:
        raise SignatureError("malformed ElevenLabs-Signature header (expected t=<unix>,v0=<hex>)")
    ts = int(ts_raw)
    current = time.time() if now is None else now
    if ts < current - past_s:
        raise SignatureError("signature timestamp is too old")
    if ts > current + future_s:
        raise SignatureError("signature timestamp is in the future")
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    # Several v0 values may be present while a secret is rotated: any match is enough.
    given = [c.lower().encode("utf-8", "replace") for c in candidates]
    if not any(hmac.compare_digest(expected.encode(), g) for g in given):
        raise SignatureError("signature does not match")
