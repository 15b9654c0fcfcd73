"""Provider interfaces: what the pipeline needs from an LLM, an embedder and a vector index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

# The one list of speaker role names: what each voice platform may call the two sides of a call.
# The webhook normalises them to "agent" / "user"; the offline analyser reads them the same way.
AGENT_ROLES = frozenset({"agent", "assistant", "ai", "bot", "system_agent"})
USER_ROLES = frozenset({"user", "caller", "customer", "human", "client"})

# English names of the languages the app names in prompts and pages (ISO 639-1 codes).
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "de": "German",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}


def canonical_role(raw: str | None) -> str:
    """ "agent" or "user" for a known role name (any case), else the name as given (or "unknown")."""
    role = (raw or "").strip().lower()
    if role in AGENT_ROLES:
        return "agent"
    if role in USER_ROLES:
        return "user"
    return role or "unknown"


class Turn(BaseModel):
    """One normalized transcript turn, as stored on a Call."""

    role: str  # "agent" | "user" (anything else is kept as given)
    text: str = ""
    t: float | None = None  # seconds into the call


class Analysis(BaseModel):
    """What one analysis step produces; also the strict JSON schema sent to the LLM."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(
        description="1-3 sentences in the third person: what the caller wanted, what the agent did or "
        "agreed, and any callback."
    )
    callback_needed: bool = Field(
        description="True only if the caller asked to be called back (and did not withdraw it) or a "
        "follow-up call was promised. False when the caller will call again themselves, asked not to be "
        "called, talks about a past call, or opts out of marketing calls."
    )
    callback_reason: str | None = Field(
        description="Why a callback is needed, in one sentence; null when not needed."
    )
    callback_requested_time: str | None = Field(
        description="When the caller wants the callback, in the words they used (e.g. 'tomorrow "
        "morning', 'mañana por la tarde'); null if not named or no callback."
    )
    callback_urgent: bool = Field(
        description="True when a callback is needed and the call reports an emergency: a gas smell or "
        "leak, flooding or a burst pipe, no heating or hot water, an injury, or a caller in distress."
    )
    caller_name: str | None = Field(
        description="The caller's name exactly as they said it (e.g. 'Maria López'); null if they did "
        "not say it."
    )
    sentiment: Literal["positive", "neutral", "negative"] = Field(
        description="The caller's overall sentiment."
    )
    topics: list[str] = Field(
        description="1-5 short noun phrases naming what the call was about (e.g. 'water leak under "
        "sink', 'double charge'), lowercase, without filler words."
    )
    language: str = Field(description="ISO 639-1 code of the conversation language.")


@dataclass
class AnalysisRequest:
    """Input of one analysis: the transcript plus context the prompt may use."""

    turns: list[Turn]
    metadata: dict = field(default_factory=dict)
    instructions: str | None = None  # tenant's custom guidance, plain text
    # Language of summary, reason and topics: an ISO 639-1 code, or "auto" for the call's own language.
    # The transcript itself is never altered.
    output_language: str = "en"


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
