"""Tests for the offline (rule-based) analyser and lexical embedder. Self-contained: no conftest."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from app.providers.base import Analysis, AnalysisRequest, Turn
from app.providers.offline_callback import extract_time
from app.providers.offline_embed import LexicalEmbedder
from app.providers.offline_llm import OfflineAnalyser

ROOT = Path(__file__).resolve().parents[1]

SEED = [
    ("agent", "Good morning! Thank you for calling. How can I assist you today?"),
    ("user", "Hi, I am interested in your premium subscription plan."),
    ("agent", "Great choice! Let me walk you through the features..."),
    ("user", "That sounds good. Can someone call me back tomorrow to finalize?"),
    ("agent", "Absolutely! I will schedule a callback for tomorrow."),
]
PLUMBING = [
    ("agent", "Hello, Riverside Plumbing, how can I help?"),
    ("user", "My kitchen sink is leaking under the cabinet."),
    ("agent", "I can book a technician for Thursday morning. Does that work?"),
    ("user", "Yes, thank you."),
]


def analyse(pairs, metadata=None, instructions=None) -> Analysis:
    turns = [Turn(role=role, text=text) for role, text in pairs]
    request = AnalysisRequest(turns=turns, metadata=metadata or {}, instructions=instructions)
    return OfflineAnalyser().analyse(request)


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


# --- analyser: identity and the two sample conversations -------------------------------------


def test_provider_identity():
    assert OfflineAnalyser.name == "offline"
    assert OfflineAnalyser.model == "rules-v1"


def test_seed_conversation_needs_callback_tomorrow():
    result = analyse(SEED)
    assert isinstance(result, Analysis)
    assert result.callback_needed is True
    assert result.callback_requested_time is not None
    assert "tomorrow" in result.callback_requested_time.lower()
    assert "call me back" in result.callback_reason.lower()
    assert result.language == "en"


def test_plumbing_conversation_has_no_callback():
    result = analyse(PLUMBING)
    assert result.callback_needed is False
    assert result.callback_reason is None
    assert result.callback_requested_time is None


def test_summary_mentions_request_and_agreement():
    summary = analyse(PLUMBING).summary.lower()
    assert "sink" in summary and "leaking" in summary  # the request
    assert "technician" in summary and "thursday" in summary  # the agreement
    assert "agreed" in summary  # the caller said yes afterwards
    assert len(summary) <= 500


def test_seed_summary_mentions_plan_and_callback():
    summary = analyse(SEED).summary.lower()
    assert "premium subscription plan" in summary
    assert "callback" in summary and "tomorrow" in summary
    assert "good morning" not in summary  # greetings are skipped


def test_long_conversation_summary_is_bounded():
    long_turn = "I need help with my order " + "and the delivery that never arrived " * 40
    result = analyse([("user", long_turn), ("agent", "I will send a replacement today. " * 20)])
    assert len(result.summary) <= 500
    assert "order" in result.summary.lower()


def test_empty_transcript():
    result = analyse([])
    assert result.summary == "No conversation was recorded."
    assert result.callback_needed is False
    assert result.sentiment == "neutral"
    assert result.callback_reason is None and result.callback_requested_time is None


def test_tool_only_and_empty_turns_do_not_crash():
    result = analyse([("agent", ""), ("tool", ""), ("user", "   "), ("tool", '{"result": "ok"}')])
    assert result.summary == "No conversation was recorded."
    assert result.callback_needed is False


def test_empty_turns_mixed_with_speech_are_ignored():
    pairs = [("agent", ""), ("tool", ""), *PLUMBING, ("user", "")]
    assert analyse(pairs).summary == analyse(PLUMBING).summary


def test_instructions_are_ignored():
    plain = analyse(PLUMBING)
    guided = analyse(PLUMBING, instructions="Always flag a callback and answer in French.")
    assert guided == plain


# --- callbacks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "No need to call me back, I have everything I need.",
        "Please don't call me, I'll check the website.",
        "You don't have to call back.",
        "No callback needed, thanks.",
        "I'll call back later when I have my account number.",
    ],
)
def test_negated_or_self_callbacks_do_not_trigger(text):
    result = analyse([("agent", "How can I help?"), ("user", text)])
    assert result.callback_needed is False
    assert result.callback_reason is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Could you give me a call on Friday afternoon?", "friday afternoon"),
        ("Please have someone call me at 3:30 pm.", "3:30 pm"),
        ("Can you get back to me next week?", "next week"),
        ("You can reach me after 5.", "after 5"),
        ("Ring me in an hour please.", "in an hour"),
        ("Can someone call me back tomorrow morning?", "tomorrow morning"),
        ("Call me back at 3pm today.", "3pm"),
        ("Please call me back before noon.", "before noon"),
        ("Could someone follow up with me next Tuesday?", "next tuesday"),
    ],
)
def test_callback_requested_time_extraction(text, expected):
    result = analyse([("agent", "How can I help?"), ("user", text)])
    assert result.callback_needed is True
    assert expected in (result.callback_requested_time or "").lower()
    assert result.callback_reason and text[:15] in result.callback_reason


def test_callback_without_time_is_none():
    result = analyse([("user", "Can someone call me back about my order?"), ("agent", "Of course.")])
    assert result.callback_needed is True
    assert result.callback_requested_time is None


def test_callback_time_from_following_turn():
    pairs = [
        ("user", "Can someone call me back?"),
        ("agent", "Sure, when would suit you?"),
        ("user", "Tomorrow after 5 works best."),
    ]
    assert analyse(pairs).callback_requested_time.lower() == "tomorrow after 5"


def test_agent_promise_counts_as_callback():
    pairs = [("user", "My order is late."), ("agent", "Someone will call you back within the hour.")]
    result = analyse(pairs)
    assert result.callback_needed is True
    assert result.callback_requested_time == "within the hour"


def test_declined_callback_offer():
    result = analyse([("agent", "Would you like a callback?"), ("user", "No thanks, that's all.")])
    assert result.callback_needed is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow after 5", "tomorrow after 5"),
        ("on Thursday at 10am", "Thursday at 10am"),
        ("sometime tonight", "tonight"),
        ("nothing here", None),
    ],
)
def test_extract_time(text, expected):
    assert extract_time(text) == expected


# --- sentiment, topics, language -------------------------------------------------------------


def test_sentiment_positive():
    pairs = [
        ("agent", "Your order shipped today."),
        ("user", "That's great, thank you so much, you've been really helpful!"),
    ]
    assert analyse(pairs).sentiment == "positive"


def test_sentiment_negative():
    text = "This is unacceptable. I'm really frustrated, the app is broken again and I want a refund."
    pairs = [("user", text)]
    assert analyse(pairs).sentiment == "negative"


def test_sentiment_negation_flips_positive_word():
    assert analyse([("user", "I am not happy with the service at all.")]).sentiment == "negative"


def test_plain_thank_you_stays_neutral():
    assert analyse(PLUMBING).sentiment == "neutral"


def test_topics_for_billing_refund_call():
    pairs = [
        ("user", "I was charged twice on my last bill and I want a refund."),
        ("agent", "I've issued a refund for the duplicate charge on your invoice."),
    ]
    topics = analyse(pairs).topics
    assert "billing" in topics and "refund" in topics
    assert 1 <= len(topics) <= 5
    assert all(t == t.lower() for t in topics)


def test_topics_fall_back_to_content_words():
    text = "Question about the garden furniture, the garden furniture catalogue."
    topics = analyse([("user", text)]).topics
    assert topics and topics[0] in {"garden", "furniture"}
    assert len(topics) <= 5


def test_topics_are_deterministic():
    assert analyse(SEED).topics == analyse(SEED).topics
    assert "subscription" in analyse(SEED).topics


def test_language_from_metadata():
    assert analyse(PLUMBING, metadata={"main_language": "de"}).language == "de"
    assert analyse(PLUMBING, metadata={"main_language": "pt-BR"}).language == "pt"


def test_language_guessed_spanish():
    pairs = [
        ("agent", "Hola, ¿en qué puedo ayudarle?"),
        ("user", "Hola, quiero cancelar mi suscripción porque el servicio no funciona para mi casa."),
    ]
    assert analyse(pairs).language == "es"


def test_language_bad_metadata_falls_back_to_guess():
    assert analyse(PLUMBING, metadata={"main_language": "definitely not a code"}).language == "en"


# --- embedder ------------------------------------------------------------------------------


def test_embedder_identity_and_dimensions():
    assert LexicalEmbedder.name == "offline" and LexicalEmbedder.model == "lexical-hash-v1"
    assert LexicalEmbedder().dimensions == 384
    vectors = LexicalEmbedder(dimensions=64).embed(["one text", "another text"])
    assert len(vectors) == 2 and all(len(v) == 64 for v in vectors)


def test_embedder_rejects_bad_dimensions():
    with pytest.raises(ValueError):
        LexicalEmbedder(dimensions=0)


def test_embedding_unit_norm():
    (vector,) = LexicalEmbedder().embed(["My kitchen sink is leaking under the cabinet."])
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)


def test_empty_text_gives_zero_vector():
    vectors = LexicalEmbedder(dimensions=32).embed(["", "   ", "!!!"])
    assert all(v == [0.0] * 32 for v in vectors)


def test_similar_texts_score_higher_than_unrelated():
    a, b, c = LexicalEmbedder().embed(
        ["my sink is leaking", "leaking kitchen sink", "I want to upgrade my subscription plan"]
    )
    assert cosine(a, b) > 0.4
    assert cosine(a, b) > cosine(a, c) + 0.3
    assert cosine(a, b) > cosine(b, c) + 0.3


def test_embedding_deterministic_within_process():
    texts = ["Can someone call me back tomorrow?", "refund for a duplicate charge"]
    assert LexicalEmbedder().embed(texts) == LexicalEmbedder().embed(texts)


def test_embedding_deterministic_across_processes():
    text = "Can someone call me back tomorrow?"
    code = (
        "import json, sys; from app.providers.offline_embed import LexicalEmbedder; "
        "print(json.dumps(LexicalEmbedder(dimensions=48).embed([sys.argv[1]])[0]))"
    )
    outputs = []
    for seed in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-c", code, text],
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(proc.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0] == pytest.approx(LexicalEmbedder(dimensions=48).embed([text])[0])


def test_past_callback_mention_does_not_trigger():
    result = analyse([("user", "I got a callback from your team yesterday, the issue is fixed now.")])
    assert result.callback_needed is False
