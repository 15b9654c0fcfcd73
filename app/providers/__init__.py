"""Pick the configured providers (real when keys are set, offline otherwise), once per app.

A new provider is a module here implementing its interface from base.py, plus a builder below,
registered under the name its setting (LLM_PROVIDER, EMBEDDINGS_PROVIDER, VECTOR_STORE) takes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from .base import EmbeddingProvider, LLMProvider, VectorStore
from .errors import ProviderConfigError, ProviderError
from .ratelimit import RateLimiter, build_limiter

__all__ = [
    "Providers",
    "ProviderConfigError",
    "ProviderError",
    "embedder_note",
    "get_providers",
    "local_store",
]

log = logging.getLogger("calldesk.providers")


@dataclass
class Providers:
    llm: LLMProvider
    embedder: EmbeddingProvider
    vectors: VectorStore


def get_providers() -> Providers:
    """The app's providers, built on first use and cached on the app."""
    ext = current_app.extensions
    if "calldesk_providers" not in ext:
        ext["calldesk_providers"] = build_providers(current_app.config)
    return ext["calldesk_providers"]


def build_providers(cfg) -> Providers:
    # One limiter for the paid providers (OpenAI, Pinecone): the limits they share with every other
    # process. It opens no Redis connection before its first request.
    limiter = build_limiter(cfg)
    return Providers(
        llm=_pick(cfg, "LLM_PROVIDER", LLMS, limiter),
        embedder=_pick(cfg, "EMBEDDINGS_PROVIDER", EMBEDDERS, limiter),
        vectors=_pick(cfg, "VECTOR_STORE", VECTOR_STORES, limiter),
    )


def _pick(cfg, setting: str, builders: dict, limiter: RateLimiter):
    kind = cfg[setting]
    if kind not in builders:
        raise ProviderConfigError(f"{setting} must be {' or '.join(builders)}, not {kind!r}")
    return builders[kind](cfg, limiter)


def _openai_kwargs(cfg, limiter: RateLimiter) -> dict:
    if not cfg["OPENAI_API_KEY"]:
        raise ProviderConfigError("OPENAI_API_KEY is not set", provider="openai")
    return {
        "api_key": cfg["OPENAI_API_KEY"],
        "base_url": cfg["OPENAI_BASE_URL"],
        "timeout": cfg["OPENAI_TIMEOUT_S"],
        "max_retries": cfg["OPENAI_MAX_RETRIES"],
        "limiter": limiter,
    }


# Builders import their module only when chosen: an SDK that is not configured is never loaded.


def _openai_llm(cfg, limiter: RateLimiter) -> LLMProvider:
    from .openai_llm import OpenAIAnalyser

    return OpenAIAnalyser(
        model=cfg["OPENAI_MODEL"],
        max_transcript_tokens=cfg["LLM_MAX_TRANSCRIPT_TOKENS"],
        **_openai_kwargs(cfg, limiter),
    )


def _offline_llm(cfg, limiter: RateLimiter) -> LLMProvider:
    from .offline_llm import OfflineAnalyser

    return OfflineAnalyser()


def _openai_embedder(cfg, limiter: RateLimiter) -> EmbeddingProvider:
    from .openai_embed import OpenAIEmbedder

    return OpenAIEmbedder(
        model=cfg["OPENAI_EMBEDDING_MODEL"],
        dimensions=cfg["OPENAI_EMBEDDING_DIMENSIONS"],
        **_openai_kwargs(cfg, limiter),
    )


def _offline_embedder(cfg, limiter: RateLimiter) -> EmbeddingProvider:
    from .offline_embed import LexicalEmbedder
    from .offline_semantic import offline_embedder

    choice = cfg.get("OFFLINE_EMBEDDINGS", "wordllama")
    if choice == "lexical":
        return LexicalEmbedder(dimensions=cfg["OFFLINE_EMBEDDING_DIMENSIONS"])
    if choice != "wordllama":
        raise ProviderConfigError(f"OFFLINE_EMBEDDINGS must be wordllama or lexical, not {choice!r}")
    return offline_embedder(dimensions=cfg["OFFLINE_EMBEDDING_DIMENSIONS"], log=log)


def _pinecone(cfg, limiter: RateLimiter) -> VectorStore:
    from .pinecone_store import PineconeStore

    if not cfg["PINECONE_API_KEY"]:
        raise ProviderConfigError("PINECONE_API_KEY is not set", provider="pinecone")
    return PineconeStore(
        api_key=cfg["PINECONE_API_KEY"],
        index_name=cfg["PINECONE_INDEX_NAME"],
        index_host=cfg["PINECONE_INDEX_HOST"],
        controller_host=cfg["PINECONE_CONTROLLER_HOST"],
        limiter=limiter,
    )


def local_store(cfg, limiter: RateLimiter | None = None) -> VectorStore:
    """The SQL-table store: needs no key, so it is always at hand (also for vectors an earlier
    VECTOR_STORE=local left behind)."""
    from .local_vectors import LocalVectorStore

    return LocalVectorStore(cache_mb=cfg.get("LOCAL_VECTORS_CACHE_MB", 192))


# The names each setting takes (see .env.example).
LLMS = {"openai": _openai_llm, "offline": _offline_llm}
EMBEDDERS = {"openai": _openai_embedder, "offline": _offline_embedder}
VECTOR_STORES = {"pinecone": _pinecone, "local": local_store}


def embedder_note(embedder) -> dict:
    """How the pages say calls are matched: {"kind": "semantic" | "lexical" | "openai", "model": …}."""
    kind = getattr(embedder, "kind", None) or ("openai" if embedder.name == "openai" else "lexical")
    return {"kind": kind, "model": embedder.model}
