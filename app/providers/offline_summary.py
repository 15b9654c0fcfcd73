"""Offline summary, callback reason and topics, built from facts in the output language.

Facts: what the call was about (offline_concepts, caller's words first), what the agent did
(offline_summary_lang.ACTIONS), the callback (offline_callback) and the caller's mood
(offline_sentiment). The summary is 1-3 sentences in the third person; words the caller said
(a requested time, a noun phrase) appear as said when the output language is the call's, and in
quotes otherwise. Topics are concept labels, or noun phrases of the caller when nothing matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.providers.offline_concepts import Concept, find_concepts
from app.providers.offline_rules import STOPWORDS, fold, sentences, trim, words, wordset
from app.providers.offline_summary_lang import (
    ABOUT,
    ACTIONS,
    AGENT,
    AND,
    ANGRY,
    ANSWERED,
    CALLBACK,
    CALLER_SHORT,
    CONTRACTIONS,
    DETERMINERS,
    LINKS,
    NO_REQUEST,
    RELIEVED,
    SUBJECT,
    VERB,
)
from app.providers.offline_time import extract_time

MAX_SUMMARY = 500
# Concepts too vague to name what was asked: in English, the caller's own noun phrase says it better.
_GENERIC = frozenset({"new_service", "property", "financing"})
MAX_TOPICS = 5
_NOT_TOPIC = wordset(
    """
    morning afternoon evening week today tomorrow time moment way thing problem question lot bit
    minute hour day mañana tarde noche semana hora momento cosa vez día morgen woche stunde moment
    sache matin soir semaine heure moment chose fois jour call callback llamada anruf ruckruf appel
    rappel
    """
)


@dataclass
class Facts:
    language: str  # the call's
    concepts: list[Concept] = field(default_factory=list)
    actions: list[tuple[str, str | None]] = field(default_factory=list)  # (action id, time as said)
    callback_source: str | None = None  # "caller" | "accepted" | "agent"
    callback_time: str | None = None
    emotion: str | None = None  # "angry" | "relieved"
    phrase: str | None = None  # a noun phrase of the caller, when no concept matched
    answered: bool = False  # the agent gave information on the caller's question
    details: list[str] = field(default_factory=list)  # the caller's noun phrases ("kitchen sink")


def gather(spoken: list[tuple[str, str]], language: str) -> Facts:
    """Concepts (caller words weigh double), agent actions, and a fallback noun phrase."""
    caller = [text for role, text in spoken if role == "user"]
    agent = [text for role, text in spoken if role == "agent"]
    facts = Facts(language=language)
    # The caller's words say what the call is about; the agent's only when the caller's say nothing
    # ("leave the property" is safety advice, not a question about a property).
    facts.concepts = find_concepts([(t, 1.0) for t in caller], limit=MAX_TOPICS) or find_concepts(
        [(t, 1.0) for t in agent], limit=2
    )
    seen: set[str] = set()
    for text in agent:
        for sentence in sentences(text):
            if sentence.endswith("?"):
                continue
            folded = fold(sentence)
            for aid, pattern, _ in ACTIONS:
                if aid not in seen and pattern.search(folded):
                    seen.add(aid)
                    facts.actions.append((aid, extract_time(sentence, language)))
            if facts.concepts and _answers(sentence, folded, facts.concepts[0]):
                facts.answered = True
    labels = " ".join(c.labels[language] for c in facts.concepts) if language in DETERMINERS else ""
    facts.details = [
        np for t in caller for np in noun_phrases(t, language) if not set(np.split()) & set(labels.split())
    ]
    if not facts.concepts:
        facts.phrase = next(iter(facts.details), None)
    return facts


_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|una|dos|tres|cuatro|cinco|seis"
    r"|siete|ocho|nueve|diez|once|doce|eins|zwei|drei|vier|funf|sechs|sieben|acht|neun|zehn|elf|zwolf|deux|trois"
    r"|quatre|cinq|sept|huit|neuf|dix|onze|douze|midi)\b"
)


def _answers(sentence: str, folded: str, concept: Concept) -> bool:
    """Does an agent sentence carry an answer: a number, a time, or the question's own subject?"""
    if concept.kind != "question" or sentence.endswith("?") or len(words(sentence)) < 4:
        return False
    return bool(re.search(r"\d", sentence) or _NUMBER_WORD.search(folded) or concept.pattern.search(folded))


def noun_phrases(text: str, language: str) -> list[str]:
    """Short noun phrases after a determiner: "kitchen sink", "fuga de agua", "fuite d'eau"."""
    lang = language if language in DETERMINERS else "en"
    stop, dets, links = STOPWORDS.get(lang, STOPWORDS["en"]), DETERMINERS[lang], LINKS[lang]
    toks = words(text)
    if lang == "de":  # German nouns are capitalised: anything else after an article is not one
        nouns = {w.lower() for w in re.findall(r"\b[A-ZÄÖÜ][a-zäöüß]+", text)}
        toks = [t if t in nouns or t in dets else "" for t in toks]
    found: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i] not in dets:
            i += 1
            continue
        phrase: list[str] = []
        j = i + 1
        while j < len(toks) and len(phrase) < 4:
            tok = toks[j]
            if tok in links and phrase and j + 1 < len(toks) and toks[j + 1] not in stop:
                phrase.append(tok)
            elif tok in stop or tok in dets or not tok.replace("'", "").isalpha() or fold(tok) in _NOT_TOPIC:
                break
            else:
                phrase.append(tok)
            j += 1
        while phrase and phrase[-1] in links:
            phrase.pop()
        if phrase and any(len(t) > 3 for t in phrase):
            found.append(" ".join(phrase).replace("' ", "'").replace("d' ", "d'"))
        i = max(j, i + 1)
    return found


def _said(value: str, call_language: str, output: str) -> str:
    """Words as the caller said them: plain in their own language, quoted in another."""
    return value if call_language == output else f"\u201c{value}\u201d"


def _polish(text: str, lang: str) -> str:
    for pattern, repl in CONTRACTIONS.get(lang, []):
        text = re.sub(pattern, repl, text)
    return text


def request_sentence(facts: Facts, lang: str) -> str:
    """What the caller wanted, as one sentence: "The caller reported a water leak and asked for a quote."."""
    if facts.concepts:
        first, *rest = facts.concepts[:2]
        phrase = first.phrases[lang]
        if first.id in _GENERIC and facts.details and lang == facts.language == "en":
            phrase = f"the {facts.details[0]}"  # "asked about the premium subscription plan"
        clauses = [f"{VERB[lang][first.kind]} {phrase}"]
        for concept in rest:
            if concept.kind == first.kind:  # "asked about X and Y", not "asked about X and asked about Y"
                clauses[0] += f" {AND[lang]} {concept.phrases[lang]}"
            else:
                clauses.append(f"{VERB[lang][concept.kind]} {concept.phrases[lang]}")
        if facts.emotion == "angry":
            clauses[0] = _with_adverb(clauses[0], VERB[lang][first.kind], ANGRY[lang], lang)
        return _polish(f"{SUBJECT[lang]} {f' {AND[lang]} '.join(clauses)}.", lang)
    if facts.phrase:
        return ABOUT[lang].format(np=_said(facts.phrase, facts.language, lang))
    return NO_REQUEST[lang]


def _with_adverb(clause: str, verb: str, adverb: str, lang: str) -> str:
    """ "angrily reported …"; "informa con enfado de …", "beschwert sich verärgert über …"."""
    if lang == "en":
        return f"{adverb} {clause}"
    head = verb.split(" ")
    if len(head) > 1:
        return f"{' '.join(head[:-1])} {adverb} {head[-1]}{clause[len(verb) :]}"
    return f"{verb} {adverb}{clause[len(verb) :]}"


def _join_callback(request: str, clause: str, facts: Facts, lang: str) -> str:
    """Request and callback in one sentence; a repeated verb is said once ("pide un presupuesto y que
    le devuelvan la llamada", "bittet um einen Kostenvoranschlag und um einen Rückruf")."""
    last_verb = VERB[lang][facts.concepts[min(len(facts.concepts), 2) - 1].kind].split(" ")[0]
    if clause.split(" ", 1)[0] == last_verb and " " in clause:
        clause = clause.split(" ", 1)[1]
    return f"{request[:-1]} {AND[lang]} {clause}."


def _action_sentence(facts: Facts, lang: str) -> str | None:
    phrases = []
    for aid, when in facts.actions:
        template = next(p for a, _, p in ACTIONS if a == aid)[lang]
        suffix = f" ({_said(when, facts.language, lang)})" if when and "{t}" in template else ""
        phrases.append(template.replace("{t}", suffix))
    if not phrases and facts.answered:
        phrases.append(ANSWERED[lang])
    if not phrases:
        return None
    return _polish(f"{AGENT[lang]} {f' {AND[lang]} '.join(phrases[:2])}.", lang)


def callback_clause(facts: Facts, lang: str) -> str | None:
    """The caller's callback as a verb phrase ("asked to be called back tomorrow"), or the agent's
    promise as a whole sentence."""
    if not facts.callback_source:
        return None
    when = f" {_said(facts.callback_time, facts.language, lang)}" if facts.callback_time else ""
    return CALLBACK[lang][facts.callback_source].format(when=when)


def _standalone(clause: str, lang: str) -> str:
    if clause.endswith("."):
        return clause
    subject = CALLER_SHORT[lang]
    return f"{subject} {clause}." if subject else f"{clause[0].upper()}{clause[1:]}."


def build_summary(facts: Facts, lang: str) -> str:
    """1-3 sentences: the request, what the agent did, the callback (or the caller's relief).

    With no agent action between them, the caller's callback joins the request sentence:
    "The caller asked for a price quote and asked to be called back tomorrow morning."
    """
    request = request_sentence(facts, lang)
    action = _action_sentence(facts, lang)
    clause = callback_clause(facts, lang)
    callback = None
    if (
        clause
        and not clause.endswith(".")
        and not action
        and facts.concepts
        and f" {AND[lang]} " not in request
    ):
        request = _join_callback(request, clause, facts, lang)
    elif clause:
        callback = _standalone(clause, lang)
    relief = RELIEVED[lang] if facts.emotion == "relieved" else None
    if callback and action and relief:
        relief = None  # three sentences at most; the callback matters more than the mood
    parts = [p for p in (request, action, callback, relief) if p]
    return trim(" ".join(parts), MAX_SUMMARY)


def callback_reason(facts: Facts, lang: str) -> str:
    """One sentence for the callback desk: what the call is about and who asked for the call."""
    request = request_sentence(facts, lang)
    clause = callback_clause(facts, lang)
    if not clause:
        return request
    if not clause.endswith(".") and facts.concepts and f" {AND[lang]} " not in request:
        return _join_callback(request, clause, facts, lang)
    second = _standalone(clause, lang)
    return f"{request[:-1]}; {second[0].lower()}{second[1:]}"


def topics(facts: Facts, lang: str) -> list[str]:
    """Concept labels in the output language, then the caller's own noun phrases ("kitchen sink")
    when they are in that language too (or when no concept matched)."""
    labels = [c.labels[lang] for c in facts.concepts[:3]]
    if lang == facts.language or not labels:
        labels += facts.details
    out: list[str] = []
    for label in labels:
        if label.lower() not in out:
            out.append(label.lower())
    return out[:MAX_TOPICS]
