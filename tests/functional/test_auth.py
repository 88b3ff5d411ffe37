"""Logging in and out, changing the password, CSRF and error pages."""

import re

import pytest

from campus.extensions import db
from campus.models import Role, User
from tests.conftest import PASSWORD, logged_in, login


def test_user_logs_in_with_email_in_any_case_and_lands_on_start_page(client, make_user):
    user = make_user(Role.TEACHER, email="anna.becker@example.org")
    response = login(client, "  Anna.Becker@Example.ORG ")
    assert response.status_code == 302
    assert response.location == "/"
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert user.display_name in page.text
    assert "Meine Tickets" in page.text


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user(Role.TEACHER, email="known@example.org")
    wrong_password = login(client, "known@example.org", "not-the-password")
    unknown_email = login(client, "nobody@example.org", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 422

    def message(html):
        return re.search(r'id="password-error"[^>]*>([^<]*)<', html).group(1)

    assert message(wrong_password.text) == message(unknown_email.text)
    assert not logged_in(client)  # still logged out


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(Role.TEACHER)
    user.active = False
    db.session.commit()
    response = login(client, user.email)
    assert response.status_code == 422
    assert not logged_in(client)


def test_deactivation_ends_a_running_session(client, make_user):
    user = make_user(Role.TEACHER)
    login(client, user.email)
    assert logged_in(client)
    user.active = False
    user.session_version += 1
    db.session.commit()
    assert not logged_in(client)


def test_login_redirects_only_to_local_next_targets(client, make_user):
    user = make_user(Role.TEACHER)
    response = client.post(
        "/auth/login?next=https://evil.example/steal",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.location == "/"
    client.post("/auth/logout")
    response = client.post(
        "/auth/login?next=/auth/password", data={"email": user.email, "password": PASSWORD}
    )
    assert response.location == "/auth/password"


def test_logout_needs_post_and_ends_the_session(client, login_as):
    login_as(Role.TEACHER)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert not logged_in(client)


def test_pages_need_login(client):
    response = client.get("/auth/password")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_user_changes_password_and_other_sessions_end(app, client, login_as):
    user = login_as(Role.TEACHER)
    other_device = app.test_client()
    login(other_device, user.email)
    assert logged_in(other_device)

    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert logged_in(client)  # this session goes on
    assert not logged_in(other_device)  # the other one ended
    client.post("/auth/logout")
    assert login(client, user.email, PASSWORD).status_code == 422
    assert login(client, user.email, "a-new-long-password").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        (
            {"current_password": "wrong-one!", "new_password": "x" * 12, "confirm": "x" * 12},
            "current_password",
            "nicht korrekt",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
            "new_password",
            "mindestens 10 Zeichen",
        ),
        (
            {"current_password": PASSWORD, "new_password": "x" * 12, "confirm": "y" * 12},
            "confirm",
            "stimmen nicht überein",
        ),
    ],
)
def test_bad_password_change_says_why_next_to_the_field(client, login_as, data, field, text):
    user = login_as(Role.TEACHER)
    old_hash = user.password_hash
    response = client.post("/auth/password", data=data)
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', response.text)
    assert error is not None, response.text
    assert text in error.group(1)
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_forms_without_csrf_token_are_rejected(app, client, make_user):
    user = make_user(Role.TEACHER)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formular" in response.text
    assert not logged_in(client)


def test_forms_with_csrf_token_work(app, client, make_user):
    user = make_user(Role.TEACHER)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/auth/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user(Role.TEACHER)
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_not_found_page_shows_no_internals(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert "Traceback" not in response.text


def test_server_error_page_shows_no_internals(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert "Etwas ist schiefgelaufen" in response.text


def test_security_headers_are_sent(client):
    response = client.get("/auth/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_last_login_is_recorded(client, make_user):
    user = make_user(Role.TEACHER)
    assert user.last_login_at is None
    login(client, user.email)
    assert db.session.get(User, user.id).last_login_at is not None


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(app, client, make_user):
    user = make_user(Role.TEACHER, email="ziel@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login(client, user.email, "falsch-geraten").status_code == 422
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Versuche" in response.text
    assert not logged_in(client)


def test_a_successful_login_clears_the_failure_count(app, client, make_user):
    user = make_user(Role.TEACHER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(client, user.email, "falsch-geraten")
    assert login(client, user.email, PASSWORD).status_code == 302
    client.post("/auth/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(client, user.email, "falsch-geraten")
    assert login(client, user.email, PASSWORD).status_code == 302


def test_failure_counts_are_shared_between_app_servers_through_redis():
    """Two app servers with the same CAMPUS_REDIS_URL see the same failure count."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    from campus import create_app
    from campus.ratelimit import Limit, clear, locked_for, record_failure

    key, limit = "login:geteilt@example.org", Limit(3, 60)
    first, second = (create_app({"REDIS_URL": url}) for _ in range(2))
    with first.app_context():
        clear(key)
        for _ in range(3):
            record_failure(key, limit)
        assert locked_for(key, limit) > 0
    with second.app_context():
        assert locked_for(key, limit) > 0
        clear(key)
        assert locked_for(key, limit) == 0
