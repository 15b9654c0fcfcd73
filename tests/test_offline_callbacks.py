"""Offline callback detection in four languages: requests, promises, accepted offers and the hard
negatives, requested times (as said, and resolved against a fixed base time in a time zone),
urgency and the caller's name. Phrases here are not in the evaluation set (tests/data/)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.providers.base import AnalysisRequest, Turn
from app.providers.offline_callback import detect_callback
from app.providers.offline_desk import caller_name, urgency_reasons
from app.providers.offline_llm import OfflineAnalyser
from app.providers.offline_time import extract_time, resolve_time

GREETING = {
    "en": "How can I help?",
    "es": "¿En qué puedo ayudarle?",
    "de": "Wie kann ich helfen?",
    "fr": "Comment puis-je vous aider ?",
}


def turns(*pairs) -> list[Turn]:
    return [Turn(role=role, text=text) for role, text in pairs]


def caller_says(lang: str, text: str):
    return detect_callback(turns(("agent", GREETING[lang]), ("user", text)))


POSITIVES = [
    ("en", "Could you call me back this evening?"),
    ("en", "Ring me when the engineer knows more."),
    ("en", "I'd like a callback about my renewal, please."),
    ("en", "Can somebody phone me about the quote?"),
    ("en", "Have the manager give me a ring."),
    ("en", "Please get back to me once you've checked."),
    ("en", "I'd like to be called back by someone from accounts."),
    ("es", "Llámeme cuando sepa algo, por favor."),
    ("es", "¿Me pueden llamar por la tarde?"),
    ("es", "Quiero que me llame el encargado."),
    ("es", "¿Podrían devolverme la llamada?"),
    ("es", "Necesito que alguien se ponga en contacto conmigo."),
    ("es", "Llamadme cuando tengáis el presupuesto."),
    ("de", "Rufen Sie mich bitte zurück."),
    ("de", "Können Sie mich heute noch anrufen?"),
    ("de", "Ich bitte um einen Rückruf wegen meiner Rechnung."),
    ("de", "Ruf mich an, wenn du Zeit hast."),
    ("de", "Der Chef soll sich bitte bei mir melden."),
    ("de", "Könnte mich jemand aus der Buchhaltung zurückrufen?"),
    ("fr", "Rappelez-moi dès que vous pouvez."),
    ("fr", "Pourriez-vous me rappeler en fin de journée ?"),
    ("fr", "Est-ce que quelqu'un peut m'appeler au sujet de ma facture ?"),
    ("fr", "J'aimerais être rappelée par le responsable."),
    ("fr", "Tu peux me rappeler ce soir ?"),
    ("fr", "Je voudrais qu'on me recontacte pour le devis."),
]

HARD_NEGATIVES = [
    ("en", "Actually, there's no need to call me back, I found the answer."),
    ("en", "I'll give you a ring next week when I'm home."),
    ("en", "Please do not call me, send me a letter instead."),
    ("en", "Your colleague rang me back this morning, so it's sorted."),
    ("en", "I don't want any more sales calls, take me off your list."),
    ("en", "Can you call me back? Never mind, I'll check the website."),
    ("es", "No hace falta que me llamen, ya está solucionado."),
    ("es", "Ya les llamo yo la semana que viene."),
    ("es", "No me llamen al móvil, prefiero un correo."),
    ("es", "Ayer me llamó su compañera y ya me lo explicó."),
    ("es", "Dejen de llamarme con ofertas, quiten mi número de su lista."),
    ("es", "¿Me pueden llamar? Bueno, olvídelo, ya lo miro yo."),
    ("de", "Sie brauchen mich nicht zurückzurufen, das hat sich erledigt."),
    ("de", "Ich rufe Sie nächste Woche wieder an."),
    ("de", "Bitte rufen Sie mich nicht auf dem Handy an."),
    ("de", "Ihre Kollegin hat mich gestern schon angerufen."),
    ("de", "Ich will keine Werbeanrufe mehr bekommen."),
    ("de", "Kein Rückruf nötig, danke."),
    ("fr", "Pas besoin de me rappeler, c'est réglé."),
    ("fr", "Je vous rappellerai la semaine prochaine."),
    ("fr", "Ne me téléphonez pas, écrivez-moi plutôt."),
    ("fr", "Votre collègue m'a rappelé hier, tout est clair."),
    ("fr", "Arrêtez de m'appeler pour vos promotions."),
    ("fr", "Vous pouvez me rappeler ? Enfin non, laissez tomber."),
]


@pytest.mark.parametrize(("lang", "text"), POSITIVES)
def test_callback_requests_in_each_language(lang, text):
    result = caller_says(lang, text)
    assert result.needed is True and result.source == "caller"


@pytest.mark.parametrize(("lang", "text"), HARD_NEGATIVES)
def test_hard_negatives_in_each_language(lang, text):
    assert caller_says(lang, text).needed is False


@pytest.mark.parametrize(
    ("agent", "reply"),
    [
        ("Shall I ask a technician to call you back?", "Yes please, after lunch."),
        ("¿Quiere que le llame un técnico?", "Sí, mejor mañana."),
        ("Soll Sie ein Techniker zurückrufen?", "Ja, gerne."),
        ("Voulez-vous qu'un technicien vous rappelle ?", "Oui, volontiers."),
    ],
)
def test_accepted_offers(agent, reply):
    result = detect_callback(turns(("user", "My dishwasher is broken."), ("agent", agent), ("user", reply)))
    assert result.needed is True and result.source == "accepted"


@pytest.mark.parametrize(
    ("agent", "reply"),
    [
        ("Shall I ask a technician to call you back?", "No, I'm fine, thanks."),
        ("¿Quiere que le llame un técnico?", "No, gracias."),
        ("Soll Sie ein Techniker zurückrufen?", "Nein, danke."),
        ("Voulez-vous qu'un technicien vous rappelle ?", "Non merci."),
    ],
)
def test_declined_offers(agent, reply):
    result = detect_callback(turns(("user", "My dishwasher is broken."), ("agent", agent), ("user", reply)))
    assert result.needed is False


@pytest.mark.parametrize(
    "promise",
    [
        "Someone from billing will call you back tomorrow.",
        "Un compañero le llamará mañana.",
        "Ein Kollege ruft Sie morgen zurück.",
        "Un collègue vous rappellera demain.",
    ],
)
def test_agent_promises(promise):
    result = detect_callback(turns(("user", "My invoice is wrong."), ("agent", promise)))
    assert result.needed is True and result.source == "agent"
    assert result.requested_time is not None


def test_a_promise_followed_by_a_question_is_still_a_promise():
    result = detect_callback(
        turns(
            ("user", "My invoice is wrong."),
            ("agent", "Someone will call you back today. Anything else?"),
            ("user", "No, that's all."),
        )
    )
    assert result.needed is True


def test_the_last_word_wins_a_request_after_a_refusal():
    result = detect_callback(
        turns(
            ("user", "Don't call me at work."),
            ("agent", "Understood."),
            ("user", "But do call me after 6pm."),
        )
    )
    assert result.needed is True and result.requested_time == "after 6pm"


@pytest.mark.parametrize(
    ("lang", "text", "said"),
    [
        ("en", "Call me back on Friday afternoon.", "on Friday afternoon"),
        ("en", "Ring me in half an hour.", "in half an hour"),
        ("en", "Could someone call me at 4:15 pm?", "at 4:15 pm"),
        ("en", "Can you call me the day after tomorrow?", "the day after tomorrow"),
        ("es", "Llámeme mañana por la tarde.", "mañana por la tarde"),
        ("es", "¿Me pueden llamar el martes a las diez?", "el martes a las diez"),
        ("es", "Que me llamen dentro de dos horas.", "dentro de dos horas"),
        ("de", "Rufen Sie mich morgen um 10 Uhr an.", "morgen um 10 Uhr"),
        ("de", "Können Sie mich übermorgen Nachmittag anrufen?", "übermorgen Nachmittag"),
        ("de", "Bitte um Rückruf nächste Woche.", "nächste Woche"),
        ("fr", "Rappelez-moi demain à 9h.", "demain à 9h"),
        ("fr", "Pourriez-vous m'appeler mardi matin ?", "mardi matin"),
        ("fr", "Rappelez-moi dans deux heures.", "dans deux heures"),
    ],
)
def test_requested_time_as_said(lang, text, said):
    assert caller_says(lang, text).requested_time == said


def test_time_from_the_answer_to_when():
    result = detect_callback(
        turns(
            ("user", "¿Me pueden llamar?"),
            ("agent", "Claro, ¿cuándo le viene bien?"),
            ("user", "Pasado mañana."),
        )
    )
    assert result.requested_time == "Pasado mañana"


def test_no_time_when_none_was_said():
    assert caller_says("de", "Rufen Sie mich bitte zurück.").requested_time is None


def test_greeting_is_not_tomorrow():
    assert extract_time("Guten Morgen, hier ist Anna.", "de") is None
    assert extract_time("Buenos días, esta mañana se rompió", "es") == "esta mañana"


# Wednesday 25 November 2026, 10:15 UTC = 11:15 in Madrid and Berlin.
BASE = datetime(2026, 11, 25, 10, 15, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("said", "tz", "expected"),
    [
        ("tomorrow morning", "Europe/Madrid", "2026-11-26 09:00"),
        ("mañana por la tarde", "Europe/Madrid", "2026-11-26 14:00"),
        ("morgen um 10 Uhr", "Europe/Berlin", "2026-11-26 10:00"),
        ("demain matin", "Europe/Paris", "2026-11-26 09:00"),
        ("after 5", "Europe/London", "2026-11-25 17:00"),
        ("before noon", "America/New_York", "2026-11-25 11:00"),  # 05:15 there
        ("next Tuesday at 3pm", "Europe/London", "2026-12-01 15:00"),
        ("el viernes a las cinco", "Europe/Madrid", "2026-11-27 17:00"),
        ("Freitagvormittag", "Europe/Berlin", "2026-11-27 09:00"),
        ("à partir de 17h", "Europe/Paris", "2026-11-25 17:00"),
        ("within the hour", "Europe/London", "2026-11-25 11:15"),
        ("dans deux heures", "Europe/Paris", "2026-11-25 13:15"),
        ("as soon as possible", "Europe/London", "2026-11-25 10:15"),
        ("at 9am", "Europe/London", "2026-11-26 09:00"),  # already past today: tomorrow
        ("2026-11-30T16:00:00+00:00", "Europe/Berlin", "2026-11-30 17:00"),
    ],
)
def test_requested_time_resolves_to_a_due_datetime(said, tz, expected):
    due = resolve_time(said, BASE, tz)
    assert due.tzinfo is not None and due.utcoffset() == BASE.astimezone(ZoneInfo(tz)).utcoffset()
    assert due.strftime("%Y-%m-%d %H:%M") == expected


def test_unresolvable_time_is_none():
    assert resolve_time("when you can", BASE, "UTC") is None
    assert resolve_time("", BASE, "UTC") is None


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("I can smell gas in the hallway.", ["gas"]),
        ("Hay olor a gas en la cocina.", ["gas"]),
        ("Der Keller ist überflutet.", ["flood"]),
        ("La cave est inondée.", ["flood"]),
        ("We have no heating and it's freezing.", ["no heat"]),
        ("Mi hijo se ha hecho daño con el calentador.", ["injury"]),
        ("Ich habe Angst, es knistert in der Steckdose.", ["distress"]),
        ("Ma mère est tombée dans l'escalier.", ["injury"]),
    ],
)
def test_urgency_in_each_language(text, kinds):
    assert urgency_reasons([text]) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "My gas bill is higher than last month.",
        "It's not urgent, whenever suits.",
        "Quisiera pagar la factura del gas.",
        "Die Heizung macht ein Geräusch, ist aber nicht dringend.",
        "Je voudrais un devis pour une chaudière neuve.",
        "Ich brauche Hilfe bei meinem Antrag.",  # help with a form is no distress
    ],
)
def test_not_urgent(text):
    assert urgency_reasons([text]) == []


def test_urgent_only_when_a_callback_is_owed():
    analyser = OfflineAnalyser()
    urgent = analyser.analyse(AnalysisRequest(turns=turns(("user", "I smell gas, please call me back now."))))
    handled = analyser.analyse(
        AnalysisRequest(turns=turns(("user", "I smell gas, I've called the gas board.")))
    )
    assert urgent.callback_needed and urgent.callback_urgent
    assert not handled.callback_needed and not handled.callback_urgent


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hello, my name is Sarah O'Neill and I rent the top flat.", "Sarah O'Neill"),
        ("Hola, me llamo Carmen de la Fuente.", "Carmen de la Fuente"),
        ("Guten Tag, mein Name ist Klaus Müller.", "Klaus Müller"),
        ("Bonjour, je m'appelle Hélène Martin.", "Hélène Martin"),
        ("Hi, Dave speaking.", "Dave"),
        ("This is urgent, the boiler is off.", None),
        ("Soy cliente desde hace años.", None),
    ],
)
def test_caller_name(text, name):
    assert caller_name([text]) == name
