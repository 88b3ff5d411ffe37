"""What a provider's claims say about a person: role and school(s) by the provider's
settings, a verified address and a name; and where in Campus that puts the person, or
the reason it puts them nowhere (a teacher needs a school Campus knows)."""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campus.extensions import db
from campus.models import Role, School, User, is_plain_address, normalize_email
from campus.permissions import is_admin, manages_a_campus
from campus.privacy.anonymise import is_placeholder_address
from campus.sso.errors import SignInRefused
from campus.sso.providers import Provider

RANK = {Role.SYSTEM_HOUSE: 3, Role.CAMPUS_MANAGER: 2, Role.TEACHER: 1}


@dataclass
class Placement:
    """Where the claims put a person."""

    mapped: Role | None  # the role a mapped claim value gives (the highest), if any
    default: Role | None  # the provider's role for a new person without a mapped value
    schools: list[School]  # known schools the claims name, in their order
    numbers: list[str]  # the school numbers the claims name
    by_school: bool  # the provider names schools at all (a school claim is configured)


def _values(claims: Mapping, name: str | None) -> list[str]:
    if not name:
        return []
    value = claims.get(name)
    items = value if isinstance(value, list | tuple) else [value]
    return [str(item).strip() for item in items if isinstance(item, str | int) and str(item)]


def placement(provider: Provider, claims: Mapping) -> Placement:
    numbers = []
    for value in _values(claims, provider.school_claim):
        if provider.school_prefix:
            if not value.startswith(provider.school_prefix):
                continue
            value = value.removeprefix(provider.school_prefix)
        if value and value not in numbers:
            numbers.append(value[:20])
    by_number = {}
    if numbers:
        by_number = {
            s.school_number: s
            for s in db.session.scalars(select(School).where(School.school_number.in_(numbers)))
        }
    mapped = [
        Role(provider.roles[v]) for v in _values(claims, provider.role_claim) if v in provider.roles
    ]
    return Placement(
        mapped=max(mapped, key=RANK.__getitem__) if mapped else None,
        default=Role(provider.default_role) if provider.default_role else None,
        schools=[by_number[n] for n in numbers if n in by_number],
        numbers=numbers,
        by_school=provider.school_claim is not None,
    )


def refused(message, reason: str) -> SignInRefused:
    return SignInRefused(message, reason)


def _no_place(place: Placement, role: Role | None) -> SignInRefused:
    if role is None:
        return refused(
            _l("Your school account gives you no role in Campus. Please ask the administration."),
            "no role",
        )
    if role == Role.TEACHER:
        return refused(
            _l(
                "Your school account does not place you at a school Campus knows "
                "(school number: %(numbers)s). Please ask your school's administration.",
                numbers=", ".join(place.numbers) or "–",
            ),
            "unknown school",
        )
    return refused(
        _l(
            "Your school account makes you a campus manager but names no school of a "
            "campus (school number: %(numbers)s). Please ask the administration.",
            numbers=", ".join(place.numbers) or "–",
        ),
        "no campus",
    )


def where_to(user: User | None, place: Placement):
    """(role, school, campuses) for the person, or a refusal.

    Administrators stay as they are. A mapped claim value sets the role; without one a
    linked person keeps theirs and a new one gets the provider's default. A teacher's
    school follows the school claim (kept when the provider names no schools at all); a
    campus manager's campuses are those of the claimed schools (kept when none)."""
    if user is not None and is_admin(user):
        return Role.ADMIN, user.school, list(user.managed_campuses)
    role = place.mapped or (user.role if user is not None else place.default)
    if role == Role.TEACHER:
        current = user.school if user is not None else None
        if not place.by_school:
            school = current
        else:
            school = current if current in place.schools else next(iter(place.schools), None)
        return (role, school, []) if school is not None else _no_place(place, role)
    if role == Role.CAMPUS_MANAGER:
        campuses = sorted({s.campus for s in place.schools}, key=lambda c: c.name)
        if not campuses and user is not None and manages_a_campus(user):
            campuses = list(user.managed_campuses)
        return (role, None, campuses) if campuses else _no_place(place, role)
    if role == Role.SYSTEM_HOUSE:
        return role, None, []
    return _no_place(place, None)


def address(provider: Provider, claims: Mapping) -> str | None:
    """The person's address, if the provider vouches for it: verified, one plain ASCII
    address (lower-casing a look-alike such as the Kelvin sign in "\u212aarl@" would
    make it another person's "karl@")."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.isascii():
        return None
    email = normalize_email(email)
    verified = claims.get("email_verified") is True or provider.trust_email
    if not verified or not is_plain_address(email) or is_placeholder_address(email):
        return None
    return email


def display_name(claims: Mapping, fallback: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return " ".join(name.split())[:120] or fallback
