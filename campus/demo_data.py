"""The demo's names and stories: Dortmund-like schools, German names, typical faults."""

from campus.models import Category, DeviceType

CAMPUSES = {
    "Campus Dortmund-Nord": [
        ("Grundschule Am Fredenbaum", "GSF", "Münsterstraße 120, 44145 Dortmund"),
        ("Gesamtschule Nordstadt", "GSN", "Burgholzstraße 150, 44145 Dortmund"),
        ("Helmholtz-Gymnasium", "HHG", "Münsterstraße 12, 44145 Dortmund"),
        ("Anne-Frank-Gesamtschule", "AFG", "Burgholzstraße 114, 44145 Dortmund"),
        ("Grundschule Kleine Kielstraße", "GKK", "Kleine Kielstraße 20, 44145 Dortmund"),
    ],
    "Campus Innenstadt-West": [
        ("Max-Planck-Gymnasium", "MPG", "Ardeystraße 70, 44139 Dortmund"),
        ("Robert-Koch-Realschule", "RKR", "Rheinische Straße 150, 44147 Dortmund"),
        ("Grundschule Kreuzviertel", "GKV", "Kreuzstraße 75, 44139 Dortmund"),
        ("Berufskolleg Westpark", "BKW", "Lindemannstraße 40, 44137 Dortmund"),
        ("Hauptschule Dorstfeld", "HSD", "Wittener Straße 10, 44149 Dortmund"),
        ("Förderschule Am Tremoniapark", "FST", "Tremoniastraße 2, 44137 Dortmund"),
    ],
    "Campus Hörde-Phoenix": [
        ("Phoenix-Gymnasium", "PXG", "Seekante 12, 44263 Dortmund"),
        ("Gesamtschule Hörde", "GSH", "Faßstraße 25, 44263 Dortmund"),
        ("Grundschule Am Phoenixsee", "GPS", "Hörder Bahnhofstraße 8, 44263 Dortmund"),
        ("Realschule Aplerbeck", "RSA", "Schweizer Allee 18, 44287 Dortmund"),
    ],
}

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Finn",
    "Greta",
    "Hannes",
    "Ilka",
    "Jonas",
    "Katrin",
    "Lukas",
    "Mira",
    "Nils",
    "Olga",
    "Paul",
    "Rabia",
    "Sven",
    "Tanja",
    "Ufuk",
    "Vera",
    "Wiebke",
    "Yusuf",
    "Zeynep",
    "Jörg",
    "Sören",
    "Jülide",
    "Björn",
    "Maren",
    "Timo",
]
LAST_NAMES = [
    "Becker",
    "Demir",
    "Fischer",
    "Grünewald",
    "Hoffmann",
    "Jansen",
    "Kaya",
    "Klein",
    "Krüger",
    "Lange",
    "Meyer",
    "Nowak",
    "Öztürk",
    "Peters",
    "Richter",
    "Schäfer",
    "Schmidt",
    "Schulz",
    "Wagner",
    "Weber",
    "Wolf",
    "Yılmaz",
    "Zimmermann",
    "Kowalski",
]

MODELS = {
    DeviceType.TABLET: ["iPad 10. Gen.", "iPad 9. Gen.", "Samsung Galaxy Tab A9"],
    DeviceType.NOTEBOOK: ["Lenovo ThinkPad L14", "Dell Latitude 3540", "HP ProBook 450"],
    DeviceType.DESKTOP: ["Fujitsu Esprimo P7012", "Dell OptiPlex 7010"],
    DeviceType.DISPLAY_PROJECTOR: [
        'Promethean ActivPanel 75"',
        "Epson EB-695Wi",
        'Samsung Flip 65"',
    ],
    DeviceType.PRINTER: ["Kyocera ECOSYS M3655", "Brother MFC-L8900"],
    DeviceType.NETWORK: ["Ubiquiti U6-Pro Access Point", "Lancom GS-3152 Switch"],
    DeviceType.OTHER: ["Apple TV 4K", "Dokumentenkamera Elmo MX-P3"],
}
DEVICE_MIX = (
    [DeviceType.TABLET] * 8
    + [DeviceType.NOTEBOOK] * 4
    + [DeviceType.DISPLAY_PROJECTOR] * 4
    + [DeviceType.DESKTOP] * 2
    + [DeviceType.PRINTER, DeviceType.NETWORK, DeviceType.OTHER]
)
TYPE_CODES = {
    DeviceType.TABLET: "TAB",
    DeviceType.NOTEBOOK: "NB",
    DeviceType.DESKTOP: "PC",
    DeviceType.DISPLAY_PROJECTOR: "BEA",
    DeviceType.PRINTER: "DRU",
    DeviceType.NETWORK: "NET",
    DeviceType.OTHER: "SON",
}
CATEGORY_FOR_TYPE = {
    DeviceType.TABLET: Category.TABLET_NOTEBOOK,
    DeviceType.NOTEBOOK: Category.TABLET_NOTEBOOK,
    DeviceType.DESKTOP: Category.TABLET_NOTEBOOK,
    DeviceType.DISPLAY_PROJECTOR: Category.PROJECTOR_DISPLAY,
    DeviceType.PRINTER: Category.PRINTER,
    DeviceType.NETWORK: Category.NETWORK_WIFI,
    DeviceType.OTHER: Category.OTHER,
}
ROOMS = [
    "A 101",
    "A 102",
    "A 204",
    "B 012",
    "B 113",
    "C 301",
    "Aula",
    "Lehrerzimmer",
    "Bibliothek",
    "Chemie 1",
    "Informatik 2",
    "Musikraum",
]

# (title, description, solution at level 1, solution at level 2) per category
PROBLEMS = {
    Category.TABLET_NOTEBOOK: [
        (
            "iPad startet nicht mehr",
            "Das Tablet bleibt beim Apfel-Logo hängen, Neustart hilft nicht.",
            "Per Finder wiederhergestellt und neu ins MDM eingebunden.",
            "Logic-Board defekt, Gerät über Garantie getauscht.",
        ),
        (
            "Notebook-Akku hält nur 20 Minuten",
            "Der Akku ist nach einer Stunde leer, die Klasse kann nicht arbeiten.",
            "Energiesparprofil zurückgesetzt, Akku kalibriert.",
            "Akku getauscht (Garantiefall).",
        ),
        (
            "Display gesprungen",
            "Ein Schüler hat das Tablet fallen lassen, das Glas ist gesprungen.",
            "Ersatzgerät aus dem Pool ausgegeben.",
            "Display über den Reparaturdienstleister ersetzt.",
        ),
    ],
    Category.PROJECTOR_DISPLAY: [
        (
            "Beamer zeigt kein Bild",
            "Kein Signal über HDMI, Lampe leuchtet.",
            "HDMI-Kabel am Wandanschluss getauscht.",
            "Mainboard des Beamers getauscht.",
        ),
        (
            "Touch am ActivPanel reagiert nicht",
            "Der Touchscreen reagiert nur noch am Rand.",
            "Touch-Kalibrierung neu durchgeführt, Firmware aktualisiert.",
            "Touch-Rahmen vom Hersteller getauscht.",
        ),
        (
            "AirPlay findet die Tafel nicht",
            "Das iPad sieht das Apple TV im Raum nicht.",
            "Apple TV neu gestartet und ins Schul-WLAN eingebunden.",
            "mDNS-Weiterleitung auf dem Controller korrigiert.",
        ),
    ],
    Category.NETWORK_WIFI: [
        (
            "WLAN im Raum sehr langsam",
            "Ab 20 Geräten bricht das WLAN im Raum ein.",
            "Access Point neu gestartet, Kanal gewechselt.",
            "Zusätzlichen Access Point installiert und Kanalplan angepasst.",
        ),
        (
            "Kein Internet im Trakt B",
            "Alle Geräte im Trakt B haben keine Verbindung.",
            "Switch im Verteilerraum neu gestartet.",
            "Defekte Glasfaserstrecke zum Trakt B ersetzt.",
        ),
    ],
    Category.PRINTER: [
        (
            "Drucker druckt nur leere Seiten",
            "Aufträge kommen an, aber die Seiten sind leer.",
            "Toner getauscht, Trommel gereinigt.",
            "Fixiereinheit getauscht.",
        ),
        (
            "Drucker nicht im Netz",
            "Der Drucker im Lehrerzimmer ist von keinem Gerät erreichbar.",
            "Netzwerkkabel wieder eingesteckt, IP neu vergeben.",
            "Druckserver-Warteschlange neu angelegt.",
        ),
    ],
    Category.SOFTWARE_APP: [
        (
            "App lässt sich nicht installieren",
            "Die Lern-App erscheint nicht im Self-Service.",
            "App im MDM der richtigen Gerätegruppe zugewiesen.",
            "Lizenz im Volume-Purchase-Programm nachgekauft und zugewiesen.",
        ),
        (
            "Office meldet abgelaufene Lizenz",
            "Word startet nur noch im Lesemodus.",
            "Neu angemeldet, Lizenz wurde aktiviert.",
            "Lizenzzuweisung im Tenant korrigiert.",
        ),
    ],
    Category.ACCOUNT_LOGIN: [
        (
            "Passwort vergessen",
            "Ich komme nicht mehr in mein Schulkonto.",
            "Passwort zurückgesetzt, Kollegin hat sich neu angemeldet.",
            "Konto war gesperrt, Sperre im Verzeichnisdienst aufgehoben.",
        ),
        (
            "Schülerkonten fehlen",
            "Die neue Klasse 5b hat noch keine Konten.",
            "Konten aus der Schulverwaltung nachsynchronisiert.",
            "Synchronisationsjob im Identitätsmanagement repariert.",
        ),
    ],
    Category.OTHER: [
        (
            "Dokumentenkamera flackert",
            "Das Bild der Dokumentenkamera flackert ständig.",
            "USB-Kabel getauscht.",
            "Gerät zur Reparatur eingeschickt.",
        ),
    ],
}

# The documented logins (README), all with the demo password.
DEMO_LOGINS = (
    "teacher@demo.test",
    "manager@demo.test",
    "systemhouse@demo.test",
    "admin@demo.test",
    "intern@demo.test",  # the pupil intern, while her internship runs (demo_interns.py)
)
