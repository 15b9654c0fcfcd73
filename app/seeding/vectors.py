"""Vectors for seeded calls without embedding each call: the configured embedder embeds one text per
(topic, language), once, and each call gets its topic's vector plus a little noise (cosine ~0.9 to
it), so similar calls and semantic search find calls of the same topic, as they would for real ones.
The few rare-word calls are embedded one by one, so a search for that word can find them."""

from __future__ import annotations

import numpy as np

from ..pipeline.steps import compose_embedding_text
from .calls import Seeded
from .scenarios import SCENARIOS

NOISE = 0.5  # per-dimension sigma times sqrt(dims): cosine ~0.9 to the topic's vector


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


class Templates:
    """The embedder's vector of each (topic, language), and noisy copies of it for a batch of calls."""

    def __init__(self, embedder, languages: tuple[str, ...], rng: np.random.Generator):
        self.embedder, self.rng = embedder, rng
        self.keys = [(s, lang) for s in range(len(SCENARIOS)) for lang in languages]
        texts = [self._text(SCENARIOS[s], lang) for s, lang in self.keys]
        self.centres = _unit(np.asarray(embedder.embed(texts), np.float32))
        self.row = {key: i for i, key in enumerate(self.keys)}
        self.dims = self.centres.shape[1]

    @staticmethod
    def _text(scenario, lang: str) -> str:
        turns = [{"role": "user", "text": line} for line in scenario.caller[lang]]
        return compose_embedding_text(
            scenario.summary.format(name="The caller"), list(scenario.topics), turns
        )

    def vectors(self, batch: list[Seeded]) -> np.ndarray:
        """One unit float32 vector per call of the batch."""
        which = np.fromiter((self.row[(s.scenario, s.language)] for s in batch), np.int64, len(batch))
        noise = self.rng.standard_normal((len(batch), self.dims), np.float32) * (NOISE / np.sqrt(self.dims))
        out = _unit(self.centres[which] + noise).astype("<f4")
        rare = [i for i, s in enumerate(batch) if s.rare]
        if rare:  # their own words: a search for the rare word must be able to find them
            texts = [
                compose_embedding_text(
                    batch[i].call["summary"], batch[i].call["topics"], batch[i].call["transcript"]
                )
                for i in rare
            ]
            out[rare] = _unit(np.asarray(self.embedder.embed(texts), np.float32))
        return out
