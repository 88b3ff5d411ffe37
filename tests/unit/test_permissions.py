"""Every access rule agrees with its list twin, for every role; routes and templates ask them.

The pattern of tests/functional/test_ticket_access.py (can_view_ticket against
visible_tickets), for the rules about people, schools and devices.
"""

import re
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from campus import permissions
from campus.extensions import db
from campus.models import Article, Device, School, User

ROLES = [
    "teacher",
    "other_teacher",
    "far_teacher",
    "manager",
    "colleague",
    "far_manager",
    "system_house",
    "admin",
]


@pytest.fixture
def people(world, make_school):
    """The world's users, a deactivated manager, and a third school on the managers' campus."""
    make_school(world.teacher.school.campus)
    world.colleague.active = False  # deactivated: may no longer edit or hold anything
    db.session.commit()
    return [getattr(world, role) for role in ROLES]


def schools() -> list[School]:
    return list(db.session.scalars(select(School)))


def everyone() -> list[User]:
    return list(db.session.scalars(select(User)))


def user_ids(query) -> set[int]:
    return set(db.session.scalars(query.with_only_columns(User.id)))


@pytest.mark.parametrize("role", ROLES)
def test_people_predicates_agree_with_their_user_lists(world, people, role):
    user = getattr(world, role)
    for predicate, twin in (
        (permissions.is_admin, permissions.administrators),
        (permissions.reports_problems, permissions.reporters),
        (permissions.manages_a_campus, permissions.managers),
        (permissions.works_at_level_two, permissions.level_two_staff),
    ):
        assert predicate(user) == (user.id in user_ids(twin(select(User)))), predicate.__name__
    for school in schools():
        manages_it = user.id in user_ids(permissions.managers(select(User), school.campus_id))
        assert manages_it == (
            permissions.manages_a_campus(user) and school.campus_id in user.campus_ids
        )


def test_each_active_person_does_exactly_one_kind_of_work(people):
    for user in people:
        kinds = [
            permissions.reports_problems(user),
            permissions.manages_a_campus(user),
            permissions.works_at_level_two(user),
            permissions.is_admin(user),
        ]
        assert kinds.count(True) == (1 if user.active else 0), user
        assert permissions.is_support(user) == (kinds[1] or kinds[2])
        assert permissions.works_a_queue(user) == (user.active and not kinds[0])


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_can_view_school_agrees_with_visible_schools(world, people, role):
    user = AnonymousUserMixin() if role == "anonymous" else getattr(world, role)
    visible = set(db.session.scalars(permissions.visible_schools(user, select(School.id))))
    assert visible == {s.id for s in schools() if permissions.can_view_school(user, s)}
    if role in ("teacher", "other_teacher", "far_teacher"):
        assert visible == {user.school_id}
    if role in ("system_house", "admin"):
        assert visible == {s.id for s in schools()}


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_can_view_device_agrees_with_visible_devices(world, people, role):
    user = AnonymousUserMixin() if role == "anonymous" else getattr(world, role)
    for school in schools():
        db.session.add(Device(school=school, type="tablet", inventory_number=f"T-{school.id}"))
    db.session.commit()
    visible = set(db.session.scalars(permissions.visible_devices(user, select(Device.id))))
    devices = db.session.scalars(select(Device)).all()
    assert visible == {d.id for d in devices if permissions.can_view_device(user, d)}


def test_can_edit_devices_agrees_with_device_editors(world, people):
    for school in schools():
        editors = user_ids(permissions.device_editors(school))
        assert editors == {u.id for u in everyone() if permissions.can_edit_devices(u, school)}
    own = world.teacher.school
    assert user_ids(permissions.device_editors(own)) == {world.manager.id, world.admin.id}
    assert not permissions.can_edit_devices(AnonymousUserMixin(), own)


def test_assignable_people_agree_with_can_be_assigned(world, people):
    for state in ("new", "escalated"):
        ticket = world.ticket(state)
        listed = user_ids(permissions.assignable_people(ticket))
        allowed = {u for u in everyone() if permissions.can_be_assigned(u, ticket, ticket.level)}
        assert listed == {u.id for u in allowed}
        assert listed  # someone can take it on


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_can_read_article_agrees_with_visible_articles(world, people, role):
    user = AnonymousUserMixin() if role == "anonymous" else getattr(world, role)
    for audience in ("teachers", "support"):
        for status in ("active", "retired"):
            db.session.add(
                Article(
                    title="T",
                    symptoms="S",
                    steps="St",
                    category="other",
                    audience=audience,
                    status=status,
                    created_by=world.manager,
                )
            )
    db.session.commit()
    articles = db.session.scalars(select(Article)).all()
    visible = set(db.session.scalars(permissions.visible_articles(user, select(Article.id))))
    assert visible == {a.id for a in articles if permissions.can_read_article(user, a)}
    expected = {"teacher": 1, "other_teacher": 1, "far_teacher": 1, "admin": 4, "anonymous": 0}
    assert len(visible) == expected.get(role, 4 if getattr(user, "active", False) else 0)


def test_can_edit_articles_agrees_with_article_editors(world, people):
    editors = user_ids(permissions.article_editors(select(User)))
    assert editors == {u.id for u in everyone() if permissions.can_edit_articles(u)}
    assert editors == {
        world.manager.id,
        world.far_manager.id,
        world.system_house.id,
        world.system_house2.id,
    }
    levels = {u.email: permissions.article_use_level(u) for u in everyone()}
    assert levels[world.teacher.email] == 0 and levels[world.admin.email] is None
    assert (levels[world.manager.email], levels[world.system_house.email]) == (1, 2)


# --- role names stay inside the rules ------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
ROLE_NAME = r"""(?:Role\.\w+|["'](?:teacher|campus_manager|system_house|admin)["'])"""
# `x.role == "teacher"`, `x.role != Role.ADMIN`, `x.role in (...)`, `x.role not in [...]`
PYTHON_COMPARISON = re.compile(
    rf"\.role\s*(?:==|!=)\s*{ROLE_NAME}|{ROLE_NAME}\s*(?:==|!=)\s*\w+\.role\b"
    r"|\.role\s+(?:not\s+)?in\b"
)
TEMPLATE_COMPARISON = re.compile(
    r"\.role\s*(?:==|!=)|\.role\s+(?:not\s+)?in\b"
    rf"|(?:==|!=)\s*{ROLE_NAME}|{ROLE_NAME}\s*(?:==|!=)"
)
ROLE_CONSTANT = re.compile(r"\bRole\.[A-Z]")
# Where role names are data, not access rules: the rules themselves, the models, what an
# administrator saves, demo data and the command line.
EXEMPT = {
    "campus/permissions.py",
    "campus/admin/services.py",
    "campus/cli.py",
    "campus/schemas.py",
}


def _exempt(path: str) -> bool:
    return (
        path in EXEMPT
        or path.startswith("campus/models/")
        or re.fullmatch(r"campus/demo\w*\.py", path) is not None
    )


def _offences(paths, *patterns) -> list[str]:
    found = []
    for path in paths:
        relative = path.relative_to(ROOT).as_posix()
        if _exempt(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(pattern.search(line) for pattern in patterns):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def _route_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "campus").rglob("*.py")) if ".route(" in p.read_text()]


def test_no_role_names_compared_outside_the_rules():
    """Ask campus/permissions.py (a predicate, or a list filter) instead."""
    python = sorted((ROOT / "campus").rglob("*.py"))
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 10 and ROOT / "campus/devices/inventory.py" in _route_modules()
    offences = _offences(python, PYTHON_COMPARISON)
    offences += _offences(_route_modules(), ROLE_CONSTANT)
    offences += _offences(templates, TEMPLATE_COMPARISON)
    assert offences == []


@pytest.mark.parametrize(
    "line",
    [
        'if current_user.role == "teacher":',
        "if current_user.role != 'system_house':",
        "if actor.role != Role.ADMIN:",
        "return user.role in (Role.ADMIN, Role.CAMPUS_MANAGER)",
        "if Role.TEACHER == user.role:",
    ],
)
def test_the_guard_recognises_role_comparisons(line):
    assert PYTHON_COMPARISON.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "{% if current_user.role == 'teacher' %}",
        "{%- elif current_user.role != 'admin' %}",
        "{% if user.role in ['admin', 'teacher'] %}",
        "{% if role == 'campus_manager' %}",
    ],
)
def test_the_guard_recognises_role_comparisons_in_templates(line):
    assert TEMPLATE_COMPARISON.search(line)


@pytest.mark.parametrize(
    "module", ["permissions.py", "permissions_knowledge.py", "permissions_interns.py"]
)
def test_the_rules_never_answer_http(module):
    source = (ROOT / "campus" / module).read_text()
    assert "abort(" not in source and "from flask import" not in source
