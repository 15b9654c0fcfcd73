"""Property-based: whatever is posted (any JSON value, any bytes; signed, unsigned or wrongly signed; for a
known or an unknown agent) the receiver answers below 500 and leaves exactly one webhook_events row."""

from __future__ import annotations

import json

import pytest
from helpers import gen_workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import WebhookEvent
from app.webhooks.signature import sign

SECRET = "whsec_acme_test_secret_0001"
KNOWN = "agent_7101k2example"
PATH = "/api/webhooks/elevenlabs/call-ended"
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text with everything a sender can put in JSON: NUL, controls, lone surrogates, any plane.
TEXT = st.text(st.characters(exclude_categories=()), max_size=30) | st.sampled_from(
    ["", "\x00", "\ud800", "\udfff", "a" * 200, KNOWN, "post_call_transcription", "post_call_audio"]
)
NUMBERS = st.integers() | st.floats() | st.sampled_from([10**400, -(10**30), 1e308, 0.1])
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
JSON = st.recursive(
    SCALARS, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(TEXT, kids, max_size=4), max_leaves=20
)
TURN = st.fixed_dictionaries(
    {},
    optional={
        "role": TEXT | JSON,
        "message": TEXT | JSON,
        "content": TEXT,
        "time_in_call_secs": NUMBERS | JSON,
        "tool_calls": JSON,
    },
)
DATA = st.fixed_dictionaries(
    {
        "agent_id": st.sampled_from([KNOWN, "agent_nobody"]) | JSON,
        "conversation_id": st.sampled_from(["conv_1", "conv_2"]) | TEXT | JSON,
    },
    optional={
        "transcript": st.lists(TURN, max_size=4) | st.fixed_dictionaries({"messages": st.lists(TURN)}) | JSON,
        "metadata": st.dictionaries(
            st.sampled_from(["call_duration_secs", "start_time_unix_secs", "cost", "phone_call"]), JSON
        )
        | JSON,
        "analysis": JSON,
        "agent_name": TEXT | JSON,
        "full_audio": TEXT,
    },
)
DELIVERY = st.fixed_dictionaries(
    {"data": DATA | JSON},
    optional={
        "type": st.sampled_from(["post_call_transcription", "post_call_audio", "call_initiation_failure"])
        | JSON,
        "event_timestamp": JSON,
    },
)
SIGNING = st.sampled_from(["right", "wrong", "none"])


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


def _encode(value, how: str) -> bytes:
    if how == "ascii":
        return json.dumps(value).encode()  # NaN/Infinity literals, \\ud800 escapes
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")  # invalid UTF-8 too


def _post_and_count(client, body: bytes, signing: str) -> None:
    before = db.session.execute(select(func.count()).select_from(WebhookEvent)).scalar_one()
    db.session.rollback()
    headers = {"Content-Type": "application/json"}
    if signing != "none":
        headers["ElevenLabs-Signature"] = sign(SECRET if signing == "right" else "whsec_wrong_0000000", body)
    resp = client.post(PATH, data=body, headers=headers)
    assert resp.status_code < 500, resp.get_data(as_text=True)
    assert resp.is_json
    after = db.session.execute(select(func.count()).select_from(WebhookEvent)).scalar_one()
    db.session.rollback()
    assert after == before + 1


@SETTINGS
@given(value=DELIVERY | JSON, how=st.sampled_from(["ascii", "utf-8"]), signing=SIGNING)
def test_any_json_value_is_answered_below_500_and_recorded_once(client, workspace, value, how, signing):
    _post_and_count(client, _encode(value, how), signing)


@settings(SETTINGS, max_examples=100)
@given(body=st.binary(max_size=400), signing=SIGNING)
def test_any_bytes_are_answered_below_500_and_recorded_once(client, workspace, body, signing):
    _post_and_count(client, body, signing)
