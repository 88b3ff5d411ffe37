"""Administration rules: campuses, schools and users, with their invariants."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from campus.audit import audit, person
from campus.auth.invitations import (
    is_invited,
    send_invitation,
    send_invitation_again,
    unusable_password,
)
from campus.auth.services import check_new_password
from campus.auth.tokens import revoke_all_tokens
from campus.events import (
    ReportSettingsChanged,
    SchoolMoved,
    TimetableChanged,
    UserDeactivated,
    UserPlacementChanged,
)
from campus.exceptions import Conflict, ErrorCollector, InvalidInput, NotAllowed
from campus.extensions import db
from campus.models import (
    AuditAction,
    Campus,
    Category,
    CategorySetting,
    Role,
    School,
    Ticket,
    User,
    is_plain_address,
    normalize_email,
    utcnow,
)
from campus.permissions import can_administer, can_deactivate
from campus.privacy.anonymise import is_placeholder_address, refuse_if_pseudonymised
from campus.unit_of_work import record


def system_actor() -> User:
    """The acting administrator for set-up done on the server (CLI, demo); never stored."""
    return User(id=0, email="system@localhost", display_name="System", role=Role.ADMIN, active=True)


def _require_admin(actor: User) -> None:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators may change campuses, schools and users."))


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _require_name(name: str, field: str = "name") -> str:
    name = _clean(name)
    if not name:
        raise InvalidInput(_l("Please enter a name."), field=field)
    return name


# --- campuses --------------------------------------------------------------


def save_campus(actor: User, name: str, campus: Campus | None = None) -> Campus:
    """Create a campus, or rename `campus`; names are unique."""
    _require_admin(actor)
    name = _require_name(name)
    clash = db.session.scalar(db.select(Campus).where(func.lower(Campus.name) == name.lower()))
    if clash is not None and clash is not campus:
        raise Conflict(_l("A campus with this name already exists."), field="name")
    if campus is None:
        campus = Campus(name=name)
        db.session.add(campus)
    else:
        campus.name = name
    db.session.flush()
    return campus


# --- schools ---------------------------------------------------------------


def save_school(
    actor: User,
    *,
    name: str,
    short_name: str,
    school_number: str,
    address: str,
    campus_id: int | None,
    school: School | None = None,
) -> School:
    """Create or edit a school; every school belongs to exactly one campus."""
    _require_admin(actor)
    problems = ErrorCollector()
    name, short_name, school_number = _clean(name), _clean(short_name), _clean(school_number)
    if not name:
        problems.add("name", _l("Please enter a name."))
    if not short_name:
        problems.add("short_name", _l("Please enter a short name (it is printed on labels)."))
    if not school_number.isdigit():
        problems.add("school_number", _l("The school number consists of digits only."))
    else:
        clash = db.session.scalar(db.select(School).where(School.school_number == school_number))
        if clash is not None and clash is not school:
            problems.add("school_number", _l("Another school already has this school number."))
    campus = db.session.get(Campus, campus_id) if campus_id else None
    if campus is None:
        problems.add("campus_id", _l("Please choose the campus this school belongs to."))
    problems.raise_if_any()

    moved_from = None
    new = school is None
    if school is None:
        school = School(campus=campus)
        db.session.add(school)
    elif school.campus_id != campus.id:
        # Tickets carry their campus for fast queues and reports: move them along.
        moved_from = school.campus_id
        for ticket in db.session.scalars(db.select(Ticket).where(Ticket.school_id == school.id)):
            ticket.campus_id = campus.id
        school.campus = campus
    school.name = name
    school.short_name = short_name
    school.school_number = school_number
    school.address = _clean(address)
    db.session.flush()
    if new:  # its plan of the coming weeks: the holidays, until visits are planned
        record(TimetableChanged(at=utcnow(), school_ids=(school.id,)))
    if moved_from is not None:
        record(
            SchoolMoved(
                at=utcnow(), school=school, old_campus_id=moved_from, new_campus_id=campus.id
            )
        )
    return school


# --- users -----------------------------------------------------------------


def save_user(
    actor: User,
    *,
    email: str,
    display_name: str,
    role: str,
    school_id: int | None = None,
    campus_ids: list[int] | None = None,
    password: str | None = None,
    user: User | None = None,
    invite: bool = False,
) -> User:
    """Create or edit a user with the placement their role needs. A teacher belongs to one
    school; a campus manager to one or more campuses; system-house staff and
    administrators to neither. A new user without a password
    needs `invite`: the account gets no usable password and its owner an invitation
    mail (in this unit of work) with a link to set one.
    """
    _require_admin(actor)
    refuse_if_pseudonymised(user)
    problems = ErrorCollector()
    email = normalize_email(email or "")
    display_name = _clean(display_name)
    if not looks_like_email(email):
        problems.add("email", _l("Please enter a valid email address."))
    else:
        clash = db.session.scalar(db.select(User).where(User.email == email))
        if clash is not None and clash is not user:
            problems.add("email", _l("A user with this email address already exists."))
    if not display_name:
        problems.add("display_name", _l("Please enter a name."))
    if role not in set(Role) - {Role.INTERN} or (user is not None and user.role == Role.INTERN):
        problems.add(  # interns are set up, and changed, as internships (campus/interns/)
            "role",
            _l("Unknown role: choose teacher, campus manager, system house or administrator."),
        )
    elif user is not None and user.id == actor.id and role != Role.ADMIN:
        problems.add("role", _l("You cannot take away your own administrator role."))

    school = None
    campuses: list[Campus] = []
    if role == Role.TEACHER:
        school = db.session.get(School, school_id) if school_id else None
        if school is None:
            problems.add("school_id", _l("A teacher must belong to a school."))
    elif role == Role.CAMPUS_MANAGER:
        ids = sorted(set(campus_ids or []))
        if ids:
            campuses = list(db.session.scalars(db.select(Campus).where(Campus.id.in_(ids))))
        if not campuses or len(campuses) != len(ids):
            problems.add(
                "campus_ids", _l("A campus manager must be assigned to at least one campus.")
            )
    if user is None and not password and not invite:
        problems.add("password", _l("Please set an initial password."))
    elif password:
        problems.check(lambda: check_new_password(password, email, field="password"))
    problems.raise_if_any()

    created = user is None
    # Invited now: a new user without a password, or an invited one whose address was
    # corrected (the links already sent, perhaps to a stranger, are spent; a new one goes
    # to the new address).
    # An invited account's address changed: every link sent so far is spent, active or
    # not; a new invitation goes out only to an active one.
    respent = not created and not password and is_invited(user) and user.email != email
    invited = not password and (created or (respent and user.active))
    before = None if created else placement_text(user)
    if user is None:
        user = User(email=email, display_name=display_name, role=role)
        db.session.add(user)
    if invited or respent:
        user.password_hash = unusable_password()
    user.email = email
    user.display_name = display_name
    user.role = role
    if password:
        user.set_password(password)
        if user.id is not None:
            user.session_version += 1  # a reset password ends the user's sessions
            revoke_all_tokens(user)  # and what scripts did with the old one
    user.school = school
    user.managed_campuses = campuses
    db.session.flush()
    after = placement_text(user)
    if created:
        audit(AuditAction.USER_CREATED, actor=actor, subject=person(user), detail=after)
    elif before != after:
        audit(
            AuditAction.USER_CHANGED,
            actor=actor,
            subject=person(user),
            detail=f"{before} → {after}",
        )
    if password and not created:
        audit(AuditAction.PASSWORD_RESET, actor=actor, subject=person(user))
    record(UserPlacementChanged(at=utcnow(), user=user))
    if invited:
        send_invitation(actor, user)
    return user


def resend_invitation(actor: User, user: User) -> None:
    """Send an invited user's invitation once more (auth.invitations.send_invitation_again)."""
    _require_admin(actor)
    send_invitation_again(actor, user)


def placement_text(user: User) -> str:
    """Role and where the user belongs, for the audit trail."""
    if user.role == Role.TEACHER and user.school is not None:
        return f"{user.role}, {user.school.name}"
    if user.role == Role.CAMPUS_MANAGER:
        return f"{user.role}, " + ", ".join(sorted(c.name for c in user.managed_campuses))
    return str(user.role)


def looks_like_email(email: str) -> bool:
    return is_plain_address(email) and not is_placeholder_address(email)


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (ends all sessions, blocks login) or reactivate a user. Users are never
    hard-deleted; a deactivated one is pseudonymised later (campus/privacy/)."""
    _require_admin(actor)
    if not active and not can_deactivate(actor, user):
        raise NotAllowed(_l("You cannot deactivate your own account."))
    if active:
        refuse_if_pseudonymised(user)
    if user.active == active:
        return
    user.active = active
    user.deactivated_at = None if active else utcnow()
    user.session_version += 1
    db.session.flush()
    action = AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED
    audit(action, actor=actor, subject=person(user))
    if not active:
        record(UserDeactivated(at=utcnow(), user=user))


def ticket_count(user: User) -> int:
    """How many tickets a user reported (shown before deactivation)."""
    return (
        db.session.scalar(db.select(func.count(Ticket.id)).where(Ticket.reporter_id == user.id))
        or 0
    )


# --- report settings ---------------------------------------------------------


def set_l1_unresolvable_categories(actor: User, categories: list[str]) -> None:
    """Mark the categories level 1 cannot resolve by nature (left out of the net FLR)."""
    _require_admin(actor)
    unknown = set(categories) - set(Category)
    if unknown:
        raise InvalidInput(_l("Unknown category."), "categories")
    existing = {s.category: s for s in db.session.scalars(db.select(CategorySetting))}
    for category in Category:
        setting = existing.get(category) or CategorySetting(category=category)
        setting.l1_resolvable = category not in categories
        db.session.add(setting)
    db.session.flush()
    # The net figures of every past ticket change with this: rebuilt by a job after the
    # commit (on a million tickets it takes half a minute; the admin's page does not wait).
    record(ReportSettingsChanged(at=utcnow()))
