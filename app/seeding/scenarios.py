"""What seeded calls are about: a few service-desk topics, each with the caller's words in four
languages, an English summary (the workspace default summary language), topics and how often it
needs a callback, is urgent or upsets the caller.

"boiler" is the common search word (about one call in six mentions it); "zeppelin" the rare one
(RARE_CALLS calls, whatever the count): bench/lists.py searches for both.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMON_WORD, RARE_WORD = "boiler", "zeppelin"
RARE_CALLS = 5
# Said in a rare call, in any language (a place name: it is not translated).
RARE_LINE = "The job is at the old Zeppelin hangar by the airfield."


@dataclass(frozen=True)
class Scenario:
    key: str
    weight: float  # share of calls
    topics: tuple[str, ...]
    summary: str  # "{name}": the caller
    reason: str  # the callback reason, when one is needed
    callback_rate: float
    urgent_rate: float  # of the callbacks
    sentiments: tuple[float, float, float]  # positive, neutral, negative
    caller: dict[str, tuple[str, ...]]  # language -> the caller's lines about the problem
    agent: dict[str, str]  # language -> the agent's answer


SCENARIOS = (
    Scenario(
        "boiler",
        0.17,
        ("boiler repair", "no heating"),
        "{name} reported that the boiler stopped working and the house has no heating; "
        "an engineer visit was discussed.",
        "Boiler broken, no heating: arrange an engineer visit.",
        0.35,
        0.15,
        (0.1, 0.4, 0.5),
        {
            "en": (
                "My boiler stopped working this morning.",
                "The boiler shows an error light and there's no heating at all.",
            ),
            "es": (
                "La caldera ha dejado de funcionar esta mañana.",
                "La caldera marca un error y no tenemos calefacción.",
            ),
            "de": (
                "Unser Heizkessel ist heute früh ausgefallen.",
                "Der Boiler zeigt einen Fehler und die Heizung bleibt kalt.",
            ),
            "fr": (
                "Ma chaudière est tombée en panne ce matin.",
                "La chaudière affiche une erreur et nous n'avons plus de chauffage.",
            ),
        },
        {
            "en": "I'm sorry, I can book a heating engineer.",
            "es": "Lo siento, puedo reservar un técnico de calefacción.",
            "de": "Das tut mir leid, ich kann einen Heizungstechniker buchen.",
            "fr": "Désolé, je peux réserver un chauffagiste.",
        },
    ),
    Scenario(
        "leak",
        0.15,
        ("water leak", "plumbing"),
        "{name} reported water leaking under the kitchen sink; a plumber visit was arranged.",
        "Water leak under the sink: confirm the plumber visit.",
        0.3,
        0.15,
        (0.1, 0.5, 0.4),
        {
            "en": ("There's water leaking under my kitchen sink.", "The cupboard under the sink is soaked."),
            "es": ("Tengo una fuga de agua debajo del fregadero.", "El mueble del fregadero está empapado."),
            "de": ("Unter der Spüle tropft Wasser.", "Der Schrank unter der Spüle ist ganz nass."),
            "fr": ("Il y a une fuite d'eau sous l'évier.", "Le placard sous l'évier est trempé."),
        },
        {
            "en": "I can send a plumber.",
            "es": "Puedo enviar un fontanero.",
            "de": "Ich kann einen Installateur schicken.",
            "fr": "Je peux envoyer un plombier.",
        },
    ),
    Scenario(
        "billing",
        0.15,
        ("double charge", "invoice"),
        "{name} was charged twice for the last invoice and asked for a refund.",
        "Double charge on the last invoice: billing to confirm the refund.",
        0.4,
        0.0,
        (0.05, 0.35, 0.6),
        {
            "en": (
                "I was charged twice for last month's invoice.",
                "I'd like the duplicate payment refunded.",
            ),
            "es": (
                "Me han cobrado dos veces la última factura.",
                "Quiero que me devuelvan el cargo duplicado.",
            ),
            "de": (
                "Sie haben mir die letzte Rechnung doppelt abgebucht.",
                "Ich möchte die doppelte Abbuchung erstattet haben.",
            ),
            "fr": (
                "J'ai été facturé deux fois pour la dernière facture.",
                "Je voudrais être remboursé du double prélèvement.",
            ),
        },
        {
            "en": "I see the duplicate charge and have flagged it for a refund.",
            "es": "Veo el cargo duplicado y lo he marcado para reembolso.",
            "de": "Ich sehe die doppelte Abbuchung und habe sie zur Erstattung markiert.",
            "fr": "Je vois le double prélèvement et je l'ai signalé pour remboursement.",
        },
    ),
    Scenario(
        "appointment",
        0.15,
        ("appointment change",),
        "{name} asked to move the technician appointment to another day.",
        "Move the technician appointment.",
        0.2,
        0.0,
        (0.3, 0.6, 0.1),
        {
            "en": ("I need to move my appointment on Thursday.", "Something came up at work that day."),
            "es": ("Necesito cambiar mi cita del jueves.", "Me ha surgido algo en el trabajo ese día."),
            "de": (
                "Ich muss meinen Termin am Donnerstag verschieben.",
                "Mir ist an dem Tag etwas bei der Arbeit dazwischengekommen.",
            ),
            "fr": (
                "Je dois déplacer mon rendez-vous de jeudi.",
                "J'ai un empêchement au travail ce jour-là.",
            ),
        },
        {
            "en": "No problem, let me look at the calendar.",
            "es": "Sin problema, miro la agenda.",
            "de": "Kein Problem, ich schaue in den Kalender.",
            "fr": "Pas de problème, je regarde l'agenda.",
        },
    ),
    Scenario(
        "quote",
        0.12,
        ("quote request", "bathroom renovation"),
        "{name} asked for a quote for a new bathroom.",
        "Send a quote for the bathroom renovation.",
        0.4,
        0.0,
        (0.6, 0.35, 0.05),
        {
            "en": ("I'd like a quote for a new bathroom.", "We want a walk-in shower instead of the bath."),
            "es": ("Quería un presupuesto para un baño nuevo.", "Queremos una ducha en lugar de la bañera."),
            "de": (
                "Ich hätte gern ein Angebot für ein neues Bad.",
                "Wir möchten eine Dusche statt der Badewanne.",
            ),
            "fr": (
                "Je voudrais un devis pour une nouvelle salle de bains.",
                "Nous voulons une douche à la place de la baignoire.",
            ),
        },
        {
            "en": "Happy to help, a surveyor will prepare the quote.",
            "es": "Con gusto, un técnico preparará el presupuesto.",
            "de": "Gern, ein Gutachter erstellt das Angebot.",
            "fr": "Avec plaisir, un technicien préparera le devis.",
        },
    ),
    Scenario(
        "cancel",
        0.08,
        ("contract cancellation",),
        "{name} cancelled the maintenance contract because of a move.",
        "Confirm the contract cancellation.",
        0.1,
        0.0,
        (0.2, 0.6, 0.2),
        {
            "en": ("I want to cancel my maintenance contract.", "We're moving to another city next month."),
            "es": (
                "Quiero dar de baja mi contrato de mantenimiento.",
                "Nos mudamos a otra ciudad el mes que viene.",
            ),
            "de": (
                "Ich möchte meinen Wartungsvertrag kündigen.",
                "Wir ziehen nächsten Monat in eine andere Stadt.",
            ),
            "fr": (
                "Je veux résilier mon contrat d'entretien.",
                "Nous déménageons dans une autre ville le mois prochain.",
            ),
        },
        {
            "en": "I've noted the cancellation.",
            "es": "He anotado la baja.",
            "de": "Ich habe die Kündigung notiert.",
            "fr": "J'ai noté la résiliation.",
        },
    ),
    Scenario(
        "hours",
        0.15,
        ("opening hours",),
        "{name} asked about the opening hours on Saturday.",
        "Confirm the Saturday opening hours.",
        0.03,
        0.0,
        (0.7, 0.3, 0.0),
        {
            "en": ("What are your opening hours on Saturday?", "Can I drop by to pick up a spare part?"),
            "es": ("¿Cuál es su horario el sábado?", "¿Puedo pasar a recoger una pieza?"),
            "de": (
                "Wie sind Ihre Öffnungszeiten am Samstag?",
                "Kann ich vorbeikommen und ein Ersatzteil abholen?",
            ),
            "fr": ("Quels sont vos horaires le samedi ?", "Puis-je passer récupérer une pièce ?"),
        },
        {
            "en": "We are open from nine to one on Saturdays.",
            "es": "Los sábados abrimos de nueve a una.",
            "de": "Samstags haben wir von neun bis eins geöffnet.",
            "fr": "Le samedi, nous sommes ouverts de neuf heures à treize heures.",
        },
    ),
    Scenario(
        "gas",
        0.03,
        ("gas smell", "emergency"),
        "{name} reported a strong smell of gas; the emergency engineer was alerted.",
        "Gas smell at the property: emergency engineer to call.",
        0.9,
        0.95,
        (0.0, 0.2, 0.8),
        {
            "en": ("There's a strong smell of gas in my hallway.", "I'm scared to touch anything."),
            "es": ("Hay un olor fuerte a gas en el pasillo.", "Me da miedo tocar nada."),
            "de": ("Im Flur riecht es stark nach Gas.", "Ich traue mich nicht, etwas anzufassen."),
            "fr": (
                "Il y a une forte odeur de gaz dans l'entrée.",
                "J'ai peur de toucher à quoi que ce soit.",
            ),
        },
        {
            "en": "Please leave the property, I'm alerting the emergency engineer.",
            "es": "Salga de la vivienda, aviso al técnico de urgencias.",
            "de": "Bitte verlassen Sie das Haus, ich alarmiere den Notdienst.",
            "fr": "Quittez le logement, j'alerte le technicien d'urgence.",
        },
    ),
)
