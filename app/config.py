"""The one place that reads the environment."""

from __future__ import annotations

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


class Config:
    ENV = os.environ.get("CALLDESK_ENV", "production").strip().lower()
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL", "sqlite:///" + os.path.abspath("instance/calldesk.db"))
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "calls")

    # Sessions and CSRF (Flask's defaults are too loose for production).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", ENV != "development")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_HOURS", 12))
    WTF_CSRF_TIME_LIMIT = None  # the token is bound to the session, which expires itself
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024  # forms; the webhook has its own limit
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")

    # Webhooks
    ELEVENLABS_WEBHOOK_SECRET = os.environ.get("ELEVENLABS_WEBHOOK_SECRET", "")
    WEBHOOK_ALLOW_UNSIGNED = _bool("WEBHOOK_ALLOW_UNSIGNED", False)
    WEBHOOK_MAX_BYTES = _int("WEBHOOK_MAX_BYTES", 5 * 1024 * 1024)
    WEBHOOK_TOLERANCE_PAST_S = _int("WEBHOOK_TOLERANCE_PAST_S", 30 * 60)
    WEBHOOK_TOLERANCE_FUTURE_S = _int("WEBHOOK_TOLERANCE_FUTURE_S", 5 * 60)
    WEBHOOK_REJECTED_BODY_BYTES = 64 * 1024
    REDIS_REQUEST_TIMEOUT_S = _float("REDIS_REQUEST_TIMEOUT_S", 0.05)

    # Jobs
    JOB_RETRY_INTERVALS = [int(x) for x in os.environ.get("JOB_RETRY_INTERVALS", "10,30,60").split(",") if x]
    JOB_TIMEOUT_S = _int("JOB_TIMEOUT_S", 300)
    STALE_PROCESSING_S = _int("STALE_PROCESSING_S", 60)  # no heartbeat for this long: the worker died
    SWEEP_INTERVAL_S = _int("SWEEP_INTERVAL_S", 30)
    HEARTBEAT_INTERVAL_S = _float("HEARTBEAT_INTERVAL_S", 10.0)
    REQUEUE_QUEUED_AFTER_S = _int("REQUEUE_QUEUED_AFTER_S", 300)  # re-check queued calls Redis may have lost

    # Providers
    LLM_PROVIDER = _provider("LLM_PROVIDER", "openai", "offline", "OPENAI_API_KEY")
    EMBEDDINGS_PROVIDER = _provider("EMBEDDINGS_PROVIDER", "openai", "offline", "OPENAI_API_KEY")
    VECTOR_STORE = _provider("VECTOR_STORE", "pinecone", "local", "PINECONE_API_KEY")
    OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
    OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "") or None
    OPENAI_MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
    OPENAI_EMBEDDING_MODEL = os.environ.get("OPENAI_EMBEDDING_MODEL", "text-embedding-3-small")
    OPENAI_EMBEDDING_DIMENSIONS = _int("OPENAI_EMBEDDING_DIMENSIONS", 1536)
    OPENAI_TIMEOUT_S = _float("OPENAI_TIMEOUT_S", 30.0)
    OPENAI_MAX_RETRIES = _int("OPENAI_MAX_RETRIES", 2)
    LLM_MAX_TRANSCRIPT_TOKENS = _int("LLM_MAX_TRANSCRIPT_TOKENS", 6000)
    PINECONE_API_KEY = os.environ.get("PINECONE_API_KEY", "")
    PINECONE_INDEX_NAME = os.environ.get("PINECONE_INDEX_NAME", "")
    PINECONE_INDEX_HOST = os.environ.get("PINECONE_INDEX_HOST", "")
    PINECONE_CONTROLLER_HOST = os.environ.get("PINECONE_CONTROLLER_HOST", "") or None
    OFFLINE_EMBEDDING_DIMENSIONS = 384


class DevelopmentConfig(Config):
    ENV = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
