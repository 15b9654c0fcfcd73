"""The labelled evaluation sets bench/quality.py reads are as large and balanced as promised."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from evalsets import LANGUAGES, callback_set, retrieval_set  # noqa: E402


def test_callback_set_is_large_balanced_and_has_the_hard_negatives():
    examples = callback_set()
    assert len(examples) >= 200 and len({e.id for e in examples}) == len(examples)
    per_language = Counter((e.language, e.callback) for e in examples)
    for lang in LANGUAGES:
        assert per_language[(lang, True)] >= 25 and per_language[(lang, True)] == per_language[(lang, False)]
        kinds = {e.labels.get("kind") for e in examples if e.language == lang and not e.callback}
        assert {"withdrawn", "self-call", "dont-call", "past-callback", "opt-out", "declined"} <= kinds
    assert all(len(e.turns) >= 2 and {r for r, _ in e.turns} <= {"agent", "user"} for e in examples)
    assert Counter(e.half for e in examples) == {"dev": len(examples) // 2, "held-out": len(examples) // 2}


def test_retrieval_set_has_seven_topics_and_questions():
    calls, questions = retrieval_set()
    topics = Counter(c.labels["topic"] for c in calls)
    assert len(calls) >= 70 and len(topics) >= 7 and min(topics.values()) >= 5
    assert len(questions) >= 7 and {q.labels["topic"] for q in questions} <= set(topics)
