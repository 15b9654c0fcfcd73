"""A local stand-in for one Pinecone index: control plane (describe) and data plane (vectors).

    with FakePinecone(dimension=8) as server:
        pc = Pinecone(api_key="pc-test", host=server.url)       # control plane
        index = pc.Index(host=server.url)                      # data plane, same server
        server.fail_next(503, times=2)                         # shared fault FIFO (see FakeServer)
        server.namespaces["tenant-1"]["call-1"]                # {"values": [...], "metadata": {...}}
        server.requests_to("/vectors/upsert")[0]["headers"]["api-key"]

Speaks the REST shapes of the pinecone 10 SDK (API version 2026-07). Scores are real cosine
(or dot product / squared euclidean) over the stored vectors; metadata filters support
equality, $eq $ne $in $nin $gt $gte $lt $lte $exists $and $or.
"""

from __future__ import annotations

import math
from typing import Any

from .openai_server import FakeServer, Reply  # the shared machinery lives there

DEFAULT_NAMESPACE = "__default__"


def reset_pinecone_retry_state() -> None:
    """Refill the pinecone SDK's process-wide retry budget (keyed by host, so shared by every
    fake on 127.0.0.1): after ~50 failures without successes the SDK silently stops retrying."""
    try:
        from pinecone._internal.http_client import get_budget_registry

        get_budget_registry()._reset()
    except (ImportError, AttributeError):  # another SDK version: nothing to reset
        pass


def pinecone_error(status: int, message: str) -> dict:
    codes = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "FORBIDDEN",
        404: "NOT_FOUND",
        409: "ALREADY_EXISTS",
        429: "RESOURCE_EXHAUSTED",
        503: "UNAVAILABLE",
    }
    return {
        "error": {"code": codes.get(status, "INTERNAL" if status >= 500 else "UNKNOWN"), "message": message},
        "status": status,
    }


def data_plane_error(code: int, message: str) -> dict:
    """The data plane's gRPC-style error body."""
    return {"code": code, "message": message, "details": []}


def _valid_metadata_value(value: Any) -> bool:
    if isinstance(value, bool | int | float | str):
        return not (isinstance(value, float) and not math.isfinite(value))
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _matches(metadata: dict, flt: dict) -> bool:
    for key, cond in flt.items():
        if key == "$and":
            if not all(_matches(metadata, sub) for sub in cond):
                return False
        elif key == "$or":
            if not any(_matches(metadata, sub) for sub in cond):
                return False
        elif isinstance(cond, dict):
            if not all(_compare(metadata, key, op, arg) for op, arg in cond.items()):
                return False
        elif not _compare(metadata, key, "$eq", cond):
            return False
    return True


def _compare(metadata: dict, key: str, op: str, arg: Any) -> bool:
    present = key in metadata
    value = metadata.get(key)
    values = value if isinstance(value, list) else [value]
    if op == "$exists":
        return present == bool(arg)
    if op == "$eq":
        return present and arg in values
    if op == "$ne":
        return not present or arg not in values
    if op == "$in":
        return present and any(v in arg for v in values)
    if op == "$nin":
        return not present or not any(v in arg for v in values)
    if not present or not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return {"$gt": value > arg, "$gte": value >= arg, "$lt": value < arg, "$lte": value <= arg}[op]


class FakePinecone(FakeServer):
    """One dense index named `index_name`, served with its control plane on the same port.

    - `namespaces`: {namespace: {id: {"values": [...], "metadata": {...}}}} ("" is stored as "__default__").
    - `api_key`: when set, requests without that `Api-Key` header get 401.
    - `reject_null_metadata` (default True): null metadata values get a 400, so a client that
      forgets to drop them is caught.
    - Injected 408/429/5xx faults carry `Retry-After: 0`, so the SDK retries without waiting;
      set `retry_headers = {}` on the instance for its own backoff.
    """

    retry_headers = {"Retry-After": "0"}

    def __init__(
        self,
        *,
        dimension: int = 8,
        metric: str = "cosine",
        index_name: str = "calldesk",
        api_key: str | None = None,
        reject_null_metadata: bool = True,
    ):
        super().__init__()
        self.dimension = dimension
        self.metric = metric
        self.index_name = index_name
        self.api_key = api_key
        self.reject_null_metadata = reject_null_metadata
        self.namespaces: dict[str, dict[str, dict[str, Any]]] = {}

    @property
    def host(self) -> str:
        """What describe_index reports as the index host (this server)."""
        return self.url

    def vectors(self, namespace: str) -> dict[str, dict[str, Any]]:
        return self.namespaces.get(namespace or DEFAULT_NAMESPACE, {})

    def describe(self) -> dict:
        return {
            "name": self.index_name,
            "host": self.host,
            "status": {"ready": True, "state": "Ready"},
            "schema": {
                "fields": {
                    "_values": {"type": "dense_vector", "dimension": self.dimension, "metric": self.metric}
                }
            },
            "deployment": {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"},
            "deletion_protection": "disabled",
            "tags": None,
        }

    def error_body(self, status: int, message: str) -> Any:
        return pinecone_error(status, message)

    def handle(self, method, path, query, headers, body) -> Reply:
        if self.api_key is not None and headers.get("api-key") != self.api_key:
            return Reply(401, pinecone_error(401, "Invalid API Key"))
        body = body if isinstance(body, dict) else {}
        if method == "GET" and path == "/indexes":
            return Reply(200, {"indexes": [self.describe()]})
        if method == "GET" and path.startswith("/indexes/"):
            name = path.removeprefix("/indexes/")
            if name != self.index_name:
                return Reply(404, pinecone_error(404, f"Resource {name} not found"))
            return Reply(200, self.describe())
        routes = {
            ("POST", "/vectors/upsert"): self._upsert,
            ("POST", "/query"): self._query,
            ("POST", "/vectors/delete"): self._delete,
            ("POST", "/describe_index_stats"): self._stats,
            ("GET", "/describe_index_stats"): self._stats,
        }
        if method == "GET" and path == "/vectors/fetch":
            return self._fetch(query)
        route = routes.get((method, path))
        if route is None:
            return Reply(404, pinecone_error(404, f"no route {method} {path}"))
        return route(body)

    def _check_values(self, values: Any) -> str | None:
        if not isinstance(values, list) or not all(isinstance(v, int | float) for v in values):
            return "values must be a list of numbers"
        if len(values) != self.dimension:
            return (
                f"Vector dimension {len(values)} does not match the dimension of the index {self.dimension}"
            )
        return None

    def _upsert(self, body: dict) -> Reply:
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not vectors or len(vectors) > 1000:
            return Reply(400, data_plane_error(3, "vectors must hold 1 to 1000 items"))
        staged = {}
        for vector in vectors:
            vid = vector.get("id")
            if not isinstance(vid, str) or not vid:
                return Reply(400, data_plane_error(3, "Vector ID must be a non-empty string"))
            problem = self._check_values(vector.get("values"))
            if problem:
                return Reply(400, data_plane_error(3, problem))
            metadata = vector.get("metadata") or {}
            for key, value in metadata.items():
                if value is None and not self.reject_null_metadata:
                    continue
                if not _valid_metadata_value(value):
                    return Reply(
                        400,
                        data_plane_error(
                            3,
                            "Metadata value must be a string, number, boolean or "
                            f"list of strings, got '{value}' for field '{key}'",
                        ),
                    )
            staged[vid] = {
                "values": list(vector["values"]),
                "metadata": {k: v for k, v in metadata.items() if v is not None},
            }
        with self._lock:
            self.namespaces.setdefault(body.get("namespace") or DEFAULT_NAMESPACE, {}).update(staged)
        return Reply(200, {"upsertedCount": len(staged)})

    def _score(self, a: list[float], b: list[float]) -> float:
        dot = sum(x * y for x, y in zip(a, b, strict=True))
        if self.metric == "dotproduct":
            return dot
        if self.metric == "euclidean":
            return sum((x - y) ** 2 for x, y in zip(a, b, strict=True))
        norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
        return dot / norms if norms else 0.0

    def _query(self, body: dict) -> Reply:
        namespace = body.get("namespace") or ""
        top_k = body.get("topK")
        if not isinstance(top_k, int) or not 1 <= top_k <= 10000:
            return Reply(400, data_plane_error(3, "topK must be between 1 and 10000"))
        stored = self.vectors(namespace)
        if "id" in body:
            if body["id"] not in stored:
                return Reply(200, {"matches": [], "namespace": namespace, "usage": {"readUnits": 1}})
            query = stored[body["id"]]["values"]
        else:
            query = body.get("vector")
            problem = self._check_values(query)
            if problem:
                return Reply(400, data_plane_error(3, problem))
        flt = body.get("filter") or {}
        hits = [
            (vid, self._score(query, item["values"]), item)
            for vid, item in list(stored.items())
            if not flt or _matches(item["metadata"], flt)
        ]
        hits.sort(key=lambda hit: hit[1], reverse=self.metric != "euclidean")
        matches = []
        for vid, score, item in hits[:top_k]:
            match: dict[str, Any] = {"id": vid, "score": score, "values": []}
            if body.get("includeValues"):
                match["values"] = item["values"]
            if body.get("includeMetadata"):
                match["metadata"] = item["metadata"]
            matches.append(match)
        return Reply(
            200, {"results": [], "matches": matches, "namespace": namespace, "usage": {"readUnits": 5}}
        )

    def _delete(self, body: dict) -> Reply:
        key = body.get("namespace") or DEFAULT_NAMESPACE
        with self._lock:
            stored = self.namespaces.get(key)
            if stored is None:
                # What serverless indexes answer for a namespace with no vectors.
                return Reply(404, data_plane_error(5, "Namespace not found"))
            if body.get("deleteAll"):
                stored.clear()
            elif body.get("filter"):
                for vid in [
                    vid for vid, item in stored.items() if _matches(item["metadata"], body["filter"])
                ]:
                    del stored[vid]
            else:
                for vid in body.get("ids") or []:
                    stored.pop(vid, None)
            if not stored:
                del self.namespaces[key]
        return Reply(200, {})

    def _fetch(self, query: dict[str, list[str]]) -> Reply:
        namespace = (query.get("namespace") or [""])[0]
        stored = self.vectors(namespace)
        found = {
            vid: {"id": vid, "values": stored[vid]["values"], "metadata": stored[vid]["metadata"]}
            for vid in query.get("ids", [])
            if vid in stored
        }
        return Reply(200, {"vectors": found, "namespace": namespace, "usage": {"readUnits": 1}})

    def _stats(self, body: dict) -> Reply:
        with self._lock:
            counts = {name: len(items) for name, items in self.namespaces.items() if items}
        return Reply(
            200,
            {
                "namespaces": {name: {"vectorCount": count} for name, count in counts.items()},
                "dimension": self.dimension,
                "indexFullness": 0.0,
                "totalVectorCount": sum(counts.values()),
                "metric": self.metric,
                "vectorType": "dense",
            },
        )
