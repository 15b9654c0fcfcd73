"""What the callback desk needs besides the flag: is it an emergency, and what is the caller's name.

Urgency is read from the caller's words only (an agent asking "do you need an ambulance?" is not
an emergency) in English, Spanish, German and French: gas, flooding or a burst pipe, no heating or
hot water, an injury, or a caller in distress. A gas *bill* or "it's not urgent" is not urgent.
"""

from __future__ import annotations

import re

from app.providers.offline_rules import normalise, wordset


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


URGENCY: dict[str, re.Pattern[str]] = {
    "gas": _rx(
        r"\bgas\s+(?:leak|smell|escape)|\bsmell(?:s|ing)?\s+(?:of\s+)?gas\b|\bsmells?\s+like\s+gas\b",
        r"\b(?:huele|olor)(?:\W+\w+){0,2}?\W+a\s+gas\b|\bfuga\s+de\s+gas\b|\bescape\s+de\s+gas\b",
        r"\bgas(?:geruch|leck|austritt)\b|\briecht\s+(?:\w+\s+){0,2}nach\s+gas\b|\bes\s+zischt\b",
        r"\b(?:odeur|fuite)\s+de\s+gaz\b|\bsent\s+(?:\w+\s+){0,2}le\s+gaz\b|\bça\s+sent\s+le\s+gaz\b",
    ),
    "flood": _rx(
        r"\bflood(?:ed|ing)?\b|\bburst\s+(?:pipe|main|water)|\bpipe\s+(?:has\s+|had\s+)?burst\b|\bhas\s+burst\b"
        r"|\bwater\s+(?:is\s+)?(?:pouring|gushing|pissing|streaming)\b|\bwater\s+everywhere\b",
        r"\binund\w+\b|\b(?:tubería|cañería)\s+(?:rota|reventada)\b|\b(?:ha|se\s+ha|se)\s+revent\w+\b|\breventó\b",
        r"\büberschwemm\w*\b|\büberflutet\b|\bsteht\s+(?:\w+\s+){0,2}unter\s+wasser\b|\brohrbruch\b"
        r"|\b(?:rohr|leitung)\s+(?:\w+\s+){0,2}geplatzt\b|\bgeplatzt\b",
        r"\binond\w+\b|\bdégâts?\s+des\s+eaux\b|\b(?:a|ont)\s+éclaté\b|\btuyau\s+(?:\w+\s+){0,2}éclaté\b",
    ),
    "no heat": _rx(
        r"\bno\s+(?:heat|heating|hot\s+water)\b|\b(?:heating|boiler)\s+(?:has\s+|is\s+)?(?:packed\s+up|broken\s+down"
        r"|not\s+working|stopped\s+working|failed|gone\s+off|died|isn't\s+working)\b|\bfreezing\b",
        r"\bsin\s+(?:calefacción|agua\s+caliente)\b|\bni\s+calefacción\b|\bno\s+(?:tenemos|tengo|hay)\s+"
        r"(?:calefacción|agua\s+caliente)\b|\bcaldera\s+(?:no\s+(?:funciona|enciende|arranca)|averiada|estropeada)\b"
        r"|\bhelad[oa]s?\b",
        r"\bkeine\s+heizung\b|\bkein(?:en)?\s+(?:warmwasser|warmes\s+wasser|heißes\s+wasser)\b"
        r"|\bheizung\s+(?:\w+\s+){0,2}(?:ausgefallen|kaputt|geht\s+nicht|funktioniert\s+nicht)\b|\bfriert\b|\bfrieren\b",
        r"\b(?:plus|pas)\s+de\s+chauffage\b|\b(?:plus|pas)\s+d'eau\s+chaude\b|\bchaudière\s+(?:\w+\s+){0,2}en\s+panne\b"
        r"|\bgel(?:é|ée|és|ées)\b|\ba\s+(?:très\s+)?froid\b",
    ),
    "injury": _rx(
        r"\binjur\w+\b|\bhurt\s+(?:him|her|my|them|his|their|our)\w*\b|\bbleeding\b|\bbroke(?:n)?\s+(?:his|her|my)"
        r"\s+(?:arm|leg|wrist|hip)\b|\bhas\s+fallen\b|\bhad\s+a\s+fall\b|\bfell\s+(?:down|over|off)\b|\bunconscious\b"
        r"|\belectric\s+shock\b|\bgot\s+(?:an?\s+)?(?:burn|shock)\b",
        r"\bherid[oa]s?\b|\bse\s+ha\s+hecho\s+daño\b|\bse\s+(?:ha\s+caído|cayó)\b|\bsangr\w+\b|\blesion\w+\b"
        r"|\binconsciente\b|\bdescarga\s+eléctrica\b",
        r"\bverletzt\b|\bverletzung\b|\bgestürzt\b|\bblutet\b|\bbewusstlos\b|\bstromschlag\b",
        r"\bbless(?:é|ée|és|ées|ure)\b|\best\s+tombée?\b|\bsaigne\b|\bs'est\s+fait\s+mal\b|\binconscient\w*\b"
        r"|\bélectrocut\w+\b",
    ),
    "distress": _rx(
        r"\bscared\b|\bterrified\b|\bpanick?(?:ing|ed)?\b|\bdesperate\b|\bplease\s+help\s+me\b|\bemergency\b"
        r"|\bcan't\s+breathe\b",
        r"\b(?:tengo|tenemos)\s+miedo\b|\basustad[oa]s?\b|\bdesesperad[oa]s?\b|\bsocorro\b|\bemergencia\b",
        r"\b(?:habe|haben)\s+angst\b|\bpanik\b|\bverzweifelt\b|\bhilfe\s*!|\bhelfen\s+sie\s+mir\b|\bnotfall\b",
        r"\bj'ai\s+peur\b|\bon\s+a\s+peur\b|\bpaniqu\w+\b|\bdésespér\w+\b|\bau\s+secours\b|\burgence\s+vitale\b",
    ),
}
_NOT_URGENT = _rx(
    r"\bnot\s+(?:an?\s+)?(?:urgent|emergency)\b|\bno\s+emergency\b|\bno\s+es\s+(?:urgente|una\s+emergencia)\b"
    r"|\bnicht\s+dringend\b|\bkein\s+notfall\b|\bpas\s+urgent\b|\bpas\s+une\s+urgence\b"
)


def urgency_reasons(user_texts: list[str]) -> list[str]:
    """The kinds of emergency the caller describes ("gas", "flood", "no heat", "injury", "distress")."""
    text = " ".join(normalise(t) for t in user_texts)
    text = _NOT_URGENT.sub(" ", text)
    return [kind for kind, pattern in URGENCY.items() if pattern.search(text)]


_WORD = r"[A-ZÀ-Þ][a-zß-ÿ]*(?:['-][A-ZÀ-Þ]?[a-zß-ÿ]+)*"  # "Anna", "O'Neill", "Jean-Luc"
_NAME = rf"(?P<name>{_WORD}(?:\s+(?:{_WORD}|de|del|la|van|von|der|le|du)){{0,3}})"
_NAME_INTRO = re.compile(
    r"(?i:\b(?:my\s+name\s+is|my\s+name's|this\s+is|it's|i'm|i\s+am|me\s+llamo|mi\s+nombre\s+es|soy|mein\s+name\s+ist"
    r"|ich\s+heiße|hier\s+(?:ist|spricht)|je\s+m'appelle|je\s+suis|mon\s+nom\s+est|c'est|ici))\s+"
    + _NAME
    + r"|"
    + _NAME.replace("?P<name>", "?P<name2>")
    + r"\s+(?i:speaking|here|à\s+l'appareil|am\s+apparat)\b",
)
# Capitalised words that follow "this is" / "soy" / "c'est" without being a name.
_NOT_NAMES = wordset(
    """
    i i'm the a monday tuesday wednesday thursday friday saturday sunday english spanish german
    french lunes martes miércoles jueves viernes sábado domingo montag dienstag mittwoch donnerstag
    freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche hello hi hola
    bonjour hallo mr mrs ms señor señora herr frau madame monsieur cliente kunde kundin client
    cliente urgent urgente dringend
    """
)


def caller_name(user_texts: list[str]) -> str | None:
    """The name the caller gave ("my name is …", "soy …", "hier spricht …", "je m'appelle …")."""
    for text in user_texts:
        for m in _NAME_INTRO.finditer(normalise(text)):
            name = (m.group("name") or m.group("name2") or "").strip(" -'’")
            first = name.split()[0].lower() if name else ""
            if name and first not in _NOT_NAMES and len(name) <= 60:
                return re.sub(r"\s+(?:de|del|la|van|von|der|le|du)$", "", name)
    return None
