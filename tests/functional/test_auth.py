"""Logging in and out, changing the password, CSRF and error pages."""

import re
import time
import uuid

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


def _other_address(client, address):
    """A test client that sends its requests from another client address."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_account_lock_holds_only_that_account(app, client, make_user):
    target = make_user(Role.TEACHER, email="ziel@example.org")
    colleague = make_user(Role.TEACHER, email="kollegin@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, target.email, "falsch-geraten")
    locked = login(client, target.email, PASSWORD)
    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Versuche" in locked.text
    assert "15 Minuten" in locked.text  # LOGIN_WINDOW_SECONDS = 900
    # The same address, another account: not locked.
    assert login(client, colleague.email, PASSWORD).status_code == 302
    # Someone failing at one address does not lock the owner out elsewhere.
    elsewhere = _other_address(app.test_client(), "192.0.2.7")
    assert login(elsewhere, target.email, PASSWORD).status_code == 302


def test_an_unknown_account_is_locked_like_a_known_one(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login(client, "niemand@example.org", "falsch-geraten").status_code == 422
    assert login(client, "niemand@example.org", "falsch-geraten").status_code == 429


def test_many_failures_from_one_address_lock_that_address(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES"] = 2  # so the address allows 5 x 2 = 10 failures
    user = make_user(Role.TEACHER)
    for n in range(10):  # never twice the same account: no account is locked
        assert login(client, f"versuch{n}@example.org", "falsch-geraten").status_code == 422
    assert login(client, user.email, PASSWORD).status_code == 429
    assert not logged_in(client)
    elsewhere = _other_address(app.test_client(), "192.0.2.8")
    assert login(elsewhere, user.email, PASSWORD).status_code == 302


def test_a_successful_login_works_below_the_limit_and_keeps_the_address_count(
    app, client, make_user
):
    app.config["LOGIN_MAX_FAILURES"] = 3  # the address allows 15 failures
    user = make_user(Role.TEACHER)
    for _ in range(5):
        for _ in range(2):  # below the account's limit of 3
            assert login(client, user.email, "falsch-geraten").status_code == 422
        assert login(client, user.email, PASSWORD).status_code == 302  # clears the account
        client.post("/auth/logout")
    # 10 failures so far from this address; the account's count starts afresh each time,
    # the address's does not: 5 more failures (of other accounts) lock the address.
    for n in range(5):
        login(client, f"versuch{n}@example.org", "falsch-geraten")
    assert login(client, user.email, PASSWORD).status_code == 429


def test_the_lock_ends_with_the_window(app, client, make_user):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_SECONDS=1)
    user = make_user(Role.TEACHER)
    for _ in range(2):
        login(client, user.email, "falsch-geraten")
    locked = login(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "1 Minuten" in locked.text  # never "0 minutes"
    time.sleep(1.2)
    assert login(client, user.email, PASSWORD).status_code == 302


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    return url


def test_failure_counts_live_in_redis_and_are_shared_between_app_servers(redis_url):
    """Two app servers with the same CAMPUS_REDIS_URL see the same failure counts."""
    import redis

    from campus import create_app
    from campus.extensions import limiter

    server = redis.Redis.from_url(redis_url)
    run = uuid.uuid4().hex[:12]  # other test runs may share this Redis
    email, address = f"geteilt-{run}@example.org", f"2001:db8::{run[:4]}"

    def our_keys():
        return {*server.scan_iter(match=f"*{email}*"), *server.scan_iter(match=f"*{address}*")}

    def client(app):
        return _other_address(app.test_client(), address)

    first, second = (create_app({"REDIS_URL": redis_url}) for _ in range(2))
    assert first.config["RATELIMIT_STORAGE_URI"] == redis_url
    assert type(limiter.storage).__name__ == "RedisStorage"
    try:
        for app in (first, second):
            with app.app_context():
                db.create_all()
        with first.app_context():
            for _ in range(first.config["LOGIN_MAX_FAILURES"]):
                assert login(client(first), email, "falsch-geraten").status_code == 422
        # The counters (account at address, address, account; three tiers each) are in Redis.
        assert [int(server.get(key)) for key in our_keys()] == [
            first.config["LOGIN_MAX_FAILURES"]
        ] * 9
        with second.app_context():
            assert login(client(second), email, "falsch-geraten").status_code == 429
            server.delete(*our_keys())  # the window ended, on every server at once
            assert login(client(second), email, "falsch-geraten").status_code == 422
    finally:
        if our_keys():
            server.delete(*our_keys())
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()
