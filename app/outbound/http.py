"""The one outbound HTTP client: timeouts, a bounded connect retry, no redirects, no private addresses.

The address check runs inside the connection itself (a custom httpcore network backend): the
host is resolved once, every address is checked, and the socket connects to a checked address.
So there is no window between check and connect for DNS rebinding, and no hop (a proxy, a
redirect someone turns on later) can skip the check.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx
from flask import current_app

from .guard import OutboundRefused, resolve_checked

USER_AGENT = "CallDesk-Webhooks/1.0"
RESPONSE_EXCERPT_BYTES = 2048


class GuardedBackend(httpcore.SyncBackend):
    """Resolves, checks and pins every TCP connection httpcore opens."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = resolve_checked(host, port, allow_private=self.allow_private)
        except OSError as exc:  # resolution failed: a connection error, retried like one
            raise httpcore.ConnectError(f"could not resolve {host}: {exc}") from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport with the guarded backend underneath; environment proxies are ignored."""

    def __init__(self, *, allow_private: bool, retries: int = 1, verify: bool = True) -> None:
        super().__init__(trust_env=False, retries=retries, verify=verify)
        # httpx does not take a network backend, so build the same pool with ours (the first is unused).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=10,
            max_keepalive_connections=0,  # one request per connection: each one re-checks its address
            retries=retries,
            network_backend=GuardedBackend(allow_private),
        )


def make_client(*, allow_private: bool, connect_timeout: float, timeout: float, retries: int) -> httpx.Client:
    """A client for one job or request; close it (use `with`)."""
    return httpx.Client(
        transport=GuardedTransport(allow_private=allow_private, retries=retries),
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


def app_client() -> httpx.Client:
    """make_client() with this app's settings."""
    cfg = current_app.config
    return make_client(
        allow_private=cfg["OUTBOUND_ALLOW_PRIVATE"],
        connect_timeout=cfg["OUTBOUND_CONNECT_TIMEOUT_S"],
        timeout=cfg["OUTBOUND_TIMEOUT_S"],
        retries=cfg["OUTBOUND_CONNECT_RETRIES"],
    )


@dataclass
class PostResult:
    """What became of one POST: a status (with a short excerpt of the answer), or an error."""

    status: int | None
    error: str | None
    duration_ms: int
    excerpt: str = ""
    refused: bool = False  # the guard refused the destination: trying again will not help
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST body to url; never raises for network trouble, only reports it."""
    started = time.perf_counter()

    def done(**kwargs) -> PostResult:
        return PostResult(duration_ms=round((time.perf_counter() - started) * 1000), **kwargs)

    try:
        with client.stream("POST", url, content=body, headers=headers) as response:
            excerpt = _read_capped(response.iter_bytes(), RESPONSE_EXCERPT_BYTES)
            return done(status=response.status_code, error=None, excerpt=excerpt)
    except OutboundRefused as exc:
        return done(status=None, error=str(exc), refused=True)
    except httpx.TimeoutException as exc:
        return done(status=None, error=f"timeout ({exc.__class__.__name__})", timed_out=True)
    except httpx.InvalidURL as exc:
        return done(status=None, error=f"invalid URL: {exc}", refused=True)
    except httpx.UnsupportedProtocol as exc:
        return done(status=None, error=f"unsupported protocol: {exc}", refused=True)
    except httpx.HTTPError as exc:
        return done(status=None, error=f"{exc.__class__.__name__}: {exc}"[:500])


def _read_capped(chunks: Iterable[bytes], limit: int) -> str:
    """At most `limit` bytes of the answer, decoded leniently (a receiver may send anything, or a lot)."""
    buf = b""
    for chunk in chunks:
        buf += chunk
        if len(buf) >= limit:
            break
    return buf[:limit].decode("utf-8", "replace")
