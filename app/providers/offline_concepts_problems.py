"""Concepts of the "problem" kind (what is broken, wrong or late), for offline_concepts.py (data)."""

from __future__ import annotations

from app.providers.offline_concepts import Concept
from app.providers.offline_concepts import concept as _c

_BROKEN = (
    r"(?:broken|broke\s+down|stopped|not\s+working|won'?t|isn'?t\s+working|doesn'?t\s+work|cold|fault|error"
    r"|red\s+light|going\s+out|packed\s+up|died|failed)"
)

PROBLEMS: list[Concept] = [
    _c(
        "gas_smell",
        "problem",
        "gas leak smell of gas danger",
        "gas smell | olor a gas | gasgeruch | odeur de gaz",
        "a smell of gas | olor a gas | Gasgeruch | une odeur de gaz",
        [
            r"\bgas\s+(?:leak|smell)|smell\w*\s+(?:of\s+|like\s+)?gas\b",
            r"\b(?:huele|olor)(?:\W+\w+){0,2}?\W+a\s+gas|fuga\s+de\s+gas",
            r"\bgas(?:geruch|leck)|riecht(?:\W+\w+){0,2}?\W+nach\s+gas|zischt",
            r"\b(?:odeur|fuite)\s+de\s+gaz|sent(?:\W+\w+){0,2}?\W+le\s+gaz",
        ],
    ),
    _c(
        "water_leak",
        "problem",
        "water leak leaking pipe dripping plumbing",
        "water leak | fuga de agua | wasserschaden | fuite d'eau",
        "a water leak | una fuga de agua | einen Wasserschaden | une fuite d'eau",
        [
            r"\bleak\w*|\bdrip\w*|\bburst\s+pipe|\bpipe\s+(?:has\s+|is\s+)?(?:burst|cracked|split)|\bhose\s+has\s+split"
            r"|\bwater\s+(?:is\s+)?(?:coming|pouring|running|dripping|getting)\s+(?:through|from|out|in|down)|\bpuddle|\bflood\w*",
            r"\bfuga\s+de\s+agua|\bfuga\b(?!\s+de\s+gas)|\bgote\w+|\bsale\s+agua|\bcae\s+agua|\btuberia\s+(?:rota|reventada)"
            r"|\bse\s+ha\s+roto\s+una\s+tuberia|\binund\w+|\bempapad\w+",
            r"\bleck\b|\bundicht\w*|\btropf\w*|\brohrbruch|\bwasserschaden|\bunter\s+wasser|\buberschwemm\w*|\brohr(?:\W+\w+){0,2}?\W+geplatzt",
            r"\bfuite\b(?!\s+de\s+gaz)|\bgoutt\w+|\beau\s+coule|\bcoule\s+(?:du|par)|\bdegats?\s+des\s+eaux|\binond\w+"
            r"|\btuyau(?:\W+\w+){0,2}?\W+(?:perce|eclate|casse)|\btrempe\w*",
        ],
    ),
    _c(
        "heating_failure",
        "problem",
        "boiler broken no heating no hot water radiators cold",
        "heating failure | avería de calefacción | heizungsausfall | panne de chauffage",
        "a heating or hot water failure | "
        "una avería de calefacción o agua caliente | einen Ausfall von Heizung oder "
        "Warmwasser | une panne de chauffage ou d'eau chaude",
        [
            rf"\b(?:boiler|heating|radiators?|hot\s+water|furnace|pilot\s+light|shower)\b(?:\W+\w+){{0,5}}?\W+{_BROKEN}",
            r"\bno\s+(?:heat|heating|hot\s+water)\b|\bradiators?\s+(?:are\s+)?(?:stone\s+)?cold",
            r"\bcaldera(?:\W+\w+){0,2}?\W+(?:no\s+(?:funciona|enciende|arranca)|averiada|estropeada|error|rota)"
            r"|\b(?:sin|ni|no\s+(?:tenemos|tengo|hay))\s+(?:calefaccion|agua\s+caliente)|\bradiadores(?:\W+\w+){0,2}?\W+frios"
            r"|\bsale\s+fria",
            r"\bkeine?\s+heizung|\bkein(?:en)?\s+(?:warmwasser|warmes\s+wasser)|\bheizung(?:\W+\w+){0,2}?\W+(?:ausgefallen|kaputt"
            r"|geht\s+nicht)|\bheizkorper(?:\W+\w+){0,2}?\W+kalt|\b(?:therme|boiler)(?:\W+\w+){0,3}?\W+(?:storung|springt\s+nicht)",
            r"\bchaudiere(?:\W+\w+){0,2}?\W+(?:en\s+panne|ne\s+marche|code\s+d'erreur|affiche)|\b(?:plus|pas)\s+de\s+chauffage"
            r"|\b(?:plus|pas)\s+d'eau\s+chaude|\bradiateurs(?:\W+\w+){0,2}?\W+froids|\bdouche\s+(?:est\s+)?glacee",
        ],
    ),
    _c(
        "power_outage",
        "problem",
        "power cut no electricity outage fuse sockets",
        "power cut | corte de luz | stromausfall | coupure de courant",
        "a power cut | un corte de luz | einen Stromausfall | une coupure de courant",
        [
            r"\bpower\s+(?:cut|outage|is\s+out)|\bno\s+(?:power|electricity)|\bsockets?(?:\W+\w+){0,2}?\W+(?:not\s+working|dead)"
            r"|\btripp\w+|\bfuse\s+box",
            r"\bcorte\s+de\s+luz|\bapagon|\bsin\s+luz|\bno\s+hay\s+luz|\benchufes?\s+no",
            r"\bstromausfall|\bkein\s+strom|\bsicherung(?:\W+\w+){0,2}?\W+raus|\bsteckdosen?(?:\W+\w+){0,2}?\W+(?:gehen|funktionier)\w*\s+nicht",
            r"\bcoupure\s+de\s+courant|\bplus\s+d'electricite|\bpanne\s+de\s+courant|\bdisjonct\w+|\bprises?\s+ne\s+marche",
        ],
    ),
    _c(
        "blocked_drain",
        "problem",
        "blocked drain clogged toilet sink blockage",
        "blocked drain | atasco | verstopfung | canalisation bouchée",
        "a blocked drain | un atasco | eine Verstopfung | une canalisation bouchée",
        [
            r"\bblock(?:ed|age)|\bclogged|\bwon'?t\s+drain|\bbacked\s+up",
            r"\batasc\w+|\bobstru\w+|\bno\s+traga",
            r"\bverstopf\w+|\blauft\s+nicht\s+ab",
            r"\bbouche(?:e|s)?\b|\bengorge\w*|\bs'evacue\s+pas",
        ],
    ),
    _c(
        "internet_outage",
        "problem",
        "internet down no connection broadband wifi outage",
        "internet outage | sin internet | internetausfall | panne internet",
        "an internet outage | una caída de internet | einen Internetausfall | une panne d'internet",
        [
            r"\b(?:internet|broadband|wifi|wi-fi|connection)(?:\W+\w+){0,3}?\W+(?:down|not\s+working|keeps\s+dropping|dropped)"
            r"|\bno\s+(?:internet|broadband|wifi)",
            r"\bsin\s+(?:internet|conexion|wifi)|\bno\s+(?:tengo|hay)\s+internet",
            r"\binternet(?:\W+\w+){0,3}?\W+(?:geht\s+nicht|ausgefallen|funktioniert\s+nicht)|\bkein\s+internet",
            r"\b(?:plus|pas)\s+(?:d'internet|de\s+connexion)|\binternet(?:\W+\w+){0,2}?\W+(?:en\s+panne|coupe)",
        ],
    ),
    _c(
        "phone_line_fault",
        "problem",
        "phone line fault calls dropping",
        "phone line fault | avería de la línea | leitungsstörung | panne de ligne",
        "a phone line fault | una avería en la línea | eine Leitungsstörung | une panne de ligne",
        [
            r"\bcalls?(?:\W+\w+){0,2}?\W+(?:dropping|drop|cut\s+out|cuts\s+out)",
            r"\bse\s+(?:me\s+)?cortan\s+las\s+llamadas|\bllamadas\s+se\s+caen",
            r"\btelefonate(?:\W+\w+){0,3}?\W+brechen|\banruf\s+wird(?:\W+\w+){0,3}?\W+getrennt",
            r"\bappels(?:\W+\w+){0,3}?\W+coupent",
        ],
    ),
    _c(
        "login_problem",
        "problem",
        "cannot log in password account locked",
        "login problem | problema de acceso | anmeldeproblem | problème de connexion",
        "a login problem | un problema de acceso | ein Anmeldeproblem | un problème de connexion",
        [
            r"\bcan'?t\s+log\s*in|\bcannot\s+log\s*in|\bpassword|\blocked\s+out",
            r"\bcontrasena|\bno\s+puedo\s+(?:entrar|acceder)",
            r"\bpasswort|\bkann\s+mich\s+nicht\s+anmelden|\bkennwort",
            r"\bmot\s+de\s+passe|\bn'arrive\s+pas\s+a\s+me\s+connecter",
        ],
    ),
    _c(
        "double_charge",
        "problem",
        "charged twice duplicate payment double charge billing",
        "double charge | cobro duplicado | doppelte abbuchung | double prélèvement",
        "a double charge | un cobro duplicado | eine doppelte Abbuchung | un double prélèvement",
        [
            r"\bcharged\s+(?:me\s+)?(?:twice|two\s+times|double)|\b(?:duplicate|double)\s+(?:payment|charge|debit)"
            r"|\b(?:twice|two\s+times)\s+this\s+month|\bboth\s+debits|\bbilled\s+(?:me\s+)?twice|\btook\s+the\s+money(?:\W+\w+){0,4}?\W+two\s+times",
            r"\bcobrad\w+(?:\W+\w+){0,3}?\W+dos\s+veces|\b(?:cargo|cobro|pago)\s+duplicado"
            r"|\bdoble\s+(?:cobro|cargo|pago)|\bcobrad\w+\s+doble",
            r"\bdoppelt(?:\W+\w+){0,2}?\W+(?:abgebucht|berechnet|bezahlt)|\bzwei\s+abbuchungen|\bdoppelte\s+(?:zahlung|abbuchung)",
            r"\b(?:preleve|facture|debite)\w*(?:\W+\w+){0,2}?\W+deux\s+fois|\bdouble\s+(?:prelevement|paiement|facturation)",
        ],
        excludes=("billing_error", "billing"),
    ),
    _c(
        "billing_error",
        "problem",
        "wrong bill invoice amount error billing",
        "billing error | error en la factura | fehlerhafte rechnung | erreur de facturation",
        "a billing error | un error en la factura | eine fehlerhafte Rechnung | une erreur de facturation",
        [
            r"\b(?:bill|invoice|statement)(?:\W+\w+){0,4}?\W+(?:wrong|incorrect|too\s+high|mistake)|\bwrong\s+(?:bill|invoice|amount)",
            r"\bfactura(?:\W+\w+){0,4}?\W+(?:mal|incorrecta|equivocada|erronea)|\bme\s+cobran(?:\W+\w+){0,3}?\W+horas",
            r"\brechnung(?:\W+\w+){0,2}?\W+(?:stimmt\s+nicht|falsch|fehlerhaft)|\bfalsche\s+rechnung",
            r"\bfacture(?:\W+\w+){0,2}?\W+(?:fausse|erronee|incorrecte)|\berreur\s+(?:sur|de|dans)\s+(?:la|ma)\s+facture"
            r"|\bvous\s+me\s+comptez",
        ],
        excludes=("billing",),
    ),
    _c(
        "unknown_charge",
        "problem",
        "unrecognised card payment fraud scam",
        "unrecognised payment | cargo desconocido | unbekannte abbuchung | paiement inconnu",
        "an unrecognised payment | un cargo desconocido | eine unbekannte Abbuchung | un paiement inconnu",
        [
            r"\b(?:payment|charge|transaction)(?:\W+\w+){0,3}?\W+(?:don'?t|do\s+not)\s+recogni[sz]e|\bdispute\s+a\s+(?:card\s+)?payment"
            r"|\bscam|\bfraud",
            r"\bcargo(?:\W+\w+){0,3}?\W+no\s+reconozco|\breclamar\s+un\s+cargo|\bfraude",
            r"\babbuchung,?(?:\W+\w+){0,3}?\W+nicht\s+kenne|\bkartenzahlung\s+reklamieren|\bbetrug",
            r"\bprelevement(?:\W+\w+){0,3}?\W+ne\s+reconnais\s+pas|\bcontester\s+un\s+paiement|\barnaque|\bfraude",
        ],
        excludes=("billing",),
    ),
    _c(
        "billing",
        "question",
        "bill invoice charge billing payment",
        "bill | factura | rechnung | facture",
        "their bill | su factura | ihrer Rechnung | sa facture",
        [
            r"\bbill\b|\binvoice|\bstatement|\bbilling|\bcharged|\bdebits?\b",
            r"\bfactura|\bcobr\w+|\bcargo",
            r"\brechnung|\babbuchung|\babgebucht|\bberechnet",
            r"\bfactur\w+|\bpreleve\w*",
        ],
        excludes=(),
    ),
    _c(
        "late_delivery",
        "problem",
        "late delivery parcel order not arrived",
        "late delivery | retraso en la entrega | lieferverzug | retard de livraison",
        "a late delivery | un retraso en la entrega | einen Lieferverzug | un retard de livraison",
        [
            r"\b(?:order|parcel|package|delivery)(?:\W+\w+){0,3}?\W+(?:hasn'?t|has\s+not|never|didn'?t)\s+(?:\w+\s+)?(?:arrived|come|turned\s+up)"
            r"|\blate\s+delivery|\bwhere\s+is\s+my\s+(?:order|parcel)",
            r"\b(?:pedido|paquete)(?:\W+\w+){0,3}?\W+no\s+(?:ha\s+)?llega",
            r"\b(?:bestellung|paket|lieferung)(?:\W+\w+){0,3}?\W+(?:nicht\s+angekommen|noch\s+nicht\s+da)",
            r"\b(?:commande|colis)(?:\W+\w+){0,3}?\W+(?:pas\s+(?:encore\s+)?arrive|jamais\s+arrive)",
        ],
    ),
    _c(
        "vehicle_fault",
        "problem",
        "car fault noise repair garage",
        "vehicle fault | avería del coche | fahrzeugdefekt | panne de voiture",
        "a fault with their car | una avería del coche | einen Defekt am Auto | une panne de voiture",
        [
            r"\bcar(?:\W+\w+){0,3}?\W+(?:noise|won'?t\s+start|broke\s+down)",
            r"\bcoche(?:\W+\w+){0,3}?\W+(?:ruido|no\s+arranca|averiado)",
            r"\bauto(?:\W+\w+){0,3}?\W+(?:gerausch|springt\s+nicht)",
            r"\bvoiture(?:\W+\w+){0,3}?\W+(?:bruit|ne\s+demarre|en\s+panne)",
        ],
    ),
    _c(
        "accident_damage",
        "problem",
        "damage accident insurance claim",
        "damage claim | siniestro | schadensmeldung | sinistre",
        "damage for an insurance claim | un siniestro | einen Schaden | un sinistre",
        [
            r"\b(?:storm|accident|fire)\s+damage|\bmake\s+a\s+claim|\bcar\s+accident|\bclaim\s+for",
            r"\bsiniestro|\bdar\s+parte|\bgolpe\s+en\s+el\s+coche",
            r"\bschaden(?:\W+\w+){0,3}?\W+melden|\bschadens\w+|\bunfall",
            r"\bsinistre|\baccrochage|\bdeclarer\s+un",
        ],
    ),
]
