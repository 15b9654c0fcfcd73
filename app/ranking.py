"""Ranking of vector matches for search and similar calls: one rule, kept apart so it can move with
the vector code.

A match counts only when its score reaches the embedder's `min_score` (the offline hybrid embedder
sets one, measured in bench/quality.py, so that a nonsense query finds nothing); every other
embedder keeps "more than nothing in common" (> 0). Vector ids that are not calls, and the call
itself for "similar calls", are dropped; the best score per call wins.
"""

from __future__ import annotations

from .providers.base import VectorMatch


def min_score_of(embedder) -> float:
    return float(getattr(embedder, "min_score", 0.0) or 0.0)


def call_id_of(vector_id: str) -> int | None:
    prefix, _, number = vector_id.partition("-")
    return int(number) if prefix == "call" and number.isdigit() else None


def rank_matches(
    matches: list[VectorMatch], min_score: float = 0.0, exclude: str | None = None
) -> dict[int, float]:
    """{call id: score}, best first, of the matches above the bar (`exclude`: a vector id to skip)."""
    scores: dict[int, float] = {}
    for match in sorted(matches, key=lambda m: m.score, reverse=True):
        cid = call_id_of(match.id)
        if cid is None or match.id == exclude or match.score <= 0 or match.score < min_score:
            continue
        scores.setdefault(cid, match.score)
    return scores
