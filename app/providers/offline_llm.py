"""Offline, rule-based stand-in for the LLM analyser: deterministic, stdlib only, no network."""

from __future__ import annotations

import re
from collections import Counter

from app.providers.base import Analysis, AnalysisRequest, Turn
from app.providers.offline_callback import detect_callback
from app.providers.offline_rules import (
    AGENT_ROLES,
    LANGUAGE_ORDER,
    LANGUAGE_STOPWORDS,
    NEGATORS,
    SENTIMENT_THRESHOLD,
    SENTIMENT_WEIGHTS,
    STOPWORDS,
    TOPIC_PATTERNS,
    USER_ROLES,
    normalise,
    words,
)
from app.providers.offline_summary import EMPTY_SUMMARY, build_summary

MAX_TOPICS = 5
_GRATITUDE = frozenset({"thanks", "thank"})
_NOT_TOPICS = STOPWORDS.union(*LANGUAGE_STOPWORDS.values(), {"hola", "bonjour", "hallo", "ciao", "olá"})
_LANGUAGE_NAMES = {
    "english": "en",
    "spanish": "es",
    "espanol": "es",
    "español": "es",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "german": "de",
    "deutsch": "de",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "português": "pt",
    "dutch": "nl",
    "nederlands": "nl",
}


def _texts(turns: list[Turn], roles: frozenset[str]) -> list[str]:
    return [t.text for t in turns if t.text and t.text.strip() and (t.role or "").lower() in roles]


def score_sentiment(user_texts: list[str]) -> float:
    """Lexicon score of the caller's words; a negator up to 3 words before flips the weight.

    Gratitude ("thanks", "thank you") counts once and weakly, so a polite sign-off alone
    does not make a call positive.
    """
    total = 0.0
    thanked = False
    for text in user_texts:
        toks = words(text)
        for i, tok in enumerate(toks):
            weight = SENTIMENT_WEIGHTS.get(tok)
            if weight is None:
                continue
            if tok in _GRATITUDE:
                if thanked:
                    continue
                thanked = True
            if any(w in NEGATORS for w in toks[max(0, i - 3) : i]):
                # "not happy" is negative; "not bad" is only mildly positive.
                weight = -weight if weight > 0 else -weight * 0.5
            total += weight
    return total


def classify_sentiment(user_texts: list[str]) -> str:
    score = score_sentiment(user_texts)
    if score >= SENTIMENT_THRESHOLD:
        return "positive"
    if score <= -SENTIMENT_THRESHOLD:
        return "negative"
    return "neutral"


def extract_topics(user_texts: list[str], agent_texts: list[str]) -> list[str]:
    """Up to 5 labels: keyword categories by frequency (caller words count double), then, if fewer
    than two matched, the most frequent content words of the caller."""

    def prep(texts: list[str]) -> str:
        return re.sub(r"\bin order to\b", " ", " ".join(normalise(t).lower() for t in texts))

    user_blob, agent_blob = prep(user_texts), prep(agent_texts)
    scored = []
    for index, (label, pattern) in enumerate(TOPIC_PATTERNS):
        hits = 2 * len(pattern.findall(user_blob)) + len(pattern.findall(agent_blob))
        if hits:
            scored.append((-hits, index, label))
    labels = [label for _, _, label in sorted(scored)][:MAX_TOPICS]
    if len(labels) < 2:
        for word in _frequent_words(user_texts or agent_texts):
            if len(labels) >= 3:
                break
            if word not in labels and all(word not in label for label in labels):
                labels.append(word)
    return labels


def _frequent_words(texts: list[str]) -> list[str]:
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for tok in (w.split("'")[0] for text in texts for w in words(text)):
        if len(tok) < 3 or tok.isdigit() or tok in _NOT_TOPICS:
            continue
        counts[tok] += 1
        first.setdefault(tok, len(first))
    return sorted(counts, key=lambda w: (-counts[w], first[w]))


def detect_language(metadata: dict | None, texts: list[str]) -> str:
    """`metadata["main_language"]` when it is a language code (or name); else a stopword vote."""
    declared = (metadata or {}).get("main_language")
    if isinstance(declared, str):
        value = declared.strip().lower()
        if re.fullmatch(r"[a-z]{2}(?:[-_][a-z0-9]{2,8})?", value):
            return value[:2]
        if value in _LANGUAGE_NAMES:
            return _LANGUAGE_NAMES[value]
    toks = [t for text in texts for t in words(text)]
    counts = {lang: sum(t in LANGUAGE_STOPWORDS[lang] for t in toks) for lang in LANGUAGE_ORDER}
    best = max(LANGUAGE_ORDER, key=lambda lang: (counts[lang], -LANGUAGE_ORDER.index(lang)))
    return best if counts[best] >= 2 else "en"


class OfflineAnalyser:
    """Rule-based `LLMProvider`: extractive summary, regex callback detection, lexicon sentiment,
    keyword topics and a stopword language guess.

    `request.instructions` (the tenant's custom guidance) is ignored: free-text instructions need a
    real LLM. The output is a pure function of the turns and `metadata["main_language"]`.
    """

    name = "offline"

    def ping(self) -> None:
        """Nothing to reach: always ready."""

    model = "rules-v1"

    def analyse(self, request: AnalysisRequest) -> Analysis:
        turns = list(request.turns or [])
        user_texts = _texts(turns, USER_ROLES)
        agent_texts = _texts(turns, AGENT_ROLES)
        language = detect_language(request.metadata, user_texts + agent_texts)
        if not user_texts and not agent_texts:
            return Analysis(
                summary=EMPTY_SUMMARY,
                callback_needed=False,
                callback_reason=None,
                callback_requested_time=None,
                sentiment="neutral",
                topics=[],
                language=language,
            )
        callback = detect_callback(turns)
        summary = build_summary(turns, callback.requested_time, callback.source == "caller")
        return Analysis(
            summary=summary,
            callback_needed=callback.needed,
            callback_reason=callback.reason if callback.needed else None,
            callback_requested_time=callback.requested_time if callback.needed else None,
            sentiment=classify_sentiment(user_texts),
            topics=extract_topics(user_texts, agent_texts),
            language=language,
        )
