"""Single sign-on around the login: the daily sync against the provider, the admin page
(providers, linked users, unlinking, passwords for administrators only), the providers'
settings checked at start, and the person's data."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from campus import create_app
from campus.config import ConfigError
from campus.extensions import db
from campus.models import AuditAction, AuditEntry, Role, SsoLink, User
from campus.sso.sync import sync_accounts
from tests.conftest import logged_in
from tests.functional.test_sso import CALLBACK, app_config, sign_in  # noqa: F401 - fixture

assert CALLBACK


@pytest.fixture
def anna(client, idp, make_school):
    """Anna, a teacher who signed in once with her school account (and logged out)."""
    school = make_school()
    person = idp.add_user("anna", email="anna@schule.example", name="Anna",
                          claims={"schulnummer": school.school_number})  # fmt: skip
    assert sign_in(client, idp, "anna").status_code == 302
    client.post("/auth/logout")
    return person


def link() -> SsoLink:
    db.session.expire_all()
    return db.session.scalar(select(SsoLink))


def test_the_sync_deactivates_whom_the_provider_removed(client, idp, anna):
    assert sync_accounts().checked == 1 and link().user.active  # still there
    assert [r["grant_type"] for r in idp.token_requests][-1] == "refresh_token"
    idp.remove_user("anna")
    done = sync_accounts()
    assert (done.checked, done.removed, done.failed) == (1, 1, 0)
    found = link()
    assert not found.user.active and found.removed_at == found.user.deactivated_at
    assert found.refresh_token is None
    deactivated = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.USER_DEACTIVATED)
    )
    assert "anna@schule.example" in deactivated.subject
    with pytest.raises(AssertionError, match="Anmeldung fehlgeschlagen"):
        sign_in(client, idp, "anna")  # the provider itself refuses her now
    # Back at the provider: the next sign-in brings the account back.
    idp.users["anna"].removed = False
    assert sign_in(client, idp, "anna").status_code == 302 and logged_in(client)
    assert link().user.active and link().removed_at is None and link().refresh_token


def test_the_sync_deactivates_nobody_when_the_provider_cannot_answer(app, client, idp, anna):
    oauth_client = app.extensions["campus_sso_clients"].create_client("stadt")
    oauth_client.server_metadata["token_endpoint"] = "http://127.0.0.1:9/token"
    idp.remove_user("anna")
    done = sync_accounts()
    assert (done.removed, done.failed) == (0, 1) and link().user.active


def test_the_sync_deactivates_nobody_on_another_error(app, idp, anna):
    providers = app.extensions["campus_sso"]
    providers["stadt"] = replace(providers["stadt"], client_secret="not-the-secret")
    idp.remove_user("anna")
    done = sync_accounts()
    assert (done.removed, done.failed) == (0, 1) and link().user.active
    assert idp.token_requests[-1]["error"] == "invalid_client"


def test_a_new_secret_key_makes_tokens_unreadable_and_deactivates_nobody(app, idp, anna):
    app.config["SECRET_KEY"] = "another-secret-key-of-enough-length-1234"
    idp.remove_user("anna")
    done = sync_accounts()
    assert (done.unreadable, done.removed) == (1, 0) and link().user.active


def test_the_admin_page_lists_providers_and_linked_users(idp, anna, make_user, as_user):
    admin = as_user(make_user(Role.ADMIN))
    page = admin.get("/admin/sign-in")
    assert page.status_code == 200
    assert "Schulkonto Stadt" in page.text and CALLBACK in page.text
    assert "anna@schule.example" in page.text
    assert admin.post("/admin/sign-in/sync").status_code == 302  # runs (jobs inline in tests)
    assert "1 geprüft, 0 deaktiviert" in admin.get("/admin/sign-in").text
    found = link()
    response = admin.post(f"/admin/sign-in/links/{found.id}/unlink", follow_redirects=True)
    assert "nicht mehr mit dem Schulkonto verknüpft" in response.text
    assert db.session.scalar(select(func.count(SsoLink.id))) == 0
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.SSO_UNLINKED)
    )
    assert entry.detail == "stadt" and "anna@schule.example" in entry.subject


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CAMPUS_MANAGER, Role.SYSTEM_HOUSE])
def test_only_administrators_see_and_change_the_sign_in(idp, anna, make_user, as_user, role):
    other = as_user(make_user(role))
    found = link()
    assert other.get("/admin/sign-in").status_code == 403
    assert other.post(f"/admin/sign-in/links/{found.id}/unlink").status_code == 403
    assert other.post("/admin/sign-in/passwords", data={}).status_code == 403
    assert link() is not None


def test_an_admin_switches_passwords_off_for_everyone_but_administrators(
    client, idp, make_user, as_user
):
    teacher = make_user(Role.TEACHER)
    admin = as_user(make_user(Role.ADMIN))
    admin.post("/admin/sign-in/passwords", data={})  # the box unticked
    assert client.post(
        "/auth/login", data={"email": teacher.email, "password": "campus-test-pass"}
    ).status_code in (200, 422)
    assert not logged_in(client)
    changed = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.SIGN_IN_CHANGED)
    )
    assert changed.detail == "passwords for administrators only"
    admin.post("/admin/sign-in/passwords", data={"for_all": "y"})
    from tests.conftest import login

    assert login(client, teacher.email).status_code == 302


def test_a_persons_data_names_the_school_account_and_erasing_removes_it(
    client, idp, anna, make_user, as_user
):
    from campus.models import utcnow
    from campus.privacy.anonymise import pseudonymise_users

    user_id = link().user_id
    admin = as_user(make_user(Role.ADMIN))
    data = admin.get(f"/admin/users/{user_id}/data.json").get_json()
    [account] = data["school_accounts"]
    assert account["provider"] == "stadt" and account["subject"] == anna.sub
    assert "refresh_token" not in account
    pseudonymise_users([user_id], utcnow())
    db.session.commit()
    assert link() is None
    # The person signs in again as a new account, not as the pseudonymised one.
    assert sign_in(client, idp, "anna").status_code == 302
    new = db.session.scalar(select(User).where(User.email == "anna@schule.example"))
    assert new.id != user_id


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"name": "Stadt"}, "name must be"),
        ({"name": "account"}, "name must be"),
        ({"name": "x"}, "issuer is missing"),
        ({"name": "x", "issuer": "http://id.example", "client_id": "c", "client_secret": "s"},
         "https://"),
        ({"name": "x", "issuer": "https://id.example", "client_id": "c", "client_secret": "s",
          "roles": {"admins": "admin"}, "role_claim": "groups"}, "never made by a provider"),
        ({"name": "x", "issuer": "https://id.example", "client_id": "c", "client_secret": "s",
          "roles": {"it": "campus_manager"}}, "needs role_claim"),
        ({"name": "x", "issuer": "https://id.example", "client_id": "c", "client_secret": "s",
          "scope": "openid"}, "unknown key(s) scope"),
    ],
)  # fmt: skip
def test_provider_settings_are_checked_at_start(monkeypatch, entry, message):
    monkeypatch.setenv("CAMPUS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_BASE_URL", "https://campus.example")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", "sqlite://")
    import json

    monkeypatch.setenv("CAMPUS_OIDC_PROVIDERS", json.dumps([entry]))
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_app(default_env="production")


def test_a_throttled_refusal_deactivates_nobody(idp, anna):
    idp.token_answer = (429, '{"error": "invalid_grant"}')
    done = sync_accounts()
    assert (done.removed, done.failed) == (0, 1) and link().user.active


def test_a_token_endpoint_answering_garbage_deactivates_nobody(idp, anna):
    idp.token_answer = (200, "<html>maintenance</html>")
    done = sync_accounts()
    assert (done.removed, done.failed) == (0, 1) and link().user.active


def test_too_many_refused_at_once_deactivates_nobody(client, idp, make_school):
    """The provider ended every session (or lost its data): not a city's teachers leaving."""
    school = make_school()
    for n in range(7):
        idp.add_user(f"t{n}", email=f"t{n}@schule.example", name=f"T {n}",
                     claims={"schulnummer": school.school_number})  # fmt: skip
        assert sign_in(client, idp, f"t{n}").status_code == 302
        client.post("/auth/logout")
    for n in range(7):
        idp.remove_user(f"t{n}")
    done = sync_accounts()
    assert (done.checked, done.removed, done.held) == (7, 0, 7)
    assert db.session.scalar(select(func.count(User.id)).where(User.active.is_(False))) == 0
    # Their tokens are spent: they are checked again after their next sign-in.
    assert (
        db.session.scalar(select(func.count(SsoLink.id)).where(SsoLink.refresh_token.is_(None)))
        == 7
    )


def test_an_administrator_is_never_deactivated_by_the_sync(client, idp, make_user):
    admin = make_user(Role.ADMIN, email="ada@stadt.example")
    idp.add_user("ada", email="ada@stadt.example", name="Ada")
    from tests.conftest import PASSWORD, login

    login(client, admin.email)
    location = client.post("/login/sso/stadt/link", data={"password": PASSWORD}).location
    client.get(idp.approve(location, "ada"))
    idp.remove_user("ada")
    done = sync_accounts()
    assert (done.removed, done.held) == (0, 1) and link().user.active


def test_one_sync_at_a_time(app, idp, anna):
    from campus.models import SignInSettings, utcnow

    sync_accounts()  # the settings row exists now
    settings = db.session.get(SignInSettings, 1)
    settings.sync_started_at = utcnow()  # another run holds the lease
    db.session.commit()
    asked = len(idp.token_requests)
    done = sync_accounts()
    assert done.busy and len(idp.token_requests) == asked


def test_a_teacher_reactivated_by_an_admin_is_checked_again_after_signing_in(
    client, idp, anna, make_user, as_user
):
    idp.remove_user("anna")
    sync_accounts()
    admin = as_user(make_user(Role.ADMIN))
    admin.post(f"/admin/users/{link().user_id}/active", data={"active": "1"})
    assert link().user.active
    idp.users["anna"].removed = False
    assert sign_in(client, idp, "anna").status_code == 302
    found = link()
    assert found.removed_at is None and found.refresh_token and found.user.active
    assert sync_accounts().checked == 1


def test_passwords_off_ends_the_password_logins_of_everyone_but_administrators(
    idp, make_user, as_user
):
    teacher = as_user(make_user(Role.TEACHER))
    admin = as_user(make_user(Role.ADMIN))
    admin.post("/admin/sign-in/passwords", data={})
    assert not logged_in(teacher) and logged_in(admin)


def test_unlinking_ends_the_persons_logins(client, idp, make_school, make_user, as_user):
    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    sign_in(client, idp, "anna")
    assert logged_in(client)
    admin = as_user(make_user(Role.ADMIN))
    admin.post(f"/admin/sign-in/links/{link().id}/unlink")
    assert not logged_in(client)
