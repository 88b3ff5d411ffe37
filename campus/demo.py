"""A realistic, repeatable demo: three Dortmund-like campuses with a year of tickets.

Everything is drawn from a fixed random seed and anchored at "now", so a fresh demo always
looks current and the same run twice gives the same shape."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from werkzeug.security import generate_password_hash

from campus.demo_data import (
    CAMPUSES,
    CATEGORY_FOR_TYPE,
    DEVICE_MIX,
    FIRST_NAMES,
    LAST_NAMES,
    MODELS,
    PROBLEMS,
    ROOMS,
    TYPE_CODES,
)
from campus.demo_interns import seed_interns
from campus.demo_knowledge import seed_knowledge
from campus.demo_timetable import seed_timetable
from campus.extensions import db
from campus.models import (
    Campus,
    Category,
    Device,
    Impact,
    Role,
    Room,
    School,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from campus.tickets import services
from campus.tickets.filing import report_ticket
from campus.tickets.housekeeping import close_unconfirmed

DEMO_PASSWORD = "campus-demo"  # noqa: S105 - documented demo login
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Counts:
    campuses: int
    schools: int
    users: int
    devices: int
    tickets: int
    events: int


def current_counts() -> Counts:
    def count(model) -> int:
        return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0

    return Counts(
        count(Campus), count(School), count(User), count(Device), count(Ticket), count(TicketEvent)
    )


def demo_present() -> bool:
    return db.session.scalar(db.select(User.id).where(User.email == "admin@demo.test")) is not None


def seed_demo(now: datetime | None = None, seed: int = 2021) -> Counts:
    """Build the whole demo in the current session (flushes; the caller commits)."""
    rng = random.Random(seed)
    now = now or utcnow()
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: it is slow on purpose

    def person(email: str, name: str, role: Role, **kw) -> User:
        user = User(email=email, display_name=name, role=role, password_hash=password_hash, **kw)
        db.session.add(user)
        return user

    campuses, schools = [], []
    for number, (campus_name, school_rows) in enumerate(CAMPUSES.items()):
        campus = Campus(name=campus_name)
        db.session.add(campus)
        campuses.append(campus)
        for index, (name, short, address) in enumerate(school_rows):
            school = School(
                name=name,
                short_name=short,
                address=address,
                campus=campus,
                school_number=f"1{number + 7}{index:02d}{rng.randint(10, 99)}",
            )
            db.session.add(school)
            schools.append(school)

    admin = person("admin@demo.test", "Dana Admin (Schulverwaltungsamt)", Role.ADMIN)
    managers = [
        person(
            "manager@demo.test", "Marco Brandt", Role.CAMPUS_MANAGER, managed_campuses=[campuses[0]]
        ),
        person(
            "manager2@demo.test",
            "Leonie Aydın",
            Role.CAMPUS_MANAGER,
            managed_campuses=[campuses[1]],
        ),
        person(
            "manager3@demo.test", "Tobias Kühn", Role.CAMPUS_MANAGER, managed_campuses=[campuses[2]]
        ),
    ]
    system_house = [
        person("systemhouse@demo.test", "Sabine Hartmann (Systemhaus)", Role.SYSTEM_HOUSE),
        person("systemhouse2@demo.test", "Kemal Arslan (Systemhaus)", Role.SYSTEM_HOUSE),
    ]
    teachers = [person("teacher@demo.test", "Tina Lehmann", Role.TEACHER, school=schools[0])]
    used = {"teacher@demo.test"}
    while len(teachers) < 60:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        school = schools[len(teachers) % len(schools)]
        email = f"{_ascii(first)}.{_ascii(last)}@{school.short_name.lower()}.demo.test"
        if email in used:
            continue
        used.add(email)
        teachers.append(person(email, f"{first} {last}", Role.TEACHER, school=school))

    devices_by_school: dict[int, list[Device]] = {}
    for school in schools:
        devices = []
        for n in range(20):
            kind = DEVICE_MIX[n % len(DEVICE_MIX)]
            device = Device(
                school=school,
                type=kind,
                room=rng.choice(ROOMS),
                inventory_number=f"{school.short_name}-{TYPE_CODES[kind]}-{n + 1:04d}",
                serial_number=f"{rng.choice('CDFGHJKLMNPQR')}{rng.randint(10**9, 10**10 - 1)}",
                model=rng.choice(MODELS[kind]),
            )
            db.session.add(device)
            devices.append(device)
        devices_by_school[id(school)] = devices
        for name in sorted({device.room for device in devices}):
            db.session.add(Room(school=school, name=name))  # each gets its QR room sign
    db.session.flush()

    manager_of = {c.id: m for c, m in zip(campuses, managers, strict=True)}
    seed_timetable(
        admin,
        managers,
        {m.id: [s for s in schools if s.campus_id == c] for c, m in manager_of.items()},
        now.astimezone(BERLIN).date(),
    )
    teachers_by_school: dict[int, list[User]] = {}
    for teacher in teachers:
        teachers_by_school.setdefault(teacher.school.id, []).append(teacher)

    story = _Story(rng, now)
    for _ in range(650):
        school = rng.choice(schools)
        reporter = rng.choice(teachers_by_school[school.id])
        device = rng.choice(devices_by_school[id(school)]) if rng.random() < 0.85 else None
        category = (
            CATEGORY_FOR_TYPE[device.type]
            if device
            else rng.choice([Category.ACCOUNT_LOGIN, Category.SOFTWARE_APP, Category.NETWORK_WIFI])
        )
        story.play(
            reporter,
            device,
            category,
            rng.choice(PROBLEMS[category]),
            manager_of[school.campus_id],
            rng.choice(system_house),
        )
    # The documented teacher login has something going on in every open state.
    demo_teacher, home = teachers[0], schools[0]
    for stop in ("new", "waiting", "in_progress", "escalated", "resolved"):
        device = rng.choice(devices_by_school[id(home)])
        category = CATEGORY_FOR_TYPE[device.type]
        story.play(
            demo_teacher,
            device,
            category,
            rng.choice(PROBLEMS[category]),
            manager_of[home.campus_id],
            system_house[0],
            stop=stop,
        )
    db.session.flush()
    seed_knowledge(rng, now, manager_of, teachers, admin, now.astimezone(BERLIN).date())
    seed_interns(now, managers[0], password_hash)  # flushes
    return current_counts()


def _ascii(name: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "Ö": "Oe"})
    return name.translate(table).lower()


class _Story:
    """Plays one ticket's life through the workflow services, back-dated to a school day."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now

    def _school_time(self, days_ago: float) -> datetime:
        day = (self.now - timedelta(days=days_ago)).astimezone(BERLIN)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        local = day.replace(hour=self.rng.randint(7, 14), minute=self.rng.randint(0, 59))
        return min(local.astimezone(self.now.tzinfo), self.now - timedelta(minutes=30))

    def _later(self, when: datetime, hours: float) -> datetime:
        return min(when + timedelta(hours=hours), self.now - timedelta(minutes=1))

    def play(self, reporter, device, category, problem, manager, admin, stop=None) -> None:
        rng = self.rng
        title, description, fix1, fix2 = problem
        # One ticket in eight is from the last two weeks; those stop in an open state.
        recent = stop is not None or rng.random() < 0.12
        age = rng.uniform(0.1, 14) if recent else rng.uniform(14, 365)
        if stop is None:
            stop = (
                rng.choice(["new", "in_progress", "waiting", "escalated", "l2", "resolved"])
                if recent
                else "done"
            )
        t = self._school_time(age)
        ticket = report_ticket(
            reporter,
            title=title,
            description=description,
            category=category,
            impact=rng.choices(list(Impact), weights=[3, 5, 2])[0],
            room=device.room if device else rng.choice(ROOMS),
            device_id=device.id if device else None,
            now=t,
        )
        if stop == "done" and rng.random() < 0.05:
            services.cancel(
                reporter, ticket, "Hat sich erledigt, war ein Bedienfehler.", now=self._later(t, 2)
            )
            return
        if stop == "new":
            return
        t = self._later(t, rng.uniform(0.2, 6))
        services.claim(manager, ticket, now=t)
        if stop == "waiting" or rng.random() < 0.2:
            t = self._later(t, rng.uniform(0.5, 4))
            services.wait(
                manager,
                ticket,
                "Seit wann tritt das auf, und betrifft es auch andere Geräte?",
                now=t,
            )
            if stop == "waiting":
                return
            t = self._later(t, rng.uniform(1, 20))
            services.reply(reporter, ticket, "Seit Montag, nur dieses Gerät.", now=t)
        if stop == "in_progress":
            return
        # The managers' expertise grows: a year ago 45 % went to the system house, now 25 %.
        escalation_chance = 0.25 + 0.2 * age / 365
        escalate = stop in ("escalated", "l2") or (
            stop == "done" and rng.random() < escalation_chance
        )
        if not escalate:
            t = self._later(t, rng.uniform(1, 48))
            services.resolve(manager, ticket, fix1, now=t)
            if stop == "done" and rng.random() < 0.07:
                # Not fixed after all: the teacher reopens, the manager tries once more.
                t = self._later(t, rng.uniform(2, 30))
                services.reopen(reporter, ticket, "Das Problem ist wieder da.", now=t)
                if rng.random() < 0.5:
                    t = self._later(t, rng.uniform(1, 24))
                    services.resolve(manager, ticket, fix1, now=t)
                else:
                    escalate = True
            if not escalate:
                self.answer(ticket, reporter, t)
                return
        t = self._later(t, rng.uniform(1, 24))
        services.escalate(
            manager,
            ticket,
            {
                "symptoms": description,
                "steps_tried": "Neustart, Kabel und Netzteil getauscht, Einstellungen geprüft.",
                "device_data": (
                    f"{device.inventory_number}, {device.model}, SN {device.serial_number}"
                    if device
                    else "Kein Gerät (Konto/Dienst)"
                ),
                "reproduce": "Tritt bei jedem Start auf; im Raum nachvollzogen.",
            },
            now=t,
        )
        if stop == "escalated":
            return
        t = self._later(t, rng.uniform(2, 72))
        services.claim(admin, ticket, now=t)
        if stop == "l2":
            return
        t = self._later(t, rng.uniform(4, 120))
        services.resolve(admin, ticket, fix2, l1_capable=rng.random() < 0.2, now=t)
        self.answer(ticket, reporter, t)

    def answer(self, ticket: Ticket, reporter: User, resolved: datetime) -> None:
        """Most teachers confirm; the rest are closed automatically after 7 days."""
        if (self.now - resolved).days < 7:
            return  # still awaiting the teacher's confirmation
        if self.rng.random() < 0.6:
            services.confirm(reporter, ticket, now=self._later(resolved, self.rng.uniform(1, 48)))
        else:
            close_unconfirmed(ticket, now=resolved + timedelta(days=7, hours=1))
