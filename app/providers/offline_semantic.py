"""Offline embeddings by meaning: WordLlama's static token vectors (weights inside its wheel) mixed
with the lexical embedder, in one vector any index can store.

The model is read straight from the installed `wordllama` package (safetensors + tokenizer JSON),
once per process. Its own loader is not used: importing `wordllama` calls
`logging.basicConfig(level=INFO)` on the root logger, and `WordLlama.load()` looks for the tokenizer
under `tokenizer/` while the wheel ships `tokenizers/`, then tries to download it.

Hybrid: the vector is `[sqrt(w) * meaning, sqrt(1 - w) * wording]` with both halves of unit length,
so the cosine of two such vectors is `w * cos(meaning) + (1 - w) * cos(wording)`: shared wording
and shared concepts (lexical) are combined with nearness in meaning (WordLlama) in a single score.
The meaning half reads the content words plus the English glosses of the concepts found
(offline_concepts), which is what lets a Spanish call find an English one.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.providers.errors import ProviderConfigError
from app.providers.offline_concepts import glosses
from app.providers.offline_embed import LexicalEmbedder, content_words

PACKAGE = "wordllama"
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
MEANING_WEIGHT = 0.5
MAX_TOKENS = 2048  # a long call is embedded from its first 2048 content tokens


@dataclass
class StaticModel:
    matrix: object  # numpy float32 array, vocabulary x dimensions
    tokenizer: object  # tokenizers.Tokenizer

    @property
    def dimensions(self) -> int:
        return int(self.matrix.shape[1])

    def mean_vector(self, text: str) -> list[float]:
        """Unit-length mean of the token vectors of `text`; zeros when it has no tokens."""
        import numpy as np

        ids = self.tokenizer.encode(text, add_special_tokens=False).ids[:MAX_TOKENS]
        if not ids:
            return [0.0] * self.dimensions
        ids = np.clip(np.asarray(ids, dtype=np.int64), 0, self.matrix.shape[0] - 1)
        mean = self.matrix[ids].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return (mean / norm).tolist() if norm else [0.0] * self.dimensions


_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load(package: str) -> StaticModel:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ProviderConfigError(f"the {package} package is not installed", provider="offline")
    root = Path(next(iter(spec.submodule_search_locations)))
    weights, tokenizer = root / WEIGHTS, root / TOKENIZER
    for path in (weights, tokenizer):
        if not path.is_file():
            raise ProviderConfigError(f"{package} is installed without {path.name}", provider="offline")
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        matrix = load_file(str(weights))["embedding.weight"].astype("float32")
        return StaticModel(matrix=matrix, tokenizer=Tokenizer.from_file(str(tokenizer)))
    except Exception as exc:  # noqa: BLE001 - any failure to read the files means "not available"
        raise ProviderConfigError(f"{package} weights could not be read ({exc.__class__.__name__})") from exc


def load_static_model(package: str = PACKAGE) -> StaticModel:
    """The static model, loaded once per process. Raises ProviderConfigError when unavailable."""
    with _lock:
        return _load(package)


class HybridEmbedder:
    """`EmbeddingProvider`: WordLlama meaning + lexical wording, one vector (see the module doc)."""

    name = "offline"
    kind = "semantic"
    min_score = 0.3  # nonsense scores 0.0-0.2 against calls; real questions 0.35 and up (bench/quality.py)

    def __init__(self, model: StaticModel, lexical: LexicalEmbedder, meaning_weight: float = MEANING_WEIGHT):
        self._model = model
        self._lexical = lexical
        self._a = math.sqrt(meaning_weight)
        self._b = math.sqrt(1.0 - meaning_weight)
        self.dimensions = model.dimensions + lexical.dimensions
        self.model = f"wordllama-l2-{model.dimensions}+{lexical.model}"

    def ping(self) -> None:
        """Nothing to reach: always ready."""

    def meaning_text(self, text: str) -> str:
        return " ".join(content_words(text)) + " " + glosses(text)

    def embed(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            meaning = self._model.mean_vector(self.meaning_text(text or ""))
            wording = self._lexical.vector(text or "")
            out.append([self._a * v for v in meaning] + [self._b * v for v in wording])
        return out


def offline_embedder(dimensions: int = 384, package: str = PACKAGE, log=None):
    """The hybrid embedder, or the lexical one when the static model cannot be loaded."""
    lexical = LexicalEmbedder(dimensions=dimensions)
    try:
        return HybridEmbedder(load_static_model(package), lexical)
    except ProviderConfigError as exc:
        if log is not None:
            log.warning("offline embeddings: %s; using the lexical fallback (%s)", exc, lexical.model)
        return lexical
