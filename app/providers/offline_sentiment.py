"""The caller's sentiment from their own words in English, Spanish, German and French, noticing
anger and relief.

Words carry weights (stems, so "enfadada" and "enfadados" count like "enfadado"); a negator just
before flips a word ("not happy", "no estoy contento", "nicht zufrieden", "pas content").
Anger makes a call negative and relief makes it positive, whatever else was said: relief after a
problem ("what a relief, thanks") is how a call that started badly ends well. When both occur, the
later one wins. Gratitude is polite rather than enthusiastic: it counts once, weakly.
"""

from __future__ import annotations

import re

from app.providers.offline_rules import normalise

THRESHOLD = 1.0


def _rx(words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words.split()) + r")\b", re.IGNORECASE)


ANGER = re.compile(
    r"\b(?:angry|furious|livid|fuming|outraged|disgusted|fed\s+up|sick\s+(?:and\s+tired\s+)?of|ridiculous"
    r"|unacceptable|outrageous|disgraceful|a\s+joke|rude"
    r"|enfadad\w*|enojad\w*|furios\w*|indignad\w*|hart[oa]s?|inaceptable|vergüenza|una\s+estafa|maleducad\w*"
    r"|wütend|sauer|verärgert|stinksauer|unverschämt\w*|inakzeptabel|frechheit|zumutung|unhöflich|reicht\s+mir"
    r"|furieux|furieuse|énervée?s?|en\s+colère|inadmissible|inacceptable|scandaleux|honteux|ras-le-bol|impoli\w*)\b",
    re.IGNORECASE,
)
RELIEF = re.compile(
    r"\b(?:relief|relieved|thank\s+goodness|thank\s+god|thank\s+heavens|phew|weight\s+off\s+my\s+mind"
    r"|alivio|aliviad\w*|menos\s+mal|gracias\s+a\s+dios|erleichtert|erleichterung|gott\s+sei\s+dank"
    r"|zum\s+glück|soulagée?s?|soulagement|ouf|dieu\s+merci|heureusement)\b",
    re.IGNORECASE,
)
_WEIGHTED: list[tuple[float, re.Pattern[str]]] = [
    (
        1.5,
        _rx(
            "love loved excellent amazing awesome fantastic wonderful brilliant delighted "
            "excelente maravillos\\w* fantástic\\w* encantad\\w* genial "
            "ausgezeichnet wunderbar fantastisch hervorragend begeistert "
            "excellent\\w* merveilleu\\w* formidable génial\\w* ravie?s?"
        ),
    ),
    (
        1.0,
        _rx(
            "great perfect happy glad helpful appreciate appreciated pleased satisfied lovely excited "
            "perfect[oa] content[oa]s? estupend\\w* satisfech\\w* amable "
            "perfekt froh zufrieden toll prima hilfreich "
            "parfait\\w* contente?s? satisfaite?s? heureu\\w* aimable super"
        ),
    ),
    (
        0.5,
        _rx(
            "good nice easy quick resolved bien buen[oa] fácil rápid\\w* resuelt\\w* gut schnell einfach "
            "gelöst bonne? facile rapide résolu\\w*"
        ),
    ),
    (0.25, _rx("thanks thank gracias danke merci")),
    (-0.25, _rx("problem issue problema problem problème")),
    (
        -0.5,
        _rx(
            "broken waiting late never fault roto rota esperando tarde nunca kaputt warte spät nie "
            "cassée? attends retard jamais"
        ),
    ),
    (
        -0.75,
        _rx(
            "cancel cancelling cancellation refund wrong failed cancelar reembolso mal kündigen "
            "erstattung falsch annuler remboursement faux fausse"
        ),
    ),
    (
        -1.0,
        _rx(
            "annoyed annoying upset complaint complain complaining bad poor waste mess lawyer "
            "molest\\w* queja reclamación mal[oa] abogado ärgerlich beschwerde beschweren schlecht "
            "anwalt mécontente?s? plainte réclamation mauvais\\w* avocat"
        ),
    ),
    (
        -1.5,
        _rx(
            "terrible awful horrible frustrated frustrating disappointed disappointing useless "
            "overcharged unhappy dissatisfied fatal decepcionad\\w* frustrad\\w* inútil terrible "
            "enttäuscht frustriert schrecklich unzufrieden nutzlos déçue?s? frustrée?s? nul "
            "inutile horrible"
        ),
    ),
    (-2.0, _rx("worst scam disgusting estafa pésim\\w* schlimmste betrug arnaque pire")),
]
_GRATITUDE = _rx("thanks thank gracias danke merci")
_NEGATOR = re.compile(
    r"\b(?:not|no|never|don't|doesn't|didn't|isn't|wasn't|aren't|won't|can't|hardly|nada|nunca|ni|nicht|kein"
    r"|keine|nie|pas|plus|jamais|ne)\b(?:\W+\w+){0,2}\W*$",
    re.IGNORECASE,
)


def _score_turn(text: str, thanked: bool) -> tuple[float, bool]:
    total = 0.0
    for weight, pattern in _WEIGHTED:
        for m in pattern.finditer(text):
            if _GRATITUDE.fullmatch(m.group(0)):
                if thanked:
                    continue
                thanked = True
            if _NEGATOR.search(text[: m.start()]):
                # "not happy" is negative; "not bad" is only mildly positive.
                weight = -weight if weight > 0 else -weight * 0.5
            total += weight
    return total, thanked


def _last(pattern: re.Pattern[str], texts: list[str]) -> int:
    """Index of the last caller turn where `pattern` occurs (not negated), or -1."""
    found = -1
    for i, text in enumerate(texts):
        for m in pattern.finditer(text):
            if not _NEGATOR.search(text[: m.start()]):
                found = i
    return found


def emotion(user_texts: list[str]) -> str | None:
    """ "angry" or "relieved" when the caller says so (the later one wins), else None."""
    texts = [normalise(t) for t in user_texts]
    angry, relieved = _last(ANGER, texts), _last(RELIEF, texts)
    if angry < 0 and relieved < 0:
        return None
    return "relieved" if relieved > angry else "angry"


def score(user_texts: list[str]) -> float:
    total, thanked = 0.0, False
    for text in user_texts:
        value, thanked = _score_turn(normalise(text), thanked)
        total += value
    return total


def classify(user_texts: list[str]) -> str:
    """ "positive", "neutral" or "negative"."""
    feeling = emotion(user_texts)
    if feeling == "angry":
        return "negative"
    if feeling == "relieved":
        return "positive"
    value = score(user_texts)
    if value >= THRESHOLD:
        return "positive"
    if value <= -THRESHOLD:
        return "negative"
    return "neutral"
