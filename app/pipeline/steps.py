"""The steps of processing a call. Each stores its result; a step already done is skipped."""

from __future__ import annotations

from ..extensions import db
from ..models import Call, Tenant, utcnow
from ..providers import Providers
from ..providers.base import AnalysisRequest, Turn
from ..services import budget, callbacks, costs, vectors

EMBED_TEXT_LIMIT = 24_000  # characters; the embedder cuts further to its own token budget


def analyse(call: Call, providers: Providers) -> bool:
    """Step 1: summary, callback, sentiment, topics, language. Returns False when already done."""
    if call.analysed_at is not None:
        return False
    tenant = db.session.get(Tenant, call.tenant_id)
    budget.require_room(tenant)  # the first paid step: a spent budget holds the call here, unpaid
    meta = dict(call.call_metadata or {})
    el_summary = (call.elevenlabs_analysis or {}).get("transcript_summary")
    if el_summary:
        meta["elevenlabs_summary"] = el_summary
    request = AnalysisRequest(
        turns=[Turn(**t) for t in call.transcript or []],
        metadata=meta,
        instructions=(tenant.analysis_instructions or None) if tenant else None,
        output_language=(tenant.summary_language or "en") if tenant else "en",
    )
    with costs.metered(call.tenant_id, call.id, "analyse"):
        result = providers.llm.analyse(request)
    call.summary = result.summary
    call.callback_needed = result.callback_needed
    call.callback_reason = result.callback_reason if result.callback_needed else None
    call.callback_requested_time = (
        (result.callback_requested_time or None) if result.callback_needed else None
    )
    call.callback_urgent = bool(result.callback_urgent) if result.callback_needed else False
    if not call.caller_name and result.caller_name:  # what the delivery named wins over what was heard
        call.caller_name = result.caller_name.strip()[:120] or None
    call.sentiment = result.sentiment
    call.topics = list(result.topics)[:8]
    call.language = result.language
    call.analysis_provider = f"{providers.llm.name}:{providers.llm.model}"
    call.analysed_at = utcnow()
    return True


def callback(call: Call, providers: Providers) -> bool:
    """Step 2: open the callback the analysis asked for (never a second one), and say so.

    It commits itself so that the `callback.created` notification follows the commit that made it;
    a later step failing leaves the callback open for the team, as it should.
    """
    made, created = callbacks.open_from_analysis(call)
    if not created:
        return False
    db.session.commit()
    callbacks.notify_created(made)
    return True


def compose_embedding_text(summary: str | None, topics: list[str] | None, turns: list[dict] | None) -> str:
    """What a call is embedded from: its topics, summary and the caller's own words.

    The agent's lines are left out when the caller said anything: greetings and the company's
    script are the same in every call and would make all calls look alike.
    """
    turns = turns or []
    caller = [t.get("text") or "" for t in turns if t.get("role") == "user"]
    words = "\n".join(x for x in caller if x) or "\n".join(t.get("text") or "" for t in turns)
    parts = ["Topics: " + ", ".join(topics) if topics else "", summary or "", words]
    return "\n".join(p for p in parts if p)[:EMBED_TEXT_LIMIT]


def embedding_text(call: Call) -> str:
    return compose_embedding_text(call.summary, call.topics, call.transcript)


def embed(call: Call, providers: Providers) -> bool:
    """Step 3: the call's vector, kept in the row so step 3 can be retried without paying again."""
    model = providers.embedder.model
    if call.embedded_at is not None and call.embedding_model == model:
        return False
    with costs.metered(call.tenant_id, call.id, "embed"):
        [vector] = providers.embedder.embed([embedding_text(call)])
    vectors.set_embedding(call, vector, model)
    return True


def index(call: Call, providers: Providers) -> bool:
    """Step 4: upsert the vector into the tenant's namespace under a deterministic id."""
    if call.indexed_at is not None:
        return False
    vectors.index_calls([call], providers.vectors)
    return True


STEPS = (("analyse", analyse), ("callback", callback), ("embed", embed), ("index", index))


def calls_provider(step_name: str, providers: Providers) -> bool:
    """Whether the step calls a provider: the analysis and the embedding always (paid, or able to
    fail on their own), the index unless it is the local store, which writes into this database.
    The results before such a step are committed first, so a failure there keeps them and a crash
    never pays for them twice; steps with no provider call between them share a commit."""
    if step_name == "index":
        return getattr(providers.vectors, "name", None) != "local"
    return step_name in {"analyse", "embed"}
