"""Text helpers, stop words and the language guess shared by the offline (rule-based) providers.

Stdlib only and deterministic: everything here is plain data or a pure function. The rules cover
English, Spanish, German and French (`SUPPORTED`); the language guess knows a few more.
"""

from __future__ import annotations

import re
import unicodedata

from app.providers.base import AGENT_ROLES, USER_ROLES

__all__ = ["AGENT_ROLES", "USER_ROLES", "SUPPORTED", "STOPWORDS", "detect_language"]

SUPPORTED = ("en", "es", "de", "fr")

_WORD_RE = re.compile(r"[a-z0-9\u00b5\u00c0-\u024f]+(?:'[a-z\u00c0-\u024f]+)?")
_ELISION = re.compile(r"^(l|d|j|m|t|s|n|c|qu|jusqu|lorsqu|puisqu)'(?=[aeiouyhàâéèêëîïôûù])")
_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+|\n+")


def normalise(text: str) -> str:
    """Collapse whitespace and turn typographic apostrophes/quotes into ASCII ones."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Lowercased word tokens; English contractions stay whole ("don't"), French elisions split
    ("l'évier" -> "l'", "évier")."""
    out: list[str] = []
    for token in _WORD_RE.findall(normalise(text).lower()):
        m = _ELISION.match(token)
        if m:
            out += [m.group(0), token[m.end() :]]
        else:
            out.append(token)
    return out


def fold(text: str) -> str:
    """Lowercase without accents ("Rückruf" -> "ruckruf"), for accent-blind matching."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


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


def spoken_turns(turns) -> list[tuple[str, str]]:
    """("agent" | "user", text) for each turn with words, other roles (tools, system) left out."""
    out = []
    for turn in turns:
        role = (turn.role or "").strip().lower()
        text = normalise(turn.text or "")
        if text and (role in USER_ROLES or role in AGENT_ROLES):
            out.append(("user" if role in USER_ROLES else "agent", text))
    return out


# Function words and conversational filler per language: never a topic, not embedded by meaning.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": wordset(
        """
        a about above after again against all am an and any are aren't as at be because been before being
        below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
        down during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's
        her here hers herself him himself his how i i'd i'll i'm i've if in into is isn't it it's its itself
        let's me more most my myself no nor not of off on once only or other ought our ours ourselves out
        over own same she should shouldn't so some such than that that's the their theirs them themselves
        then there there's these they they'd they'll they're they've this those through to too under until
        up very was wasn't we we'd we'll we're we've were weren't what what's when where which while who
        whom why will with won't would wouldn't you you'd you'll you're you've your yours yourself
        yes yeah yep ok okay hi hello hey thanks thank please sure just also really well um uh oh like get
        got want need one good great morning afternoon evening today tomorrow tonight call calling called
        help day time now know think going go right see let sounds sound absolutely perfect fine alright
        much many way bye goodbye wondering looking anything something else soon lot bit thing things
        actually maybe still already can i'd there's would've ll ve re cheers lovely mate
        """
    ),
    "es": wordset(
        """
        a al algo algunas algunos ante antes aquí así aun aunque bien bueno buenas buenos cada casi como
        con contra cual cuando de del desde donde dos el él ella ellas ellos en entre era eres es esa esas
        ese eso esos esta está están estar estas este esto estos estoy fue gracias ha hace hacer han has
        hasta hay he hola la las le les lo los me mi mis mucho muy más nada ni no nos nosotros nuestra
        nuestro o os otra otro para pero poco por porque pues que qué quien quiero quería se sea según ser
        si sí sido sin sobre solo son soy su sus también tan te tengo tenemos tiene tienen todo todos tu tú
        tus un una uno unos usted ustedes va vale vamos y ya favor claro perfecto vale dígame buenas
        puede pueden podría podrían puedo necesito llamo llamaba quería señor señora mañana tarde hoy
        día ahora cosa vez muchas muchísimas
        """
    ),
    "de": wordset(
        """
        aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bin bis bist
        bitte da dabei damit danke dann das dass dem den denn der des dich die dies diese diesem diesen
        dieser dieses dir doch dort du durch ein eine einem einen einer eines er es etwas euch euer für
        gegen gibt ging guten habe haben hallo hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre im in
        ist ja jede jetzt kann kein keine können könnte man mein meine meinem meinen meiner mich mir mit
        muss möchte nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine sich sie sind so
        soll sollte um und uns unser unsere unter vom von vor war waren was weil wenn wer werde werden
        wie wieder will wir wird wo wollen würde zu zum zur über gut gerne gern okay morgen heute tag
        mal ganz schön super genau also doch eigentlich vielen dank tschüss wiederhören herr frau
        """
    ),
    "fr": wordset(
        """
        a à ai aie as au aux avec avez avoir bien bon bonjour bonsoir ça ce cela ces cet cette c' d' dans
        de des du elle elles en es est et été être eu il ils j' je l' la le les leur leurs lui m' ma mais
        me même mes moi mon n' ne nos notre nous on ont ou où par pas peu peut peux plus pour qu' quand que
        quel quelle qui sa sans se ses si son sont suis sur t' ta te tes toi ton tu un une vos votre vous
        y oui non merci voilà alors donc très aussi encore déjà juste fait faire veux voudrais voulais
        pourriez pouvez puis s' chose fois aujourd'hui demain madame monsieur d'accord ok parfait super
        """
    ),
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())

# Frequent function words, for the language guess (also for languages the rules do not cover).
_MARKERS: dict[str, frozenset[str]] = {
    "en": wordset("the and is are you i my to of it that this for with have can what please i'm don't"),
    "es": wordset(
        "el la los las y es que de por para con mi una un quiero hola gracias usted está estoy pero "
        "como porque tengo del se muy"
    ),
    "fr": wordset(
        "le la les et est que de je vous mon ma une un pour avec bonjour merci pas suis ne j' l' d'"
    ),
    "de": wordset(
        "der die das und ist ich sie mein meine ein eine nicht mit für zu hallo danke bitte haben wir"
    ),
    "it": wordset("il lo gli e è che di per con mio mia una un voglio ciao grazie non sono vorrei"),
    "pt": wordset("o os as e é que de por para com meu minha uma um quero olá obrigado obrigada não você"),
    "nl": wordset("de het een en is ik je u mijn niet met voor van dat hallo dank bedankt graag wil heb"),
}
_ORDER = ("en", "es", "fr", "de", "it", "pt", "nl")
_LANGUAGE_NAMES = {
    "english": "en",
    "spanish": "es",
    "espanol": "es",
    "french": "fr",
    "francais": "fr",
    "german": "de",
    "deutsch": "de",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "portugues": "pt",
    "dutch": "nl",
    "nederlands": "nl",
}


def declared_language(metadata: dict | None) -> str | None:
    """`metadata["main_language"]` as an ISO 639-1 code when it is a code or a language name."""
    declared = (metadata or {}).get("main_language")
    if not isinstance(declared, str):
        return None
    value = fold(declared.strip())
    if re.fullmatch(r"[a-z]{2}(?:[-_][a-z0-9]{2,8})?", value):
        return value[:2]
    return _LANGUAGE_NAMES.get(value)


def guess_language(texts: list[str]) -> tuple[str | None, int]:
    """(language, margin): the language whose function words are most frequent, and by how many
    more than the runner-up; (None, 0) when there are fewer than two such words."""
    toks = [t for text in texts for t in words(text)]
    counts = {lang: sum(t in _MARKERS[lang] for t in toks) for lang in _ORDER}
    ranked = sorted(_ORDER, key=lambda lang: (-counts[lang], _ORDER.index(lang)))
    best, second = ranked[0], ranked[1]
    if counts[best] < 2:
        return None, 0
    return best, counts[best] - counts[second]


def detect_language(metadata: dict | None, texts: list[str]) -> str:
    """The call's language: the words when they are clear (a margin of 3 function words), else the
    platform's `main_language`, else the words' best guess, else English."""
    guessed, margin = guess_language(texts)
    declared = declared_language(metadata)
    if guessed and margin >= 3:
        return guessed
    return declared or guessed or "en"
