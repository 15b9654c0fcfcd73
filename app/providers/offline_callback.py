"""Rule-based callback detection and requested-time extraction for the offline analyser."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.providers.base import Turn
from app.providers.offline_rules import AGENT_ROLES, USER_ROLES, normalise, sentences, trim

# Caller asking to be contacted.
_USER_REQUEST = re.compile(
    r"\bcall(?:ing)?[\s-]*me[\s-]+back\b|\bcall[\s-]?backs?\b|\bgive\s+me\s+a\s+(?:call|ring|buzz)\b"
    r"|\bring\s+me\b|\bring\s+back\b|\b(?:can|could|would|will)\s+(?:someone|somebody|you|anyone)\s+"
    r"(?:please\s+)?(?:call|phone|ring)\s+me\b|\bhave\s+(?:someone|somebody|a\s+\w+)\s+(?:call|phone|ring)\b"
    r"|\bget\s+back\s+to\s+me\b|\breach\s+me\b|\bfollow[\s-]+up\s+with\s+me\b|\bcontact\s+me\b"
    r"|\b(?:please|to)\s+(?:call|phone|ring)\s+me\b|\bcall\s+me\s+(?:at|on|later|tomorrow|tonight|today"
    r"|after|before|around|in|this|next|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
# Caller saying *they* will call again, or talking about a past call: not a request.
_USER_SELF_CALL = re.compile(
    r"\b(?:i'll|i\s+will|i\s+can|i\s+could|i\s+might|i\s+may|let\s+me|i'm\s+going\s+to|i\s+shall)\s+"
    r"(?:just\s+|try\s+to\s+|probably\s+)?call\s+(?:you\s+|again\s+)?back\b"
    r"|\b(?:got|had|received|missed|returned|returning)\s+(?:a|your|the|my|their)\s+call[\s-]?back\b",
    re.IGNORECASE,
)
# Agent promising a follow-up call.
_AGENT_PROMISE = re.compile(
    r"\b(?:schedule|scheduled|arrange|arranged|book|booked|set\s+up|log|logged|request|requested)\s+"
    r"(?:a|the|your)\s+call[\s-]?back\b|\bcall[\s-]?back\s+(?:is|has\s+been|was)\s+(?:scheduled|booked|arranged)\b"
    r"|\b(?:someone|somebody|we|i|a\s+\w+|our\s+\w+(?:\s+\w+)?)\s*(?:'ll|\s+will|\s+is\s+going\s+to|\s+shall)\s+"
    r"(?:\w+\s+)?(?:call\s+you|give\s+you\s+a\s+(?:call|ring)|get\s+back\s+to\s+you|reach\s+out|contact\s+you"
    r"|follow\s+up\s+(?:with\s+you\s+)?(?:by\s+phone|with\s+a\s+call)|ring\s+you)\b|\bhave\s+(?:someone|somebody|a\s+\w+)\s+(?:call|ring|contact)\s+you\b",
    re.IGNORECASE,
)
# Agent offering a callback as a question ("Would you like a callback?").
_AGENT_OFFER = re.compile(r"\bcall[\s-]?back\b|\bcall\s+you\b|\bgive\s+you\s+a\s+call\b", re.IGNORECASE)
_AFFIRMATIVE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|please|ok|okay|that\s+would\s+be|sounds\s+good|perfect|great|absolutely)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:no|not|never|don't|dont|do\s+not|doesn't|does\s+not|didn't|did\s+not|won't|will\s+not|can't"
    r"|cannot|shouldn't|needn't|isn't|no\s+need|without)\b",
    re.IGNORECASE,
)
_NEGATED_AFTER = re.compile(
    r"^\W*(?:is\s+|are\s+)?(?:not|isn't|aren't)\s+(?:needed|necessary|required)|^\W*(?:unnecessary|not\s+needed)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:]|\bbut\b|\band\b|\bso\b", re.IGNORECASE)

_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_PART = r"(?:\s+(?:morning|afternoon|evening|night|lunchtime))"
_CLOCK = r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)"
_NUM = r"(?:a|an|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty-five|half\s+an|a\s+few|\d+)"
_MONTHS = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?"
_MONTHS += r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_TIME_PATTERNS = [
    r"\b(?:later\s+)?today\b|\btonight\b|\b(?:this|later\s+this)\s+(?:morning|afternoon|evening)\b",
    rf"\b(?:by\s+)?(?:the\s+day\s+after\s+)?tomorrow{_PART}?\b",
    rf"\b(?:(?:next|this|on|coming|by)\s+)?(?:{_DAYS})s?{_PART}?\b",
    r"\b(?:next|this|later\s+this|early\s+next)\s+(?:week|month)\b|\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|week)\b",
    rf"\b(?:in|within)\s+(?:the\s+next\s+)?{_NUM}\s+(?:minutes?|mins?|hours?|days?|weeks?)\b"
    r"|\bwithin\s+the\s+(?:hour|day|week)\b",
    rf"\b(?:(?:at|around|about|by|after|before|from)\s+)?{_CLOCK}",
    r"\b(?:at|around|about|by|after|before|from)\s+(?:\d{1,2}(?::\d{2})?|noon|midday|lunch(?:time)?|midnight)\b",
    r"\bin\s+the\s+(?:morning|afternoon|evening)\b|\b(?:as\s+soon\s+as\s+possible|asap|right\s+away)\b",
    rf"\b(?:on\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)(?:\s+of\s+(?:{_MONTHS}))?\b",
    rf"\b(?:on\s+)?(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
]
_TIME_RE = re.compile("|".join(f"(?:{p})" for p in _TIME_PATTERNS), re.IGNORECASE)
_JOIN_GAP = re.compile(r"^[\s,]*(?:and\s+|or\s+)?$", re.IGNORECASE)


@dataclass
class CallbackResult:
    needed: bool = False
    reason: str | None = None
    requested_time: str | None = None
    source: str | None = None  # "caller" | "agent" when needed


def extract_time(text: str) -> str | None:
    """First time expression in `text`, merging adjacent parts ("tomorrow" + "after 5pm")."""
    spans = [(m.start(), m.end()) for m in _TIME_RE.finditer(text)]
    if not spans:
        return None
    start, end = spans[0]
    for s, e in spans[1:]:
        if s < end or _JOIN_GAP.match(text[end:s]):
            end = max(end, e)
        else:
            break
    value = re.sub(r"(?i)^on\s+", "", text[start:end].strip(" ,"))
    return value or None


def _is_negated(sentence: str, match: re.Match[str]) -> bool:
    before = sentence[: match.start()]
    clause = _CLAUSE_BREAK.split(before)[-1] if before else ""
    return bool(_NEGATION.search(clause) or _NEGATED_AFTER.search(sentence[match.end() :]))


def _live_match(pattern: re.Pattern[str], sentence: str) -> bool:
    return any(not _is_negated(sentence, m) for m in pattern.finditer(sentence))


def _time_near(turns: list[tuple[str, str]], index: int, sentence: str) -> str | None:
    found = extract_time(sentence) or extract_time(turns[index][1])
    if found:
        return found
    # The next two turns often carry the answer ("When suits you?" / "Tomorrow after 5.").
    # Agent questions are skipped: "How else can I help today?" names no callback time.
    for role, text in turns[index + 1 : index + 3]:
        for part in sentences(text):
            if role in AGENT_ROLES and part.endswith("?"):
                continue
            found = extract_time(part)
            if found:
                return found
    return None


def detect_callback(turns: list[Turn]) -> CallbackResult:
    """Find a caller's callback request (or an agent's callback promise) in a transcript."""
    spoken = [(t.role.lower(), normalise(t.text or "")) for t in turns]
    spoken = [(r, x) for r, x in spoken if x and (r in USER_ROLES or r in AGENT_ROLES)]
    # 1. The caller asked for it.
    for i, (role, text) in enumerate(spoken):
        if role not in USER_ROLES:
            continue
        for sentence in sentences(text):
            if _USER_SELF_CALL.search(sentence) or not _live_match(_USER_REQUEST, sentence):
                continue
            reason = f'Caller asked: "{trim(sentence, 180)}"'
            return CallbackResult(True, reason, _time_near(spoken, i, sentence), "caller")
    # 2. The agent promised it, or offered it and the caller accepted.
    for i, (role, text) in enumerate(spoken):
        if role not in AGENT_ROLES:
            continue
        for sentence in sentences(text):
            if sentence.endswith("?"):
                nxt = spoken[i + 1] if i + 1 < len(spoken) else None
                if (
                    _live_match(_AGENT_OFFER, sentence)
                    and nxt
                    and nxt[0] in USER_ROLES
                    and _AFFIRMATIVE.search(nxt[1])
                ):
                    reason = f'Caller accepted the agent\'s offer: "{trim(sentence, 160)}"'
                    return CallbackResult(True, reason, _time_near(spoken, i + 1, nxt[1]), "caller")
                continue
            if _live_match(_AGENT_PROMISE, sentence):
                reason = f'Agent promised a follow-up call: "{trim(sentence, 160)}"'
                return CallbackResult(True, reason, _time_near(spoken, i, sentence), "agent")
    return CallbackResult()
