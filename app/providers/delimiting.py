"""Untrusted text inside the prompt's delimiting tags: it can neither close nor open one.

The tags are <transcript> and <company_guidance>. A reader (the model) may take many sequences for
one: `</transcript foo=1>`, `<transcript/>`, `< / TRANSCRIPT >`, `＜/ｔｒａｎｓｃｒｉｐｔ＞` (full
width), `‹/trаnscript›` (a Cyrillic а), `<tran script>`. So the test is generous: an opening bracket
(`<` or anything that looks like one) is replaced by "(" when, before the next closing bracket, the
characters that follow it read as a tag name once folded (compatibility forms, accents and case
removed, look-alike letters mapped, everything but letters and digits dropped), or when no closing
bracket follows at all (whatever comes after the text in the prompt could close it).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

TAG_NAMES = ("transcript", "company_guidance")
_KEYS = tuple(name.replace("_", "") for name in TAG_NAMES)
_LONGEST = max(map(len, _KEYS))

# Brackets a reader may take for < and > (besides what NFKD turns into them: ＜ ﹤ ≮ ...).
_OPENERS = "<‹〈〈⟨❮❬❰ᐸ˂«≺⧼⦉⦑⧀"
_CLOSERS = ">›〉〉⟩❯❭❱ᐳ˃»≻⧽⦊⦒⧁"
# Letters from other scripts that look like the Latin letters of the tag names (a cheap subset of
# Unicode's confusables), and digits that pass for letters.
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "ɑ": "a", "α": "a", "с": "c", "ϲ": "c", "ᴄ": "c", "ԁ": "d", "е": "e", "ҽ": "e",
        "ɡ": "g", "ց": "g", "і": "i", "ı": "i", "ɩ": "i", "ι": "i", "ӏ": "i", "l": "i", "1": "i",
        "м": "m", "ᴍ": "m", "п": "n", "ո": "n", "о": "o", "ο": "o", "օ": "o", "0": "o", "р": "p",
        "ρ": "p", "г": "r", "ᴦ": "r", "ѕ": "s", "ꜱ": "s", "5": "s", "т": "t", "τ": "t", "υ": "u",
        "ս": "u", "у": "y", "ү": "y", "γ": "y",
    }
)  # fmt: skip


@lru_cache(maxsize=4096)
def _classify(char: str) -> tuple[str, str]:
    """("open" | "close" | "", folded letters) for one character."""
    decomposed = unicodedata.normalize("NFKD", char)
    if char in _OPENERS or "<" in decomposed:
        return "open", ""
    if char in _CLOSERS or ">" in decomposed:
        return "close", ""
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    folded = bare.translate(_LOOKALIKES)
    return "", "".join(c for c in folded if c.isascii() and c.isalnum())


def neutralise_tags(text: str) -> str:
    """`text` with every opening bracket that could start one of our tags replaced by "(".

    One pass from the end: `head` holds the first folded letters of what follows the current
    position up to the next closing bracket, enough to see a tag name start there.
    """
    out = list(text)
    head, dangerous = "", True  # no closing bracket after the end of the text
    for i in range(len(text) - 1, -1, -1):
        kind, folded = _classify(text[i])
        if kind == "close":
            head, dangerous = "", False
        elif kind == "open":
            if dangerous:
                out[i] = "("
        elif folded:
            head = (folded + head)[: _LONGEST + len(folded)]
            if not dangerous:
                dangerous = any(head.startswith(key, j) for j in range(len(folded)) for key in _KEYS)
    return "".join(out)


def one_line(text: str) -> str:
    """Untrusted text as one line (any line break or run of spaces is one space), tags neutralised."""
    return neutralise_tags(" ".join(text.split()))
