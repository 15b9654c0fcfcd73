"""Pick the configured providers (real when keys are set, offline otherwise), once per app."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from .base import EmbeddingProvider, LLMProvider, VectorStore
from .errors import ProviderConfigError, ProviderError

__all__ = ["Providers", "ProviderConfigError", "ProviderError", "embedder_note", "get_providers"]

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
    return Providers(llm=_llm(cfg), embedder=_embedder(cfg), vectors=_vectors(cfg))


def _openai_kwargs(cfg) -> dict:
    if not cfg["OPENAI_API_KEY"]:
        raise ProviderConfigError("OPENAI_API_KEY is not set", provider="openai")
    return {
        "api_key": cfg["OPENAI_API_KEY"],
        "base_url": cfg["OPENAI_BASE_URL"],
        "timeout": cfg["OPENAI_TIMEOUT_S"],
        "max_retries": cfg["OPENAI_MAX_RETRIES"],
    }


def _llm(cfg) -> LLMProvider:
    kind = cfg["LLM_PROVIDER"]
    if kind == "openai":
        from .openai_llm import OpenAIAnalyser

        return OpenAIAnalyser(
            model=cfg["OPENAI_MODEL"],
            max_transcript_tokens=cfg["LLM_MAX_TRANSCRIPT_TOKENS"],
            **_openai_kwargs(cfg),
        )
    if kind == "offline":
        from .offline_llm import OfflineAnalyser

        return OfflineAnalyser()
    raise ProviderConfigError(f"LLM_PROVIDER must be openai or offline, not {kind!r}")


def _embedder(cfg) -> EmbeddingProvider:
    kind = cfg["EMBEDDINGS_PROVIDER"]
    if kind == "openai":
        from .openai_embed import OpenAIEmbedder

        return OpenAIEmbedder(
            model=cfg["OPENAI_EMBEDDING_MODEL"],
            dimensions=cfg["OPENAI_EMBEDDING_DIMENSIONS"],
            **_openai_kwargs(cfg),
        )
    if kind == "offline":
        from .offline_embed import LexicalEmbedder
        from .offline_semantic import offline_embedder

        choice = cfg.get("OFFLINE_EMBEDDINGS", "wordllama")
        if choice == "lexical":
            return LexicalEmbedder(dimensions=cfg["OFFLINE_EMBEDDING_DIMENSIONS"])
        if choice != "wordllama":
            raise ProviderConfigError(f"OFFLINE_EMBEDDINGS must be wordllama or lexical, not {choice!r}")
        return offline_embedder(dimensions=cfg["OFFLINE_EMBEDDING_DIMENSIONS"], log=log)
    raise ProviderConfigError(f"EMBEDDINGS_PROVIDER must be openai or offline, not {kind!r}")


def _vectors(cfg) -> VectorStore:
    kind = cfg["VECTOR_STORE"]
    if kind == "pinecone":
        from .pinecone_store import PineconeStore

        if not cfg["PINECONE_API_KEY"]:
            raise ProviderConfigError("PINECONE_API_KEY is not set", provider="pinecone")
        return PineconeStore(
            api_key=cfg["PINECONE_API_KEY"],
            index_name=cfg["PINECONE_INDEX_NAME"],
            index_host=cfg["PINECONE_INDEX_HOST"],
            controller_host=cfg["PINECONE_CONTROLLER_HOST"],
        )
    if kind == "local":
        from .local_vectors import LocalVectorStore

        return LocalVectorStore(cache_mb=cfg["LOCAL_VECTORS_CACHE_MB"])
    raise ProviderConfigError(f"VECTOR_STORE must be pinecone or local, not {kind!r}")


def embedder_note(embedder) -> dict:
    """How the pages say calls are matched: {"kind": "semantic" | "lexical" | "openai", "model": …}."""
    kind = getattr(embedder, "kind", None) or ("openai" if embedder.name == "openai" else "lexical")
    return {"kind": kind, "model": embedder.model}
