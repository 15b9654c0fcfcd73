"""ElevenLabs webhook signatures: `ElevenLabs-Signature: t=<unix>,v0=<hex HMAC-SHA256("<t>.<body>")>`."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass


class SignatureError(Exception):
    """The delivery's signature is missing, malformed, wrong or outside the time window."""


@dataclass(frozen=True)
class SignatureHeader:
    timestamp: int
    candidates: tuple[bytes, ...]  # several v0 values may be present while a secret is rotated


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value ElevenLabs would send for this body (used by tests and the demo)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = new_mac(secret, ts)
    mac.update(body)
    return f"t={ts},v0={mac.hexdigest()}"


def parse_header(
    header: str | None, *, past_s: int, future_s: int, now: float | None = None
) -> SignatureHeader:
    """The header's timestamp and signatures; SignatureError when missing, malformed or out of time."""
    if not header:
        raise SignatureError("missing ElevenLabs-Signature header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value.strip())
    ts_raw = (parts.get("t") or [""])[0]
    candidates = parts.get("v0") or []
    if not (ts_raw.isascii() and ts_raw.isdigit()) or not candidates:
        raise SignatureError("malformed ElevenLabs-Signature header (expected t=<unix>,v0=<hex>)")
    ts = int(ts_raw)
    current = time.time() if now is None else now
    if ts < current - past_s:
        raise SignatureError("signature timestamp is too old")
    if ts > current + future_s:
        raise SignatureError("signature timestamp is in the future")
    return SignatureHeader(ts, tuple(c.lower().encode("utf-8", "replace") for c in candidates))


def new_mac(secret: str, timestamp: int):
    """An HMAC that has seen "<t>."; feed it the body, as it arrives, with update()."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode(), hashlib.sha256)


def check(mac, signed: SignatureHeader) -> None:
    """Raise SignatureError unless one of the header's signatures is the one `mac` computed."""
    expected = mac.hexdigest().encode()
    if not any(hmac.compare_digest(expected, given) for given in signed.candidates):
        raise SignatureError("signature does not match")


def verify(
    header: str | None, body: bytes, secret: str, *, past_s: int, future_s: int, now: float | None = None
) -> None:
    """Raise SignatureError unless the header signs this body with this secret, recently."""
    signed = parse_header(header, past_s=past_s, future_s=future_s, now=now)
    mac = new_mac(secret, signed.timestamp)
    mac.update(body)
    check(mac, signed)
