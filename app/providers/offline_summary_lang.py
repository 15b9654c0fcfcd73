"""Sentence templates and agent-action phrases of the offline summary, per output language (data).

Summaries are built from facts, never from the caller's first-person sentences, so they are
grammatical by construction: English in the past tense, Spanish, German and French in the present.
German templates avoid separable verbs so that two verb phrases can be joined with "und".
Agent actions are matched on accent-folded agent sentences (offline_rules.fold) in any language.
"""

from __future__ import annotations

import re

from app.providers.offline_rules import wordset

SUBJECT = {
    "en": "The caller",
    "es": "La persona que llama",
    "de": "Die anrufende Person",
    "fr": "La personne qui appelle",
}
AND = {"en": "and", "es": "y", "de": "und", "fr": "et"}
VERB = {  # concept kind -> verb before the concept's phrase
    "en": {
        "problem": "reported",
        "request": "asked for",
        "wants": "wanted",
        "question": "asked about",
        "complaint": "complained about",
    },
    "es": {
        "problem": "informa de",
        "request": "pide",
        "wants": "quiere",
        "question": "pregunta por",
        "complaint": "se queja de",
    },
    "de": {
        "problem": "meldet",
        "request": "bittet um",
        "wants": "möchte",
        "question": "fragt nach",
        "complaint": "beschwert sich über",
    },
    "fr": {
        "problem": "signale",
        "request": "demande",
        "wants": "souhaite",
        "question": "se renseigne sur",
        "complaint": "se plaint de",
    },
}
ANGRY = {"en": "angrily", "es": "con enfado", "de": "verärgert", "fr": "avec colère"}
NO_REQUEST = {
    "en": "The caller did not state a clear request.",
    "es": "La persona que llama no expone una petición concreta.",
    "de": "Die anrufende Person nennt kein klares Anliegen.",
    "fr": "La personne qui appelle n'exprime pas de demande précise.",
}
ABOUT = {  # fallback when no concept matched: "asked about <noun phrase>"
    "en": "The caller asked about {np}.",
    "es": "La persona que llama pregunta por {np}.",
    "de": "Die anrufende Person fragt nach: {np}.",
    "fr": "La personne qui appelle se renseigne sur : {np}.",
}
RELIEVED = {
    "en": "The caller was relieved.",
    "es": "La persona se muestra aliviada.",
    "de": "Die Person ist erleichtert.",
    "fr": "La personne est soulagée.",
}
CALLER_SHORT = {"en": "The caller", "es": "", "de": "Sie", "fr": "Elle"}  # subject of a later sentence
CALLBACK = {  # source -> verb phrase (the agent's: a whole sentence); {when} is " <time as said>" or ""
    "en": {
        "caller": "asked to be called back{when}",
        "accepted": "accepted a callback{when}",
        "agent": "The agent promised a callback{when}.",
    },
    "es": {
        "caller": "pide que le devuelvan la llamada{when}",
        "accepted": "acepta que le devuelvan la llamada{when}",
        "agent": "El agente promete una llamada{when}.",
    },
    "de": {
        "caller": "bittet um einen Rückruf{when}",
        "accepted": "nimmt einen Rückruf{when} an",
        "agent": "Der Agent verspricht einen Rückruf{when}.",
    },
    "fr": {
        "caller": "demande à être rappelée{when}",
        "accepted": "accepte d'être rappelée{when}",
        "agent": "L'agent promet un rappel{when}.",
    },
}
AGENT = {"en": "The agent", "es": "El agente", "de": "Der Agent", "fr": "L'agent"}
EMPTY = {
    "en": "No conversation was recorded.",
    "es": "No se grabó ninguna conversación.",
    "de": "Es wurde kein Gespräch aufgezeichnet.",
    "fr": "Aucune conversation n'a été enregistrée.",
}

# Agent actions: (id, pattern on folded agent sentences, verb phrase per language; {t} is " (time)").
_ACTIONS: list[tuple[str, list[str], dict[str, str]]] = [
    (
        "refund",
        [
            r"\brefund\w*|\bwill\s+be\s+returned",
            r"\breembols\w+|\bdevuelvo\s+el\s+(?:segundo|dinero|importe)",
            r"\berstatt\w+",
            r"\brembours\w+",
        ],
        {
            "en": "arranged a refund",
            "es": "tramita un reembolso",
            "de": "veranlasst eine Erstattung",
            "fr": "effectue un remboursement",
        },
    ),
    (
        "cancelled",
        [
            r"\b(?:ended|cancell?ed|terminated)\s+(?:the|your)|\bwill\s+close\s+on|\bno\s+further\s+payments",
            r"\bhe\s+cancelado|\bdado\s+de\s+baja|\bno\s+le\s+cobraremos",
            r"\bgekundigt|\bendet\s+zum",
            r"\bj'ai\s+resilie|\bplus\s+aucun\s+prelevement",
        ],
        {
            "en": "confirmed the cancellation",
            "es": "confirma la baja",
            "de": "bestätigt die Kündigung",
            "fr": "confirme la résiliation",
        },
    ),
    (
        "removed",
        [
            r"\bremoved\s+(?:your|it|the)|\bwon'?t\s+receive",
            r"\beliminado\s+su\s+numero|\blo\s+he\s+quitado"
            r"|\bno\s+recibira",
            r"\bgeloscht|\berhalten\s+keine",
            r"\bsupprime|\bne\s+recevrez\s+plus",
        ],
        {
            "en": "removed the number from the list",
            "es": "elimina el número de la lista",
            "de": "löscht die Nummer aus der Liste",
            "fr": "retire le numéro de la liste",
        },
    ),
    (
        "corrected",
        [
            r"\bcorrect\w*\s+the\s+invoice",
            r"\bcorrijo\s+la\s+factura",
            r"\bkorrigiere\s+die\s+rechnung",
            r"\bcorrige\s+la\s+facture",
        ],
        {
            "en": "corrected the invoice",
            "es": "corrige la factura",
            "de": "korrigiert die Rechnung",
            "fr": "corrige la facture",
        },
    ),
    (
        "safety",
        [
            r"\bleave\s+the\s+(?:property|house|building)|\bturn\s+off|\bshut\s+(?:off\s+)?the|\bswitch\s+off",
            r"\bsalga\w*|\bcierre\s+la\s+llave|\bcorte\s+(?:la\s+luz|el\s+agua)",
            r"\bverlassen\s+sie|\bdrehen\s+sie|\bschalten\s+sie",
            r"\bquittez|\bsortez|\bfermez|\bcoupez",
        ],
        {
            "en": "gave safety advice",
            "es": "da consejos de seguridad",
            "de": "gibt Sicherheitshinweise",
            "fr": "donne des consignes de sécurité",
        },
    ),
    (
        "slot",
        [
            r"\bi\s+can\s+offer|\bi'?ve\s+moved\s+it|\bi\s+have\s+\w+\s+at\s+\d|\bhow\s+about\s+the|\binstead\b",
            r"\ble\s+puedo\s+ofrecer|\bla\s+paso\s+a|\btengo\s+el\s+\w+\s+a",
            r"\bich\s+kann\s+ihnen\s+\w+|\bwie\s+ware\s+der|\bich\s+habe\s+\w+\s+um",
            r"\bje\s+peux\s+vous\s+proposer|\bje\s+la\s+mets\s+a|\bj'ai\s+\w+\s+a\s+\w+",
        ],
        {
            "en": "offered a time{t}",
            "es": "ofrece una hora{t}",
            "de": "schlägt einen Termin{t} vor",
            "fr": "propose un créneau{t}",
        },
    ),
    (
        "visit",
        [
            r"\b(?:book\w*|send|sent|schedul\w+|arrang\w+|get)\s+(?:\w+\W+){0,3}(?:engineer|technician|plumber|visit"
            r"|electrician|surveyor|someone)|\b(?:engineer|technician|plumber|electrician|surveyor|someone)\s+"
            r"(?:can|will|is\s+going\s+to|could)\s+(?:come|be\s+there|be\s+with\s+you|visit|go)|\bon\s+the\s+way"
            r"|\bbook\s+a\s+free",
            r"\b(?:mand\w+|envi\w+|reserv\w+)\s+(?:\w+\W+){0,3}(?:tecnico|fontanero|electricista|visita)"
            r"|\b(?:tecnico|fontanero|electricista)\s+(?:\w+\s+){0,2}(?:ira|llegara|pasa|va\s+de\s+camino|puede\s+ir)",
            r"\b(?:schicke|sende|eingeplant|geschickt)\b|\b(?:techniker|installateur|monteur|notdienst)\s+"
            r"(?:\w+\s+){0,2}(?:kommt|ist\s+(?:schon\s+)?unterwegs)",
            r"\b(?:envo\w+|prevu)\s+(?:\w+\W+){0,3}(?:technicien|plombier|chauffagiste|electricien|intervention)"
            r"|\b(?:technicien|plombier|chauffagiste)\s+(?:\w+\s+){0,2}(?:passe|viendra|peut\s+passer|est\s+en\s+route)",
        ],
        {
            "en": "arranged a visit{t}",
            "es": "organiza una visita{t}",
            "de": "vereinbart einen Termin{t}",
            "fr": "organise une intervention{t}",
        },
    ),
    (
        "escalated",
        [
            r"\bescalat\w+|\blogged\s+a\s+(?:formal\s+)?complaint|\bmanager\s+will\s+review",
            r"\bescalad\w+|\bregistrado\s+la\s+reclamacion|\blo\s+he\s+escalado",
            r"\beskaliert|\bbeschwerde\s+aufgenommen|\bweitergeleitet",
            r"\bfait\s+remonter|\benregistre\s+la\s+reclamation|\bj'ai\s+transmis",
        ],
        {
            "en": "escalated the matter",
            "es": "escala el caso",
            "de": "leitet den Fall weiter",
            "fr": "transmet le dossier",
        },
    ),
]
ACTIONS = [
    (aid, re.compile("|".join(f"(?:{p})" for p in patterns)), phrases) for aid, patterns, phrases in _ACTIONS
]
ANSWERED = {
    "en": "answered the question",
    "es": "responde a la consulta",
    "de": "beantwortet die Frage",
    "fr": "répond à la question",
}

# Contractions the templates can produce ("de un" -> "d'un", "de el" -> "del").
CONTRACTIONS = {
    "es": [(r"\bde el\b", "del"), (r"\ba el\b", "al")],
    "fr": [
        (r"\bde un\b", "d'un"),
        (r"\bde une\b", "d'une"),
        (r"\bde le\b", "du"),
        (r"\bde les\b", "des"),
        (r"\bde ([aeiouhéè])", r"d'\1"),
        (r"\bà le\b", "au"),
        (r"\bà les\b", "aux"),
        (r"\bque il\b", "qu'il"),
    ],
}

# Determiners that start a noun phrase, for the topic fallback when no concept matched.
DETERMINERS = {
    "en": wordset("a an the my our your this that his her their some"),
    "es": wordset("el la los las un una unos unas mi mis su sus nuestro nuestra del al"),
    "de": wordset("der die das den dem des ein eine einen einem einer mein meine meinen meinem unser unsere"),
    "fr": wordset("le la les l' un une mon ma mes notre votre son sa ses du des"),
}
LINKS = {"es": frozenset({"de"}), "fr": frozenset({"de", "d'"}), "en": frozenset({"of"}), "de": frozenset()}
