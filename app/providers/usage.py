"""What paid provider requests used, reported by the providers and collected by whoever ran them.

The providers know the tokens (the API's `usage`); the pipeline knows the tenant, call and step.
`collect()` opens a sink in the current context; every `report()` made inside it lands there, and
outside one it goes nowhere. Context-local, so threads and concurrent requests never mix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    operation: str  # "chat" | "embeddings"
    provider: str  # "openai"
    model: str  # as the API named it in its reply (e.g. "gpt-4o-mini-2024-07-18")
    input_tokens: int
    output_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


_sink: ContextVar[list[Usage] | None] = ContextVar("calldesk_usage_sink", default=None)


def report(usage: Usage) -> None:
    """Hand one request's usage to the collector around it, if any."""
    sink = _sink.get()
    if sink is not None:
        sink.append(usage)


@contextmanager
def collect() -> Iterator[list[Usage]]:
    """Collect the usage reported inside the block (nested blocks each get their own)."""
    sink: list[Usage] = []
    token = _sink.set(sink)
    try:
        yield sink
    finally:
        _sink.reset(token)


def split(usage: Usage, weights: list[float]) -> list[Usage]:
    """Share one batched request's tokens out by weight (e.g. each text's estimated tokens); the
    parts are whole tokens, never negative, and add up to the whole."""
    total = sum(weights)
    shares = [w / total for w in weights] if total > 0 else [1.0 / len(weights)] * len(weights)
    parts, cumulative, given_in, given_out = [], 0.0, 0, 0
    for share in shares:
        cumulative += share
        upto_in = round(usage.input_tokens * min(cumulative, 1.0))
        upto_out = round(usage.output_tokens * min(cumulative, 1.0))
        parts.append(
            Usage(usage.operation, usage.provider, usage.model, upto_in - given_in, upto_out - given_out)
        )
        given_in, given_out = upto_in, upto_out
    if parts:  # float sums may stop a hair short of 1.0: the last part takes the rest
        last = parts[-1]
        parts[-1] = Usage(
            last.operation,
            last.provider,
            last.model,
            last.input_tokens + usage.input_tokens - given_in,
            last.output_tokens + usage.output_tokens - given_out,
        )
    return parts
