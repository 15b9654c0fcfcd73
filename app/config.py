"""The one place that reads the environment."""

from __future__ import annotations

import json
import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _limit(raw: str | None) -> int | None:
    """A per-minute limit: a positive integer, or None (empty, unset or 0: no limit)."""
    value = (raw or "").strip()
    return int(value) if value and int(value) > 0 else None


# US dollars per million tokens (input, output), standard tier, from OpenAI's pricing as listed in
# 2026 (developers.openai.com/api/docs/pricing, read through the price trackers cited in README.md).
# A dated snapshot ("gpt-4o-mini-2024-07-18") takes the price of its longest listed prefix.
DEFAULT_OPENAI_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "text-embedding-3-small": (0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.0),
    "text-embedding-ada-002": (0.10, 0.0),
}


def _prices(raw: str | None) -> dict[str, tuple[float, float]]:
    """DEFAULT_OPENAI_PRICES plus OPENAI_PRICES, JSON {"model": [input, output]} ($ per 1M tokens)."""
    prices = dict(DEFAULT_OPENAI_PRICES)
    if not (raw or "").strip():
        return prices
    try:
        extra = json.loads(raw)
        for model, pair in extra.items():
            values = (pair, 0.0) if isinstance(pair, int | float) else tuple(pair)
            prices[str(model)] = (float(values[0]), float(values[1]) if len(values) > 1 else 0.0)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(
            'OPENAI_PRICES must be a JSON object like {"gpt-4o-mini": [0.15, 0.6]} '
            f"(dollars per million input and output tokens): {exc}"
        ) from None
    return prices


def normalize_database_url(url: str) -> str:
    """Accept postgres://, postgresql:// and sqlite:/// and pin PostgreSQL to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _provider(explicit: str, real: str, offline: str, key: str) -> str:
    value = os.environ.get(explicit, "").strip().lower()
    if value:
        return value
    return real if os.environ.get(key) else offline


def load_config() -> dict:
    """Every setting, read from the environment now (not at import), so each app sees the current one."""
    c: dict = {}
    c["ENV"] = os.environ.get("CALLDESK_ENV", "production").strip().lower()
    c["SECRET_KEY"] = os.environ.get("SECRET_KEY", "")
    c["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        os.environ.get("DATABASE_URL", "sqlite:///" + os.path.abspath("instance/calldesk.db"))
    )
    c["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    c["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    c["RQ_QUEUE"] = os.environ.get("RQ_QUEUE", "calls")
    c["PROXY_FIX_HOPS"] = _int("PROXY_FIX_HOPS", 0)  # how many trusted reverse proxies set X-Forwarded-*

    # Sessions and CSRF (Flask's defaults are too loose for production).
    c["SESSION_COOKIE_HTTPONLY"] = True
    c["SESSION_COOKIE_SAMESITE"] = "Lax"
    c["SESSION_COOKIE_SECURE"] = _bool("SESSION_COOKIE_SECURE", c["ENV"] != "development")
    c["REMEMBER_COOKIE_SECURE"] = c["SESSION_COOKIE_SECURE"]
    c["REMEMBER_COOKIE_HTTPONLY"] = True
    c["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    # The cookie is rewritten only when the session changes: a lifetime counted from sign-in, and a
    # poll answered after a sign-out in another tab cannot put the old session back.
    c["SESSION_REFRESH_EACH_REQUEST"] = False
    c["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=_int("SESSION_HOURS", 12))
    c["WTF_CSRF_TIME_LIMIT"] = None  # the token is bound to the session, which expires itself
    c["MAX_CONTENT_LENGTH"] = 1 * 1024 * 1024  # forms; the webhook has its own limit
    # Empty: REDIS_URL (limits shared by every web process); see app/ratelimits.py.
    c["RATELIMIT_STORAGE_URI"] = os.environ.get("RATELIMIT_STORAGE_URI", "")
    c["RATELIMIT_ENABLED"] = _bool("RATELIMIT_ENABLED", True)
    c["LOGIN_RATE_LIMIT"] = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")  # per account and address
    c["LOGIN_IP_RATE_LIMIT"] = os.environ.get("LOGIN_IP_RATE_LIMIT", "30 per minute")  # per address
    c["SIGNUP_RATE_LIMIT"] = os.environ.get("SIGNUP_RATE_LIMIT", "20 per hour")
    c["TEAM_ADD_RATE_LIMIT"] = os.environ.get("TEAM_ADD_RATE_LIMIT", "30 per hour")

    # Keyword search: how many of a word's most recent matches are ranked by relevance (README).
    c["KEYWORD_RANK_CANDIDATES"] = _int("KEYWORD_RANK_CANDIDATES", 500)

    # Webhooks
    c["ELEVENLABS_WEBHOOK_SECRET"] = os.environ.get("ELEVENLABS_WEBHOOK_SECRET", "")
    c["WEBHOOK_ALLOW_UNSIGNED"] = _bool("WEBHOOK_ALLOW_UNSIGNED", False)
    c["WEBHOOK_MAX_BYTES"] = _int("WEBHOOK_MAX_BYTES", 5 * 1024 * 1024)
    c["WEBHOOK_TOLERANCE_PAST_S"] = _int("WEBHOOK_TOLERANCE_PAST_S", 30 * 60)
    c["WEBHOOK_TOLERANCE_FUTURE_S"] = _int("WEBHOOK_TOLERANCE_FUTURE_S", 5 * 60)
    c["WEBHOOK_AUDIO_MAX_BYTES"] = _int("WEBHOOK_AUDIO_MAX_BYTES", 64 * 1024 * 1024)
    c["WEBHOOK_REJECTED_BODY_BYTES"] = 64 * 1024  # also how much of the head is read before the rest
    c["WEBHOOK_REJECTED_RATE_LIMIT"] = os.environ.get("WEBHOOK_REJECTED_RATE_LIMIT", "30 per minute")
    c["WEBHOOK_EVENTS_RETENTION_DAYS"] = _int("WEBHOOK_EVENTS_RETENTION_DAYS", 30)
    c["REDIS_REQUEST_TIMEOUT_S"] = _float("REDIS_REQUEST_TIMEOUT_S", 0.05)
    # Live pages (calls, callbacks, the navigation count) ask this often whether anything changed.
    c["LIVE_POLL_SECONDS"] = max(1, _int("LIVE_POLL_SECONDS", 5))

    # Jobs
    c["JOB_RETRY_INTERVALS"] = [
        int(x) for x in os.environ.get("JOB_RETRY_INTERVALS", "10,30,60").split(",") if x
    ]
    c["JOB_TIMEOUT_S"] = _int("JOB_TIMEOUT_S", 300)
    c["STALE_PROCESSING_S"] = _int("STALE_PROCESSING_S", 60)  # no heartbeat for this long: the worker died
    c["SWEEP_INTERVAL_S"] = _int("SWEEP_INTERVAL_S", 30)
    c["HEARTBEAT_INTERVAL_S"] = _float("HEARTBEAT_INTERVAL_S", 10.0)
    # A queued call whose job exists but is no longer live is enqueued again after this long (a
    # job Redis lost altogether is found by every sweep: app/services/jobs.py).
    c["REQUEUE_QUEUED_AFTER_S"] = _int("REQUEUE_QUEUED_AFTER_S", 300)

    # Outbound notifications (webhooks to a workspace's URL) and e-mail
    c["OUTBOUND_ALLOW_PRIVATE"] = _bool("OUTBOUND_ALLOW_PRIVATE", False)  # self-hosted single company, tests
    c["OUTBOUND_CONNECT_TIMEOUT_S"] = _float("OUTBOUND_CONNECT_TIMEOUT_S", 5.0)
    c["OUTBOUND_TIMEOUT_S"] = _float("OUTBOUND_TIMEOUT_S", 10.0)
    c["OUTBOUND_CONNECT_RETRIES"] = _int("OUTBOUND_CONNECT_RETRIES", 2)
    c["NOTIFY_RETRY_INTERVALS"] = [
        int(x)
        for x in os.environ.get("NOTIFY_RETRY_INTERVALS", "10,60,300,1800,7200").split(",")
        if x.strip()
    ]
    c["SMTP_URL"] = os.environ.get("SMTP_URL", "")
    c["SMTP_FROM"] = os.environ.get("SMTP_FROM", "")

    # Providers
    c["LLM_PROVIDER"] = _provider("LLM_PROVIDER", "openai", "offline", "OPENAI_API_KEY")
    c["EMBEDDINGS_PROVIDER"] = _provider("EMBEDDINGS_PROVIDER", "openai", "offline", "OPENAI_API_KEY")
    c["VECTOR_STORE"] = _provider("VECTOR_STORE", "pinecone", "local", "PINECONE_API_KEY")
    c["OPENAI_API_KEY"] = os.environ.get("OPENAI_API_KEY", "")
    c["OPENAI_BASE_URL"] = os.environ.get("OPENAI_BASE_URL", "") or None
    c["OPENAI_MODEL"] = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
    c["OPENAI_EMBEDDING_MODEL"] = os.environ.get("OPENAI_EMBEDDING_MODEL", "text-embedding-3-small")
    c["OPENAI_EMBEDDING_DIMENSIONS"] = _int("OPENAI_EMBEDDING_DIMENSIONS", 1536)
    c["OPENAI_TIMEOUT_S"] = _float("OPENAI_TIMEOUT_S", 30.0)
    c["OPENAI_MAX_RETRIES"] = _int("OPENAI_MAX_RETRIES", 2)
    c["LLM_MAX_TRANSCRIPT_TOKENS"] = _int("LLM_MAX_TRANSCRIPT_TOKENS", 6000)
    c["PINECONE_API_KEY"] = os.environ.get("PINECONE_API_KEY", "")
    c["PINECONE_INDEX_NAME"] = os.environ.get("PINECONE_INDEX_NAME", "")
    c["PINECONE_INDEX_HOST"] = os.environ.get("PINECONE_INDEX_HOST", "")
    c["PINECONE_CONTROLLER_HOST"] = os.environ.get("PINECONE_CONTROLLER_HOST", "") or None
    c["OPENAI_PRICES"] = _prices(os.environ.get("OPENAI_PRICES"))

    # Shared provider rate limits, per minute, counted in Redis across every worker and web process
    # (unset or 0: no limit). See app/providers/ratelimit.py and README "Rate limits and cost".
    c["OPENAI_MAX_RPM"] = _limit(os.environ.get("OPENAI_MAX_RPM"))  # chat requests
    c["OPENAI_MAX_TPM"] = _limit(os.environ.get("OPENAI_MAX_TPM"))  # chat tokens (prompt + reply)
    c["EMBEDDINGS_MAX_RPM"] = _limit(os.environ.get("EMBEDDINGS_MAX_RPM"))
    c["EMBEDDINGS_MAX_TPM"] = _limit(os.environ.get("EMBEDDINGS_MAX_TPM"))
    c["PINECONE_MAX_RPM"] = _limit(os.environ.get("PINECONE_MAX_RPM"))  # each of upsert and query
    # A job waits this long at most for its turn; a longer wait sends the call back to the queue for later.
    c["RATE_LIMIT_MAX_WAIT_S"] = _float("RATE_LIMIT_MAX_WAIT_S", 10.0)

    c["OFFLINE_EMBEDDING_DIMENSIONS"] = 384
    # VECTOR_STORE=local: memory each process may use for its copies of the vectors (LRU over namespaces).
    c["LOCAL_VECTORS_CACHE_MB"] = _int("LOCAL_VECTORS_CACHE_MB", 192)
    # Offline embeddings: "wordllama" (by meaning, the default; falls back to lexical when the model
    # cannot load) or "lexical" (feature hashing only: less memory, matches wording).
    c["OFFLINE_EMBEDDINGS"] = os.environ.get("OFFLINE_EMBEDDINGS", "wordllama").strip().lower() or "wordllama"
    return c
