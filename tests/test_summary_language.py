"""The workspace's summary language: summaries, reasons and topics in English (or another language)
or in the caller's own, with the offline analyser and through OpenAI's prompt; transcripts untouched."""

from __future__ import annotations

import html

import pytest
from fakes.openai_server import FakeOpenAI
from helpers import AuthActions, deliver, gen_workspace, run_jobs, seed_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Tenant

FUGA = [
    ("agent", "Fontanería Ribera, ¿en qué puedo ayudarle?"),
    ("user", "Tengo una fuga de agua debajo del fregadero. ¿Me pueden llamar mañana por la mañana?"),
    ("agent", "Claro, el técnico le llamará mañana."),
]
IN_ENGLISH = "The caller reported a water leak and asked to be called back \u201cmañana por la mañana\u201d."
IN_SPANISH = (
    "La persona que llama informa de una fuga de agua "
    "y pide que le devuelvan la llamada mañana por la mañana."
)


def spanish_call(client, conversation_id: str) -> int:
    payload = seed_payload(conversation_id=conversation_id)
    payload["data"]["transcript"] = {"messages": [{"role": r, "content": t} for r, t in FUGA]}
    reply = deliver(client, payload)
    assert reply.status_code == 202, reply.json
    return reply.json["call_id"]


def set_language(auth, code: str):
    return auth.post_form("/settings/language", {"summary_language": code}, page="/settings")


def test_managers_choose_the_language_and_members_cannot(app, client, auth):
    gen_workspace(auth)
    assert db.session.execute(select(Tenant.summary_language)).scalar_one() == "en"  # the default

    assert set_language(auth, "auto").status_code == 302
    assert db.session.execute(select(Tenant.summary_language)).scalar_one() == "auto"
    assert 'selected value="auto"' in client.get("/settings").get_data(as_text=True)
    assert set_language(auth, "klingon").status_code == 400

    auth.post_form("/team", {"email": "m@acme.test", "role": "member", "password": "staff-password-1"})
    member = AuthActions(app.test_client())
    member.login("m@acme.test", "staff-password-1")
    token = member.token("/settings")
    response = member.client.post("/settings/language", data={"summary_language": "de", "csrf_token": token})
    assert response.status_code == 403
    assert db.session.execute(select(Tenant.summary_language)).scalar_one() == "auto"


def test_a_spanish_call_summarised_in_english_then_in_spanish_offline(app, client, auth):
    gen_workspace(auth)
    english = spanish_call(client, "conv-es-001")
    run_jobs(app)
    set_language(auth, "auto")
    spanish = spanish_call(client, "conv-es-002")
    run_jobs(app)

    first, second = db.session.get(Call, english), db.session.get(Call, spanish)
    assert (first.summary, first.topics[0], first.language) == (IN_ENGLISH, "water leak", "es")
    assert (second.summary, second.topics[0], second.language) == (IN_SPANISH, "fuga de agua", "es")
    for call in (first, second):  # the transcript is kept as spoken
        assert [(t["role"], t["text"]) for t in call.transcript] == [
            ("agent" if r == "agent" else "user", t) for r, t in FUGA
        ]

    page = html.unescape(client.get(f"/calls/{english}").get_data(as_text=True))
    assert "Caller spoke" in page and 'data-call-language="es">Spanish (es)' in page
    assert IN_ENGLISH in page and FUGA[1][1] in page


@pytest.fixture
def openai_fake():
    with FakeOpenAI() as fake:
        yield fake


@pytest.mark.parametrize(
    ("code", "rule"),
    [("de", "in German"), ("auto", "in the language of the conversation"), ("en", "in English")],
)
def test_the_openai_prompt_names_the_workspace_language(app, client, auth, openai_fake, code, rule):
    app.config.update(
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai_fake.base_url,
        OPENAI_MAX_RETRIES=0,
    )
    gen_workspace(auth)
    set_language(auth, code)
    call_id = spanish_call(client, "conv-prompt-001")

    run_jobs(app)

    [sent] = openai_fake.chat_requests()
    system = sent["messages"][0]["content"]
    assert f"write summary, callback_reason and topics {rule}" in system
    assert FUGA[1][1] in sent["messages"][1]["content"]  # the transcript goes as spoken
    assert db.session.get(Call, call_id).status == "processed"
