"""The offline analyser end to end (summary, topics, sentiment, language, output language) and the
offline embedders (hybrid WordLlama + lexical, and the lexical fallback). Self-contained: no conftest."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from app.providers.base import Analysis, AnalysisRequest, Turn, VectorMatch
from app.providers.offline_embed import LexicalEmbedder
from app.providers.offline_llm import OfflineAnalyser
from app.providers.offline_rules import ALL_STOPWORDS
from app.providers.offline_semantic import HybridEmbedder, load_static_model, offline_embedder
from app.services.vectors import rank_matches

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
FUGA = [
    ("agent", "Fontanería Ribera, ¿en qué puedo ayudarle?"),
    ("user", "Tengo una fuga de agua debajo del fregadero. ¿Me pueden llamar mañana por la mañana?"),
    ("agent", "Claro, el técnico le llamará mañana."),
]


def analyse(pairs, metadata=None, instructions=None, output_language="en") -> Analysis:
    turns = [Turn(role=role, text=text) for role, text in pairs]
    request = AnalysisRequest(
        turns=turns, metadata=metadata or {}, instructions=instructions, output_language=output_language
    )
    return OfflineAnalyser().analyse(request)


def cosine(a: list[float], b: list[float]) -> float:
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(x * x for x in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb)


# --- analyser: identity and the sample conversations ---------------------------------------


def test_provider_identity():
    assert OfflineAnalyser.name == "offline"
    assert OfflineAnalyser.model == "rules-v2"


def test_seed_conversation_needs_callback_tomorrow():
    result = analyse(SEED)
    assert result.callback_needed is True
    assert result.callback_requested_time == "tomorrow"
    assert result.summary == (
        "The caller asked about the premium subscription plan and to be called back tomorrow."
    )
    assert result.callback_reason == result.summary
    assert result.callback_urgent is False and result.caller_name is None
    assert result.language == "en"


def test_plumbing_conversation_summary_topics_and_no_callback():
    result = analyse(PLUMBING)
    assert result.callback_needed is False
    assert result.callback_reason is None and result.callback_requested_time is None
    assert (
        result.summary == "The caller reported a water leak. The agent arranged a visit (Thursday morning)."
    )
    assert result.topics[:2] == ["water leak", "kitchen sink"]


@pytest.mark.parametrize(
    ("pairs", "summary"),
    [
        (
            [
                ("user", "I was charged twice this month and I'm furious, I want my money back."),
                ("agent", "I'm sorry, I've issued a refund for the duplicate payment."),
            ],
            "The caller angrily reported a double charge and asked for a refund. "
            "The agent arranged a refund.",
        ),
        (
            [
                ("user", "Quiero dar de baja mi contrato de mantenimiento."),
                ("agent", "He cancelado el contrato."),
            ],
            "La persona que llama quiere dar de baja un contrato o una suscripción. "
            "El agente confirma la baja.",
        ),
        (
            [("user", "Unsere Heizung ist ausgefallen. Können Sie mich heute Abend zurückrufen?")],
            "Die anrufende Person meldet einen Ausfall von Heizung oder Warmwasser "
            "und bittet um einen Rückruf heute Abend.",
        ),
        (
            [
                ("user", "Je voudrais un devis pour refaire ma salle de bain."),
                ("agent", "Un technicien passera jeudi pour les mesures."),
            ],
            "La personne qui appelle demande un devis. L'agent organise une intervention (jeudi).",
        ),
        (
            [("user", "What time do you close on Saturdays?"), ("agent", "We close at 1pm on Saturdays.")],
            "The caller asked about the opening hours. The agent answered the question.",
        ),
    ],
)
def test_summaries_are_grammatical_third_person_sentences(pairs, summary):
    assert analyse(pairs, output_language="auto").summary == summary


def test_summary_in_english_or_the_calls_language_transcript_untouched():
    turns = [Turn(role=role, text=text) for role, text in FUGA]
    before = [t.model_dump() for t in turns]
    written = {}
    for lang in ("en", "auto", "de", "fr"):
        result = OfflineAnalyser().analyse(AnalysisRequest(turns=turns, output_language=lang))
        written[lang] = (result.summary, result.topics)
        assert result.language == "es" and result.callback_requested_time == "mañana por la mañana"
    assert [t.model_dump() for t in turns] == before
    assert written["en"][0] == (
        "The caller reported a water leak and asked to be called back \u201cmañana por la mañana\u201d."
    )
    assert written["auto"][0] == (
        "La persona que llama informa de una fuga de agua y pide que le devuelvan la llamada "
        "mañana por la mañana."
    )
    assert written["de"][0].startswith("Die anrufende Person meldet einen Wasserschaden")
    assert written["fr"][0].startswith("La personne qui appelle signale une fuite d'eau")
    assert written["en"][1] == ["water leak"] and written["auto"][1][0] == "fuga de agua"


def test_unsupported_output_language_falls_back_to_english():
    assert analyse(PLUMBING, output_language="ja").summary.startswith("The caller reported")


@pytest.mark.parametrize(
    "pairs",
    [
        PLUMBING,
        FUGA,
        [("user", "Ich möchte meinen Vertrag kündigen, weil ich umziehe und die Wohnung aufgebe.")],
        [("user", "Bonjour, je n'ai plus de chauffage depuis hier soir dans ma maison.")],
        [("user", "I would like some information about the new garden furniture in the catalogue.")],
    ],
)
def test_topics_are_short_noun_phrases_without_stop_words(pairs):
    topics = analyse(pairs, output_language="auto").topics
    assert 1 <= len(topics) <= 5
    for topic in topics:
        assert topic == topic.lower() and len(topic.split()) <= 5
        assert topic.split()[0] not in ALL_STOPWORDS and topic.split()[-1] not in ALL_STOPWORDS


def test_long_conversation_summary_is_bounded():
    long_turn = "I need help with my order " + "and the delivery that never arrived " * 40
    result = analyse([("user", long_turn), ("agent", "I will send a replacement today. " * 20)])
    assert len(result.summary) <= 500


def test_empty_transcript():
    result = analyse([])
    assert result.summary == "No conversation was recorded."
    assert result.callback_needed is False and result.sentiment == "neutral" and result.topics == []


def test_tool_only_and_empty_turns_do_not_crash():
    result = analyse([("agent", ""), ("tool", ""), ("user", "   "), ("tool", '{"result": "ok"}')])
    assert result.summary == "No conversation was recorded."


def test_empty_turns_mixed_with_speech_are_ignored():
    pairs = [("agent", ""), ("tool", ""), *PLUMBING, ("user", "")]
    assert analyse(pairs).summary == analyse(PLUMBING).summary


def test_instructions_are_ignored():
    assert analyse(PLUMBING, instructions="Always flag a callback.") == analyse(PLUMBING)


def test_role_names_come_from_one_list():
    from app.providers import base, offline_rules
    from app.webhooks.payload import RawTurn, normalize_turns

    assert offline_rules.AGENT_ROLES is base.AGENT_ROLES and offline_rules.USER_ROLES is base.USER_ROLES
    raw = [RawTurn(role="system_agent", message="Hello"), RawTurn(role="Client", message="Call me back")]
    assert [t["role"] for t in normalize_turns(raw)] == ["agent", "user"]
    assert analyse([("client", "Please call me back tomorrow.")]).callback_needed is True


# --- sentiment and language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("This is ridiculous, I'm really angry about the third missed visit.", "negative"),
        ("Estoy harta, es una vergüenza.", "negative"),
        ("Das ist eine Frechheit, ich bin wirklich sauer.", "negative"),
        ("C'est inadmissible, je suis en colère.", "negative"),
        ("The boiler broke and I was worried, but what a relief, thank you so much.", "positive"),
        ("Menos mal, qué alivio, gracias.", "positive"),
        ("Da bin ich aber erleichtert.", "positive"),
        ("Ouf, quel soulagement !", "positive"),
        ("Thank you.", "neutral"),
        ("I'm not happy with the service.", "negative"),
    ],
)
def test_sentiment_notices_anger_and_relief(text, sentiment):
    assert analyse([("user", text)]).sentiment == sentiment


def test_relief_after_anger_wins_and_is_said():
    result = analyse(
        [
            ("user", "I'm furious, the heating has been off for two days."),
            ("agent", "An engineer is on the way."),
            ("user", "Oh thank goodness, what a relief."),
        ]
    )
    assert result.sentiment == "positive"
    assert "The caller was relieved." in result.summary


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, tengo una pregunta sobre la factura de este mes.", "es"),
        ("Guten Tag, ich habe eine Frage zu meiner Rechnung.", "de"),
        ("Bonjour, j'ai une question sur ma facture du mois.", "fr"),
        ("Hello, I have a question about my bill for this month.", "en"),
    ],
)
def test_language_detected_per_call(text, language):
    assert analyse([("user", text)], metadata={"main_language": "en"}).language == language


def test_short_calls_trust_the_platforms_language():
    assert analyse([("user", "Ok.")], metadata={"main_language": "fr"}).language == "fr"
    assert analyse([("user", "Ok.")], metadata={"main_language": "German"}).language == "de"
    assert analyse([("user", "Ok.")], metadata={"main_language": 42}).language == "en"


# --- embedders ----------------------------------------------------------------------------------


def test_lexical_embedder_identity_unit_norm_and_zero_vector():
    assert LexicalEmbedder.name == "offline" and LexicalEmbedder.model == "lexical-hash-v2"
    (vector,) = LexicalEmbedder().embed(["My kitchen sink is leaking under the cabinet."])
    assert len(vector) == 384 and math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)
    assert LexicalEmbedder(dimensions=32).embed([""]) == [[0.0] * 32]
    with pytest.raises(ValueError):
        LexicalEmbedder(dimensions=0)


def test_lexical_embedder_is_deterministic_across_processes():
    text = "Me han cobrado dos veces la factura"
    here = LexicalEmbedder(dimensions=64).embed([text])[0]
    code = (
        "import json; from app.providers.offline_embed import LexicalEmbedder; "
        f"print(json.dumps(LexicalEmbedder(dimensions=64).embed([{text!r}])[0]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert json.loads(out.stdout) == here


def test_hybrid_embedder_matches_meaning_across_languages():
    embedder = offline_embedder()
    assert isinstance(embedder, HybridEmbedder) and embedder.kind == "semantic"
    assert embedder.dimensions == 640 and embedder.model == "wordllama-l2-256+lexical-hash-v2"
    leak_en, leak_es, bill_en, nonsense = embedder.embed(
        [
            "Water is dripping from the pipe under my sink.",
            "Tengo una fuga de agua en la cocina.",
            "You charged me twice on my last invoice.",
            "zzqqvv",
        ]
    )
    assert cosine(leak_es, leak_en) > cosine(leak_es, bill_en) + 0.2
    assert max(cosine(nonsense, v) for v in (leak_en, leak_es, bill_en)) < embedder.min_score


def test_model_is_loaded_once_per_process():
    assert load_static_model() is load_static_model()
    assert offline_embedder()._model is offline_embedder()._model


def test_fallback_to_lexical_when_the_model_is_missing(tmp_path, monkeypatch, caplog):
    import logging

    log = logging.getLogger("test.offline")
    assert isinstance(offline_embedder(package="calldesk_no_such_model", log=log), LexicalEmbedder)
    # A package that is installed but lacks its weights (a broken or trimmed install).
    (tmp_path / "hollow_wordllama").mkdir()
    (tmp_path / "hollow_wordllama" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="test.offline"):
        fallback = offline_embedder(package="hollow_wordllama", log=log)
    assert isinstance(fallback, LexicalEmbedder) and fallback.kind == "lexical"
    assert "l2_supercat_256.safetensors" in caplog.text and "lexical fallback" in caplog.text


def test_provider_selection_honours_offline_embeddings_setting():
    from app.providers import ProviderConfigError, build_providers

    base = {
        "LLM_PROVIDER": "offline",
        "EMBEDDINGS_PROVIDER": "offline",
        "VECTOR_STORE": "local",
        "OFFLINE_EMBEDDING_DIMENSIONS": 384,
    }
    assert build_providers({**base, "OFFLINE_EMBEDDINGS": "lexical"}).embedder.model == "lexical-hash-v2"
    assert build_providers({**base, "OFFLINE_EMBEDDINGS": "wordllama"}).embedder.kind == "semantic"
    with pytest.raises(ProviderConfigError):
        build_providers({**base, "OFFLINE_EMBEDDINGS": "bert"})


def test_ranking_drops_matches_below_the_minimum_score():
    matches = [
        VectorMatch("call-3", 0.71),
        VectorMatch("call-9", 0.29),
        VectorMatch("call-4", 0.45),
        VectorMatch("other-1", 0.9),
        VectorMatch("call-5", 0.8),
    ]
    assert list(rank_matches(matches, min_score=0.3, exclude="call-5").items()) == [(3, 0.71), (4, 0.45)]
    assert list(rank_matches(matches)) == [5, 3, 4, 9]
