"""Quality and cost of the offline analyser and embedder, on the labelled sets in tests/data/.

    .venv/bin/python bench/quality.py            # everything (about a minute)
    .venv/bin/python bench/quality.py --quick    # skips the worker-memory subprocess

Prints, per language and per half of the callback set (odd ids: development half, even ids: the
held-out half the rules were not tuned on): precision, recall and F1 of the callback flag, the
requested time, urgency and caller-name accuracy, language detection; then precision@3 of
similar calls and precision@5 of search on the retrieval set (with ablations), what nonsense
queries find, and the costs: analysis and embedding time per call, model load time, and the peak
memory of a worker-like process. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from evalsets import LANGUAGES, Example, callback_set, retrieval_set  # noqa: E402

from app.pipeline.steps import compose_embedding_text  # noqa: E402
from app.providers.base import AnalysisRequest, Turn  # noqa: E402
from app.providers.offline_desk import urgency_reasons  # noqa: E402
from app.providers.offline_embed import LexicalEmbedder, content_words  # noqa: E402
from app.providers.offline_llm import OfflineAnalyser  # noqa: E402
from app.providers.offline_semantic import HybridEmbedder, load_static_model  # noqa: E402

GOALS = {"f1": 0.95, "p3": 0.85, "p5": 0.85, "analysis_ms": 10.0, "embed_ms": 5.0, "worker_mb": 400.0}
NONSENSE = ["zzqqvv", "asdfgh qwertz", "xylophone zebra quantum", "lorem ipsum dolor"]
ANALYSER = OfflineAnalyser()


def analyse(example: Example, output: str = "en"):
    turns = [Turn(role=role, text=text) for role, text in example.turns]
    return ANALYSER.analyse(AnalysisRequest(turns=turns, output_language=output))


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(1 for want, got in pairs if want and got)
    fp = sum(1 for want, got in pairs if got and not want)
    fn = sum(1 for want, got in pairs if want and not got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def callback_report(failures: list[str]) -> dict:
    examples = callback_set()
    results = {ex.id: analyse(ex) for ex in examples}
    positives = sum(e.callback for e in examples)
    print(f"Callback flag (labelled set: {len(examples)} calls, {positives} with a callback)")
    print(
        f"{'language':<10}{'half':<10}{'n':>4}{'precision':>11}{'recall':>8}{'F1':>7}"
        f"{'time ok':>9}{'urgent ok':>11}"
    )
    worst = 1.0
    for lang in (*LANGUAGES, "all"):
        for half in ("dev", "held-out", "both"):
            chosen = [
                e
                for e in examples
                if (lang == "all" or e.language == lang) and (half == "both" or e.half == half)
            ]
            pairs = [(e.callback, results[e.id].callback_needed) for e in chosen]
            p, r, f1 = prf(pairs)
            flagged = [e for e in chosen if e.callback and results[e.id].callback_needed]
            times = sum(_same(e.labels.get("time"), results[e.id].callback_requested_time) for e in flagged)
            urgent = sum(
                e.urgent == bool(urgency_reasons([t for ro, t in e.turns if ro == "user"])) for e in chosen
            )
            print(
                f"{lang:<10}{half:<10}{len(chosen):>4}{p:>11.3f}{r:>8.3f}{f1:>7.3f}"
                f"{times:>5}/{len(flagged):<3}{urgent:>7}/{len(chosen):<3}"
            )
            if half != "both":
                worst = min(worst, f1)
    if worst < GOALS["f1"]:
        failures.append(f"callback F1 {worst:.3f} < {GOALS['f1']} in some language/half")
    flagged = [e for e in examples if e.callback and results[e.id].callback_needed]
    desk = sum(e.urgent == results[e.id].callback_urgent for e in flagged)
    names = [e for e in examples if "name" in e.labels]
    named = sum(_same(e.labels["name"], results[e.id].caller_name) for e in names)
    unnamed = sum(results[e.id].caller_name is None for e in examples if "name" not in e.labels)
    lang_ok = sum(results[e.id].language == e.language for e in examples)
    print(f"urgency on flagged calls (callback_urgent): {desk}/{len(flagged)} correct")
    print(
        f"caller name: {named}/{len(names)} names found, "
        f"{unnamed}/{len(examples) - len(names)} without a name left empty"
    )
    print(f"language detected: {lang_ok}/{len(examples)}")
    misses = [e.id for e in examples if e.callback != results[e.id].callback_needed]
    print("misclassified:", ", ".join(misses) or "none")
    return {"worst_f1": worst}


def _unit(rows):
    import numpy as np

    matrix = np.asarray(rows, dtype="float32")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def retrieval_scores(embedder, texts: list[str], questions: list[str]):
    docs = _unit(embedder.embed(texts))
    return docs @ docs.T, _unit(embedder.embed(questions)) @ docs.T


def precision_at(calls, questions, sims, search) -> tuple[float, float]:
    import numpy as np

    topics = [c.labels["topic"] for c in calls]
    sims = sims.copy()
    np.fill_diagonal(sims, -9.0)
    p3 = [np.mean([topics[j] == topics[i] for j in np.argsort(-sims[i])[:3]]) for i in range(len(calls))]
    p5 = [
        np.mean([topics[j] == q.labels["topic"] for j in np.argsort(-search[i])[:5]])
        for i, q in enumerate(questions)
    ]
    return float(np.mean(p3)), float(np.mean(p5))


class _MeaningOnly(HybridEmbedder):
    """WordLlama alone on the content words: no lexical half, no concept glosses (ablation)."""

    def meaning_text(self, text: str) -> str:
        return " ".join(content_words(text))


def retrieval_report(failures: list[str], name: str = "retrieval") -> None:
    calls, questions = retrieval_set(name)
    analysed = [analyse(c) for c in calls]
    texts = [
        compose_embedding_text(a.summary, a.topics, [{"role": r, "text": t} for r, t in c.turns])
        for a, c in zip(analysed, calls, strict=True)
    ]
    qtexts = [q.text for q in questions]
    words = [" ".join(t for r, t in c.turns if r == "user") for c in calls]
    model = load_static_model()
    lexical = LexicalEmbedder()
    hybrid = HybridEmbedder(model, lexical)
    variants = [
        ("WordLlama alone, caller's words", _MeaningOnly(model, lexical, meaning_weight=1.0), words),
        ("hybrid, caller's words", hybrid, words),
        ("lexical alone (fallback), full text", lexical, texts),
        ("hybrid, full text (the default)", hybrid, texts),
    ]
    langs = sorted({_lang(c) for c in calls})
    n_topics = len({c.labels["topic"] for c in calls})
    print(
        f"\nRetrieval, {name}.txt ({len(calls)} calls, {n_topics} topics, languages: "
        f"{', '.join(langs)}; {len(questions)} search questions;"
        " full text = topics + summary + caller's words)"
    )
    print(f"{'embedder, text embedded':<40}{'P@3 similar':>12}{'P@5 search':>12}")
    for label, embedder, docs in variants:
        sims, search = retrieval_scores(embedder, docs, qtexts)
        p3, p5 = precision_at(calls, questions, sims, search)
        print(f"{label:<40}{p3:>12.3f}{p5:>12.3f}")
    sims, search = retrieval_scores(hybrid, texts, qtexts)
    p3, p5 = precision_at(calls, questions, sims, search)
    if p3 < GOALS["p3"] or p5 < GOALS["p5"]:
        failures.append(f"retrieval P@3 {p3:.3f} / P@5 {p5:.3f} below {GOALS['p3']}")
    _thresholds(hybrid, calls, questions, texts, sims, search, failures)


def _lang(call: Example) -> str:
    from app.providers.offline_rules import detect_language

    return detect_language({}, [t for _, t in call.turns])


def _thresholds(hybrid, calls, questions, texts, sims, search, failures) -> None:
    import numpy as np

    docs = _unit(hybrid.embed(texts))
    nonsense = _unit(hybrid.embed(NONSENSE)) @ docs.T
    topics = [c.labels["topic"] for c in calls]
    relevant_top = [
        max(search[i][j] for j in range(len(calls)) if topics[j] == q.labels["topic"])
        for i, q in enumerate(questions)
    ]
    pair_same = [
        sims[i][j] for i in range(len(calls)) for j in range(len(calls)) if i != j and topics[i] == topics[j]
    ]
    best_same = [
        max(sims[i][j] for j in range(len(calls)) if j != i and topics[j] == topics[i])
        for i in range(len(calls))
    ]
    bar = hybrid.min_score
    print(
        f"min_score {bar}: nonsense queries score at most {nonsense.max():.2f}; "
        "the best relevant call of each "
        f"question scores at least {min(relevant_top):.2f}; each call's best same-topic neighbour at least "
        f"{min(best_same):.2f} (median same-topic pair {statistics.median(pair_same):.2f})"
    )
    found = {q: int((nonsense[i] >= bar).sum()) for i, q in enumerate(NONSENSE)}
    print("nonsense queries, calls found:", ", ".join(f"{q!r}: {n}" for q, n in found.items()))
    if any(found.values()):
        failures.append("a nonsense query found calls")
    if min(relevant_top) < bar or np.isnan(min(relevant_top)):
        failures.append("a search question's best relevant call is below min_score")


def cost_report(failures: list[str], quick: bool) -> None:
    examples = callback_set()
    calls, _ = retrieval_set()
    timings = []
    for _ in range(3):
        for ex in examples:
            start = time.perf_counter()
            analyse(ex)
            timings.append((time.perf_counter() - start) * 1000)
    model = load_static_model()
    hybrid = HybridEmbedder(model, LexicalEmbedder())
    texts = [" ".join(t for _, t in c.turns) for c in calls]
    embeds = []
    for _ in range(3):
        for text in texts:
            start = time.perf_counter()
            hybrid.embed([text])
            embeds.append((time.perf_counter() - start) * 1000)
    a50, a95 = statistics.median(timings), sorted(timings)[int(len(timings) * 0.95)]
    e50, e95 = statistics.median(embeds), sorted(embeds)[int(len(embeds) * 0.95)]
    chars = statistics.median(len(ex.text) for ex in examples)
    print(f"\nCosts (typical call: {chars:.0f} characters)")
    print(f"analysis per call: p50 {a50:.2f} ms, p95 {a95:.2f} ms (goal p50 <= {GOALS['analysis_ms']} ms)")
    print(f"embedding per call: p50 {e50:.2f} ms, p95 {e95:.2f} ms (goal p50 <= {GOALS['embed_ms']} ms)")
    if a50 > GOALS["analysis_ms"]:
        failures.append(f"analysis p50 {a50:.1f} ms")
    if e50 > GOALS["embed_ms"]:
        failures.append(f"embedding p50 {e50:.1f} ms")
    if not quick:
        _worker_memory(failures)


_WORKER_PROBE = r"""
import time, json
t0 = time.perf_counter()
import worker  # the RQ worker module: app, rq, providers' modules
from app import create_app
from app.providers import get_providers
from app.providers.base import AnalysisRequest, Turn
app = create_app()
with app.app_context():
    t1 = time.perf_counter()
    p = get_providers()
    t2 = time.perf_counter()
    p2 = get_providers()
    turns = [Turn(role="user", text="My kitchen sink is leaking, can someone call me back tomorrow morning?")]
    for _ in range(50):
        p.llm.analyse(AnalysisRequest(turns=turns))
        p.embedder.embed(["My kitchen sink is leaking under the cabinet"] * 4)
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) // 1024
print(json.dumps({"import_s": t1 - t0, "providers_s": t2 - t1, "same": p is p2, "embedder": p.embedder.model,
                  "peak_mb": peak}))
"""


def _worker_memory(failures: list[str]) -> None:
    import json

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "LLM_PROVIDER": "offline",
            "EMBEDDINGS_PROVIDER": "offline",
            "VECTOR_STORE": "local",
        }
        out = subprocess.run(
            [sys.executable, "-c", _WORKER_PROBE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"worker-like process: imports {data['import_s']:.2f} s, "
        f"providers (model load) {data['providers_s']:.2f} s once per process (cached: {data['same']}), "
        f"embedder {data['embedder']}, peak memory {data['peak_mb']} MB "
        f"(goal < {GOALS['worker_mb']:.0f} MB)"
    )
    if data["peak_mb"] >= GOALS["worker_mb"]:
        failures.append(f"worker peak memory {data['peak_mb']} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the worker-memory subprocess")
    args = parser.parse_args()
    failures: list[str] = []
    callback_report(failures)
    retrieval_report(failures)
    retrieval_report(failures, "retrieval_heldout")
    cost_report(failures, args.quick)
    print("\nGoals:", "all met" if not failures else "MISSED: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
