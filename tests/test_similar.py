"""Similar calls: the tenant's closest calls by vector, best first, never another tenant's."""

from __future__ import annotations

import re

from helpers import deliver, gen_workspace, run_jobs, sample_payload, second_workspace


def _similar_ids(client, call_id):
    html = client.get(f"/calls/{call_id}/similar", headers={"HX-Request": "true"}).get_data(as_text=True)
    return [int(x) for x in re.findall(r'href="/calls/(\d+)"', html)], html


def _call(turns, conversation_id, agent_id="agent_7101k2example"):
    payload = sample_payload(conversation_id=conversation_id, agent_id=agent_id)
    payload["data"]["transcript"] = [{"role": r, "message": m} for r, m in turns]
    return payload


LEAK = [("agent", "How can I help?"), ("user", "My kitchen sink is leaking under the sink cabinet.")]
LEAK2 = [("agent", "Hello?"), ("user", "Water is leaking from the kitchen sink pipe.")]
PLAN = [("agent", "Hi!"), ("user", "I want to upgrade my subscription plan to premium.")]


def test_similar_calls_are_ranked_and_exclude_the_call_itself(client, auth, app):
    gen_workspace(auth)
    leak = deliver(client, _call(LEAK, "leak-1")).json["call_id"]
    leak2 = deliver(client, _call(LEAK2, "leak-2")).json["call_id"]
    plan = deliver(client, _call(PLAN, "plan-1")).json["call_id"]
    run_jobs(app)
    ids, html = _similar_ids(client, leak)
    assert ids[0] == leak2
    assert leak not in ids and set(ids) <= {leak2, plan}
    assert 'data-embedder="semantic"' in html and "WordLlama" in html  # says how calls are matched
    page = client.get(f"/calls/{leak}").get_data(as_text=True)
    assert f'hx-get="/calls/{leak}/similar"' in page


def test_similar_calls_never_cross_tenants(client, auth, app):
    gen_workspace(auth)
    mine = deliver(client, _call(LEAK, "leak-a")).json["call_id"]
    other = second_workspace(app)
    theirs = deliver(other, _call(LEAK2, "leak-b", agent_id="agent_beta"), "whsec_beta_secret_00000001")
    run_jobs(app)
    assert _similar_ids(client, mine)[0] == []
    assert "No similar calls yet" in _similar_ids(client, mine)[1]
    assert other.get(f"/calls/{mine}/similar").status_code == 404
    assert _similar_ids(other, theirs.json["call_id"])[0] == []


def test_unprocessed_call_has_no_similar_section(client, auth):
    gen_workspace(auth)
    call_id = deliver(client, _call(LEAK, "leak-q")).json["call_id"]
    assert "/similar" not in client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert _similar_ids(client, call_id)[0] == []


def test_the_fragment_reads_its_call_once_with_the_embedding_and_no_transcript(client, auth, app):
    """One query loads the call (its deferred embedding with it, not the transcript), one the
    results: no second round trip for the embedding, no wide columns for the lookup."""
    from sqlalchemy import event

    from app.extensions import db

    gen_workspace(auth)
    leak = deliver(client, _call(LEAK, "leak-r")).json["call_id"]
    deliver(client, _call(LEAK2, "leak-s"))
    run_jobs(app)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        ids, _ = _similar_ids(client, leak)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert ids
    of_calls = [s for s in statements if re.search(r"\bFROM calls\b", s)]
    assert len(of_calls) == 2, of_calls  # the call, then the similar calls
    assert "calls.embedding" in of_calls[0] and "transcript" not in of_calls[0], of_calls[0]
    assert "embedding" not in of_calls[1] and "transcript" not in of_calls[1], of_calls[1]
