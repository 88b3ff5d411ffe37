"""Administrators manage campuses, schools and users; nobody else may."""

import pytest
from sqlalchemy import func

from campus.extensions import db
from campus.models import Campus, Role, School, Ticket, User
from tests.conftest import PASSWORD, field_errors, logged_in, login

ADMIN_PAGES = [
    "/admin/",
    "/admin/campuses",
    "/admin/campuses/new",
    "/admin/schools",
    "/admin/schools/new",
    "/admin/users",
    "/admin/users/new",
    "/admin/report-settings",
]


def count(model) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CAMPUS_MANAGER, Role.SYSTEM_HOUSE])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_forbidden_to_every_other_role(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CAMPUS_MANAGER, Role.SYSTEM_HOUSE])
def test_other_roles_cannot_post_to_admin_forms(client, login_as, role):
    login_as(role)
    before = count(Campus)
    response = client.post("/admin/campuses/new", data={"name": "Sneaky Campus"})
    assert response.status_code == 403
    assert count(Campus) == before


def test_anonymous_visitors_are_sent_to_login(client):
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/auth/login")


def test_admin_sees_every_admin_page(client, login_as, make_school):
    make_school()
    login_as(Role.ADMIN)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get("/").location == "/admin/"


def test_admin_creates_and_renames_a_campus(client, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/campuses/new", data={"name": "  Campus Nord  "})
    assert response.status_code == 302
    campus = db.session.scalar(db.select(Campus))
    assert campus.name == "Campus Nord"
    response = client.post(f"/admin/campuses/{campus.id}/edit", data={"name": "Campus Nordstadt"})
    assert response.status_code == 302
    db.session.refresh(campus)
    assert campus.name == "Campus Nordstadt"


@pytest.mark.parametrize("name", ["", "   "])
def test_campus_without_name_is_refused(client, login_as, name):
    login_as(Role.ADMIN)
    response = client.post("/admin/campuses/new", data={"name": name})
    assert response.status_code == 422
    assert "name" in field_errors(response.text)
    assert count(Campus) == 0


def test_duplicate_campus_name_is_refused(client, login_as, make_campus):
    make_campus("Campus Hörde")
    login_as(Role.ADMIN)
    response = client.post("/admin/campuses/new", data={"name": "campus hörde"})
    assert response.status_code == 422
    assert "name" in field_errors(response.text)
    assert count(Campus) == 1


def school_data(campus_id, **overrides):
    data = {
        "name": "Gesamtschule Scharnhorst",
        "short_name": "GSS",
        "school_number": "192837",
        "address": "Mackenrothweg 15, 44328 Dortmund",
        "campus_id": str(campus_id),
    }
    data.update(overrides)
    return data


def test_admin_creates_a_school_in_a_campus(client, login_as, make_campus):
    campus = make_campus()
    login_as(Role.ADMIN)
    response = client.post("/admin/schools/new", data=school_data(campus.id))
    assert response.status_code == 302
    school = db.session.scalar(db.select(School))
    assert (school.name, school.short_name, school.campus_id) == (
        "Gesamtschule Scharnhorst",
        "GSS",
        campus.id,
    )
    assert "Gesamtschule Scharnhorst" in client.get("/admin/schools").text


@pytest.mark.parametrize("campus_id", ["", "999", "abc"])
def test_school_without_campus_is_refused(client, login_as, campus_id):
    login_as(Role.ADMIN)
    response = client.post("/admin/schools/new", data=school_data(campus_id))
    assert response.status_code == 422
    assert "campus_id" in field_errors(response.text)
    assert count(School) == 0


def test_school_form_shows_every_problem_at_once_and_saves_nothing(
    client, login_as, make_school, make_campus
):
    existing = make_school()
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/schools/new",
        data={
            "name": "",
            "short_name": "",
            "school_number": existing.school_number,
            "campus_id": "",
        },
    )
    assert response.status_code == 422
    assert set(field_errors(response.text)) == {"name", "short_name", "school_number", "campus_id"}
    assert count(School) == 1


def test_school_number_must_be_digits(client, login_as, make_campus):
    campus = make_campus()
    login_as(Role.ADMIN)
    response = client.post("/admin/schools/new", data=school_data(campus.id, school_number="12a"))
    assert response.status_code == 422
    assert "school_number" in field_errors(response.text)


def test_moving_a_school_moves_its_tickets_to_the_new_campus(
    client, login_as, make_school, make_campus, make_user
):
    school = make_school()
    teacher = make_user(Role.TEACHER, school=school)
    ticket = Ticket(
        number=1,
        reporter=teacher,
        school=school,
        campus_id=school.campus_id,
        category="printer",
        impact="minor",
        title="Drucker",
        description="leer",
    )
    db.session.add(ticket)
    db.session.commit()
    other = make_campus("Campus Süd")
    login_as(Role.ADMIN)
    response = client.post(
        f"/admin/schools/{school.id}/edit",
        data=school_data(other.id, name=school.name, school_number=school.school_number),
    )
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.campus_id == other.id


def user_data(**overrides):
    data = {
        "display_name": "Jörg Öztürk",
        "email": "Joerg.Oeztuerk@Example.org",
        "role": "teacher",
        "school_id": "",
        "password": "ein-langes-passwort",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_teacher_who_can_log_in(app, client, login_as, make_school):
    school = make_school()
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data=user_data(school_id=str(school.id)))
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.role == Role.TEACHER))
    assert user.email == "joerg.oeztuerk@example.org"
    assert user.school_id == school.id
    assert (
        login(app.test_client(), "JOERG.OEZTUERK@example.org", "ein-langes-passwort").status_code
        == 302
    )


def test_admin_assigns_a_manager_to_several_campuses(client, login_as, make_campus):
    north, south = make_campus("Nord"), make_campus("Süd")
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/users/new",
        data=user_data(role="campus_manager", campus_ids=[str(north.id), str(south.id)]),
    )
    assert response.status_code == 302
    manager = db.session.scalar(db.select(User).where(User.role == Role.CAMPUS_MANAGER))
    assert sorted(c.name for c in manager.managed_campuses) == ["Nord", "Süd"]
    assert manager.school_id is None


def test_duplicate_email_is_refused_case_insensitively(client, login_as, make_user, make_school):
    make_user(Role.TEACHER, email="taken@example.org")
    school = make_school()
    login_as(Role.ADMIN)
    before = count(User)
    response = client.post(
        "/admin/users/new", data=user_data(email="TAKEN@Example.org", school_id=str(school.id))
    )
    assert response.status_code == 422
    assert "existiert bereits" in field_errors(response.text)["email"]
    assert count(User) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"display_name": "  "}, "display_name"),
        ({"role": "superuser"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"school_id": ""}, "school_id"),  # a teacher without a school
        ({"role": "campus_manager"}, "campus_ids"),  # a manager without a campus
        ({"password": "kurz"}, "password"),
        # An empty password invites the user instead (tests/functional/test_invitations.py).
    ],
)
def test_bad_user_input_is_refused_next_to_the_field(client, login_as, overrides, field):
    login_as(Role.ADMIN)
    before = count(User)
    response = client.post("/admin/users/new", data=user_data(**overrides))
    assert response.status_code == 422
    assert field in field_errors(response.text), response.text
    assert count(User) == before


def test_editing_keeps_the_password_when_left_empty(client, login_as, make_user):
    teacher = make_user(Role.TEACHER)
    old_hash = teacher.password_hash
    login_as(Role.ADMIN)
    response = client.post(
        f"/admin/users/{teacher.id}/edit",
        data=user_data(
            email=teacher.email,
            display_name="Neuer Name",
            school_id=str(teacher.school_id),
            password="",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(teacher)
    assert teacher.display_name == "Neuer Name"
    assert teacher.password_hash == old_hash


def test_admin_deactivates_a_user_who_then_cannot_log_in(app, client, login_as, make_user):
    teacher = make_user(Role.TEACHER)
    teacher_browser = app.test_client()
    login(teacher_browser, teacher.email)
    assert logged_in(teacher_browser)

    login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{teacher.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.refresh(teacher)
    assert teacher.active is False
    assert not logged_in(teacher_browser)  # running session ended
    assert login(app.test_client(), teacher.email, PASSWORD).status_code == 422
    assert db.session.get(User, teacher.id) is not None  # never deleted

    client.post(f"/admin/users/{teacher.id}/active", data={"active": "1"})
    assert login(app.test_client(), teacher.email, PASSWORD).status_code == 302


def test_admin_cannot_deactivate_or_demote_themselves(client, login_as):
    admin = login_as(Role.ADMIN)
    response = client.post(
        f"/admin/users/{admin.id}/active",
        data={"active": "0"},
        headers={"Referer": f"http://localhost/admin/users/{admin.id}/edit"},
    )
    assert response.status_code == 302
    db.session.refresh(admin)
    assert admin.active is True
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data=user_data(email=admin.email, role="teacher", password=""),
    )
    assert response.status_code == 422
    assert "role" in field_errors(response.text)
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_user_list_is_searchable_and_paginated(app, client, login_as, make_school):
    school = make_school()
    login_as(Role.ADMIN)
    from campus.admin.services import save_user, system_actor

    for n in range(30):
        save_user(
            system_actor(),
            email=f"lehrer{n}@example.org",
            display_name=f"Lehrer {n:02d}",
            role="teacher",
            school_id=school.id,
            password="ein-langes-passwort",
        )
    db.session.commit()
    first = client.get("/admin/users")
    assert first.status_code == 200
    assert first.text.count('/edit"') == app.config["ITEMS_PER_PAGE"]
    second = client.get("/admin/users?page=2")
    assert "Lehrer 29" in second.text
    found = client.get("/admin/users?q=Lehrer+07")
    assert "Lehrer 07" in found.text
    assert "Lehrer 08" not in found.text


def test_unknown_ids_answer_404(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/users/999/edit").status_code == 404
    assert client.get("/admin/schools/999/edit").status_code == 404
    assert client.get("/admin/campuses/999/edit").status_code == 404


@pytest.mark.parametrize("path", ["/admin/users", "/admin/schools", "/admin/campuses"])
def test_list_pages_do_not_query_per_row(
    client, login_as, make_user, make_campus, count_queries, path
):
    login_as(Role.ADMIN)
    make_user(Role.CAMPUS_MANAGER)
    make_user(Role.TEACHER)
    db.session.expunge_all()  # a real request starts with an empty session
    with count_queries() as few:
        client.get(path)
    for _ in range(6):
        make_user(Role.CAMPUS_MANAGER)
        make_user(Role.TEACHER)
    db.session.expunge_all()
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count
