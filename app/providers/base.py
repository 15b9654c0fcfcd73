"""Provider interfaces: what the pipeline needs from an LLM, an embedder and a vector index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class Turn(BaseModel):
    """One normalized transcript turn, as stored on a Call."""

    role: str  # "agent" | "user" (anything else is kept as given)
    text: str = ""
    t: float | None = None  # seconds into the call


class Analysis(BaseModel):
    """What one analysis step produces; also the strict JSON schema sent to the LLM."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(description="2-4 sentences: what the caller wanted and what was agreed.")
    callback_needed: bool = Field(
        description="True only if the caller asked to be called back or a follow-up call was promised."
    )
    callback_reason: str | None = Field(
        description="Why a callback is needed, in one sentence; null when not needed."
    )
    callback_requested_time: str | None = Field(
        description="When the caller wants the callback, as they said it or as an ISO 8601 datetime; "
        "null if not named."
    )
    sentiment: Literal["positive", "neutral", "negative"] = Field(
        description="The caller's overall sentiment."
    )
    topics: list[str] = Field(description="1-5 short topic labels, lowercase.")
    language: str = Field(description="ISO 639-1 code of the conversation language.")


@dataclass
class AnalysisRequest:
    """Input of one analysis: the transcript plus context the prompt may use."""

    turns: list[Turn]
    metadata: dict = field(default_factory=dict)
    instructions: str | None = None  # tenant's custom guidance, plain text


@dataclass
class VectorRecord:
    id: str
    values: list[float]
    metadata: dict = field(default_factory=dict)


@dataclass
class VectorMatch:
    id: str
    score: float
    metadata: dict = field(default_factory=dict)


class LLMProvider(Protocol):
    name: str  # "openai" | "offline"
    model: str

    def analyse(self, request: AnalysisRequest) -> Analysis: ...

    def ping(self) -> None: ...


class EmbeddingProvider(Protocol):
    name: str
    model: str
    dimensions: int

    def embed(self, texts: list[str]) -> list[list[float]]: ...

    def ping(self) -> None: ...


class VectorStore(Protocol):
    name: str  # "pinecone" | "local"

    def upsert(self, namespace: str, records: list[VectorRecord]) -> None: ...

    def query(self, namespace: str, vector: list[float], top_k: int) -> list[VectorMatch]: ...

    def delete(self, namespace: str, ids: list[str]) -> None: ...

    def check(self, dimensions: int) -> None:
        """Raise ProviderConfigError when the index cannot hold vectors of this size."""
        ...

    def ping(self) -> None: ...
