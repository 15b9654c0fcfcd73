"""Offline, rule-based stand-in for the LLM analyser: deterministic, no network, no model.

English, Spanish, German and French are understood (callbacks, times, urgency, names, topics,
sentiment) and written (summary, reason, topics); other languages are detected and summarised in
English from what the rules recognise.
"""

from __future__ import annotations

from app.providers.base import Analysis, AnalysisRequest
from app.providers.offline_callback import detect_callback
from app.providers.offline_desk import caller_name, urgency_reasons
from app.providers.offline_rules import SUPPORTED, detect_language, spoken_turns
from app.providers.offline_sentiment import classify, emotion
from app.providers.offline_summary import build_summary, callback_reason, gather, topics
from app.providers.offline_summary_lang import EMPTY


def output_language(requested: str | None, call_language: str) -> str:
    """The language to write in: the requested one ("auto": the call's) when the rules can write it,
    else English."""
    wanted = (requested or "en").strip().lower()
    if wanted == "auto":
        wanted = call_language
    wanted = wanted[:2]
    return wanted if wanted in SUPPORTED else "en"


class OfflineAnalyser:
    """Rule-based `LLMProvider`.

    `request.instructions` (the tenant's custom guidance) is ignored: free-text instructions need a
    real LLM. The output is a pure function of the turns, `metadata["main_language"]` and
    `request.output_language`; the transcript itself is never altered.
    """

    name = "offline"
    model = "rules-v2"

    def ping(self) -> None:
        """Nothing to reach: always ready."""

    def analyse(self, request: AnalysisRequest) -> Analysis:
        spoken = spoken_turns(request.turns or [])
        caller = [text for role, text in spoken if role == "user"]
        language = detect_language(request.metadata, [text for _, text in spoken])
        lang = output_language(request.output_language, language)
        if not spoken:
            return Analysis(
                summary=EMPTY[lang],
                callback_needed=False,
                callback_reason=None,
                callback_requested_time=None,
                callback_urgent=False,
                caller_name=None,
                sentiment="neutral",
                topics=[],
                language=language,
            )
        callback = detect_callback(request.turns, language)
        facts = gather(spoken, language)
        facts.emotion = emotion(caller)
        if callback.needed:
            facts.callback_source = callback.source
            facts.callback_time = callback.requested_time
        return Analysis(
            summary=build_summary(facts, lang),
            callback_needed=callback.needed,
            callback_reason=callback_reason(facts, lang) if callback.needed else None,
            callback_requested_time=callback.requested_time if callback.needed else None,
            callback_urgent=callback.needed and bool(urgency_reasons(caller)),
            caller_name=caller_name(caller),
            sentiment=classify(caller),
            topics=topics(facts, lang),
            language=language,
        )
