"""Requested callback times in English, Spanish, German and French: found as said, then resolved.

`extract_time` returns the words the caller used ("mañana por la tarde", "morgen um 10 Uhr");
`resolve_time` turns such words (or an ISO 8601 datetime) into a due datetime relative to a base
time in a time zone. Both are rules written per language: dateparser was tried and gets
"morgen um 10 Uhr" and "mañana por la tarde" wrong (see shared/STACK-NOTES.md).
"""

from __future__ import annotations

import re

from app.providers.offline_time_resolve import resolve_time  # noqa: F401 - re-exported

_H = r"\d{1,2}(?:[:.]\d{2})?"
_NUM_EN = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_BARE_EN = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"  # "at one point" is no time
_NUM_ES = "una|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce"
_NUM_DE = "eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf"  # not "ein": "um ein Angebot"
_NUM_FR = "une|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze"

_DAYS_EN = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DAYS_ES = "lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo"
_DAYS_DE = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
_DAYS_FR = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_MONTHS_EN = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?"
    "|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTHS_ES = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
_MONTHS_DE = "januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember"
_MONTHS_FR = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"

_PART_EN = r"(?:\s+(?:morning|afternoon|evening|night|lunchtime|first\s+thing))"
_CLOCK_EN = rf"(?:{_H}\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)|(?:{_NUM_EN})\s*(?:am|pm|o'clock))"
_AT_EN = r"(?:at|around|about|by|after|before|from|until|till)"

_PATTERNS: dict[str, list[str]] = {
    "en": [
        r"\b(?:later\s+)?today\b|\btonight\b|\b(?:this|later\s+this)\s+(?:morning|afternoon|evening)\b",
        rf"\b(?:by\s+)?(?:the\s+day\s+after\s+)?tomorrow{_PART_EN}?\b|\bfirst\s+thing(?:\s+in\s+the\s+morning)?\b",
        rf"\b(?:(?:next|this|on|coming|by)\s+)?(?:{_DAYS_EN})s?{_PART_EN}?\b",
        r"\b(?:next|this|later\s+this|early\s+next)\s+(?:week|month)\b"
        r"|\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:day|week)\b",
        rf"\b(?:in|within)\s+(?:the\s+next\s+)?(?:a|an|half\s+an|a\s+few|a\s+couple\s+of|\d+|{_NUM_EN}|fifteen"
        r"|twenty|thirty|forty-five)\s+(?:minutes?|mins?|hours?|days?|weeks?)\b|\bwithin\s+the\s+(?:hour|day|week)\b",
        rf"\bbetween\s+(?:{_H}|{_NUM_EN})(?:\s*(?:am|pm))?\s+and\s+(?:{_H}|{_NUM_EN})(?:\s*(?:am|pm|o'clock))?",
        rf"\b(?:{_AT_EN}\s+)?{_CLOCK_EN}",
        rf"\b{_AT_EN}\s+(?:{_H}|{_BARE_EN}|noon|midday|lunch(?:time)?|midnight)(?:\s+(?:thirty|fifteen|o'clock))?\b",
        r"\bin\s+the\s+(?:morning|afternoon|evening)\b"
        r"|\b(?:as\s+soon\s+as\s+(?:possible|you\s+can)|asap|right\s+away|straight\s+away|right\s+now|immediately)\b",
        rf"\b(?:on\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)(?:\s+of\s+(?:{_MONTHS_EN}))?\b",
        rf"\b(?:on\s+)?(?:{_MONTHS_EN})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
    ],
    "es": [
        r"\bpasado\s+mañana\b|\bmañana\s+(?:por\s+la\s+(?:mañana|tarde|noche)|a\s+primera\s+hora|temprano)\b",
        r"(?<!la\s)(?<!esta\s)\bmañana\b(?!\s+por)",
        r"\bhoy\b|\besta\s+(?:mañana|tarde|noche)\b|\bpor\s+la\s+(?:mañana|tarde|noche)\b|\ba\s+primera\s+hora\b",
        rf"\b(?:(?:el|este|el\s+próximo|antes\s+del|para\s+el)\s+)?(?:{_DAYS_ES})(?:\s+(?:que\s+viene|próximo))?"
        r"(?:\s+por\s+la\s+(?:mañana|tarde|noche))?\b",
        r"\b(?:la\s+)?(?:próxima\s+semana|semana\s+que\s+viene)\b|\b(?:este\s+)?fin\s+de\s+semana\b",
        rf"\b(?:a|sobre|hacia|después\s+de|antes\s+de|a\s+partir\s+de|desde|entre)\s+las?\s+(?:{_H}|{_NUM_ES})"
        rf"(?:\s+y\s+(?:media|cuarto)|\s+menos\s+cuarto)?(?:\s+y\s+las?\s+(?:{_H}|{_NUM_ES}))?"
        r"(?:\s+de\s+la\s+(?:mañana|tarde|noche))?\b",
        r"\b(?:a|al|antes\s+del|después\s+del)\s+mediodía\b",
        r"\b(?:en|dentro\s+de)\s+(?:una|media|un\s+par\s+de|unas?|\d+|dos|tres|cuatro|cinco|diez|quince|veinte|treinta)"
        r"\s+(?:horas?|minutos?|días?)\b|\ben\s+un\s+rato\b",
        r"\b(?:lo\s+antes\s+posible|cuanto\s+antes|lo\s+más\s+pronto\s+posible|enseguida|en\s+seguida"
        r"|de\s+inmediato|inmediatamente|ahora\s+mismo)\b|\bya\b(?=\s*[.!?¡]|\s*$)",
        rf"\bel\s+(?:día\s+)?\d{{1,2}}(?:\s+de\s+(?:{_MONTHS_ES}))?\b",
    ],
    "de": [
        r"\bübermorgen(?:\s+(?:früh|vormittag|nachmittag|abend|mittag))?\b"
        r"|(?<!heute\s)(?<!guten\s)(?<!am\s)(?<!jeden\s)\bmorgen(?:\s+(?:früh|vormittag|nachmittag|abend|mittag))?\b",
        r"\bheute(?:\s+(?:früh|morgen|vormittag|nachmittag|abend|mittag|noch))?\b",
        rf"\b(?:(?:am|diesen|nächsten|kommenden|bis)\s+)?(?:{_DAYS_DE})(?:vormittag|nachmittag|abend|morgen|mittag)?"
        r"(?:\s+(?:vormittag|nachmittag|abend|früh|morgen))?\b",
        r"\b(?:nächste|kommende|diese)\s+woche\b|\b(?:bis\s+)?ende\s+der\s+woche\b",
        rf"\b(?:um|gegen|ab|nach|vor|bis)\s+(?:halb\s+)?(?:{_H}|{_NUM_DE})(?:\s*uhr)?(?:\s+(?:morgens|abends|nachmittags))?\b",
        rf"\bzwischen\s+(?:{_H}|{_NUM_DE})(?:\s*uhr)?\s+und\s+(?:{_H}|{_NUM_DE})(?:\s*uhr)?",
        r"\b(?:am|im\s+laufe\s+des)\s+(?:vormittag|nachmittag|abend|mittag)s?\b"
        r"|\b(?:vormittags|nachmittags|abends|mittags)\b",
        r"\b(?:in|innerhalb)\s+(?:einer|einer\s+halben|der\s+nächsten|zwei|drei|\d+)\s+(?:stunden?|minuten|tagen?)\b",
        r"\b(?:so\s+schnell\s+wie\s+möglich|schnellstmöglich|möglichst\s+bald|sofort|umgehend|gleich)\b",
        rf"\bam\s+\d{{1,2}}\.(?:\s*(?:{_MONTHS_DE}))?",
    ],
    "fr": [
        r"\b(?:après-)?demain(?:\s+(?:matin|après-midi|soir|midi)|\s+dans\s+la\s+(?:matinée|journée|soirée))?\b",
        r"\baujourd'hui\b|\bce\s+(?:matin|soir|midi)\b|\bcet\s+après-midi\b"
        r"|\bdans\s+(?:la\s+(?:matinée|journée|soirée)|l'après-midi)\b|\ben\s+fin\s+de\s+(?:journée|matinée)\b",
        rf"\b(?:(?:d'ici|avant|jusqu'à)\s+)?(?:{_DAYS_FR})(?:\s+prochain)?(?:\s+(?:matin|après-midi|soir))?\b",
        r"\b(?:la\s+semaine\s+prochaine|en\s+fin\s+de\s+semaine|cette\s+semaine)\b",
        rf"\b(?:à|vers|après|avant|à\s+partir\s+de|dès|d'ici)\s+(?:{_H}\s*h(?:\s*\d{{2}})?|{_H}\s+heures?"
        rf"|(?:{_NUM_FR})\s+heures?|midi|minuit)(?:\s+et\s+demie)?",
        rf"\bentre\s+(?:{_H}\s*h?|(?:{_NUM_FR})\s+heures?)\s+et\s+(?:{_H}\s*h|{_H}\s+heures|(?:{_NUM_FR})\s+heures)",
        r"\bdans\s+(?:l'heure|une\s+heure|une\s+demi-heure|\d+\s+(?:minutes|heures|jours)"
        r"|(?:deux|trois|quelques)\s+(?:minutes|heures|jours))\b",
        r"\b(?:dès\s+que\s+possible|au\s+plus\s+vite|le\s+plus\s+(?:vite|tôt)\s+possible|tout\s+de\s+suite"
        r"|immédiatement|rapidement)\b",
        rf"\ble\s+\d{{1,2}}(?:\s+(?:{_MONTHS_FR}))?\b",
    ],
}
_LANGS = tuple(_PATTERNS)
_REGEX = {
    lang: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    for lang, patterns in _PATTERNS.items()
}
_JOIN_GAP = re.compile(r"^[\s,]*(?:(?:and|or|y|o|und|oder|et|ou|,)\s+)?$", re.IGNORECASE)


def extract_time(text: str, language: str | None = None) -> str | None:
    """First time expression in `text`, as said, merging adjacent parts ("tomorrow" + "after 5pm").

    `language` picks that language's rules first; the others are tried when it finds nothing.
    """
    order = [language] if language in _REGEX else []
    order += [lang for lang in _LANGS if lang not in order]
    for lang in order:
        found = _first(_REGEX[lang], text)
        if found:
            return found
    return None


def _first(regex: re.Pattern[str], text: str) -> str | None:
    spans = [(m.start(), m.end()) for m in regex.finditer(text)]
    if not spans:
        return None
    start, end = spans[0]
    for s, e in spans[1:]:
        if s < end or _JOIN_GAP.match(text[end:s]):
            end = max(end, e)
        else:
            break
    return text[start:end].strip(" ,") or None
