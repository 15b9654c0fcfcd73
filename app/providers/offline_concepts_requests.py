"""Concepts of the other kinds (complaints, requests, wishes, questions), for offline_concepts.py (data)."""

from __future__ import annotations

from app.providers.offline_concepts import Concept
from app.providers.offline_concepts import concept as _c

REQUESTS: list[Concept] = [
    _c(
        "complaint",
        "complaint",
        "complaint unhappy rude late technician poor service apology",
        "complaint about service | queja por el servicio | "
        "beschwerde über den service | réclamation sur le service",
        "poor service | un mal servicio | schlechten Service | un mauvais service",
        [
            r"\bcomplain\w*|\brude|\bpoor\s+(?:workmanship|service)|\bunhappy\s+with|\bnobody\s+(?:showed|turned)\s+up"
            r"|\bhours?\s+late|\bleft\s+a\s+mess|\bunacceptable",
            r"\bqueja|\breclamacion|\bmaleducad\w+|\bmal\s+hecho|\bllego(?:\W+\w+){0,3}?\W+tarde|\bnadie\s+(?:vino|aparecio)",
            r"\bbeschwer\w+|\bunhoflich|\bzu\s+spat|\bunzufrieden|\bniemand\s+(?:ist\s+)?gekommen|\bpfusch",
            r"\breclamation|\bplainte|\bimpoli\w*|\bmecontent\w*|\bde\s+retard|\bpersonne\s+n'est\s+venu|\bmal\s+fait",
        ],
    ),
    _c(
        "cancellation",
        "wants",
        "cancel end terminate contract subscription plan membership",
        "contract cancellation | baja del contrato | kündigung | résiliation",
        "to cancel a contract or subscription | "
        "dar de baja un contrato o una suscripción | einen Vertrag oder ein Abo "
        "kündigen | résilier un contrat ou un abonnement",
        [
            r"\bcancel\w*(?:\W+\w+){0,3}?\W+(?:contract|subscription|plan|membership|cover|policy|account|service|direct\s+debit)"
            r"|\bterminate|\bend(?:ing)?\s+(?:my|the|their|his|her|our)\s+(?:contract|plan|subscription|membership)|\bstop\s+my\s+(?:\w+\s+)?(?:membership|subscription|plan)",
            r"\bdar(?:me)?\s+de\s+baja\s+(?:mi|el|la)|\bcancelar(?:\W+\w+){0,2}?\W+(?:suscripcion|contrato|cuenta|poliza|plan)|\brescindir",
            r"\bkundig\w+|\b(?:abo|vertrag|mitgliedschaft)\w*(?:\W+\w+){0,2}?\W+beenden|\bbeenden\s+sie\s+mein",
            r"\bresili\w+|\barreter\s+mon\s+abonnement|\bannuler\s+mon\s+(?:abonnement|contrat)|\bmettre\s+fin\s+a",
        ],
    ),
    _c(
        "reschedule",
        "wants",
        "reschedule move change appointment visit another day time",
        "appointment change | cambio de cita | terminverschiebung | changement de rendez-vous",
        "to move an appointment | cambiar una cita | einen Termin verschieben | déplacer un rendez-vous",
        [
            r"\breschedul\w+|\b(?:move|change|rebook|push\s+back)(?:\W+\w+){0,4}?\W+(?:appointment|visit|booking|time)"
            r"|\b(?:appointment|visit)(?:\W+\w+){0,6}?\W+(?:move|change)\s+it"
            r"|\bmove\s+it\b|\bchange\s+the\s+(?:day|date|time)|\b(?:another|a\s+different)\s+day|\blater\s+in\s+the\s+week",
            r"\b(?:cambiar|pasar|mover|aplazar)(?:\W+\w+){0,3}?\W+(?:cita|visita)|\b(?:cita|visita)(?:\W+\w+){0,6}?\W+cambiarla"
            r"|\botro\s+dia\b|\bcambiar\s+el\s+dia",
            r"\btermin\w*(?:\W+\w+){0,6}?\W+(?:verschieben|verlegen|auf\s+einen\s+anderen\s+tag)|\bverschieben|\bverlegen|\banderen\s+(?:tag|termin)",
            r"\b(?:deplacer|decaler|changer|reporter)(?:\W+\w+){0,3}?\W+(?:rendez-vous|intervention|visite|rdv)"
            r"|\b(?:rendez-vous|intervention)(?:\W+\w+){0,6}?\W+(?:le\s+)?(?:deplacer|decaler)"
            r"|\b(?:le|la|les)\s+(?:deplacer|decaler|reporter)\b",
        ],
    ),
    _c(
        "booking",
        "wants",
        "book appointment visit engineer",
        "appointment booking | cita | terminvereinbarung | prise de rendez-vous",
        "to book an appointment | pedir una cita | einen Termin vereinbaren | prendre rendez-vous",
        [
            r"\bbook(?:\W+\w+){0,3}?\W+(?:in|appointment|visit|check-?up)|\bmake\s+an\s+appointment|\bbooked\s+in",
            r"\bpedir\s+(?:una\s+)?cita|\breservar\s+(?:una\s+)?cita|\bcita\s+para",
            r"\btermin(?:\W+\w+){0,2}?\W+(?:vereinbaren|fur|machen)|\bimpftermin",
            r"\bprendre\s+(?:un\s+)?rendez-vous|\brendez-vous\s+pour",
        ],
        excludes=(),
    ),
    _c(
        "quote",
        "request",
        "price quote cost estimate how much installation",
        "price quote | presupuesto | kostenvoranschlag | devis",
        "a price quote | un presupuesto | einen Kostenvoranschlag | un devis",
        [
            r"\bquote\b|\bestimate\b|\bhow\s+much\s+(?:would|will|does|is)|\bprice\s+for|\bcost\s+to|\bwhat\s+would\s+it\s+cost",
            r"\bpresupuesto|\bcuanto\s+(?:me\s+)?(?:costaria|cuesta|vale)|\bprecio\s+de",
            r"\bkostenvoranschlag|\bwas\s+(?:wurde|kostet|wurden)(?:\W+\w+){0,2}?\W+kosten|\bwas\s+kostet|\bangebot\s+fur",
            r"\bdevis|\bcombien\s+(?:coute|couterait|ca\s+coute)|\bprix\s+(?:d'|de|du|pour)",
        ],
    ),
    _c(
        "refund",
        "request",
        "refund money back reimbursement",
        "refund | reembolso | erstattung | remboursement",
        "a refund | un reembolso | eine Erstattung | un remboursement",
        [
            r"\brefund\w*|\bmoney\s+back|\breimburse\w*",
            r"\breembols\w+|\bdevolucion\s+del\s+dinero|\bdevuelvan\s+el\s+dinero",
            r"\berstatt\w+|\bgeld\s+zuruck",
            r"\brembours\w+",
        ],
    ),
    _c(
        "tariff_change",
        "wants",
        "change plan tariff switch upgrade smart meter",
        "plan change | cambio de tarifa | tarifwechsel | changement d'offre",
        "to change their plan | cambiar de tarifa | den Tarif wechseln | changer d'offre",
        [
            r"\bswitch\s+to|\bchange\s+(?:my\s+)?(?:plan|tariff)|\bupgrade|\bdowngrade|\bsmart\s+meter",
            r"\bcambiar(?:me)?\s+(?:a|de)\s+(?:la\s+)?tarifa|\bcambio\s+de\s+tarifa",
            r"\btarif\w*(?:\W+\w+){0,2}?\W+wechseln|\bwechseln(?:\W+\w+){0,2}?\W+tarif|\bnachtstromtarif",
            r"\bchanger\s+d'offre|\bpasser\s+a\s+l'option|\bheures\s+creuses",
        ],
    ),
    _c(
        "meter_reading",
        "wants",
        "meter reading submit",
        "meter reading | lectura del contador | zählerstand | relevé de compteur",
        "to submit a meter reading | comunicar la lectura del contador | "
        "den Zählerstand durchgeben | transmettre un "
        "relevé de compteur",
        [r"\bmeter\s+reading", r"\blectura\s+del\s+contador", r"\bzahlerstand", r"\breleve\s+de\s+compteur"],
    ),
    _c(
        "payment",
        "wants",
        "pay invoice payment",
        "invoice payment | pago de factura | rechnungszahlung | paiement de facture",
        "to pay an invoice | pagar una factura | eine Rechnung bezahlen | régler une facture",
        [
            r"\bpay\s+(?:the|my|an|this)\s+(?:invoice|bill)",
            r"\bpagar\s+la\s+factura",
            r"\brechnung(?:\W+\w+){0,2}?\W+bezahlen",
            r"\bregler\s+la\s+facture|\bpayer\s+la\s+facture",
        ],
    ),
    _c(
        "opt_out",
        "wants",
        "stop marketing sales calls unsubscribe",
        "marketing opt-out | baja de publicidad | werbewiderspruch | désinscription marketing",
        "to stop marketing calls | dejar de recibir llamadas comerciales | "
        "keine Werbeanrufe mehr erhalten | ne plus "
        "recevoir d'appels commerciaux",
        [
            r"\b(?:sales|marketing)\s+calls|\bunsubscribe|\bcall(?:ing)?\s+list|\bstop\s+calling\s+me",
            r"\bllamadas\s+comerciales|\bpublicidad|\bdejen\s+de\s+llamarme",
            r"\bwerbe\w*|\bwerbung",
            r"\bappels\s+commerciaux|\bpublicite|\bdemarchage|\barretez\s+de\s+m'appeler",
        ],
    ),
    _c(
        "opening_hours",
        "question",
        "opening hours open closed what time",
        "opening hours | horario de apertura | öffnungszeiten | horaires d'ouverture",
        "the opening hours | el horario de apertura | den Öffnungszeiten | les horaires d'ouverture",
        [
            r"\bopening\s+(?:hours|times)|\bwhat\s+time\s+do\s+you\s+(?:open|close)|\bare\s+you\s+open|\bopen\s+on\b"
            r"|\bis(?:\W+\w+){0,2}?\W+open\b|\buntil\s+what\s+time|\bclose\s+on\s+\w+days",
            r"\bhorario|\ba\s+que\s+hora\s+(?:abren|cierran)|\besta\s+abiert\w+|\babren\b",
            r"\boffnungszeiten|\bgeoffnet|\bhaben\s+sie(?:\W+\w+){0,3}?\W+(?:offen|geoffnet|auf)\b|\bwann\s+schliessen",
            r"\bhoraires|\bvous\s+(?:fermez|ouvrez)|\best-il\s+ouvert|\best\s+ouvert",
        ],
    ),
    _c(
        "delivery_question",
        "question",
        "delivery shipping deliver days",
        "delivery | entregas | lieferung | livraison",
        "delivery | las entregas | der Lieferung | la livraison",
        [
            r"\bdo\s+you\s+deliver|\bdelivery\s+(?:options|times|charge)",
            r"\bhacen\s+entregas|\brepart\w+",
            r"\bliefern\s+sie",
            r"\bvous\s+livrez|\blivraison",
        ],
    ),
    _c(
        "account_balance",
        "question",
        "account balance money",
        "account balance | saldo de la cuenta | kontostand | solde du compte",
        "the account balance | el saldo de la cuenta | dem Kontostand | le solde du compte",
        [
            r"\b(?:my|account)\s+balance|\bcheck\s+my\s+balance",
            r"\bsaldo",
            r"\bkontostand",
            r"\bsolde\s+de\s+mon\s+compte",
        ],
    ),
    _c(
        "test_results",
        "question",
        "test results medical blood test",
        "test results | resultados de análisis | befunde | résultats d'analyses",
        "test results | los resultados de unos análisis | Befunden | des résultats d'analyses",
        [
            r"\b(?:test|blood)\s+results|\bblood\s+test|\bresults\s+are\s+back",
            r"\banalisis|\bresultados",
            r"\bblutwerte|\bbefund\w*|\btestergebnis\w*",
            r"\banalyses|\bresultats",
        ],
    ),
    _c(
        "warranty",
        "question",
        "warranty guarantee",
        "warranty | garantía | garantie | garantie",
        "the warranty | la garantía | der Garantie | la garantie",
        [r"\bwarrant\w+|\bguarantee", r"\bgarantia", r"\bgarantie", r"\bgarantie"],
    ),
    _c(
        "financing",
        "question",
        "loan mortgage overdraft finance bank",
        "financing | financiación | finanzierung | financement",
        "financing | financiación | einer Finanzierung | un financement",
        [
            r"\bmortgage|\bloan\b|\boverdraft",
            r"\bhipoteca|\bprestamo|\bfinanciacion",
            r"\bfinanzierung|\bkredit|\bdispo",
            r"\bpret\s+immobilier|\bcredit|\bdecouvert",
        ],
    ),
    _c(
        "property",
        "question",
        "property flat apartment rent let",
        "property | inmueble | immobilie | logement",
        "a property | un inmueble | einer Immobilie | un logement",
        [
            r"\bflat\b|\bapartment|\bproperty|\bto\s+let\b|\bletting",
            r"\bpiso\b|\bapartamento|\balquiler|\binmueble",
            r"\bwohnung|\bimmobilie|\bvermieten",
            r"\bappartement|\blocation|\blogement",
        ],
    ),
    _c(
        "new_service",
        "question",
        "interested in new service buy sales",
        "sales enquiry | consulta comercial | produktanfrage | demande commerciale",
        "a new product or service | un nuevo producto o servicio | "
        "einem neuen Produkt oder Angebot | un nouveau produit "
        "ou service",
        [
            r"\binterested\s+in|\bthinking\s+about|\blooking\s+(?:for|at)\s+(?:a|an|some)\b",
            r"\bme\s+interesa|\bestoy\s+pensando\s+en",
            r"\binteressiere\s+mich|\buberlege",
            r"\bm'interesse|\bj'envisage|\bje\s+cherche",
        ],
    ),
]
