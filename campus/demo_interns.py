"""The demo's pupil intern (issue 19): Lea, in a two-week internship with the documented
campus manager, a plan for the current week, and two tickets in progress (one with a
proposed solution waiting for approval)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from campus.extensions import db
from campus.interns.plan import fill_week
from campus.models import Category, Impact, Internship, Role, School, User
from campus.tickets import intern_work
from campus.tickets.filing import report_ticket

BERLIN = ZoneInfo("Europe/Berlin")
TICKETS = (
    ("Tablet verbindet sich nicht mit dem WLAN", Category.NETWORK_WIFI,
     "Das Tablet 7b-12 findet das Schul-WLAN, die Anmeldung schlägt aber fehl."),
    ("Drucker im Lehrerzimmer druckt nur leere Seiten", Category.PRINTER,
     "Seit dem Tonerwechsel kommen nur leere Blätter heraus."),
)  # fmt: skip


def seed_interns(now: datetime, manager: User, password_hash: str) -> None:
    today = now.astimezone(BERLIN).date()
    monday = today - timedelta(days=today.weekday())
    intern = User(
        email="intern@demo.test",
        display_name="Lea Schneider (Praktikantin)",
        role=Role.INTERN,
        password_hash=password_hash,
        access_from=monday,
        access_until=monday + timedelta(days=11),
    )
    db.session.add(intern)
    internship = Internship(
        intern=intern,
        supervisor=manager,
        starts_on=monday,
        ends_on=monday + timedelta(days=11),
        created_by_id=manager.id,
    )
    db.session.add(internship)
    db.session.flush()
    fill_week(manager, internship, monday)
    school = db.session.scalar(
        db.select(School).where(School.campus_id == manager.managed_campuses[0].id).limit(1)
    )
    teacher = db.session.scalar(
        db.select(User).where(User.school_id == school.id, User.role == Role.TEACHER).limit(1)
    )
    for number, (title, category, description) in enumerate(TICKETS):
        when = now - timedelta(hours=5 - number)
        ticket = report_ticket(
            teacher, title=title, description=description, category=category,
            impact=Impact.IMPAIRED, room="B 12", now=when,
        )  # fmt: skip
        intern_work.hand_over(manager, ticket, when + timedelta(minutes=20))
        intern_work.take(intern, ticket, when + timedelta(minutes=40))
        if number == 0:
            intern_work.propose(
                intern,
                ticket,
                "WLAN-Profil auf dem Tablet gelöscht und neu eingerichtet; Anmeldung klappt.",
                when + timedelta(hours=1),
            )
    db.session.flush()
