"""Values PostgreSQL cannot take (NUL, lone surrogates, non-finite numbers, over-long ids) are rejected or
cleaned before any query: a 4xx recorded with its reason, never a 503 that makes the sender retry forever."""

from __future__ import annotations

import pytest
from helpers import deliver, gen_workspace
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError

from app.extensions import db
from app.models import Call, WebhookEvent
from app.webhooks import ingest

SECRET = "whsec_acme_test_secret_0001"
AGENT = "agent_7101k2example"


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


def _only_event() -> WebhookEvent:
    return db.session.execute(select(WebhookEvent)).scalar_one()


def _data(agent=f'"{AGENT}"', conversation='"conv_1"', extra="") -> bytes:
    data = f'"agent_id": {agent}, "conversation_id": {conversation}{extra}'
    return f'{{"type": "post_call_transcription", "data": {{{data}}}}}'.encode()


BAD = {
    "nul-in-agent-id": (_data(agent=f'"{AGENT}\\u0000"'), 422, "data.agent_id"),
    "nul-in-conversation-id": (_data(conversation='"conv\\u0000x"'), 422, "data.conversation_id"),
    "surrogate-in-agent-id": (_data(agent=f'"{AGENT}\\ud800"'), 422, "data.agent_id"),
    "surrogate-in-conversation-id": (_data(conversation='"conv\\udfff"'), 422, "data.conversation_id"),
    "over-long-agent-id": (_data(agent='"' + "a" * 300 + '"'), 422, "data.agent_id"),
    "over-long-conversation-id": (_data(conversation='"' + "c" * 300 + '"'), 422, "data.conversation_id"),
    "huge-duration": (_data(extra=', "metadata": {"call_duration_secs": 1e999}'), 400, "out of range"),
    "huge-negative-start": (
        _data(extra=', "metadata": {"start_time_unix_secs": -1e999}'),
        400,
        "out of range",
    ),
    "huge-turn-time": (
        _data(extra=', "transcript": [{"role": "user", "message": "hi", "time_in_call_secs": 1e400}]'),
        400,
        "out of range",
    ),
    "huge-unknown-field": (_data(extra=', "anything": [1e999]'), 400, "out of range"),
    "nan-literal": (_data(extra=', "metadata": {"cost": NaN}'), 400, "NaN"),
    "infinity-literal": (_data(extra=', "metadata": {"cost": -Infinity}'), 400, "Infinity"),
}


@pytest.mark.parametrize(("raw", "status", "fragment"), BAD.values(), ids=BAD.keys())
def test_values_a_database_cannot_store_get_a_recorded_4xx(client, workspace, raw, status, fragment):
    resp = deliver(client, None, SECRET, raw=raw)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert fragment in resp.json["error"]
    event = _only_event()
    assert (event.outcome, event.http_status) == ("rejected", status)
    assert fragment in event.reason
    assert "\x00" not in (event.agent_id or "") + (event.conversation_id or "") + event.body
    assert db.session.query(Call).count() == 0


def test_nul_and_surrogates_in_text_are_cleaned_and_the_call_kept(client, workspace):
    turns = '[{"role": "user", "message": "a\\u0000b \\udc80"}]'
    raw = _data(extra=f', "agent_name": "Rec\\u0000eption", "transcript": {turns}')
    resp = deliver(client, None, SECRET, raw=raw)
    assert resp.status_code == 202
    call = db.session.get(Call, resp.json["call_id"])
    assert call.agent_name == "Rec\ufffdeption"
    assert call.transcript[0]["text"] == "a\ufffdb \ufffd"


@pytest.mark.parametrize(
    "error", [DataError("INSERT", {}, Exception("bad value")), IntegrityError("INSERT", {}, Exception("x"))]
)
def test_a_value_the_database_refuses_anyway_is_a_recorded_422_not_a_503(
    client, workspace, monkeypatch, error
):
    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(ingest, "_store_call", refuse)
    resp = deliver(client, None, SECRET, raw=_data())
    assert resp.status_code == 422
    assert "Retry-After" not in resp.headers
    event = _only_event()
    assert (event.outcome, event.http_status) == ("rejected", 422)
    assert "could not be stored" in event.reason


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT", {}, Exception("server closed")),
        InterfaceError("SELECT", {}, Exception("x")),
    ],
)
def test_a_database_that_cannot_be_reached_is_503_with_retry_after(client, workspace, monkeypatch, error):
    def unreachable(*args, **kwargs):
        raise error

    monkeypatch.setattr(ingest, "_store_call", unreachable)
    resp = deliver(client, None, SECRET, raw=_data())
    assert resp.status_code == 503
    assert int(resp.headers["Retry-After"]) > 0
