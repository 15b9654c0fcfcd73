"""Text embeddings with the OpenAI embeddings endpoint, batched within the API's limits."""

from __future__ import annotations

import math

import openai

from app.providers.errors import ProviderConfigError
from app.providers.openai_common import (
    PROVIDER,
    OpenAIClientOwner,
    invalid_output,
)

MAX_INPUTS_PER_REQUEST = 2048  # API limit
MAX_TOKENS_PER_REQUEST = 250_000  # API limit is 300k; estimates are rough, keep a margin
MAX_TOKENS_PER_INPUT = 8_000  # API limit is 8192


def embedding_tokens(text: str) -> int:
    """Conservative token estimate for the hard embedding limits.

    ASCII text runs about 4 characters a token; other scripts can take a token (or more) per
    character, so each non-ASCII character counts as one token here.
    """
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return math.ceil((len(text) - non_ascii) / 4) + non_ascii


def cut_to_tokens(text: str, limit: int) -> str:
    """The longest prefix of `text` whose `embedding_tokens` estimate stays within `limit`."""
    if len(text) <= limit or embedding_tokens(text) <= limit:
        return text
    budget = limit * 4  # in quarter tokens: ASCII costs 1, anything else 4
    for position, ch in enumerate(text):
        budget -= 1 if ord(ch) <= 127 else 4
        if budget < 0:
            return text[:position]
    return text


class OpenAIEmbedder(OpenAIClientOwner):
    """EmbeddingProvider backed by `client.embeddings.create`."""

    name = "openai"

    def __init__(self, *, model: str = "text-embedding-3-small", dimensions: int = 1536, **connection):
        """`connection`: the keywords of OpenAIClientOwner (api_key, base_url, timeout, max_retries, …)."""
        if dimensions <= 0:
            raise ProviderConfigError(
                f"embedding dimensions must be positive, got {dimensions}", provider=PROVIDER
            )
        super().__init__(model=model, **connection)
        self.dimensions = dimensions

    @property
    def sends_dimensions(self) -> bool:
        """Only text-embedding-3 (and later) models accept a `dimensions` parameter."""
        return self.model.startswith("text-embedding-3")

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for batch in self._batches(texts):
            vectors.extend(self._embed_batch(batch))
        return vectors

    def _batches(self, texts: list[str]):
        batch: list[str] = []
        batch_tokens = 0
        for text in texts:
            # The API rejects empty strings; one space embeds as "nothing said".
            text = cut_to_tokens(text, MAX_TOKENS_PER_INPUT) if text and text.strip() else " "
            tokens = embedding_tokens(text)
            if batch and (
                len(batch) >= MAX_INPUTS_PER_REQUEST or batch_tokens + tokens > MAX_TOKENS_PER_REQUEST
            ):
                yield batch
                batch, batch_tokens = [], 0
            batch.append(text)
            batch_tokens += tokens
        if batch:
            yield batch

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        extra = {"dimensions": self.dimensions} if self.sends_dimensions else {}
        estimate = sum(embedding_tokens(text) for text in batch)
        try:
            response = self._send(
                "embeddings",
                estimate,
                lambda: self._client.embeddings.create(model=self.model, input=batch, **extra),
                self._report,
            )
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        except ValueError as exc:  # the SDK's "No embedding data received"
            raise invalid_output(str(exc)) from exc
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch) or [item.index for item in data] != list(range(len(batch))):
            raise invalid_output(f"asked for {len(batch)} embeddings, got {len(data)}")
        vectors = []
        for item in data:
            vector = [float(value) for value in item.embedding]
            if len(vector) != self.dimensions:
                raise ProviderConfigError(
                    f"model {self.model} returned {len(vector)}-dimensional vectors, "
                    f"expected {self.dimensions}: check the embedding model and dimensions settings",
                    provider=PROVIDER,
                )
            vectors.append(vector)
        return vectors

    def _report(self, response) -> int | None:
        """Report the request's `usage` (embeddings bill prompt tokens only); returns the count."""
        counts = getattr(response, "usage", None)
        if counts is None:
            return None
        return self._reported("embeddings", getattr(response, "model", None), int(counts.prompt_tokens or 0))
