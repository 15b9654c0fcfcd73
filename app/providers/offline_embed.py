"""Offline lexical embedder: signed feature hashing of words, word prefixes, word bigrams and the
concepts of offline_concepts (so "fuga de agua" and "water leak" share a feature).

Stdlib only and stable across processes (blake2b, never Python's salted `hash()`), so vectors
stored in an index remain comparable after a restart. It is the fallback when the static
embedding model cannot be loaded, and the lexical half of the hybrid embedder.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter

from app.providers.offline_concepts import find_concepts
from app.providers.offline_rules import ALL_STOPWORDS, fold, words

# Relative weight of each feature family.
_WEIGHTS = {"w": 1.0, "p": 0.5, "b": 0.6, "k": 1.5}
_PREFIX = 5  # letters: "facturé"/"factura"/"facture", "reparación"/"reparatur" share a prefix


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


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stop words of any supported language, no elided articles."""
    toks = [t for t in words(text) if not t.endswith("'") and t.split("'")[0]]
    return [t for t in toks if t not in ALL_STOPWORDS] or toks


class LexicalEmbedder:
    """`EmbeddingProvider` that needs no model: similar wording gives similar vectors.

    Features: stemmed content words, their accent-folded 5-letter prefixes (inflections in
    Spanish, German and French), bigrams of consecutive content words, and the concepts found in
    the text. Each feature is hashed to a bucket with a sign bit; counts get sublinear weighting
    (1 + ln tf) and the vector is L2-normalised. Empty or feature-less text gives the zero vector.
    """

    name = "offline"
    model = "lexical-hash-v2"
    kind = "lexical"
    min_score = 0.08  # below this, two texts share no more than a stray word

    def ping(self) -> None:
        """Nothing to reach: always ready."""

    def __init__(self, dimensions: int = 384):
        if int(dimensions) <= 0:
            raise ValueError("dimensions must be a positive integer")
        self.dimensions = int(dimensions)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self.vector(text or "") for text in texts]

    def features(self, text: str) -> Counter[tuple[str, str]]:
        content = content_words(text)
        stems = [stem(t) for t in content]
        feats: Counter[tuple[str, str]] = Counter()
        for token, root in zip(content, stems, strict=True):
            feats[("w", root)] += 1
            folded = fold(token.split("'")[0])
            if len(folded) > _PREFIX:
                feats[("p", folded[:_PREFIX])] += 1
        for a, b in zip(stems, stems[1:], strict=False):
            feats[("b", f"{a} {b}")] += 1
        for concept in find_concepts([(text, 1.0)], exclude=False):
            feats[("k", concept.id)] += 1
        return feats

    def _bucket(self, kind: str, feature: str) -> tuple[int, float]:
        data = f"{kind}:{feature}".encode()
        digest = hashlib.blake2b(data, digest_size=8, person=b"calldesk-lex2").digest()
        value = int.from_bytes(digest, "big")
        return value % self.dimensions, (1.0 if (value >> 63) & 1 else -1.0)

    def vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for (kind, feature), count in sorted(self.features(text).items()):
            index, sign = self._bucket(kind, feature)
            vector[index] += sign * _WEIGHTS[kind] * (1.0 + math.log(count))
        norm = math.sqrt(sum(v * v for v in vector))
        if norm == 0.0:
            return vector
        return [v / norm for v in vector]
