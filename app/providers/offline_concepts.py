"""What calls to a service business are about, in four languages: the offline analyser's topics
and summary phrases, and the offline embedder's bridge between languages.

Each concept has a kind (which decides the summary verb), an English gloss (added to the text the
offline embedder reads, so "fuga de agua" and "water leak" meet), a topic label and a summary
phrase per language, and patterns matched on accent-folded lowercase text (offline_rules.fold),
so "calefacción" and "calefaccion" are the same word. Patterns are per language but run on every
text: a word of one language rarely means something else in another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.providers.offline_rules import fold


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str  # problem | request | wants | question | complaint
    gloss: str  # English words for the embedder
    labels: dict[str, str]  # topic label per language
    phrases: dict[str, str]  # summary phrase per language, in the form its kind's verb needs
    pattern: re.Pattern[str]
    excludes: tuple[str, ...] = ()  # concepts this one makes redundant ("reschedule" over "booking")


def concept(cid, kind, gloss, labels, phrases, patterns, excludes=()) -> Concept:
    """A Concept from compact data: "|"-separated labels and phrases in the order en, es, de, fr."""
    langs = ("en", "es", "de", "fr")
    return Concept(
        cid,
        kind,
        gloss,
        dict(zip(langs, labels.split(" | "), strict=True)),
        dict(zip(langs, phrases.split(" | "), strict=True)),
        re.compile("|".join(f"(?:{p})" for p in patterns)),
        excludes,
    )


def _table() -> list[Concept]:
    from dataclasses import replace

    from app.providers.offline_concepts_problems import PROBLEMS
    from app.providers.offline_concepts_requests import REQUESTS
    from app.providers.offline_concepts_synonyms import SYNONYMS

    out = []
    for item in PROBLEMS + REQUESTS:
        extra = SYNONYMS.get(item.id)
        if extra:
            merged = "|".join([item.pattern.pattern, *(f"(?:{p})" for p in extra)])
            item = replace(item, pattern=re.compile(merged))
        out.append(item)
    return out


CONCEPTS: list[Concept] = _table()
BY_ID = {c.id: c for c in CONCEPTS}


def find_concepts(
    weighted_texts: list[tuple[str, float]], limit: int = 5, exclude: bool = True
) -> list[Concept]:
    """Concepts found in the texts, most weight first (ties: table order). With `exclude`, a concept
    drops those it makes redundant (summaries); embeddings keep them (shared features match)."""
    scores: dict[str, float] = {}
    for text, weight in weighted_texts:
        folded = fold(text)
        for item in CONCEPTS:
            hits = len(item.pattern.findall(folded))
            if hits:
                scores[item.id] = scores.get(item.id, 0.0) + hits * weight
    order = {c.id: i for i, c in enumerate(CONCEPTS)}
    ranked = sorted(scores, key=lambda cid: (-scores[cid], order[cid]))
    excluded = {x for cid in ranked for x in BY_ID[cid].excludes} if exclude else set()
    return [BY_ID[cid] for cid in ranked if cid not in excluded][:limit]


def glosses(text: str) -> str:
    """English glosses of the concepts in `text` ("" when none): the embedder's bridge between languages."""
    return " ".join(c.gloss for c in find_concepts([(text, 1.0)], limit=3, exclude=False))
