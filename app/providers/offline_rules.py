"""Lexicons, keyword tables and small text helpers shared by the offline (rule-based) providers.

Stdlib only and deterministic: everything here is plain data or a pure function.
"""

from __future__ import annotations

import re

USER_ROLES = frozenset({"user", "caller", "customer", "human", "client"})
AGENT_ROLES = frozenset({"agent", "assistant", "ai", "bot", "system_agent"})

_WORD_RE = re.compile(r"[a-z0-9\u00c0-\u024f]+(?:'[a-z]+)?")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def normalise(text: str) -> str:
    """Collapse whitespace and turn typographic apostrophes/quotes into ASCII ones."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Lowercased word tokens (keeps contractions such as "don't" together)."""
    return _WORD_RE.findall(normalise(text).lower())


def sentences(text: str) -> list[str]:
    """Split a turn into sentences; keeps the end punctuation."""
    return [s.strip() for s in _SENTENCE_RE.split(normalise(text)) if s.strip()]


def wordset(text: str) -> frozenset[str]:
    """Whitespace-separated words of a literal block, as a set."""
    return frozenset(text.split())


def trim(text: str, limit: int = 200) -> str:
    """Cut text at a word boundary so it fits in `limit` characters (ellipsis included)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "\u2026"


# English function words: dropped by the embedder and by the topic fallback.
FUNCTION_WORDS = wordset(
    """
    a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
    let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves
    out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those through
    to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
    where where's which while who who's whom why why's will with won't would wouldn't you you'd you'll
    you're you've your yours yourself yourselves
    """
)

# Conversational words that are never a topic ("thanks", "calling", "today").
STOPWORDS = FUNCTION_WORDS | wordset(
    """
    yes yeah yep ok okay hi hello hey thanks thank please sure just also really well um uh oh like get got
    want need one two good great morning afternoon evening today tomorrow tonight call calling called
    help assist day time now know think going go right see let sounds sound absolutely perfect fine
    alright much many way bye goodbye wondering looking work works anything something else soon
    """
)

# Leading words that do not make a sentence substantive ("Hi, ..." / "Yes, thanks.").
FILLER_WORDS = wordset(
    """
    hi hello hey hiya yes yeah yep yup no nope ok okay okey sure thanks thank you please well so um uh erm
    oh ah right alright good morning afternoon evening great perfect fine cool awesome absolutely
    certainly bye goodbye cheers there again
    """
)

# Sentiment lexicon over caller words, grouped by weight (> 0 positive, < 0 negative).
_SENTIMENT_GROUPS: dict[float, str] = {
    1.5: "love loved excellent amazing awesome fantastic wonderful brilliant delighted",
    1.0: "great perfect happy glad helpful appreciate appreciated pleased satisfied lovely excited",
    0.5: "good nice easy quick resolved",
    # Gratitude and interest are polite rather than enthusiastic: weighted low on purpose.
    0.25: "works thanks thank interested",
    -0.25: "problem issue",
    -0.5: "broken waiting late never fed fault",
    -0.75: "cancel cancelling canceling cancellation refund wrong failed",
    -1.0: "annoyed annoying upset complaint complain complaining bad poor waste mess lawyer",
    -1.5: "angry terrible awful horrible frustrated frustrating disappointed disappointing ridiculous "
    "useless rude overcharged sucks hate unhappy dissatisfied",
    -2.0: "furious worst unacceptable scam disgusted",
}
SENTIMENT_WEIGHTS: dict[str, float] = {
    word: weight for weight, group in _SENTIMENT_GROUPS.items() for word in group.split()
}
NEGATORS = wordset(
    "not no never don't doesn't didn't isn't wasn't aren't weren't won't can't cannot couldn't "
    "wouldn't hardly barely nothing dont doesnt didnt isnt cant wont"
)
SENTIMENT_THRESHOLD = 1.0

# Topic label -> "|"-separated keywords (matched on lowercased text with word boundaries).
# Order matters: it breaks ties so the output is deterministic.
TOPIC_TABLE: list[tuple[str, str]] = [
    ("billing", "bill|bills|billing|billed|invoice|invoices|overcharged|charged|charge|charges|statement"),
    ("payment", "payment|payments|pay|paid|paying|card|direct debit|instalment"),
    ("refund", "refund|refunds|refunded|money back|reimburse|reimbursement"),
    ("cancellation", "cancel|cancelling|canceling|cancellation|cancelled|terminate|close my account"),
    ("complaint", "complaint|complain|complaining|unacceptable|manager|escalate|supervisor"),
    ("appointment", "appointment|appointments|booking|book|booked|reschedule|slot|availability|available"),
    ("repair", "repair|repairs|fix|fixed|leak|leaks|leaking|broken|plumber|technician|engineer|maintenance"),
    ("repair", "sink|pipe|pipes|boiler|faucet"),
    ("technical issue", "not working|doesn't work|stopped working|error|crash|crashes|bug|outage|offline"),
    ("technical issue", "can't log in|cannot log in|no signal|internet is down|connection"),
    ("account", "account|password|login|log in|sign in|username|profile|email address"),
    ("subscription", "subscription|subscribe|plan|plans|premium|upgrade|downgrade|renewal|renew|membership"),
    ("pricing", "price|prices|pricing|cost|costs|quote|how much|fee|fees|discount|expensive"),
    ("delivery", "delivery|deliver|delivered|shipping|shipment|shipped|package|parcel|tracking|courier"),
    ("order", "order|orders|ordered|order number"),
    ("sales enquiry", "interested in|buy|buying|purchase|demo|sign up|new customer|sales"),
    ("opening hours", "opening hours|open on|are you open|what time do you|closing time"),
    ("insurance", "insurance|insurance claim|claim number|policy number|my policy"),
]


def _topic_patterns() -> list[tuple[str, re.Pattern[str]]]:
    merged: dict[str, list[str]] = {}
    for label, keys in TOPIC_TABLE:
        merged.setdefault(label, []).extend(keys.split("|"))
    return [
        (label, re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keys) + r")\b"))
        for label, keys in merged.items()
    ]


TOPIC_PATTERNS: list[tuple[str, re.Pattern[str]]] = _topic_patterns()

# Function words per language for the language guess.
LANGUAGE_STOPWORDS: dict[str, frozenset[str]] = {
    "en": wordset("the and is are you i my to of it that this for with have can what please"),
    "es": wordset(
        "el la los las y es que de por para con mi una un quiero hola gracias usted no "
        "está estoy pero como porque"
    ),
    "fr": wordset("le la les et est que de je vous mon ma une un pour avec bonjour merci pas suis c'est ne"),
    "de": wordset(
        "der die das und ist ich sie mein meine ein eine nicht mit für zu hallo danke bitte haben wir"
    ),
    "it": wordset("il lo la gli le e è che di per con mio mia una un voglio ciao grazie non sono vorrei"),
    "pt": wordset(
        "o a os as e é que de por para com meu minha uma um quero olá obrigado obrigada não estou você"
    ),
    "nl": wordset("de het een en is ik je u mijn niet met voor van dat hallo dank bedankt graag wil heb"),
}
LANGUAGE_ORDER = ("en", "es", "fr", "de", "it", "pt", "nl")
