"""People who use Campus, with their role and where they belong."""

import re
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow
from campus.models.org import Campus, School, campus_managers


class Role(StrEnum):
    TEACHER = "teacher"
    CAMPUS_MANAGER = "campus_manager"
    SYSTEM_HOUSE = "system_house"
    ADMIN = "admin"
    INTERN = "intern"  # a pupil in an internship (campus/models/internship.py)


_PLAIN_ADDRESS = re.compile(
    r"[^\s@,;:<>\"()\[\]\\]+@[^\s@,;:<>\"()\[\]\\]+\.[^\s@,;:<>\"()\[\]\\]+"
)


def is_plain_address(email: str) -> bool:
    """Exactly one plain address: no list ("a@x, b@y"), no group ("a: b@y"), no name
    (a mail to such an "address" would go to others as well)."""
    return len(email) <= 254 and _PLAIN_ADDRESS.fullmatch(email) is not None


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively: store and look them up lower-cased."""
    return email.strip().lower()


DEFAULT_DIGEST_TIMES = "07:00,13:00"
BERLIN = ZoneInfo("Europe/Berlin")


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('teacher', 'campus_manager', 'system_house', 'admin', 'intern')",
            name="role",
        ),
        CheckConstraint("locale IS NULL OR locale IN ('de', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 20))
    active: Mapped[bool] = mapped_column(default=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Bumped on password change and deactivation: ends every other session of the user.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Privacy (campus/privacy/): when the account was deactivated (its personal data is
    # pseudonymised a set time later), and when that happened. A pseudonymised user keeps
    # its id (the figures count by it), nothing else about the person.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pseudonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Access for a period only (interns): the account works from the first to the last
    # day (Berlin time), and by itself no longer after it.
    access_from: Mapped[date | None] = mapped_column(Date)
    access_until: Mapped[date | None] = mapped_column(Date)
    # When this person's digest of notifications goes out (local times, "07:00,13:00").
    digest_times: Mapped[str] = mapped_column(
        String(60), default=DEFAULT_DIGEST_TIMES, server_default=DEFAULT_DIGEST_TIMES
    )

    # The key of this manager's private calendar feed (campus/timetable/feed.py); None:
    # no feed. A new key revokes the old address.
    calendar_key: Mapped[str | None] = mapped_column(String(32))

    school: Mapped[School | None] = relationship()
    managed_campuses: Mapped[list[Campus]] = relationship(
        secondary=campus_managers, back_populates="managers", order_by="Campus.name"
    )

    # Set from PASSWORD_HASH_METHOD by create_app(); tests use a cheaper real hash.
    password_method = "scrypt"  # noqa: S105 - a method name, not a password

    # An intern's internship (campus/models/internship.py), read when needed.
    internship: Mapped["Internship | None"] = relationship(  # noqa: F821
        primaryjoin="User.id == Internship.intern_id", uselist=False, viewonly=True
    )

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=self.password_method)

    def check_password(self, password: str) -> bool:
        if self.password_hash.startswith("!"):  # invited: no password set yet
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        """Active and within the access period, if there is one (Flask-Login, the session
        loader, the API's tokens and the login refuse everyone else)."""
        if not self.active:
            return False
        if self.access_from is None and self.access_until is None:
            return True
        today = datetime.now(BERLIN).date()
        return (self.access_from or today) <= today <= (self.access_until or today)

    # The token of this browser's login (campus/auth/sessions.py), set at login and when
    # the session is loaded; not a column.
    login_token: str = ""

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}.{self.login_token}"

    @property
    def campus_ids(self) -> list[int]:
        """Campuses this user belongs to: a teacher's school's, a manager's assigned ones."""
        if self.role == Role.CAMPUS_MANAGER:
            return [c.id for c in self.managed_campuses]
        if self.role == Role.INTERN:  # the supervisor's campuses, during the internship
            internship = self.internship
            return internship.supervisor.campus_ids if internship is not None else []
        if self.school is not None:
            return [self.school.campus_id]
        return []

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role}>"


class ApiToken(Base):
    """A personal token for the JSON API. Only its SHA-256 is stored; the token itself is
    shown once, when it is made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """One login in one browser. Logging out ends it for good: the session cookie, and a
    remember-me cookie made with it, no longer work, even copied elsewhere. Only the
    SHA-256 of the browser's token is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
