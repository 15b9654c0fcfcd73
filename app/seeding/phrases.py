"""What seeded calls are made of, per language the offline analyser supports (en, es, de, fr):
greetings, the small talk that makes a call 10-30 turns long, callback requests, goodbyes, names."""

from __future__ import annotations

LANGUAGES = ("en", "es", "de", "fr")
LANGUAGE_WEIGHTS = (0.55, 0.2, 0.15, 0.1)

GREETINGS = {
    "en": [
        "Hello, Riverside Services, how can I help?",
        "Good morning, Riverside Services, you're speaking with the assistant.",
    ],
    "es": [
        "Servicios Riverside, ¿en qué puedo ayudarle?",
        "Buenos días, Servicios Riverside, le atiende el asistente.",
    ],
    "de": [
        "Riverside Service, guten Tag, was kann ich für Sie tun?",
        "Guten Morgen, Riverside Service, Sie sprechen mit dem Assistenten.",
    ],
    "fr": [
        "Riverside Services, bonjour, que puis-je faire pour vous ?",
        "Bonjour, Riverside Services, l'assistant vous écoute.",
    ],
}

# (agent asks, caller answers): "{name}" is the caller's name, "{street}" a street.
SMALL_TALK = {
    "en": [
        ("May I have your name, please?", "Yes, it's {name}."),
        ("What is the address of the property?", "It's 14 {street}, the flat on the first floor."),
        ("When did you first notice it?", "Yesterday evening, I think, maybe a bit earlier."),
        ("Is anyone at home during the day?", "My partner works from home most days."),
        ("Is this the best number to reach you on?", "Yes, this mobile is fine."),
        ("Have you had this problem before?", "Once, last winter, but it was fixed quickly."),
        ("Do you have your customer number to hand?", "Hang on... no, sorry, I can't find it."),
        ("Could you describe what you see?", "There's a small puddle and a clicking noise now and then."),
        ("Are you the owner or renting?", "I'm renting, the landlord knows about it."),
        ("Anything else I should note?", "Only that the dog will bark, he's harmless."),
    ],
    "es": [
        ("¿Me dice su nombre, por favor?", "Sí, soy {name}."),
        ("¿Cuál es la dirección de la vivienda?", "Es la calle {street} 14, primer piso."),
        ("¿Cuándo lo notó por primera vez?", "Ayer por la noche, creo, quizá un poco antes."),
        ("¿Hay alguien en casa durante el día?", "Mi pareja trabaja desde casa casi todos los días."),
        ("¿Es este el mejor número para localizarle?", "Sí, este móvil está bien."),
        ("¿Ha tenido este problema antes?", "Una vez, el invierno pasado, pero lo arreglaron rápido."),
        ("¿Tiene a mano su número de cliente?", "Un momento... no, lo siento, no lo encuentro."),
        ("¿Puede describir lo que ve?", "Hay un pequeño charco y de vez en cuando un ruido."),
        ("¿Es usted el propietario o vive de alquiler?", "Vivo de alquiler, el casero ya lo sabe."),
    ],
    "de": [
        ("Darf ich Ihren Namen haben?", "Ja, ich heiße {name}."),
        ("Wie lautet die Adresse?", "{street} 14, erster Stock."),
        ("Wann ist Ihnen das zuerst aufgefallen?", "Gestern Abend, glaube ich, vielleicht etwas früher."),
        ("Ist tagsüber jemand zu Hause?", "Mein Mann arbeitet meistens von zu Hause."),
        ("Erreichen wir Sie unter dieser Nummer?", "Ja, das Handy ist gut."),
        ("Hatten Sie das Problem schon einmal?", "Einmal, letzten Winter, aber es wurde schnell behoben."),
        ("Haben Sie Ihre Kundennummer zur Hand?", "Moment... nein, leider finde ich sie nicht."),
        ("Können Sie beschreiben, was Sie sehen?", "Eine kleine Pfütze und ab und zu ein Klicken."),
        ("Sind Sie Eigentümer oder Mieter?", "Ich bin Mieter, der Vermieter weiß Bescheid."),
    ],
    "fr": [
        ("Puis-je avoir votre nom, s'il vous plaît ?", "Oui, c'est {name}."),
        ("Quelle est l'adresse du logement ?", "14 rue {street}, au premier étage."),
        (
            "Quand l'avez-vous remarqué pour la première fois ?",
            "Hier soir, je crois, peut-être un peu avant.",
        ),
        (
            "Y a-t-il quelqu'un à la maison en journée ?",
            "Mon mari travaille de chez nous presque tous les jours.",
        ),
        ("Est-ce le meilleur numéro pour vous joindre ?", "Oui, ce portable convient."),
        ("Avez-vous déjà eu ce problème ?", "Une fois, l'hiver dernier, mais c'était vite réparé."),
        ("Avez-vous votre numéro client sous la main ?", "Un instant... non, désolé, je ne le trouve pas."),
        ("Pouvez-vous décrire ce que vous voyez ?", "Une petite flaque et un cliquetis de temps en temps."),
        ("Êtes-vous propriétaire ou locataire ?", "Je suis locataire, le propriétaire est au courant."),
    ],
}

# (how the caller asks, how the agent confirms): "{when}" is one of WHEN.
CALLBACK_ASK = {
    "en": ("Can someone call me back {when}?", "Of course, we will call you back {when}."),
    "es": ("¿Me pueden llamar {when}?", "Por supuesto, le llamaremos {when}."),
    "de": ("Können Sie mich bitte {when} zurückrufen?", "Natürlich, wir rufen Sie {when} zurück."),
    "fr": ("Pouvez-vous me rappeler {when} ?", "Bien sûr, nous vous rappellerons {when}."),
}
# As said; None: the caller named no time (CALLBACK_PLAIN).
WHEN = {
    "en": ["tomorrow morning", "this afternoon", "on Monday", "as soon as possible", None],
    "es": ["mañana por la mañana", "esta tarde", "el lunes", "lo antes posible", None],
    "de": ["morgen früh", "heute Nachmittag", "am Montag", "so schnell wie möglich", None],
    "fr": ["demain matin", "cet après-midi", "lundi", "dès que possible", None],
}
CALLBACK_PLAIN = {
    "en": ("Could someone call me back about it?", "Of course, someone will call you back."),
    "es": ("¿Me podría llamar alguien para esto?", "Por supuesto, alguien le llamará."),
    "de": ("Kann mich deswegen jemand zurückrufen?", "Natürlich, jemand ruft Sie zurück."),
    "fr": ("Quelqu'un peut-il me rappeler à ce sujet ?", "Bien sûr, quelqu'un vous rappellera."),
}
GOODBYES = {
    "en": [
        ("Is there anything else I can do for you?", "No, that's all, thank you."),
        ("Thanks for calling, goodbye.", "Bye."),
    ],
    "es": [
        ("¿Algo más en lo que pueda ayudarle?", "No, eso es todo, gracias."),
        ("Gracias por llamar, adiós.", "Adiós."),
    ],
    "de": [
        ("Kann ich sonst noch etwas für Sie tun?", "Nein, das war's, danke."),
        ("Danke für Ihren Anruf, auf Wiederhören.", "Tschüss."),
    ],
    "fr": [
        ("Puis-je faire autre chose pour vous ?", "Non, c'est tout, merci."),
        ("Merci de votre appel, au revoir.", "Au revoir."),
    ],
}

FIRST_NAMES = {
    "en": ["Sarah", "James", "Emily", "Oliver", "Grace", "Thomas", "Hannah", "Daniel", "Chloe", "Samuel"],
    "es": ["María", "José", "Lucía", "Javier", "Carmen", "Pablo", "Elena", "Diego", "Sofía", "Andrés"],
    "de": ["Anna", "Lukas", "Helga", "Jonas", "Petra", "Felix", "Sabine", "Tobias", "Ingrid", "Matthias"],
    "fr": ["Camille", "Julien", "Chloé", "Nicolas", "Manon", "Antoine", "Léa", "Hugo", "Élise", "Mathieu"],
}
LAST_NAMES = {
    "en": ["Turner", "Patel", "Hughes", "Walker", "Bennett", "O'Brien", "Khan", "Foster", "Reid", "Morgan"],
    "es": [
        "López",
        "García",
        "Martínez",
        "Sánchez",
        "Romero",
        "Navarro",
        "Torres",
        "Ruiz",
        "Molina",
        "Ortega",
    ],
    "de": [
        "Braun",
        "Müller",
        "Schneider",
        "Fischer",
        "Weber",
        "Becker",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Richter",
    ],
    "fr": [
        "Martin",
        "Bernard",
        "Dubois",
        "Lefèvre",
        "Moreau",
        "Laurent",
        "Girard",
        "Roux",
        "Fournier",
        "Garnier",
    ],
}
STREETS = {
    "en": ["Mill Road", "Church Lane", "Station Street", "Park Avenue"],
    "es": ["Mayor", "del Sol", "de la Paz", "Real"],
    "de": ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee"],
    "fr": ["de la Gare", "Victor Hugo", "des Lilas", "du Moulin"],
}
# E.164 prefixes of mobile numbers in each language's country; digits follow.
PHONE_PREFIX = {"en": "+447700", "es": "+34612", "de": "+491512", "fr": "+33612"}
