"""Turn a requested time as said ("tomorrow morning", "el viernes a las cinco", "morgen um 10 Uhr",
"demain matin") into a due datetime, relative to a base time in a time zone.

Conventions (what a callback desk needs, not a calendar): a day without a time of day is due at
09:00; morning 09:00, midday 12:00, afternoon 14:00, evening 18:00, night 19:00, end of the day
17:00; "after 5" is 17:00 and "before noon" one hour earlier (11:00); a bare hour from 1 to 7
means the afternoon; a weekday is its next occurrence (a week ahead when it is today); "as soon
as possible" is the base time. Nothing is ever due before the base time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_NUMBERS = {
    word: n
    for words, n in [
        ("one una uno eins ein une un", 1),
        ("two dos zwei deux", 2),
        ("three tres drei trois", 3),
        ("four cuatro vier quatre", 4),
        ("five cinco fünf cinq", 5),
        ("six seis sechs", 6),
        ("seven siete sieben sept", 7),
        ("eight ocho acht huit", 8),
        ("nine nueve neun neuf", 9),
        ("ten diez zehn dix", 10),
        ("eleven once elf onze", 11),
        ("twelve doce zwölf douze", 12),
        ("fifteen quince", 15),
        ("twenty veinte", 20),
        ("thirty treinta", 30),
    ]
    for word in words.split()
}
_WEEKDAYS = [
    "monday lunes montag lundi",
    "tuesday martes dienstag mardi",
    "wednesday miércoles miercoles mittwoch mercredi",
    "thursday jueves donnerstag jeudi",
    "friday viernes freitag vendredi",
    "saturday sábado sabado samstag samedi",
    "sunday domingo sonntag dimanche",
]
_WEEKDAY = _rx("|".join(f"(?P<d{i}>{'|'.join(names.split())})" for i, names in enumerate(_WEEKDAYS)))
_IMMEDIATE = _rx(
    r"as\s+soon\s+as|asap|right\s+away|straight\s+away|right\s+now|immediately|lo\s+antes|cuanto\s+antes"
    r"|lo\s+más\s+pronto|enseguida|en\s+seguida|inmediato|inmediatamente|ahora\s+mismo|^ya$|so\s+schnell"
    r"|schnellstmöglich|sofort|umgehend|gleich|möglichst\s+bald|dès\s+que\s+possible|au\s+plus\s+vite"
    r"|le\s+plus\s+(?:vite|tôt)|tout\s+de\s+suite|immédiatement|rapidement"
)
_WITHIN_UNIT = _rx(r"within\s+the\s+hour|dans\s+l'heure|innerhalb\s+(?:einer|der\s+nächsten)\s+stunde\b")
_OFFSET = _rx(
    r"(?:\b(?:in|within|en|dentro\s+de|innerhalb|dans)\s+)(?:the\s+next\s+|der\s+nächsten\s+)?"
    r"(?P<n>an?|half\s+an|media|una?|unas|einer\s+halben|einer|une\s+demi|une|\d+|\w+)\s*-?\s*"
    r"(?P<unit>minutes?|mins?|minutos?|minuten|hours?|horas?|stunden?|heures?|heure|days?|días?|tagen?|jours?"
    r"|weeks?|semanas?|wochen?|semaines?)"
)
_TOMORROW2 = _rx(r"day\s+after\s+tomorrow|pasado\s+mañana|übermorgen|après-demain")
_TOMORROW = _rx(
    r"tomorrow|(?<!la\s)(?<!esta\s)\bmañana\b|(?<!heute\s)(?<!guten\s)(?<!am\s)\bmorgen\b|\bdemain\b"
)
_TODAY = _rx(
    r"today|tonight|this\s+(?:morning|afternoon|evening)|\bhoy\b|esta\s+(?:mañana|tarde|noche)|heute"
    r"|aujourd'hui|ce\s+(?:matin|soir|midi)|cet\s+après-midi|end\s+of\s+(?:the\s+)?day|fin\s+de\s+journée"
)
_NEXT_WEEK = _rx(
    r"next\s+week|próxima\s+semana|semana\s+que\s+viene|nächste\s+woche|kommende\s+woche|semaine\s+prochaine"
)
_END_OF_WEEK = _rx(
    r"end\s+of\s+(?:the\s+|this\s+)?week|fin\s+de\s+semana|ende\s+der\s+woche|fin\s+de\s+semaine"
)
_PARTS = [
    (_rx(r"end\s+of\s+(?:the\s+)?day|fin\s+de\s+journée"), 17),
    (_rx(r"first\s+thing|primera\s+hora|temprano|früh"), 8),
    (_rx(r"afternoon|tarde|nachmittag|après-midi"), 14),
    (_rx(r"evening|abend|soir|soirée"), 18),
    (_rx(r"night|tonight|noche"), 19),
    (_rx(r"\b(?:noon|midday|lunch\w*|mediodía|mittags?|midi)\b"), 12),
    (
        _rx(
            r"morning|(?<!pasado\s)mañana(?=.*\bmañana\b)|por\s+la\s+mañana|esta\s+mañana|vormittag"
            r"|heute\s+morgen|matin|matinée"
        ),
        9,
    ),
]
_MIDNIGHT = _rx(r"midnight|medianoche|mitternacht|minuit")
_CLOCK = _rx(
    r"(?P<half>halb\s+)?(?<![\d.])(?P<h>\d{1,2}|[a-zäöüéè]+)(?:\s*[:.h]\s*(?P<m>\d{2})|\s+(?P<mw>thirty|fifteen|y\s+media"
    r"|y\s+cuarto|et\s+demie))?(?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))?(?:\s*(?P<unit>uhr|h\b|heures?|o'clock))?"
)
_CLOCK_CONTEXT = _rx(
    r"\b(?:at|around|about|by|after|before|from|until|till|between|a|sobre|hacia|después\s+de|antes\s+de"
    r"|a\s+partir\s+de|desde|entre|um|gegen|ab|nach|vor|bis|zwischen|à|vers|après|avant|dès|d'ici)\s+(?:las?\s+)?$"
    r"|^$"
)
_BEFORE = _rx(r"\b(?:before|antes|vor|avant)\b")
_DATE = _rx(r"(?:\bthe\s+|\bel\s+(?:día\s+)?|\bam\s+|\ble\s+)(?P<day>\d{1,2})(?:st|nd|rd|th|\.)?")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def resolve_time(said: str | None, base: datetime, tz: str | tzinfo = "UTC") -> datetime | None:
    """The due datetime (aware, in `tz`) for a requested time as said, or None when it names no time."""
    if not said or not said.strip():
        return None
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = base.astimezone(zone) if base.tzinfo else base.replace(tzinfo=zone)
    text = " ".join(said.strip().split())
    if _ISO.match(text):
        return _from_iso(text, zone, now)
    if _IMMEDIATE.search(text):
        return now
    if _WITHIN_UNIT.search(text):
        return now + timedelta(hours=1)
    offset = _offset(text)
    if offset is not None:
        return now + offset
    day = _day(text, now.date())
    hour, minute = _clock(text)
    if hour is None:
        hour = _part_hour(text)
    if hour is not None and _BEFORE.search(text):
        hour = max(hour - 1, 0)  # "before noon": an hour earlier, so the call is made in time
    if day is None and hour is None:
        return None
    if hour is None:
        hour = 9 if day != now.date() else now.hour + 1
    due = datetime.combine(day or now.date(), time(min(hour, 23), minute), tzinfo=zone)
    if day is None and due <= now:
        due += timedelta(days=1)  # "at 3pm" said after 3pm: tomorrow
    return max(due, now)


def _from_iso(text: str, zone: tzinfo, now: datetime) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    value = value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    return max(value, now)


def _number(token: str) -> int | None:
    token = token.lower()
    if token.isdigit():
        return int(token)
    return _NUMBERS.get(token)


def _offset(text: str) -> timedelta | None:
    m = _OFFSET.search(text)
    if not m:
        return None
    n_text, unit = m.group("n").lower(), m.group("unit").lower()
    if n_text in ("half an", "media", "einer halben", "une demi"):
        amount = 0.5
    elif n_text in ("a", "an", "una", "un", "une", "einer"):
        amount = 1.0
    elif n_text == "unas":
        amount = 2.0
    else:
        number = _number(n_text)
        if number is None:
            return None
        amount = float(number)
    if unit.startswith(("min",)):
        return timedelta(minutes=amount)
    if unit.startswith(("hour", "hora", "stund", "heure")):
        return timedelta(hours=amount)
    if unit.startswith(("week", "semana", "woche", "semaine")):
        return timedelta(weeks=amount)
    return timedelta(days=amount)


def _day(text: str, today: date) -> date | None:
    if _TOMORROW2.search(text):
        return today + timedelta(days=2)
    if _TOMORROW.search(text):
        return today + timedelta(days=1)
    m = _WEEKDAY.search(text)
    if m:
        wanted = int(next(k for k, v in m.groupdict().items() if v)[1:])
        ahead = (wanted - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if _NEXT_WEEK.search(text):
        return today + timedelta(days=7 - today.weekday())
    if _END_OF_WEEK.search(text):
        return today + timedelta(days=max(4 - today.weekday(), 0))
    if _TODAY.search(text):
        return today
    m = _DATE.search(text)
    if m and 1 <= int(m.group("day")) <= 31:
        return _next_day_of_month(today, int(m.group("day")))
    return None


def _next_day_of_month(today: date, day: int) -> date | None:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate and candidate >= today:
            return candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _part_hour(text: str) -> int | None:
    if _MIDNIGHT.search(text):
        return 23
    for regex, hour in _PARTS:
        if regex.search(text):
            return hour
    return None


def _clock(text: str) -> tuple[int | None, int]:
    """(hour, minute) of the first clock time with a preposition or a unit before/after it."""
    for m in _CLOCK.finditer(text):
        hour = _number(m.group("h"))
        if hour is None or hour > 24:
            continue
        explicit = m.group("ampm") or m.group("unit") or m.group("m")
        if not explicit and not _CLOCK_CONTEXT.search(text[: m.start()]):
            continue
        minute = int(m.group("m")) if m.group("m") else 0
        words = (m.group("mw") or "").lower()
        minute = (
            30
            if words in ("thirty", "y media", "et demie")
            else 15
            if words in ("fifteen", "y cuarto")
            else minute
        )
        if m.group("half"):  # German "halb 3" is 2:30
            hour, minute = hour - 1, 30
        return _meridiem(hour, (m.group("ampm") or "").lower(), text), min(minute, 59)
    return None, 0


def _meridiem(hour: int, ampm: str, text: str) -> int:
    if ampm.startswith("p") and hour < 12:
        return hour + 12
    if ampm.startswith("a"):
        return 0 if hour == 12 else hour
    if hour >= 13:
        return hour
    if re.search(r"afternoon|evening|tarde|noche|nachmittag|abend|après-midi|soir", text, re.IGNORECASE):
        return hour + 12 if hour < 12 else hour
    return hour + 12 if 1 <= hour <= 7 else hour
