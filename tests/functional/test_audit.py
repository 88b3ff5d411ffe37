"""The audit trail: logins, failed logins, locks, account changes, tokens, webhooks and
downloads are recorded with actor, time and address, and shown to administrators only,
with filters."""

import re

from sqlalchemy import select

from campus.extensions import db
from campus.models import AuditEntry, Role
from tests.conftest import PASSWORD


def _entries(action=None):
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def _from(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_logins_failures_and_locks_are_recorded_with_address(app, make_user):
    app.config["LOGIN_MAX_FAILURES"] = 2
    user = make_user(Role.TEACHER, email="lehrerin@example.org")
    browser = _from(app.test_client(), "198.51.100.20")
    for _ in range(2):
        browser.post("/auth/login", data={"email": "Lehrerin@Example.org", "password": "nein"})
    failed = _entries("login_failed")
    assert [(e.actor_label, e.address, e.actor_id) for e in failed] == [
        ("lehrerin@example.org", "198.51.100.20", None)
    ] * 2
    [locked] = _entries("locked_out")  # once, when the lock begins
    assert locked.actor_label == "lehrerin@example.org" and locked.detail.endswith(" s")
    other = _from(app.test_client(), "198.51.100.21")
    assert (
        other.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 302
    )
    [login] = _entries("login")
    assert (login.actor_id, login.address) == (user.id, "198.51.100.21") and login.at
    other.post("/auth/logout")
    assert _entries("logout")[0].actor_id == user.id
    assert PASSWORD not in str([(e.detail, e.subject) for e in _entries()])  # never a secret


def test_account_changes_tokens_webhooks_and_downloads_are_recorded(
    app, world, as_user, make_school
):
    admin = as_user(world.admin)
    other_school = make_school(name="Gesamtschule Nord")
    teacher = world.teacher
    form = {
        "display_name": teacher.display_name,
        "email": teacher.email,
        "role": "teacher",
        "school_id": str(other_school.id),
        "password": "ein-neues-passwort-1",
    }
    assert admin.post(f"/admin/users/{teacher.id}/edit", data=form).status_code == 302
    [changed] = _entries("user_changed")
    assert "Gesamtschule Nord" in changed.detail and changed.actor_id == world.admin.id
    assert _entries("password_reset")[0].subject.endswith(f"(#{teacher.id})")
    assert admin.post(f"/admin/users/{teacher.id}/active", data={"active": "0"}).status_code == 302
    assert _entries("user_deactivated")
    admin.post("/auth/tokens", data={"name": "ITSM-Abgleich"})
    [token] = _entries("token_created")
    assert "ITSM-Abgleich" in token.subject and "cmp_" in token.subject
    admin.post("/admin/webhooks", data={"url": "https://93.184.215.14/hook", "campus_id": ""})
    assert _entries("webhook_added")[0].subject.endswith("https://93.184.215.14/hook")
    admin.get("/reports/export.csv?table=campus&preset=custom&start=2026-03-01&end=2026-03-31")
    [download] = _entries("export")
    assert download.subject == "CSV campus" and "2026-03-01" in download.detail


def test_only_administrators_read_the_trail_and_it_filters(app, world, as_user):
    for who in (world.teacher, world.manager, world.system_house):
        assert as_user(who).get("/admin/audit").status_code == 403
    bad = _from(app.test_client(), "203.0.113.9")
    bad.post("/auth/login", data={"email": "angreifer@example.org", "password": "x"})
    admin = as_user(world.admin)
    page = admin.get("/admin/audit").text
    assert "angreifer@example.org" in page and "203.0.113.9" in page
    only_logins = admin.get("/admin/audit", query_string={"action": "login"}).text
    assert "angreifer@example.org" not in only_logins and world.admin.email in only_logins
    by_address = admin.get("/admin/audit", query_string={"who": "203.0.113.9"}).text
    assert "angreifer@example.org" in by_address and world.admin.email not in by_address
    future = admin.get("/admin/audit", query_string={"from": "2099-01-01"}).text
    assert "angreifer@example.org" not in future
    odd = admin.get("/admin/audit", query_string={"from": "9999-99-99", "who": "%_\\"})
    assert odd.status_code == 200


def test_the_trail_pages_back_through_older_entries(app, world, as_user):
    from campus.admin.routes import AUDIT_PAGE

    stranger = app.test_client()
    for n in range(AUDIT_PAGE + 5):  # from many addresses: none of them is held
        _from(stranger, f"203.0.113.{n + 1}").post(
            "/auth/login", data={"email": f"x{n}@example.org", "password": "x"}
        )
    admin = as_user(world.admin)
    first = admin.get("/admin/audit", query_string={"action": "login_failed"}).text
    assert "x54@example.org" in first and "x0@example.org" not in first
    older = re.search(r'rel="next" href="([^"]+)"', first)
    link = older.group(1).replace("&amp;", "&")
    second = admin.get(link).text
    assert "x0@example.org" in second and "x54@example.org" not in second
