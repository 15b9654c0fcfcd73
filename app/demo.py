"""Demo workspace: a login and a few calls, delivered through the real webhook path."""

from __future__ import annotations

import contextlib
import json
import time

from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import User
from .services import accounts, workspace
from .webhooks.signature import sign

DEMO_EMAIL = "demo@calldesk.local"
DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - printed on the console for the local quick start
DEMO_SECRET = "wsec_demo_local_signing_secret"  # noqa: S105
DEMO_AGENT = "agent_demo_reception"

# (language, turns): calls in four languages whose topics overlap, so "similar calls" and search
# show matches by meaning across languages, and the callback flag meets its hard negatives.
CONVERSATIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "en",
        [
            ("agent", "Good morning! Thank you for calling. How can I assist you today?"),
            ("user", "Hi, I am interested in your premium subscription plan."),
            ("agent", "Great choice! Let me walk you through the features of the premium plan."),
            ("user", "That sounds good. Can someone call me back tomorrow to finalize?"),
            ("agent", "Absolutely! I will schedule a callback for tomorrow."),
        ],
    ),
    (
        "en",
        [
            ("agent", "Hello, Riverside Plumbing, how can I help?"),
            ("user", "My kitchen sink is leaking under the cabinet."),
            ("agent", "I can book a technician for Thursday morning. Does that work?"),
            ("user", "Yes, thank you."),
        ],
    ),
    (
        "en",
        [
            ("agent", "Riverside Plumbing, this is the virtual assistant."),
            ("user", "I was charged twice for last month's invoice and I am really frustrated."),
            ("agent", "I'm sorry about that. I have flagged the duplicate charge for a refund."),
            ("user", "Please have someone from billing call me back this afternoon, it's unacceptable."),
            ("agent", "Of course, billing will call you back this afternoon."),
        ],
    ),
    (
        "en",
        [
            ("agent", "Hello, Riverside Plumbing, how can I help?"),
            ("user", "What are your opening hours on Saturday?"),
            ("agent", "We are open from nine to one on Saturdays."),
            ("user", "Perfect, thanks a lot, that's great."),
        ],
    ),
    (
        "en",
        [
            ("agent", "Riverside Plumbing, how can I help you today?"),
            ("user", "There's water dripping from the ceiling in my bathroom, I think a pipe burst."),
            ("agent", "That sounds urgent. I've booked an emergency visit within two hours."),
            ("user", "Thank you so much."),
        ],
    ),
    (
        "es",
        [
            ("agent", "Fontanería Riverside, ¿en qué puedo ayudarle?"),
            ("user", "Hola, tengo una fuga de agua debajo del fregadero y el mueble está empapado."),
            ("agent", "Lo siento. Ahora mismo no tengo técnicos libres."),
            ("user", "Entonces, ¿me pueden llamar mañana por la mañana para organizar la visita?"),
            ("agent", "Por supuesto, un técnico le llamará mañana por la mañana."),
        ],
    ),
    (
        "de",
        [
            ("agent", "Riverside Plumbing, guten Tag, was kann ich für Sie tun?"),
            ("user", "Sie haben mir die letzte Rechnung doppelt abgebucht, das ist ärgerlich."),
            ("agent", "Das tut mir leid, ich sehe die doppelte Abbuchung."),
            ("user", "Bitte rufen Sie mich heute Nachmittag zurück, wenn die Erstattung veranlasst ist."),
            ("agent", "Gerne, die Buchhaltung ruft Sie heute Nachmittag zurück."),
        ],
    ),
    (
        "fr",
        [
            ("agent", "Riverside Plumbing, bonjour, que puis-je faire pour vous ?"),
            ("user", "Bonjour, quels sont vos horaires d'ouverture le samedi ?"),
            ("agent", "Le samedi, nous sommes ouverts de neuf heures à treize heures."),
            ("user", "Parfait, merci beaucoup."),
        ],
    ),
    (
        "de",
        [
            ("agent", "Riverside Plumbing, guten Morgen."),
            (
                "user",
                "Hier spricht Helga Braun. Unsere Heizung ist ausgefallen, wir haben kein warmes Wasser "
                "und meine Mutter friert.",
            ),
            ("agent", "Das hat Vorrang. Ich gebe es sofort an den Notdienst weiter."),
            ("user", "Bitte rufen Sie mich so schnell wie möglich zurück."),
            ("agent", "Der Techniker ruft Sie in wenigen Minuten an."),
        ],
    ),
    (
        "fr",
        [
            ("agent", "Riverside Plumbing, je vous écoute."),
            ("user", "Ma chaudière est en panne et nous n'avons plus d'eau chaude depuis hier soir."),
            ("agent", "Je vous envoie un chauffagiste demain matin entre huit et dix heures."),
            ("user", "Ouf, quel soulagement, merci !"),
        ],
    ),
    (
        "es",
        [
            ("agent", "Fontanería Riverside, ¿dígame?"),
            ("user", "Quiero dar de baja mi contrato de mantenimiento, me mudo a otra ciudad."),
            ("agent", "Entendido. ¿Quiere que un compañero le llame para confirmarlo?"),
            ("user", "No, gracias, no hace falta que me llamen. Mándenme la confirmación por correo."),
            ("agent", "He cancelado el contrato y le envío la confirmación por correo."),
        ],
    ),
]


def ensure_demo_account() -> User:
    user = db.session.execute(select(User).where(User.email == DEMO_EMAIL)).scalar_one_or_none()
    if user is None:
        user = accounts.signup("Riverside Plumbing (demo)", DEMO_EMAIL, DEMO_PASSWORD)
    if not user.tenant.webhook_secret_encrypted:
        workspace.set_webhook_secret(user.tenant, DEMO_SECRET)
    with contextlib.suppress(workspace.AgentTaken):  # there from an earlier run
        workspace.add_agent(user.tenant_id, DEMO_AGENT, "Reception")
    return user


def delivery(index: int, turns: list[tuple[str, str]], started: int, language: str = "en") -> dict:
    return {
        "type": "post_call_transcription",
        "event_timestamp": started + 120,
        "data": {
            "agent_id": DEMO_AGENT,
            "conversation_id": f"conv_demo_{index:03d}",
            "status": "done",
            "transcript": [
                {"role": role, "message": text, "time_in_call_secs": i * 6}
                for i, (role, text) in enumerate(turns)
            ],
            "metadata": {
                "start_time_unix_secs": started,
                "call_duration_secs": 6 * len(turns) + 5,
                "termination_reason": "end_call tool was called.",
                "main_language": language,
                "phone_call": {
                    "direction": "inbound",
                    "agent_number": "+15550001",
                    "external_number": f"+1555010{index}",
                },
            },
        },
    }


def seed_demo_calls() -> int:
    """Post the sample calls to our own webhook, signed like ElevenLabs would; returns how many were new."""
    ensure_demo_account()
    client = current_app.test_client()
    now = int(time.time())
    created = 0
    for i, (language, turns) in enumerate(CONVERSATIONS):
        body = json.dumps(delivery(i, turns, now - (len(CONVERSATIONS) - i) * 3600, language)).encode()
        resp = client.post(
            "/api/webhooks/elevenlabs/call-ended",
            data=body,
            headers={"Content-Type": "application/json", "ElevenLabs-Signature": sign(DEMO_SECRET, body)},
        )
        created += resp.status_code == 202
    return created
