"""Vector store on a Pinecone index (classic dense vectors), one namespace per tenant.

Notes on the pinecone 10 SDK, read in its source:
- `pc.Index(host=...)` is the data-plane client; its REST transport retries 408/429/500/502/503/504
  and connection errors/timeouts 3 times (4 attempts) with decorrelated-jitter backoff from 0.25 s,
  honouring Retry-After. That policy is not configurable per index (Pinecone's `retry_config`
  reaches the control plane and gRPC only). A process-wide per-host retry budget also switches
  retries off while a host keeps failing.
- `timeout` bounds one attempt, so a dead host costs up to about 4 x timeout plus backoff.
- `upsert(..., batch_size=N)` never raises on a failed batch (it reports it in the response), so
  this store batches itself and sends single requests, which do raise.
- Upserts and queries take their turn in the shared limit (PINECONE_MAX_RPM, app/providers/
  ratelimit.py) first. A 429 that outlasts the SDK's own retries pauses the operation for every
  process (its Retry-After, at least RATE_LIMIT_PAUSE_S) and sends the call back to the queue for later.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from pinecone import Pinecone
from pinecone.errors.exceptions import (
    ApiError,
    ForbiddenError,
    NotFoundError,
    PineconeConnectionError,
    PineconeError,
    PineconeTimeoutError,
    PineconeTypeError,
    PineconeValueError,
    RateLimitError,
    ServiceError,
    UnauthorizedError,
)

from app.providers.base import VectorMatch, VectorRecord
from app.providers.errors import ProviderConfigError, ProviderError, RateLimited
from app.providers.ratelimit import RateLimiter

PROVIDER = "pinecone"
UPSERT_BATCH = 100
DELETE_BATCH = 1000  # API limit for ids per delete
QUERY_TOP_K_MAX = 10_000
RETRYABLE_STATUSES = frozenset({408, 429})
RATE_LIMIT_PAUSE_S = 5.0  # at least, after a 429 that outlasted the SDK's own retries


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def clean_metadata(metadata: dict | None) -> dict[str, Any]:
    """Metadata Pinecone accepts: str, finite number, bool or list of str; None values dropped."""
    cleaned: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        if value is None:
            continue
        if isinstance(value, bool | int | str):
            cleaned[str(key)] = value
        elif isinstance(value, float):
            cleaned[str(key)] = value if math.isfinite(value) else str(value)
        elif isinstance(value, list | tuple | set | frozenset):
            cleaned[str(key)] = [
                item if isinstance(item, str) else _stringify(item) for item in value if item is not None
            ]
        else:
            cleaned[str(key)] = _stringify(value)
    return cleaned


def _stringify(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return str(value)


def map_pinecone_error(exc: Exception, action: str) -> ProviderError:
    """Translate a pinecone SDK exception into a ProviderError (retryable for 429/5xx/network)."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, ApiError):
        status = exc.status_code
        text = f"{action} failed: HTTP {status}: {exc.message}"
        if exc.request_id:
            text += f" (request id {exc.request_id})"
        if isinstance(exc, UnauthorizedError | ForbiddenError):
            return ProviderConfigError(text, provider=PROVIDER)
        retryable = (
            isinstance(exc, RateLimitError | ServiceError) or status >= 500 or status in RETRYABLE_STATUSES
        )
        return ProviderError(text, retryable=retryable, provider=PROVIDER)
    if isinstance(exc, PineconeTimeoutError):
        return ProviderError(f"{action} timed out: {exc.message}", retryable=True, provider=PROVIDER)
    if isinstance(exc, PineconeConnectionError):
        return ProviderError(
            f"{action} failed: connection error: {exc.message}", retryable=True, provider=PROVIDER
        )
    if isinstance(exc, PineconeValueError | PineconeTypeError):
        return ProviderError(f"{action} rejected by the client: {exc}", retryable=False, provider=PROVIDER)
    if isinstance(exc, PineconeError):
        return ProviderError(f"{action} failed: {exc}", retryable=False, provider=PROVIDER)
    if isinstance(exc, httpx.TransportError):  # the SDK wraps these; kept as a safety net
        return ProviderError(
            f"{action} failed: {type(exc).__name__}: {exc}", retryable=True, provider=PROVIDER
        )
    return ProviderError(f"{action} failed: {type(exc).__name__}: {exc}", retryable=False, provider=PROVIDER)


class PineconeStore:
    """VectorStore on one Pinecone index; the index host is looked up once, on first use."""

    name = "pinecone"

    def __init__(
        self,
        *,
        api_key: str,
        index_name: str = "",
        index_host: str = "",
        controller_host: str | None = None,
        index: Any = None,
        timeout: float = 10.0,
        limiter: RateLimiter | None = None,
    ):
        self.index_name = index_name
        self._limiter = limiter or RateLimiter()
        self._index = index
        self._owns_index = index is None
        self._index_host = index_host
        self._lock = threading.Lock()
        self._pc: Pinecone | None = None
        if index is not None:
            return
        if not api_key:
            raise ProviderConfigError("PINECONE_API_KEY is not set", provider=PROVIDER)
        if not index_host and not index_name:
            raise ProviderConfigError("set PINECONE_INDEX_HOST or PINECONE_INDEX_NAME", provider=PROVIDER)
        try:
            self._pc = Pinecone(api_key=api_key, host=controller_host or None, timeout=timeout)
        except PineconeError as exc:
            raise ProviderConfigError(f"cannot configure the client: {exc}", provider=PROVIDER) from exc

    @property
    def index(self) -> Any:
        """The data-plane client, resolving the host through describe_index on first use."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._open_index()
        return self._index

    def _open_index(self) -> Any:
        assert self._pc is not None
        host = self._index_host
        if not host:
            try:
                host = self._pc.describe_index(self.index_name).host
            except NotFoundError as exc:
                raise ProviderConfigError(
                    f"index {self.index_name!r} not found (HTTP 404): check PINECONE_INDEX_NAME",
                    provider=PROVIDER,
                ) from exc
            except (PineconeError, httpx.HTTPError) as exc:
                raise map_pinecone_error(exc, f"describe index {self.index_name!r}") from exc
            if not host:
                raise ProviderError(
                    f"index {self.index_name!r} has no host yet (still initializing)",
                    retryable=True,
                    provider=PROVIDER,
                )
        try:
            return self._pc.Index(host=host)
        except PineconeError as exc:
            raise ProviderConfigError(f"bad index host {host!r}: {exc}", provider=PROVIDER) from exc

    def upsert(self, namespace: str, records: list[VectorRecord]) -> None:
        for batch in _chunks(records, UPSERT_BATCH):
            vectors = []
            for record in batch:
                vector: dict[str, Any] = {"id": record.id, "values": [float(v) for v in record.values]}
                metadata = clean_metadata(record.metadata)
                if metadata:
                    vector["metadata"] = metadata
                vectors.append(vector)
            self._call(
                "upsert",
                lambda v=vectors: self.index.upsert(vectors=v, namespace=namespace),
                limit="vector_upsert",
            )

    def query(self, namespace: str, vector: list[float], top_k: int) -> list[VectorMatch]:
        if top_k <= 0:
            return []
        response = self._call(
            "query",
            lambda: self.index.query(
                vector=[float(v) for v in vector],
                top_k=min(top_k, QUERY_TOP_K_MAX),
                namespace=namespace,
                include_metadata=True,
            ),
            limit="vector_query",
        )
        return [
            VectorMatch(id=match.id, score=float(match.score or 0.0), metadata=dict(match.metadata or {}))
            for match in response.matches
        ]

    def delete(self, namespace: str, ids: list[str]) -> None:
        for batch in _chunks(list(ids), DELETE_BATCH):
            try:
                self._call("delete", lambda b=list(batch): self.index.delete(ids=b, namespace=namespace))
            except ProviderError as exc:
                # Serverless indexes answer 404 for a namespace that holds nothing: already deleted.
                if isinstance(exc.__cause__, NotFoundError):
                    continue
                raise

    def check(self, dimensions: int) -> None:
        stats = self._call("describe_index_stats", lambda: self.index.describe_index_stats())
        if stats.dimension is None:
            raise ProviderConfigError(
                f"the index has no dense vector dimension; {dimensions}-dimensional embeddings "
                "need a dense index",
                provider=PROVIDER,
            )
        if stats.dimension != dimensions:
            raise ProviderConfigError(
                f"index dimension is {stats.dimension} but the embeddings have {dimensions} dimensions: "
                "use an index of the embedding size or change the embedding model/dimensions",
                provider=PROVIDER,
            )

    def ping(self) -> None:
        self._call("describe_index_stats", lambda: self.index.describe_index_stats())

    def close(self) -> None:
        """Release the connection pools this store opened (an injected index is the caller's)."""
        for client in (self._index if self._owns_index else None, self._pc):
            close = getattr(client, "close", None)
            if close is not None:
                close()

    def _call(self, action: str, operation, limit: str | None = None):
        if limit is not None:
            self._limiter.acquire(limit)
        try:
            return operation()
        except RateLimitError as exc:
            if limit is None:
                raise map_pinecone_error(exc, action) from exc
            # The SDK has already retried (and backed off) 3 times: wait at least a few seconds more.
            delay = max(exc.retry_after or 0.0, RATE_LIMIT_PAUSE_S)
            self._limiter.pause(limit, delay)
            detail = map_pinecone_error(exc, action).args[0]
            raise RateLimited(limit, delay, provider=PROVIDER, detail=detail) from exc
        except (PineconeError, httpx.HTTPError) as exc:
            raise map_pinecone_error(exc, action) from exc
