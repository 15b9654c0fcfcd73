"""Extractive summary for the offline analyser: the caller's request, the agent's answer or
commitment, and whether the caller accepted it."""

from __future__ import annotations

import re

from app.providers.offline_rules import AGENT_ROLES, FILLER_WORDS, USER_ROLES, sentences, trim, words

EMPTY_SUMMARY = "No conversation was recorded."
MAX_SUMMARY = 500
MAX_SENTENCE = 200

_COMMITMENT = re.compile(
    r"\b(?:i'll|i\s+will|we\s+will|we'll|i\s+can\s+(?:book|schedule|arrange|send|get|have|set)|we\s+can\s+"
    r"(?:book|schedule|arrange|send)|booked|scheduled|arranged|someone\s+will|i've|i\s+have\s+(?:booked|"
    r"scheduled|sent|arranged|updated|cancelled|canceled|processed|issued|noted|logged|added|changed|reset)"
    r"|has\s+been|have\s+been|is\s+confirmed|i\s+am\s+going\s+to|i'm\s+going\s+to)\b",
    re.IGNORECASE,
)
_ACCEPT = re.compile(
    r"\b(?:yes|yeah|yep|yup|sure|sounds\s+good|sounds\s+great|perfect|great|ok|okay|that\s+works|works\s+for\s+me"
    r"|thank\s+you|thanks|please\s+do|absolutely|lovely|fine|brilliant|go\s+ahead|that'?s\s+fine)\b",
    re.IGNORECASE,
)
_DECLINE = re.compile(
    r"^\W*(?:no\b|nope\b|not\s+really|that\s+doesn't\s+work|that\s+won't\s+work|i\s+can't|i'd\s+rather\s+not)"
    r"|\b(?:doesn't|does\s+not|won't|will\s+not)\s+work\b",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:hi|hello|hey|yes|yeah|ok|okay|sure|well|so|um|uh|oh|great|perfect|absolutely|certainly|of\s+course"
    r"|good\s+(?:morning|afternoon|evening)|thanks|thank\s+you|no\s+problem|alright|right)\b[\s,!.-]*)+",
    re.IGNORECASE,
)

# (pattern on the start of a caller sentence, reported-speech template); {rest} is pronoun-shifted.
_USER_FORMS = [
    (r"i(?:'d|\s+would)\s+like\s+to\s+(?P<rest>.+)", "Caller would like to {rest}"),
    (
        r"i\s+(?P<verb>want|need|wanted|needed|have|had|got|received|ordered|noticed|paid|bought|tried)\s+"
        r"(?P<rest>.+)",
        "Caller {verb} {rest}",
    ),
    (r"i(?:'m|\s+am)\s+(?:calling|ringing|phoning)\s+(?P<rest>.+)", "Caller is calling {rest}"),
    (r"i(?:'m|\s+am)\s+(?P<rest>.+)", "Caller is {rest}"),
    (r"i\s+was\s+(?P<rest>.+)", "Caller was {rest}"),
    (r"i(?:\s+have|'ve)\s+been\s+(?P<rest>.+)", "Caller has been {rest}"),
    (r"my\s+(?P<rest>.+)", "Caller reported that their {rest}"),
    (r"there(?:'s|\s+is|\s+are)\s+(?P<rest>.+)", "Caller reported that there is {rest}"),
]
# (pattern on the start of an agent sentence, template).
_AGENT_FORMS = [
    (
        r"i\s+(?:can|could)\s+(?P<rest>(?:book|schedule|arrange|send|get|set|have|offer|add|update).+)",
        "Agent offered to {rest}",
    ),
    (r"we\s+(?:can|could)\s+(?P<rest>.+)", "Agent offered to {rest}"),
    (r"i(?:'ll|\s+will)\s+(?P<rest>.+)", "Agent will {rest}"),
    (r"(?:i(?:'ve|\s+have))\s+(?P<rest>.+)", "Agent has {rest}"),
    (r"we(?:'ll|\s+will)\s+(?P<rest>.+)", "The team will {rest}"),
    (r"(?:i(?:'m|\s+am)|we(?:'re|\s+are))\s+going\s+to\s+(?P<rest>.+)", "Agent will {rest}"),
]
_USER_SHIFT = [
    (r"\bi\s+am\b|\bi'm\b", "they are"),
    (r"\bi\s+was\b", "they were"),
    (r"\bi've\b", "they have"),
    (r"\bi'd\b", "they would"),
    (r"\bi'll\b", "they will"),
    (r"\bi\b", "they"),
    (r"\bmyself\b", "themselves"),
    (r"\bmy\b", "their"),
    (r"\bme\b", "them"),
    (r"\bmine\b", "theirs"),
    (r"\byour\b", "the"),
    (r"\byou\b", "the agent"),
]
_AGENT_SHIFT = [(r"\byour\b", "the caller's"), (r"\byou\b", "the caller"), (r"\bmy\b", "the")]


def _strip_filler(sentence: str) -> str:
    return _LEADING_FILLER.sub("", sentence).strip()


def _substantive(sentence: str) -> bool:
    toks = words(sentence)
    return len(toks) >= 3 and any(t not in FILLER_WORDS for t in toks)


def _shift(text: str, rules: list[tuple[str, str]]) -> str:
    for pattern, repl in rules:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    return text


def _report(sentence: str, forms: list[tuple[str, str]], shift: list[tuple[str, str]], speaker: str) -> str:
    """Reported form of one sentence when a simple template fits, else a quotation."""
    body = sentence.rstrip()
    if body.endswith("?"):
        return f'{speaker} asked: "{trim(body, MAX_SENTENCE)}"'
    core = body.rstrip(".!")
    for pattern, template in forms:
        m = re.fullmatch(pattern, core, flags=re.IGNORECASE)
        if m:
            parts = {k: _shift(v, shift) for k, v in m.groupdict().items()}
            return trim(template.format(**parts), MAX_SENTENCE - 1).rstrip(".") + "."
    verb = "said" if speaker == "Caller" else "replied"
    return f'{speaker} {verb}: "{trim(body, MAX_SENTENCE)}"'


def _spoken(turns) -> list[tuple[str, str]]:
    out = []
    for turn in turns:
        role = (turn.role or "").lower()
        text = (turn.text or "").strip()
        if text and (role in USER_ROLES or role in AGENT_ROLES):
            out.append(("user" if role in USER_ROLES else "agent", text))
    return out


def _request(spoken: list[tuple[str, str]]) -> tuple[int, list[str]]:
    """Index of the first substantive caller turn and its first substantive sentence(s)."""
    for i, (role, text) in enumerate(spoken):
        if role != "user":
            continue
        cores = (_strip_filler(x) for x in sentences(text))
        picked = [s[0].upper() + s[1:] for s in cores if _substantive(s)]
        if picked:
            # A very short opener ("I have a question.") needs the next sentence for context.
            return i, picked[:2] if len(words(picked[0])) < 6 else picked[:1]
    return -1, []


def _agreement(spoken: list[tuple[str, str]], start: int) -> tuple[int, list[str]]:
    """Last agent commitment sentences (up to two) after the request, with the turn index."""
    found: list[tuple[int, str]] = []
    for i in range(max(start, 0), len(spoken)):
        role, text = spoken[i]
        if role != "agent":
            continue
        for sentence in sentences(text):
            core = _strip_filler(sentence)
            if core and not core.endswith("?") and _COMMITMENT.search(core):
                found.append((i, core[0].upper() + core[1:]))
    if not found:
        return -1, []
    last = found[-2:]
    return last[-1][0], list(dict.fromkeys(s for _, s in last))


def _first_answer(spoken: list[tuple[str, str]], start: int) -> str | None:
    for role, text in spoken[start + 1 :]:
        if role != "agent":
            continue
        for sentence in sentences(text):
            core = _strip_filler(sentence)
            if core and not core.endswith("?") and _substantive(core):
                return core[0].upper() + core[1:]
    return None


def _reaction(spoken: list[tuple[str, str]], after: int) -> str | None:
    for role, text in spoken[after + 1 :]:
        if role != "user":
            continue
        if _DECLINE.search(text):
            return "the caller declined"
        if _ACCEPT.search(text):
            return "the caller agreed"
        return None
    return None


def build_summary(turns, callback_time: str | None = None, callback_from_caller: bool = False) -> str:
    """2-4 sentences: what the caller wanted, what the agent offered or did, and the outcome."""
    spoken = _spoken(turns)
    if not spoken:
        return EMPTY_SUMMARY
    req_index, request = _request(spoken)
    parts = [_report(s, _USER_FORMS, _USER_SHIFT, "Caller") for s in request]
    if not parts:
        parts.append("The caller did not state a request.")
    agree_index, agreement = _agreement(spoken, req_index)
    if agreement:
        reported = [_report(s, _AGENT_FORMS, _AGENT_SHIFT, "Agent") for s in agreement]
        reaction = _reaction(spoken, agree_index)
        if reaction:
            last = reported[-1]
            if ";" in last or last.endswith('"'):
                reported[-1] = f"{last} {reaction[0].upper()}{reaction[1:]}."
            else:
                reported[-1] = last.rstrip(".") + f"; {reaction}."
        parts.extend(reported)
    elif req_index >= 0:
        answer = _first_answer(spoken, req_index)
        if answer:
            parts.append(_report(answer, [], _AGENT_SHIFT, "Agent"))
    text = " ".join(parts)
    if callback_from_caller and "call" not in " ".join(parts[len(request) :]).lower():
        when = f" {callback_time}" if callback_time else ""
        text += f" The caller asked to be called back{when}."
    return trim(text, MAX_SUMMARY)
