"""Search by meaning: the question is embedded and matched against the tenant's own vectors."""

from __future__ import annotations

import re

from helpers import deliver, gen_workspace, run_jobs, sample_payload, second_workspace

from app.providers import Providers, get_providers
from app.providers.errors import ProviderError
from app.providers.offline_embed import LexicalEmbedder


def _call(turns, conversation_id, agent_id="agent_7101k2example"):
    payload = sample_payload(conversation_id=conversation_id, agent_id=agent_id)
    payload["data"]["transcript"] = [{"role": r, "message": m} for r, m in turns]
    return payload


def _ids(html):
    return [int(x) for x in re.findall(r'href="/calls/(\d+)"', html)]


LEAK = [("agent", "How can I help?"), ("user", "My kitchen sink is leaking under the cabinet.")]
BILL = [("agent", "Hello?"), ("user", "I was charged twice on my invoice and want a refund.")]


def test_search_ranks_the_closest_call_first(client, auth, app):
    gen_workspace(auth)
    leak = deliver(client, _call(LEAK, "leak")).json["call_id"]
    bill = deliver(client, _call(BILL, "bill")).json["call_id"]
    run_jobs(app)
    assert _ids(client.get("/search?q=double charge refund invoice").get_data(as_text=True))[0] == bill
    assert _ids(client.get("/search?q=leaking kitchen sink").get_data(as_text=True))[0] == leak


def test_search_never_returns_another_tenants_calls(client, auth, app):
    gen_workspace(auth)
    deliver(client, _call(LEAK, "leak-a"))
    other = second_workspace(app)
    run_jobs(app)
    assert _ids(other.get("/search?q=leaking kitchen sink").get_data(as_text=True)) == []


def test_empty_and_unreadable_queries_and_escaping(client, auth):
    gen_workspace(auth)
    assert "Find calls by what was said" in client.get("/search").get_data(as_text=True)
    html = client.get("/search?q=<script>x</script>").get_data(as_text=True)
    assert "<script>x</script>" not in html
    assert "No matching calls" in client.get("/search?q=%21%21%21").get_data(as_text=True)


def test_index_failure_is_shown_not_a_500(client, auth, app):
    gen_workspace(auth)

    class DownStore:
        name = "down"

        def query(self, *args):
            raise ProviderError("index unreachable (HTTP 503)", retryable=True, provider="pinecone")

    real = get_providers()
    app.extensions["calldesk_providers"] = Providers(
        llm=real.llm, embedder=real.embedder, vectors=DownStore()
    )
    resp = client.get("/search?q=sink")
    assert resp.status_code == 200
    assert "Search is unavailable right now: pinecone: index unreachable (HTTP 503)" in resp.get_data(
        as_text=True
    )


FUGA = [("agent", "¿Dígame?"), ("user", "Tengo una fuga de agua debajo del fregadero.")]


def test_nonsense_finds_nothing_and_meaning_crosses_languages(client, auth, app):
    gen_workspace(auth)
    leak = deliver(client, _call(FUGA, "fuga")).json["call_id"]
    bill = deliver(client, _call(BILL, "bill")).json["call_id"]
    run_jobs(app)
    html = client.get("/search?q=zzqqvv").get_data(as_text=True)
    assert _ids(html) == [] and "No matching calls" in html
    assert 'data-embedder="semantic"' in html
    assert _ids(client.get("/search?q=water leaking from a pipe").get_data(as_text=True))[0] == leak
    assert _ids(client.get("/search?q=doble cobro en la factura").get_data(as_text=True))[0] == bill


def test_page_says_when_the_lexical_fallback_is_in_use(client, auth, app):
    gen_workspace(auth)
    real = get_providers()
    app.extensions["calldesk_providers"] = Providers(
        llm=real.llm, embedder=LexicalEmbedder(), vectors=real.vectors
    )
    html = client.get("/search?q=sink").get_data(as_text=True)
    assert 'data-embedder="lexical"' in html and "shared wording only" in html
