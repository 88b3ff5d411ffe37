"""The demo's growing expertise: articles written from the year's solved tickets, the
times they helped, teachers' ratings of solutions and two survey rounds (one finished,
one running). Played through the real services, back-dated like the tickets."""

import random
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select

from campus.extensions import db
from campus.knowledge.services import create_article, record_use
from campus.models import ArticleUse, Audience, Ticket, TicketStatus, UseKind, User
from campus.surveys.services import DEFAULT_QUESTIONS, answer_survey, open_survey
from campus.tickets.feedback import give_feedback

# demo ticket title: (article title, symptoms, steps, audience)
ARTICLES = {
    "iPad startet nicht mehr": (
        "iPad startet nicht mehr oder hängt beim Apfel-Logo",
        "Das iPad bleibt schwarz oder beim Apfel-Logo stehen, auch nach einem Neustart.",
        "1. Das iPad 30 Minuten an das Original-Netzteil hängen.\n"
        "2. Lauter-Taste kurz drücken, Leiser-Taste kurz drücken, dann die obere Taste "
        "gedrückt halten, bis das Apfel-Logo erscheint (erzwungener Neustart).\n"
        "3. Hilft das nicht: Ticket erstellen, das Campusmanagement stellt es über das MDM "
        "wieder her.",
        Audience.TEACHERS,
    ),
    "Notebook-Akku hält nur 20 Minuten": (
        "Notebook-Akku ist schnell leer",
        "Der Akku des Notebooks hält nur noch kurz, obwohl er voll geladen war.",
        "1. Unten rechts auf das Akku-Symbol klicken und „Ausbalanciert“ wählen.\n"
        "2. Bildschirmhelligkeit senken, nicht benötigte Programme schließen.\n"
        "3. Über Nacht vollständig laden. Bleibt es so: Ticket erstellen.",
        Audience.TEACHERS,
    ),
    "Beamer zeigt kein Bild": (
        "Kein Bild am Beamer",
        "Der Beamer läuft, die Leinwand zeigt aber „Kein Signal“ oder bleibt blau.",
        "1. Mit der Fernbedienung die Quelle „HDMI 1“ wählen.\n"
        "2. Das HDMI-Kabel an Wand und Notebook fest einstecken.\n"
        "3. Am Notebook Windows+P drücken und „Duplizieren“ wählen.",
        Audience.TEACHERS,
    ),
    "Touch am ActivPanel reagiert nicht": (
        "ActivPanel: Touch reagiert nicht oder nur am Rand",
        "Stift und Finger werden nicht oder an der falschen Stelle erkannt.",
        "Im Menü des Panels „Einstellungen > Touch > Kalibrieren“ ausführen; danach die "
        "Firmware über das Verwaltungsportal aktualisieren. Das USB-Touch-Kabel zum "
        "Zuspieler prüfen.",
        Audience.SUPPORT,
    ),
    "AirPlay findet die Tafel nicht": (
        "AirPlay: Das iPad findet die Tafel nicht",
        "Das iPad zeigt das Apple TV des Raums nicht unter „Bildschirmsynchronisierung“.",
        "1. Prüfen, ob das iPad im Schul-WLAN ist (nicht im Gäste-WLAN).\n"
        "2. WLAN am iPad kurz aus- und wieder einschalten.\n"
        "3. Das Apple TV am Strom kurz trennen und eine Minute warten.",
        Audience.TEACHERS,
    ),
    "WLAN im Raum sehr langsam": (
        "WLAN im Klassenraum bricht bei vielen Geräten ein",
        "Ab etwa 20 Geräten wird das WLAN im Raum sehr langsam oder bricht ab.",
        "Access Point im Controller neu starten und einen freien Kanal wählen; hilft das "
        "nicht, mit Gerätezahl, Raum und Uhrzeit an das Systemhaus eskalieren (Kanalplan).",
        Audience.SUPPORT,
    ),
    "Drucker druckt nur leere Seiten": (
        "Drucker druckt leere Seiten",
        "Die Aufträge kommen am Drucker an, die Seiten bleiben aber weiß.",
        "Tonerkartusche herausnehmen, kräftig schütteln und wieder einsetzen; die "
        "Trommel mit dem grünen Schieber reinigen. Bleiben die Seiten leer: Ticket.",
        Audience.TEACHERS,
    ),
}


def seed_knowledge(
    rng: random.Random,
    now: datetime,
    managers: dict[int, User],
    teachers: list[User],
    admin: User,
    today: date,
) -> None:
    """Articles from solved tickets of the kinds above, their uses, ratings of closed
    tickets, and the survey rounds."""
    solved = list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.status.in_([TicketStatus.RESOLVED, TicketStatus.CLOSED]))
            .order_by(Ticket.resolved_at, Ticket.id)
        )
    )
    # One article every six weeks or so, from the first solved ticket of its kind after
    # that date: the knowledge base grows through the year.
    articles = {}
    for number, kind in enumerate(ARTICLES):
        due = now - timedelta(days=330 - 45 * number)
        source = next(
            (t for t in solved if t.title == kind and t.resolved_at >= due),
            next((t for t in solved if t.title == kind), None),
        )
        if source is None:
            continue
        title, symptoms, steps, audience = ARTICLES[kind]
        author = managers[source.campus_id] if source.resolved_level == 1 else source.assignee
        articles[kind] = create_article(
            author,
            source,
            title=title,
            symptoms=symptoms,
            steps=steps,
            audience=audience,
            now=source.resolved_at + timedelta(hours=2),
        )
    # Later tickets of the same kind: the article helped on every other one (written as a
    # restore would: marked while the ticket was open, which it no longer is).
    for ticket in solved:
        article = articles.get(ticket.title)
        if article is None or ticket.resolved_at <= article.created_at or rng.random() < 0.5:
            continue
        db.session.add(
            ArticleUse(
                article=article,
                kind=UseKind.APPLIED,
                level=ticket.resolved_level,
                campus_id=ticket.campus_id,
                school_id=ticket.school_id,
                ticket=ticket,
                at=ticket.resolved_at - timedelta(minutes=10),
            )
        )
    # Teachers help themselves with the teachers' articles, more often as they get known.
    key = 0
    for article in articles.values():
        if article.audience != Audience.TEACHERS:
            continue
        day = article.created_at + timedelta(days=rng.uniform(2, 9))
        while day < now:
            key += 1
            teacher = rng.choice(teachers)
            record_use(teacher, article, once_key=f"demo-self-help-{key}", now=day)
            day += timedelta(days=rng.uniform(4, 16))
    _rate(rng, solved)
    _surveys(rng, admin, teachers, today)


def _rate(rng: random.Random, solved: list[Ticket]) -> None:
    """Two in three teachers rate a closed ticket's solution; most are content."""
    comments = ["Schnell und freundlich, danke!", "Hat etwas gedauert, aber jetzt geht es."]
    for ticket in solved:
        if ticket.status != TicketStatus.CLOSED or rng.random() < 0.35:
            continue
        up = rng.random() < 0.84
        comment = rng.choice(comments) if rng.random() < 0.15 else ""
        when = (ticket.closed_at or ticket.resolved_at) + timedelta(hours=rng.uniform(0, 20))
        give_feedback(ticket.reporter, ticket, up, comment, now=when)


def _surveys(rng: random.Random, admin: User, teachers: list[User], today: date) -> None:
    """A finished spring round that most teachers answered, and a running one that the
    documented teacher login has not answered yet."""
    with force_locale("de"):
        questions = [(str(text), str(low), str(high)) for text, low, high in DEFAULT_QUESTIONS]
    spring = date(today.year, 3, 2)
    if spring + timedelta(days=25) >= today:
        spring = date(today.year - 1, 3, 2)
    done = open_survey(
        admin, "Digitaler Unterricht – Frühjahr", spring, spring + timedelta(days=25), questions
    )
    for n, teacher in enumerate(teachers[1:]):
        if rng.random() < 0.2:
            continue
        use = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 5, 3])[0]
        trust = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 5, 4])[0]
        values = dict(zip([q.id for q in done.questions], [use, trust], strict=True))
        answer_survey(teacher, done, values, done.opens_on + timedelta(days=n % 20))
    running = open_survey(
        admin,
        "Digitaler Unterricht – Herbst",
        today - timedelta(days=6),
        today + timedelta(days=24),
        questions,
    )
    for teacher in teachers[1:12]:
        values = {q.id: rng.randint(3, 5) for q in running.questions}
        answer_survey(teacher, running, values, today - timedelta(days=rng.randint(0, 6)))
