"""Callback phrases of English, Spanish, German and French, as regular expressions (data only).

Per language: how a caller asks to be called (`request`), how an agent promises a call
(`promise`) or offers one (`offer`), how a caller answers an offer (`affirm`, `decline`,
`call_noun`), and the hard negatives: "don't call me" and "no need to call" (`dont`), a
generic change of mind in the same turn (`withdraw`), the caller calling back themselves
(`self_call`), a past call (`past`) and marketing opt-outs (`opt_out`). The engine is
offline_callback.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CallbackRules:
    request: re.Pattern[str]
    promise: re.Pattern[str]
    offer: re.Pattern[str]
    affirm: re.Pattern[str]
    decline: re.Pattern[str]
    call_noun: re.Pattern[str]
    dont: re.Pattern[str]
    withdraw: re.Pattern[str]
    self_call: re.Pattern[str]
    past: re.Pattern[str]
    opt_out: re.Pattern[str]
    alternative: re.Pattern[str]  # "or" in an agent's sentence: "… or someone can call you?"


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _rules(patterns: dict[str, list[str]]) -> CallbackRules:
    """One language's rules: each field matches any of its patterns."""
    return CallbackRules(**{name: _rx(*parts) for name, parts in patterns.items()})


_EN_CALL = r"(?:call|ring|phone|telephone|contact|reach)"
_EN_WHO = (
    r"(?:someone|somebody|we|i|he|she|they|(?:a|an|the|our|your|one\s+of\s+our)\s+[\w-]+(?:\s+[\w-]+)?)"
    r"(?:\s+(?:from|in|at)\s+(?:the\s+|our\s+)?[\w-]+)?"  # "someone from billing"
)
_EN_WILL = r"(?:'ll|\s+will|\s+shall|\s+is\s+going\s+to|\s+are\s+going\s+to|'s\s+going\s+to|\s+is|\s+are|'re)"

EN = _rules(
    {
        "request": [
            rf"\b{_EN_CALL}\s+me\b(?!\s+(?:by|via|over|on)\s+(?:e-?mail|text|sms|post|letter|mail))",
            r"\bgive\s+me\s+a\s+(?:call|ring|buzz|bell|shout|phone\s*call|call\s*back)\b",
            r"\bget\s+back\s+to\s+me\b|\bget\s+in\s+touch\s+with\s+me\b|\bfollow\s+up\s+with\s+me\b"
            r"|\bhear\s+back\s+from\b",
            r"\b(?:a|the|my)\s+(?:phone\s+)?call[\s-]?back\b|\bcall[\s-]?back\s+(?:request|please)\b",
            r"\b(?:be|get)\s+(?:called|rung|phoned|contacted)(?:\s+back)?\b",
        ],
        "promise": [
            rf"\b{_EN_WHO}{_EN_WILL}?\s+(?:\w+\s+)?(?:call|ring|phone|telephone|contact|calling|ringing|phoning)\s+you\b",
            rf"\b{_EN_WHO}{_EN_WILL}\s+(?:\w+\s+)?(?:give\s+you\s+a\s+(?:call|ring|bell)|get\s+back\s+to\s+you"
            r"|be\s+in\s+touch|reach\s+out|follow\s+up\s+with\s+you)\b",
            r"\b(?:get|have|ask)\s+(?:someone|somebody|him|her|them|the\s+[\w-]+(?:\s+[\w-]+)?|an?\s+[\w-]+"
            r"|our\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:to\s+)?(?:call|ring|phone|contact)\s+you\b",
            r"\byou(?:'ll|\s+will)\s+(?:get|receive|have)\s+a\s+(?:call|phone\s+call|call[\s-]?back|ring)\b",
            r"\byou(?:'ll|\s+will)\s+be\s+(?:called|contacted|rung)\b",
            r"\b(?:i've|i\s+have|we've|we\s+have|i'll|i\s+will|we'll|we\s+will|let\s+me)\s+(?:scheduled?|booked?"
            r"|arranged?|arrange|requested?|logged?|set\s+up|put\s+in|raised?)\s+(?:a|the|your)\s+call[\s-]?back\b",
            r"\bcall[\s-]?back\s+(?:is|has\s+been|was)\s+(?:scheduled|booked|arranged|requested)\b",
        ],
        "offer": [
            r"\b(?:call|ring|phone|contact)\s+you\b|\bcall[\s-]?back\b|\bgive\s+you\s+a\s+(?:call|ring)\b"
        ],
        "affirm": [
            r"^\W*(?:yes|yeah|yep|yup|sure|please|ok|okay|that\s+would|that'd|sounds\s+good|perfect|great|absolutely"
            r"|definitely|lovely|go\s+ahead|why\s+not|i'd\s+like\s+that|the\s+call|a\s+call)\b"
        ],
        "decline": [
            r"^\W*(?:no\b|nope\b|not\s+really|not\s+necessary|not\s+needed|don't\s+bother|i'm\s+fine)"
        ],
        "call_noun": [r"\bcall(?:[\s-]?back)?\b|\bphone\s+call\b"],
        "dont": [
            r"\b(?:don't|do\s+not|never|no\s+need\s+to|(?:there's|there\s+is)\s+no\s+need\s+to|you\s+don't\s+(?:need|have)"
            r"\s+to|needn't|not\s+necessary\s+to|don't\s+bother)\s+(?:\w+\s+){0,2}?(?:call|ring|phone|telephone|contact)"
            r"(?:ing)?\b",
            r"\bno\s+(?:need|point)\s+(?:for|of|in)\s+(?:a|the|any)\s+(?:phone\s+)?(?:call|call[\s-]?back|ring)\b",
            r"\bno\s+call[\s-]?backs?\b",
            r"\bcall[\s-]?back\s+(?:isn't|is\s+not|won't\s+be)\s+(?:needed|necessary|required)\b",
            r"\bdon't\s+(?:need|want)\s+(?:a|any)\s+(?:phone\s+)?(?:call|call[\s-]?back)\b",
        ],
        "withdraw": [
            r"\bnever\s*mind\b|\bforget\s+(?:it|that|about\s+it)\b|\bno\s+need\b|\bnot\s+necessary\b"
            r"|\bscratch\s+that\b|\bno\s+longer\s+need"
        ],
        "self_call": [
            r"\b(?:i'll|i\s+will|i\s+can|i\s+could|i\s+might|i\s+may|i'd|let\s+me|i'm\s+going\s+to|i\s+shall|we'll"
            r"|we\s+will|i'm\s+gonna)\s+(?:just\s+|try\s+to\s+|probably\s+|then\s+)?(?:call|ring|phone|give\s+you\s+a"
            r"\s+(?:call|ring|bell)|get\s+back\s+to\s+you|be\s+in\s+touch|contact\s+you)\b",
        ],
        "past": [
            r"\b(?:called|rang|phoned|contacted)\s+me\b(?:\s+back)?",
            r"\bthanks?\s+(?:you\s+)?for\s+(?:the\s+call[\s-]?back|calling\s+me(?:\s+back)?|getting\s+back\s+to\s+me"
            r"|ringing\s+me)",
            r"\b(?:got|had|received|missed|returned|returning)\s+(?:a|your|the|my|their|an?\s+\w+)\s+(?:phone\s+)?"
            r"(?:call|call[\s-]?back)\b|\bmissed\s+call\b",
        ],
        "opt_out": [
            r"\b(?:take|remove|delete|erase)\s+(?:me|my\s+(?:number|details|name))\s+(?:off|from)\b[^.?!]*",
            r"\b(?:stop|quit|keep)\s+(?:calling|ringing|phoning|contacting)\s+me\b",
            r"\b(?:sales|marketing|cold|nuisance|promotional)\s+calls?\b|\bunsubscribe\b"
            r"|\b(?:call|calling|mailing|marketing|contact)\s+list\b",
        ],
        "alternative": [r"\bor\b"],
    }
)

ES = _rules(
    {
        "request": [
            r"\b(?:ll[aá]m(?:e|a|en|ad)me|devu[eé]lv(?:a|an|e|ed)me\s+la\s+llamada|cont[aá]ct(?:e|en|a|ad)me"
            r"|telefon[eé](?:e|en|a|ad)me)\b",
            r"\bme\s+(?:llam(?:e|en|ara|aran|ase|asen|es|éis|ará|arán|aría|arían)|devuelv(?:a|an|e|en)\s+la\s+llamada"
            r"|devolv(?:iera|ieran|iese|iesen|erá|erán|ería|erían)\s+la\s+llamada"
            r"|contact(?:e|en|ara|aran|ase|asen|ará|arán|aría|arían)|d(?:a|as|é|en|éis)\s+un\s+toque)\b",
            r"\bme\s+(?:pued\w+|podr\w+|pod[eé]is|va[ns]?|vuelv\w+\s+a|quier\w+)\s+(?:alguien\s+|usted\s+|ustedes\s+)?"
            r"(?:llamar|devolver\s+la\s+llamada|contactar|telefonear)\b",
            r"\b(?:pued\w+|podr\w+|pod[eé]is|sería\s+posible)\s+(?:\w+\s+)?(?:llamarme|devolverme\s+la\s+llamada"
            r"|contactarme|telefonearme)\b",
            r"\b(?:quiero|quería|quisiera|necesito|pido|solicito|me\s+gustaría)\s+(?:una\s+)?(?:devolución\s+de\s+"
            r"(?:la\s+)?llamada|llamada)\b",
            r"\b(?:se\s+pong\w+|ponerse)\s+en\s+contacto\s+conmigo\b|\bcontacten?\s+conmigo\b",
        ],
        "promise": [
            r"(?<!\bno\s)\b(?:le|te|les|os)\s+(?:llamar(?:á|án|emos|é)|llama(?:mos|n)?|devolver(?:á|án|emos|é)\s+la"
            r"\s+llamada|devuelven?\s+la\s+llamada|devolvemos\s+la\s+llamada|contactar(?:á|án|emos|é)|va(?:n|mos)?\s+a"
            r"\s+(?:llamar|devolver\s+la\s+llamada|contactar))\b",
            r"\bse\s+pondr(?:á|án)\s+en\s+contacto\s+con\s+(?:usted|ustedes|contigo)\b|\bnos\s+pondremos\s+en\s+contacto\b",
            r"\brecibirá\s+una\s+llamada\b",
        ],
        "offer": [
            r"\b(?:le|te)\s+(?:llame|llamemos|llamen|devolvamos\s+la\s+llamada|contacte|contactemos)\b"
            r"|\bllamarle\b|\bllamarte\b|\bdevolverle\s+la\s+llamada\b"
        ],
        "affirm": [
            r"^\W*(?:s[ií]|claro|vale|por\s+favor|perfecto|de\s+acuerdo|me\s+vendría|estupendo|genial|muy\s+bien"
            r"|venga|ok|okey|que\s+me\s+llamen|mejor\s+(?:que\s+me\s+llamen|la\s+llamada))\b"
        ],
        "decline": [r"^\W*(?:no\b|mejor\s+no)"],
        "call_noun": [r"\bllamada\b"],
        "dont": [
            r"\bno\s+(?:me\s+|nos\s+)?(?:llam\w+|telefone\w+|contact\w+|devuelv\w+)\b",
            r"\bno\s+(?:hace\s+falta|es\s+necesario|necesito)\s+(?:que\s+(?:me\s+)?(?:llam\w+|devuelv\w+|contact\w+)"
            r"|(?:una\s+|la\s+)?llamada|llamarme)\b",
            r"\bsin\s+llamada\b",
        ],
        "withdraw": [
            r"\bno\s+hace\s+falta\b|\bno\s+es\s+necesario\b|\bolv[ií]d(?:e|a|en)lo\b|\bd[ée]j(?:e|a|en)lo\b"
            r"|\bmejor\s+no\b|\bda\s+igual\b"
        ],
        "self_call": [
            r"\b(?:ya\s+)?(?:les|le|te|os)\s+(?:llamo|llamaré|vuelvo\s+a\s+llamar|volveré\s+a\s+llamar|devuelvo\s+la"
            r"\s+llamada)\b",
            r"\b(?:llamo|llamaré|vuelvo\s+a\s+llamar|volveré\s+a\s+llamar)\s+(?:yo\s+)?(?:más\s+tarde|luego|mañana"
            r"|otro\s+día|otra\s+vez|después|de\s+nuevo)\b|\bya\s+llamaré\b",
        ],
        "past": [
            r"\bme\s+(?:devolvi(?:ó|eron)|llam(?:ó|aron)|han\s+llamado|ha\s+llamado|habían\s+llamado|había\s+llamado)\b",
            r"\bllamada\s+perdida\b|\bpor\s+(?:devolverme\s+la\s+llamada|llamarme)\b",
        ],
        "opt_out": [
            r"\bllamadas\s+(?:comerciales|publicitarias|de\s+publicidad)\b|\bpublicidad\b",
            r"\b(?:dejen|deje|dejad|paran|para)\s+de\s+llamarme\b",
            r"\b(?:b[oó]rr|quit|elimin|sac)\w*\s+(?:de\s+(?:su|la|vuestra)\s+lista|mi\s+número)\b",
            r"\b(?:den|dé)(?:me)?\s+de\s+baja\b|\bdarme\s+de\s+baja\b",
        ],
        "alternative": [r"\bo\b"],
    }
)

DE = _rules(
    {
        "request": [
            r"\b(?:ruf|rufe|rufen|ruft)\s+(?:sie\s+|du\s+|ihr\s+)?mich\b(?:\s+\w+){0,6}?\s+(?:zurück|an)\b",
            # German puts the verb last: "Kann mich morgen jemand aus dem Verkauf wegen des Autos anrufen?"
            r"\bmich\b(?:\s+\w+){0,10}?\s+(?:zurückrufen|zurückzurufen|anrufen|anzurufen|kontaktieren|zurückruft|anruft)\b",
            r"\b(?:ein|eine|einen|um)\s+(?:\w+\s+)?rückruf\b",
            r"\b(?:melde|melden|meldet)\s+(?:sie\s+|du\s+|ihr\s+)?(?:sich|dich|euch)\s+(?:\w+\s+){0,5}?bei\s+mir\b",
            r"\b(?:sich|dich|euch)\s+(?:\w+\s+){0,4}?bei\s+mir\s+(?:zu\s+)?melde[nt]?\b",
        ],
        "promise": [
            r"\b(?:ruft|rufe|wird|werden)\s+(?:sie|dich|euch)\s+(?:\w+\s+){0,6}?(?:zurück|an|zurückrufen|anrufen"
            r"|kontaktieren)\b",
            r"\bwir\s+rufen\s+(?:sie|dich|euch)\s+(?:\w+\s+){0,6}?(?:zurück|an)\b",
            r"\b(?:meldet|melden|wird|werden)\s+(?:sich|wir\s+uns)\s+(?:\w+\s+){0,6}?bei\s+(?:ihnen|dir|euch)\b",
            r"\bsie\s+werden\s+(?:\w+\s+){0,3}?(?:zurückgerufen|angerufen|kontaktiert)\b",
            r"\brückruf\s+(?:ist\s+)?(?:eingeplant|vereinbart|veranlasst|notiert|beantragt)\b",
        ],
        "offer": [
            r"\b(?:sie|dich)\s+(?:\w+\s+){0,4}?(?:zurückrufen|anrufen|anruft|zurückruft)\b|\brückruf\b"
            r"|\bruft\s+(?:sie|dich)\s+(?:\w+\s+){0,3}?(?:an|zurück)\b"
        ],
        "affirm": [
            r"^\W*(?:ja|gerne|gern|klar|bitte|okay|ok|das\s+wäre|sehr\s+gern|einverstanden|super|prima|genau"
            r"|natürlich|lieber\s+(?:der|den|einen)\s+(?:anruf|rückruf))\b"
        ],
        "decline": [r"^\W*(?:nein|nee|nö|danke,?\s+nein|nicht\s+nötig|lieber\s+nicht|kein\s+bedarf)\b"],
        "call_noun": [r"\b(?:anruf|rückruf|telefonat)\b"],
        "dont": [
            r"\bmich\s+(?:\w+\s+){0,3}?(?:nicht|nie|keinesfalls)\s+(?:mehr\s+)?(?:\w+\s+){0,2}?(?:an|zurück)?"
            r"(?:rufen|zurufen|anrufen|zurückrufen|anzurufen|zurückzurufen|kontaktieren)\b",
            r"\bruf\w*\s+(?:sie\s+|du\s+)?mich\s+(?:\w+\s+){0,3}?(?:nicht|nie)\s+(?:\w+\s+){0,4}?(?:an|zurück)\b",
            r"\b(?:bitte\s+)?(?:nicht|keine?n?)\s+(?:mehr\s+)?(?:anrufen|zurückrufen|rückruf|anruf)\b",
            r"\brückruf\s+(?:ist\s+)?(?:nicht|nicht\s+mehr)\s+(?:nötig|notwendig|erforderlich)\b",
        ],
        "withdraw": [
            r"\bnicht\s+(?:mehr\s+)?(?:nötig|notwendig|erforderlich)\b|\bvergessen\s+sie\s+(?:es|das)\b"
            r"|\bvergiss\s+es\b|\bschon\s+gut\b|\bhat\s+sich\s+erledigt\b|\blassen\s+sie\b|\bach\s+nein\b"
        ],
        "self_call": [
            r"\bich\s+(?:rufe|ruf|melde)\s+(?:sie\s+|dich\s+|euch\s+|mich\s+)?(?:\w+\s+){0,4}?(?:an|zurück|wieder"
            r"|nochmal|noch\s+mal|bei\s+ihnen|bei\s+dir)\b",
            r"\bich\s+(?:werde|würde)\s+(?:sie\s+|dich\s+)?(?:\w+\s+){0,3}?(?:anrufen|zurückrufen|melden)\b",
            r"\b(?:und|dann)\s+rufe\s+(?:sie|dich|euch)\b(?:\s+\w+){0,4}?\s+(?:an|zurück)\b",
        ],
        "past": [
            r"\b(?:hat|haben|hatte|hatten)\s+mich\s+(?:\w+\s+){0,3}?(?:zurückgerufen|angerufen|kontaktiert)\b",
            r"\bmich\s+(?:hat|hatte)\s+(?:\w+\s+){0,4}?(?:angerufen|zurückgerufen)\b",
            r"\banruf\s+(?:\w+\s+){0,3}?verpasst\b|\bverpasst\w*\s+anruf\b|\bfür\s+(?:ihren|deinen|den)\s+rückruf\b",
        ],
        "opt_out": [
            r"\bwerbe\w*\b|\bwerbung\b|\bstreichen\s+sie\s+mich\b|\blöschen\s+sie\s+(?:meine\s+nummer|mich)\b",
            r"\bhören\s+sie\s+auf\b[^.!?]*\banzurufen\b|\bmelden\s+sie\s+mich\s+ab\b|\bständig\s+an(?:rufen)?\b",
        ],
        "alternative": [r"\boder\b"],
    }
)

FR = _rules(
    {
        "request": [
            r"\b(?:rappel(?:ez|le|ons)|appel(?:ez|le)|recontact(?:ez|e)|contact(?:ez|e)|t[ée]l[ée]phon(?:ez|e))[\s-]moi\b",
            r"\b(?:me\s+|m')(?:rappeler|rappeliez|rappelle|rappellent|rappellera|rappelleriez|recontacter|recontacte"
            r"|recontactiez|appeler|appeliez|appellera|appelleriez|contacter|contacte|contactiez|téléphoner|téléphoniez"
            r"|pass(?:er|es|iez|ez)\s+un\s+coup\s+de\s+(?:fil|téléphone))\b",
            r"(?<!je\s)\bm'appelle(?:s|nt)?\b",
            r"\b(?:être|soit|sois)\s+rappel[ée]e?s?\b",
            r"\b(?:voudrais|souhaite|souhaiterais|aimerais|demande)\s+(?:un\s+)?(?:rappel|appel)\b",
        ],
        "promise": [
            r"\b(?:vous|te)\s+(?:rappellera|rappelleront|rappelle|rappellent|rappelons|appellera|appelleront|appelle"
            r"|appellent|appelons|recontactera|recontacteront|recontactons|contactera|contacteront|contactons"
            r"|téléphonera|téléphoneront|rappellerai|appellerai|recontacterai)\b(?!\s+que\b)",
            r"\b(?:prendra|prendront|prendrons|va\s+prendre|vont\s+prendre)\s+contact\s+avec\s+vous\b"
            r"|\breviendr(?:a|ont|ons)\s+vers\s+vous\b|\bvous\s+serez\s+rappel[ée]e?s?\b",
            r"\b(?:va|vont|allons)\s+vous\s+(?:rappeler|appeler|recontacter|contacter)\b",
        ],
        "offer": [r"\bvous\s+(?:rappelle|appelle|rappeler|appeler|recontacte|contacte)\b|\bun\s+rappel\b"],
        "affirm": [
            r"^\W*(?:oui|volontiers|d'accord|ok|okay|bien\s+sûr|avec\s+plaisir|ce\s+serait|parfait|très\s+bien|super"
            r"|plutôt\s+l'appel|l'appel)\b"
        ],
        "decline": [r"^\W*(?:non\b|pas\s+la\s+peine|pas\s+besoin|inutile)"],
        "call_noun": [r"\b(?:l'appel|un\s+appel|appel|rappel|coup\s+de\s+fil)\b"],
        "dont": [
            r"\bne\s+(?:me\s+|m')(?:rappelez|appelez|téléphonez|contactez|rappelle|appelle)\s+(?:pas|plus|jamais)\b",
            r"\b(?:pas|plus)\s+(?:besoin|la\s+peine|nécessaire)\s+de\s+(?:me\s+|m')?(?:rappeler|appeler|téléphoner"
            r"|contacter)\b",
            r"\binutile\s+de\s+(?:me\s+|m')?(?:rappeler|appeler|téléphoner|contacter)\b|\bpas\s+d'(?:appel|rappel)\b",
        ],
        "withdraw": [
            r"\b(?:laissez|laisse)\s+tomber\b|\boubliez\b|\boublie\s+ça\b|\bpas\s+(?:besoin|la\s+peine)\b"
            r"|\bplus\s+nécessaire\b|\bpas\s+nécessaire\b|\benfin\s+non\b|\bfinalement\s+non\b"
        ],
        "self_call": [
            r"\bje\s+(?:vous|te)\s+(?:rappelle|rappellerai|recontacte|recontacterai|appellerai|rappelerai|téléphonerai)\b",
            r"\bje\s+(?:rappellerai|rappelerai|rappelle\s+plus\s+tard)\b",
            r"\bje\s+(?:vais|peux)\s+(?:vous\s+|te\s+)?(?:rappeler|appeler|recontacter)\b",
        ],
        "past": [
            r"\b(?:m'a|m'ont|m'avait|m'avaient)\s+(?:\w+\s+)?(?:rappel[ée]e?|appel[ée]e?|contact[ée]e?|téléphoné)\b",
            r"\bm'avoir\s+(?:rappel[ée]e?|appel[ée]e?)\b|\b(?:appel|coup\s+de\s+fil)\s+manqué\b|\bmanqué\s+un\s+appel\b",
        ],
        "opt_out": [
            r"\bappels\s+(?:commerciaux|publicitaires)\b|\bpublicité\b|\bdémarchage\b",
            r"\b(?:retirez|supprimez|enlevez|rayez)[\s-](?:moi|mon\s+numéro)\b",
            r"\b(?:arrêtez|cessez)\s+de\s+m'appeler\b|\bn'arrêtez\s+pas\s+de\s+m'appeler\b|\bdésinscri\w+\b",
        ],
        "alternative": [r"\bou\b"],
    }
)

RULES: dict[str, CallbackRules] = {"en": EN, "es": ES, "de": DE, "fr": FR}
