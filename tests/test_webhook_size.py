"""Delivery size limits: WEBHOOK_MAX_BYTES for what is parsed, WEBHOOK_AUDIO_MAX_BYTES for audio, which
is verified while it streams through the HMAC and never held in memory."""

from __future__ import annotations

import re
import tracemalloc

import pytest
from bodies import AudioBody, padded_body, post_chunked, post_plain
from helpers import gen_workspace
from sqlalchemy import select

from app.extensions import db
from app.models import Call, WebhookEvent

SECRET = "whsec_acme_test_secret_0001"
POSTS = {"plain": post_plain, "chunked": post_chunked}


@pytest.fixture
def workspace(auth):
    return gen_workspace(auth)


def _only_event() -> WebhookEvent:
    return db.session.execute(select(WebhookEvent)).scalar_one()


@pytest.mark.parametrize("how", POSTS)
def test_a_transcription_of_exactly_the_limit_is_accepted(client, workspace, app, how):
    limit = app.config["WEBHOOK_MAX_BYTES"]
    assert limit == 5 * 1024 * 1024  # the default, which is above the forms' 1 MiB MAX_CONTENT_LENGTH
    resp = POSTS[how](client, padded_body(limit), SECRET)
    assert resp.status_code == 202, resp.get_data(as_text=True)[:300]
    event = _only_event()
    assert (event.outcome, event.body_bytes, event.body_truncated) == ("accepted", limit, False)
    assert len(event.body) == limit


@pytest.mark.parametrize("how", POSTS)
def test_one_byte_past_the_limit_is_413_recorded_and_listed_for_the_workspace(client, workspace, app, how):
    limit = app.config["WEBHOOK_MAX_BYTES"]
    body = padded_body(limit + 1, conversation_id="conv_too_big")
    resp = POSTS[how](client, body, SECRET)
    assert resp.status_code == 413
    assert resp.json["status"] == "rejected" and f"{limit} byte limit" in resp.json["error"]
    event = _only_event()
    assert (event.outcome, event.http_status, event.body_bytes) == ("rejected", 413, limit + 1)
    assert event.signature_valid is True and event.tenant_id is not None
    assert event.conversation_id == "conv_too_big"
    assert event.body.encode() == body[: 64 * 1024] and event.body_truncated
    assert db.session.query(Call).count() == 0
    listing = client.get("/deliveries").get_data(as_text=True)
    assert "conv_too_big" in listing and f"{limit} byte limit" in listing


def test_an_oversized_delivery_with_a_bad_signature_keeps_no_body(client, workspace, app):
    limit = app.config["WEBHOOK_MAX_BYTES"]
    resp = post_plain(client, padded_body(limit + 1), "whsec_not_the_right_one_000")
    assert resp.status_code == 401
    event = _only_event()
    assert (event.signature_valid, event.body, event.body_bytes) == (False, "", limit + 1)


@pytest.mark.parametrize("config_overrides", [{"WEBHOOK_AUDIO_MAX_BYTES": 3 * 1024 * 1024}], indirect=True)
@pytest.mark.parametrize("how", ["plain", "chunked"])
def test_a_transcription_beyond_what_is_read_at_all_is_413_unverified(client, workspace, app, how):
    app.config["WEBHOOK_MAX_BYTES"] = 1024 * 1024
    body = padded_body(4 * 1024 * 1024)
    resp = POSTS[how](client, body, SECRET)
    assert resp.status_code == 413
    assert "not read to the end" in resp.json["error"]
    event = _only_event()
    assert event.signature_valid is None and event.body == ""
    assert event.body_bytes > 3 * 1024 * 1024


# --------------------------------------------------------------------------- post_call_audio


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
def test_audio_at_its_limit_is_verified_as_it_streams_and_kept_without_the_audio(
    client, workspace, app, chunked
):
    limit = app.config["WEBHOOK_AUDIO_MAX_BYTES"]
    assert limit == 64 * 1024 * 1024
    audio = AudioBody(limit, conversation_id="conv_audio_64")
    tracemalloc.start()
    try:
        resp = audio.post(client, SECRET, chunked=chunked)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.json["status"] == "ignored"
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes: the body was held in memory"
    event = _only_event()
    assert (event.outcome, event.event_type, event.conversation_id) == (
        "ignored",
        "post_call_audio",
        "conv_audio_64",
    )
    assert (event.signature_valid, event.body_bytes, event.body) == (True, limit, "")
    assert event.tenant_id is not None
    page = client.get(f"/deliveries/{event.id}").get_data(as_text=True)
    assert "audio" in page and re.search(r"67,?108,?864", page)


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
def test_audio_one_byte_past_its_limit_is_413_and_recorded(client, workspace, app, chunked):
    limit = app.config["WEBHOOK_AUDIO_MAX_BYTES"]
    resp = AudioBody(limit + 1, conversation_id="conv_audio_big").post(client, SECRET, chunked=chunked)
    assert resp.status_code == 413
    assert f"{limit} byte limit" in resp.json["error"]
    event = _only_event()
    assert (event.outcome, event.body, event.signature_valid) == ("rejected", "", None)
    assert event.body_bytes > limit
    assert event.tenant_id is not None  # shown to the agent's workspace, as unverified: no content
    assert (event.agent_id, event.conversation_id) == ("agent_7101k2example", None)


def test_audio_with_a_wrong_signature_is_401_without_body(client, workspace):
    resp = AudioBody(2 * 1024 * 1024).post(client, "whsec_not_the_right_one_000")
    assert resp.status_code == 401
    event = _only_event()
    assert (event.signature_valid, event.body, event.event_type) == (False, "", "post_call_audio")


def test_audio_for_an_unknown_agent_is_404_without_body(client, workspace):
    resp = AudioBody(2 * 1024 * 1024, agent_id="agent_nobody").post(client, SECRET)
    assert resp.status_code == 404
    event = _only_event()
    assert (event.tenant_id, event.body, event.agent_id) == (None, "", "agent_nobody")


def test_small_audio_naming_its_agent_after_the_audio_is_still_verified(client, workspace):
    resp = AudioBody(512 * 1024, agent_first=False).post(client, SECRET)
    assert resp.status_code == 200 and resp.json["status"] == "ignored"
    event = _only_event()
    assert (event.signature_valid, event.body, event.agent_id) == (True, "", "agent_7101k2example")


def test_large_audio_naming_its_agent_after_the_audio_is_413_for_nobody(client, workspace, app):
    resp = AudioBody(app.config["WEBHOOK_MAX_BYTES"] + 1, agent_first=False).post(client, SECRET)
    assert resp.status_code == 413
    assert "agent_id" in resp.json["error"] and "first 64 KB" in resp.json["error"]
    event = _only_event()
    assert (event.tenant_id, event.body, event.event_type) == (None, "", "post_call_audio")
