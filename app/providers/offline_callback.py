"""Callback detection for the offline analyser: requests, promises and accepted offers, minus the
hard negatives, in English, Spanish, German and French (phrases in offline_callback_rules.py).

Every sentence is read with the rules of all four languages (the phrases of one language do not
fire on another's), so a call that switches language is still understood. What was said becomes a
list of events in call order: a request, a promise or an accepted offer is positive; "don't call
me", "no need to call" and a declined offer are negative; "forget it" withdraws a request made
in the same turn. The last event decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.providers.base import Turn
from app.providers.offline_callback_rules import RULES, CallbackRules
from app.providers.offline_rules import SUPPORTED, sentences, spoken_turns
from app.providers.offline_time import extract_time

POSITIVE, NEGATIVE, WITHDRAW = "positive", "negative", "withdraw"


@dataclass
class CallbackResult:
    needed: bool = False
    requested_time: str | None = None
    source: str | None = None  # "caller" (asked) | "accepted" (an agent's offer) | "agent" (promised)
    said: str | None = None  # the sentence that asked for or promised the call
    language: str | None = None  # language of the phrase that matched


@dataclass(order=True)
class _Event:
    turn: int
    sentence: int
    pos: int
    kind: str = ""
    source: str = ""
    lang: str = ""
    said: str = ""


def _mask(text: str, patterns: list[re.Pattern[str]]) -> str:
    """The text with every match of `patterns` blanked out (positions are kept)."""
    chars = list(text)
    for pattern in patterns:
        for m in pattern.finditer(text):
            chars[m.start() : m.end()] = " " * (m.end() - m.start())
    return "".join(chars)


def _caller_events(i: int, text: str, langs: list[str]) -> list[_Event]:
    events = []
    for j, sentence in enumerate(sentences(text)):
        for lang in langs:
            r = RULES[lang]
            for m in r.dont.finditer(sentence):
                events.append(_Event(i, j, m.start(), NEGATIVE, "caller", lang, sentence))
            live = _mask(sentence, [r.dont, r.self_call, r.past, r.opt_out])
            for m in r.request.finditer(live):
                events.append(_Event(i, j, m.start(), POSITIVE, "caller", lang, sentence))
            for m in r.withdraw.finditer(live):
                events.append(_Event(i, j, m.start(), WITHDRAW, "caller", lang, sentence))
    return events


def _is_offer(r: CallbackRules, sentence: str, turn_asks: bool) -> bool:
    """A question about a call, or "I can book it, or someone can call you. Which do you prefer?"."""
    m = r.offer.search(sentence) or r.promise.search(sentence)
    if not m:
        return False
    if sentence.endswith("?"):
        return True
    return turn_asks and bool(r.alternative.search(sentence[: m.start()]))


def _agent_events(i: int, text: str, spoken: list[tuple[str, str]], langs: list[str]) -> list[_Event]:
    events = []
    parts = sentences(text)
    turn_asks = bool(parts) and parts[-1].endswith("?")
    reply = spoken[i + 1][1] if i + 1 < len(spoken) and spoken[i + 1][0] == "user" else None
    for j, sentence in enumerate(parts):
        for lang in langs:
            r = RULES[lang]
            if _is_offer(r, sentence, turn_asks):
                if reply is None:
                    continue
                if r.decline.search(reply) or any(RULES[x].decline.search(reply) for x in langs):
                    events.append(_Event(i + 1, -1, 0, NEGATIVE, "caller", lang, reply))
                elif r.affirm.search(reply) or r.call_noun.search(reply):
                    events.append(_Event(i + 1, -1, 0, POSITIVE, "accepted", lang, reply))
            elif not sentence.endswith("?"):
                for m in r.promise.finditer(sentence):
                    events.append(_Event(i, j, m.start(), POSITIVE, "agent", lang, sentence))
    return events


def _about_call(sentence: str) -> bool:
    return any(r.promise.search(sentence) or r.offer.search(sentence) for r in RULES.values())


def _time_near(spoken: list[tuple[str, str]], event: _Event) -> str | None:
    """The requested time: in the sentence, its turn, or the next two turns (the caller's answers and
    the agent's words about the call, not what the agent does meanwhile: "I'm alerting them now")."""
    found = extract_time(event.said, event.lang)
    if found:
        return found
    turn = min(event.turn, len(spoken) - 1)
    found = extract_time(spoken[turn][1], event.lang)
    if found:
        return found
    for role, text in spoken[turn + 1 : turn + 3]:
        for part in sentences(text):
            if role == "agent" and (part.endswith("?") or not _about_call(part)):
                continue
            found = extract_time(part, event.lang)
            if found:
                return found
    return None


def detect_callback(turns: list[Turn], language: str | None = None) -> CallbackResult:
    """Whether the call ends with a callback owed to the caller, with the requested time as said."""
    spoken = spoken_turns(turns)
    langs = ([language] if language in RULES else []) + [x for x in SUPPORTED if x != language]
    events: list[_Event] = []
    for i, (role, text) in enumerate(spoken):
        if role == "user":
            events += _caller_events(i, text, langs)
        else:
            events += _agent_events(i, text, spoken, langs)
    live: list[_Event] = []
    for event in sorted(events):
        if event.kind == POSITIVE:
            live.append(event)
        elif event.kind == NEGATIVE or (live and live[-1].turn == event.turn):
            live = []
    if not live:
        return CallbackResult()
    # The caller's own words say most about what they want; a promise says when.
    best = next((e for e in live if e.source == "caller"), None)
    best = best or next((e for e in live if e.source == "accepted"), live[0])
    when = None
    for event in [best] + [e for e in live if e is not best]:
        when = _time_near(spoken, event)
        if when:
            break
    return CallbackResult(True, when, best.source, best.said, best.lang)
