"""Offline lexical embedder: signed feature hashing of words, word bigrams and character trigrams.

Stdlib only and stable across processes (blake2b, never Python's salted `hash()`), so vectors
stored in an index remain comparable after a restart.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter

from app.providers.offline_rules import FUNCTION_WORDS, words

# Relative weight of each feature family.
_UNIGRAM_WEIGHT = 1.0
_BIGRAM_WEIGHT = 0.6
_TRIGRAM_WEIGHT = 0.25


def stem(token: str) -> str:
    """Very light English stemming: leaking -> leak, booked -> book, plans -> plan, batteries -> battery."""
    token = token.split("'")[0]
    if len(token) > 5 and token.endswith("ing"):
        return token[:-3]
    if len(token) > 4 and token.endswith("ied"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith("ed"):
        return token[:-2]
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


class LexicalEmbedder:
    """`EmbeddingProvider` that needs no model: similar wording gives similar vectors.

    Features: stemmed content-word unigrams, bigrams of consecutive content words and character
    trigrams of each content word (with boundary markers, for typos and word variants). Each
    feature is hashed to a bucket with a sign bit; counts get sublinear weighting (1 + ln tf) and
    the vector is L2-normalised. Empty or feature-less text gives the zero vector.
    """

    name = "offline"
    model = "lexical-hash-v1"

    def ping(self) -> None:
        """Nothing to reach: always ready."""

    def __init__(self, dimensions: int = 384):
        if int(dimensions) <= 0:
            raise ValueError("dimensions must be a positive integer")
        self.dimensions = int(dimensions)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self._embed_one(text or "") for text in texts]

    def _features(self, text: str) -> Counter[tuple[str, str]]:
        toks = [t for t in words(text) if t.split("'")[0]]
        content = [t for t in toks if t not in FUNCTION_WORDS] or toks
        stems = [stem(t) for t in content]
        feats: Counter[tuple[str, str]] = Counter()
        for token, root in zip(content, stems, strict=True):
            feats[("w", root)] += 1
            marked = f"<{token.split(chr(39))[0]}>"
            for i in range(len(marked) - 2):
                feats[("c", marked[i : i + 3])] += 1
        for a, b in zip(stems, stems[1:], strict=False):
            feats[("b", f"{a} {b}")] += 1
        return feats

    def _bucket(self, kind: str, feature: str) -> tuple[int, float]:
        data = f"{kind}:{feature}".encode()
        digest = hashlib.blake2b(data, digest_size=8, person=b"calldesk-lex1").digest()
        value = int.from_bytes(digest, "big")
        return value % self.dimensions, (1.0 if (value >> 63) & 1 else -1.0)

    def _embed_one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        weights = {"w": _UNIGRAM_WEIGHT, "b": _BIGRAM_WEIGHT, "c": _TRIGRAM_WEIGHT}
        for (kind, feature), count in sorted(self._features(text).items()):
            index, sign = self._bucket(kind, feature)
            vector[index] += sign * weights[kind] * (1.0 + math.log(count))
        norm = math.sqrt(sum(v * v for v in vector))
        if norm == 0.0:
            return vector
        return [v / norm for v in vector]
