"""A small German corpus of knowledge-base articles, as campus managers would write them:
look-alikes on purpose (several tablet, picture and printer faults), one article for the
support side only and one retired, so that ranking and scope show."""

from campus.extensions import db
from campus.knowledge.search import rebuild_index
from campus.models import Article, User

T, S = "teachers", "support"

# key: (title, symptoms, steps, category, device type, model, audience[, status])
CORPUS = {
    "tablet_start": (
        "Tablet startet nicht mehr",
        "Das Tablet bleibt schwarz, auch nach langem Drücken der Ein-Taste. Es reagiert auf "
        "nichts.",
        "Tablet eine halbe Stunde an das Original-Netzteil hängen. Danach Ein-Taste und "
        "Leiser-Taste zehn Sekunden gedrückt halten, bis das Logo erscheint.",
        "tablet_notebook",
        "tablet",
        "iPad 9",
        T,
    ),
    "tablet_charge": (
        "Tablet lädt nicht",
        "Das Ladesymbol erscheint nicht, der Akku bleibt leer, obwohl das Kabel steckt.",
        "Anderes Kabel und Netzteil probieren, die Ladebuchse vorsichtig von Staub befreien.",
        "tablet_notebook",
        "tablet",
        "iPad 9",
        T,
    ),
    "notebook_boot": (
        "Notebook fährt nicht hoch",
        "Der Laptop bleibt beim Herstellerlogo hängen oder zeigt einen blauen Bildschirm.",
        "Netzteil abziehen, Ein-Taste 30 Sekunden halten, wieder anschließen und einschalten.",
        "tablet_notebook",
        "notebook",
        "Lenovo ThinkPad L14",
        T,
    ),
    "app_crash": (
        "Lern-App stürzt beim Öffnen ab",
        "Die App schließt sich sofort wieder, auf dem Tablet und auf dem Handy.",
        "App im App-Store aktualisieren, das Gerät neu starten, sonst die App neu installieren.",
        "software_app",
        "tablet",
        "",
        T,
    ),
    "beamer_picture": (
        "Kein Bild am Beamer",
        "Der Projektor läuft, die Leinwand bleibt aber blau und zeigt „Kein Signal“.",
        "Am Beamer die Quelle HDMI 1 wählen, das HDMI-Kabel fest einstecken, am Notebook "
        "Windows+P drücken und „Duplizieren“ wählen.",
        "projector_display",
        "display_projector",
        "Epson EB-695Wi",
        T,
    ),
    "beamer_lamp": (
        "Beamer schaltet sich nach Minuten ab",
        "Der Beamer geht nach einigen Minuten aus, die Lampen-LED blinkt rot.",
        "Lüftungsgitter frei machen und den Filter reinigen, Lampenstunden im Menü prüfen; "
        "bei Lampenwarnung die Lampe tauschen.",
        "projector_display",
        "display_projector",
        "Epson EB-695Wi",
        S,
    ),
    "display_airplay": (
        "Display zeigt das Tablet nicht an",
        "Bei der Bildschirmübertragung findet das Tablet das große Display nicht.",
        "Tablet und Display müssen im selben WLAN sein; am Display den Eingang "
        "„Bildschirmübertragung“ wählen und den Code eingeben.",
        "projector_display",
        "display_projector",
        "Promethean ActivPanel",
        T,
    ),
    "printer_blank": (
        "Drucker druckt nur leere Seiten",
        "Die Blätter kommen weiß aus dem Gerät, die Warteschlange ist leer.",
        "Tonerkartusche herausnehmen, Schutzfolie abziehen, schütteln und wieder einsetzen.",
        "printer",
        "printer",
        "Brother HL-L5100DN",
        T,
    ),
    "printer_queue": (
        "Druckauftrag hängt in der Warteschlange",
        "Dokumente werden nicht gedruckt, in der Warteschlange steht „Fehler“.",
        "Warteschlange leeren, den Drucker aus- und wieder einschalten, erneut drucken.",
        "printer",
        "printer",
        "Brother HL-L5100DN",
        T,
    ),
    "wifi_room": (
        "Kein WLAN im Klassenraum",
        "Die Geräte der Klasse verbinden sich nicht mit dem Schul-WLAN.",
        "WLAN am Gerät aus- und einschalten, das Netz vergessen und mit den Zugangsdaten neu "
        "verbinden.",
        "network_wifi",
        "network",
        "",
        T,
    ),
    "mdm_missing": (
        "Neues Gerät fehlt in der Geräteverwaltung",
        "Ein neu ausgegebenes Tablet taucht im MDM nicht auf und bekommt keine Apps.",
        "Seriennummer im MDM-Portal prüfen, das Gerät der Schule zuweisen und neu einrichten.",
        "tablet_notebook",
        "tablet",
        "iPad 9",
        S,
    ),
    "password": (
        "Passwort vergessen",
        "Die Anmeldung am Schulkonto klappt nicht mehr, das Passwort wird abgelehnt.",
        "Über „Passwort vergessen“ auf der Anmeldeseite einen Link anfordern.",
        "account_login",
        None,
        "",
        T,
    ),
    "account_locked": (
        "Konto nach Fehlversuchen gesperrt",
        "Nach zu vielen falschen Anmeldungen ist das Konto gesperrt.",
        "Im Admin-Portal das Konto entsperren und ein Einmalpasswort vergeben.",
        "account_login",
        None,
        "",
        S,
    ),
    "board_touch": (
        "Interaktive Tafel reagiert nicht auf Berührung",
        "Stift und Finger werden nicht erkannt, das Bild ist aber da.",
        "USB-Kabel der Tafel prüfen und die Kalibrierung im Menü neu ausführen.",
        "projector_display",
        "display_projector",
        "Promethean ActivPanel",
        T,
    ),
    "sound": (
        "Kein Ton über die Lautsprecher",
        "Videos laufen, aber im Raum ist nichts zu hören.",
        "Am Display den Ton einschalten und die Lautstärke erhöhen, am Notebook den "
        "Ausgang „Display“ wählen.",
        "projector_display",
        "display_projector",
        "Promethean ActivPanel",
        T,
    ),
    "tablet_reset_support": (
        "Tablet startet nicht: Wiederherstellung über das MDM",
        "Das Tablet startet nicht mehr, auch nach erzwungenem Neustart.",
        "Im MDM-Portal die Wiederherstellung auslösen und das Tablet neu zuweisen.",
        "tablet_notebook",
        "tablet",
        "iPad 9",
        S,
    ),
    "tablet_retired": (
        "Tablets starten nicht (altes Vorgehen)",
        "Tablets starten nicht.",
        "Veraltet: Tablet zum Händler schicken.",
        "tablet_notebook",
        "tablet",
        "iPad 9",
        T,
        "retired",
    ),
}


def load_corpus(author: User) -> dict[str, Article]:
    """The corpus as articles of `author` (past the services, as a restore would), with
    SQLite's full-text table rebuilt; committed."""
    articles = {}
    for key, (title, symptoms, steps, category, kind, model, audience, *status) in CORPUS.items():
        articles[key] = Article(
            title=title,
            symptoms=symptoms,
            steps=steps,
            category=category,
            device_type=kind,
            device_model=model,
            audience=audience,
            status=status[0] if status else "active",
            created_by=author,
        )
    db.session.add_all(articles.values())
    db.session.flush()
    rebuild_index()
    db.session.commit()
    return articles
