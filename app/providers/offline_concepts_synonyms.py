"""More ways people say the common concepts, in four languages (data; accent-folded patterns).

offline_concepts.py adds these to the concept tables: everyday wording ("wet patch", "gotera",
"Wasserfleck", "flaque"; "ballpark figure", "qué precio", "wie viel", "combien") beyond the first
words each table names.
"""

from __future__ import annotations

SYNONYMS: dict[str, list[str]] = {
    "water_leak": [
        r"\bseep\w*|\b(?:wet|damp)\s+patch|\bwater\s+stain|\bsoak\w*|\boverflow\w*|\bwon'?t\s+stop\s+running"
        r"|\bwater\s+(?:everywhere|on\s+the\s+floor|under\s+the)|\bpipe\s+(?:is\s+)?(?:broken|cracked)",
        r"\bmojad\w+|\bhumedad|\bpierde\s+agua|\bse\s+sale\s+el\s+agua|\bgotera|\brebos\w+|\bsale\s+agua",
        r"\bnass\w*|\bfeucht\w*|\bwasserfleck|\blauft\s+(?:aus|uber)|\bpfutze|\btropft",
        r"\bflaque|\bhumidit\w+|\bmouill\w+|\bdeborde|\bperd\s+de\s+l'eau|\bsuinte|\bfuit\b",
    ],
    "heating_failure": [
        r"\blukewarm|\bheating\s+(?:is\s+)?(?:off|out|not\s+coming\s+on|won'?t\s+come\s+on)|\bice[\s-]cold"
        r"|\bboiler\s+(?:keeps\s+)?(?:cutting\s+out|going\s+off|turning\s+off)|\b(?:house|home|flat)\s+is\s+(?:freezing|cold)",
        r"\bcalefaccion\s+(?:no\s+(?:funciona|va|enciende|calienta)|averiada|estropeada)|\bno\s+calienta"
        r"|\bradiadores\s+(?:frios|no\s+calientan)|\bcasa\s+(?:esta\s+)?(?:muy\s+)?fria|\bsin\s+agua\s+caliente",
        r"\bheizung\s+(?:bleibt|ist)\s+kalt|\bheizung\s+(?:funktioniert|geht)\s+nicht|\b(?:gas)?therme\s+(?:geht|ist)"
        r"(?:\W+\w+){0,2}?\W+(?:aus|kaputt)|\bheizt\s+nicht|\bheizkorper\s+(?:bleiben|sind)\s+kalt|\bkaltes\s+wasser",
        r"\bchauffage\s+ne\s+(?:marche|fonctionne)\s+(?:plus|pas)|\bradiateurs\s+(?:restent\s+)?froids|\bne\s+chauffe"
        r"\s+(?:plus|pas)|\bpas\s+d'eau\s+chaude|\bchaudiere(?:\W+\w+){0,3}?\W+(?:panne|s'arrete|se\s+coupe|ne\s+demarre)",
    ],
    "double_charge": [
        r"\b(?:debited|charged|billed|taken|paid)(?:\W+\w+){0,5}?\W+(?:twice|two\s+times|double)|\bduplicate"
        r"|\bsame\s+amount\s+(?:twice|two\s+times)|\bextra\s+payment",
        r"\bdos\s+veces|\bduplicad\w+|\bcobrad\w+\s+de\s+mas",
        r"\bzweimal(?:\W+\w+){0,4}?\W+(?:abgebucht|berechnet|bezahlt)|\bdoppelt|\bzweifach",
        r"\bdeux\s+fois|\ben\s+double",
    ],
    "billing_error": [
        r"\b(?:bill|invoice|charge|amount)(?:\W+\w+){0,5}?\W+(?:higher|more\s+than|too\s+much|incorrect|wrong)"
        r"|\bovercharg\w+|\bcharged\s+(?:me\s+)?for\s+parts",
        r"\bfactura(?:\W+\w+){0,6}?\W+(?:mal|error|incorrect\w*|de\s+mas|piezas)|\bcobrado\s+de\s+mas",
        r"\brechnung(?:\W+\w+){0,6}?\W+(?:falsch|zu\s+hoch|fehler)|\bzu\s+viel\s+berechnet",
        r"\bfacture(?:\W+\w+){0,6}?\W+(?:fausse|erreur|trop|incorrect\w*)|\bfactur\w+\s+des\s+pieces",
    ],
    "billing": [
        r"\bpayment|\bamount\b",
        r"\bcobr\w+|\bimporte",
        r"\bbetrag|\bkonto\b",
        r"\bprelev\w+|\bmontant",
    ],
    "reschedule": [
        r"\bpush\s+(?:it|my\s+\w+|the\s+\w+)\s+back|\brearrang\w+|\bpostpon\w+|\bbring\s+(?:it\s+)?forward"
        r"|\bcan'?t\s+make\s+(?:it|the\s+appointment)|\bchange\s+the\s+date|\b(?:another|a\s+different)\s+(?:time|date|slot)",
        r"\baplaz\w+|\bcambiar\s+(?:la\s+)?(?:cita|visita|fecha|hora)|\botra\s+(?:hora|fecha)|\bretrasar|\badelantar",
        r"\bverschieb\w+|\bverleg\w+|\btermin\s+nicht\s+schaffe|\bschaffe\s+den\s+termin\s+nicht|\banderen\s+tag",
        r"\breport\w+|\bdecal\w+|\bdeplac\w+|\bun\s+autre\s+jour|\bne\s+serai\s+pas\s+la|\bempechement",
    ],
    "cancellation": [
        r"\bclose\s+(?:my|the)\s+(?:\w+\s+)?(?:account|contract|plan)|\b(?:don'?t|do\s+not|not)\s+renew"
        r"|\bend\s+(?:my|the|it)\s+(?:cover|contract|plan|membership|agreement)?|\bstop\s+the\s+(?:monthly\s+)?payments"
        r"|\bswitching\s+provider",
        r"\banular\s+(?:el|mi|la)|\bbaja\s+del\s+contrato|\bno\s+renovar|\btramito\s+la\s+baja",
        r"\bauflos\w+|\bnicht\s+verlanger\w+|\bvertrag(?:\W+\w+){0,3}?\W+beenden",
        r"\bmettre\s+fin|\bne\s+pas\s+renouveler|\barreter\s+(?:mon|le)\s+contrat|\bresiliation",
    ],
    "opening_hours": [
        r"\bhow\s+late|\bopen\s+(?:on|at|until|till|today|tomorrow)|\b(?:are|is)\s+(?:you|the\s+\w+)\s+(?:open|around"
        r"|closed)|\bclosing\s+time|\bshut\s+on",
        r"\bhasta\s+que\s+hora|\ba\s+que\s+hora\s+(?:abren|cierran|atienden)|\babiert\w+|\bcerrad\w+|\batienden",
        r"\bbis\s+wann|\boffnungszeit\w+|\bgeoffnet|\bgeschlossen|\bhaben\s+sie\s+\w*\s*offen",
        r"\bouverts?\b|\bouverte|\bfermez|\bjusqu'a\s+quelle\s+heure|\ba\s+quelle\s+heure\s+(?:ouvr|ferm)",
    ],
    "quote": [
        r"\bballpark|\brough\s+(?:price|figure|idea)|\bhow\s+much|\bwhat\s+(?:would|will|do)\s+you\s+charge|\bprice\b"
        r"|\bpricing|\bestimate",
        r"\bprecio|\bcuanto\s+(?:cuesta|costaria|vale|saldria|me\s+cobrarian)",
        r"\bwie\s+viel(?:\W+\w+){0,5}?\W+kost\w+|\bpreis\b|\bungefahr\s+kosten",
        r"\bprix\b|\btarif\b|\bcombien|\bcout\w*",
    ],
    "complaint": [
        r"\bunprofessional|\bnot\s+happy|\bdisappointed|\bswore|\bnobody\s+(?:came|turned\s+up|showed)"
        r"|\bwaited\s+in\s+all\s+day|\bpoor\s+(?:work|job)|\bshoddy|\bbotched|\bdissatisfied",
        r"\bdescontent\w+|\bgroser\w+|\bchapuza|\btrabajo\s+mal|\bmal\s+trabajo|\bdecepcionad\w+|\bno\s+termino",
        r"\bunfreundlich|\bdreck|\bschlecht\s+gemacht|\bniemand\s+kam|\benttauscht",
        r"\bdecue?s?\b|\bdesagreable|\bbacle|\bmecontent\w*|\bpersonne\s+n'est\s+venu",
    ],
}
