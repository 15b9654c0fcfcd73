"""GET /readyz: 200 when the database, Redis and the configured providers answer; else 503 naming which."""

from __future__ import annotations

import time

from flask import current_app, jsonify

from .health import bp, check_database, check_redis
from .providers import ProviderError, get_providers

CACHE_S = 15.0  # a load balancer polling every second must not turn into a stream of OpenAI requests


def check_providers() -> dict[str, str]:
    try:
        providers = get_providers()
    except ProviderError as exc:
        return {"providers": f"error: {exc}"}
    checks = {}
    for name, probe in (
        (f"llm ({providers.llm.name})", providers.llm.ping),
        (f"embeddings ({providers.embedder.name})", providers.embedder.ping),
        (
            f"vectors ({providers.vectors.name})",
            lambda: providers.vectors.check(providers.embedder.dimensions),
        ),
    ):
        try:
            probe()
            checks[name] = "ok"
        except ProviderError as exc:
            checks[name] = f"error: {exc}"
    return checks


def _cached_provider_checks() -> dict[str, str]:
    cache = current_app.extensions.setdefault("calldesk_readiness", {})
    now = time.monotonic()
    if cache.get("at", -CACHE_S) + CACHE_S <= now or any(v != "ok" for v in cache.get("checks", {}).values()):
        cache["checks"], cache["at"] = check_providers(), now
    return cache["checks"]


@bp.get("/readyz")
def readyz():
    checks = {"database": check_database(), "redis": check_redis(), **_cached_provider_checks()}
    failing = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "ready" if not failing else "unavailable", "checks": checks}
    if failing:
        body["failing"] = failing
    return jsonify(body), 503 if failing else 200
