"""Signing in with the school's account in a real browser, against the real OpenID
provider of the tests (tests/oidc_provider.py): to the provider's login form and back,
logged in; logging out offers the provider's end-session; a refusal is said plainly; an
administrator links her account from the profile page."""

import os

import pytest
from playwright.sync_api import expect

from campus import create_app
from campus.admin.services import save_campus, save_school, save_user, system_actor
from campus.extensions import db
from campus.models import Role, SsoLink, User
from tests.e2e.conftest import E2E_PASSWORD, log_in, screenshot, served

pytestmark = pytest.mark.e2e
SCHOOL_NUMBER = "170001"


@pytest.fixture
def live_app(tmp_path, idp):
    """The app with the test provider configured, served; one school it knows."""
    url = os.environ.get("CAMPUS_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'e2e.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "OIDC_PROVIDERS": [
                {
                    "name": "stadt",
                    "label": "Schulkonto Stadt Dortmund",
                    "issuer": idp.issuer,
                    "client_id": idp.client_id,
                    "client_secret": idp.client_secret,
                    "school_claim": "schulnummer",
                }
            ],
        }
    )
    with app.app_context():
        db.create_all()
        campus = save_campus(system_actor(), "Campus Nord")
        school = save_school(
            system_actor(),
            name="Gesamtschule Nord",
            short_name="GE Nord",
            school_number=SCHOOL_NUMBER,
            address="",
            campus_id=campus.id,
        )
        save_user(
            system_actor(),
            email="admin@stadt.example",
            display_name="Ada Admin",
            role=Role.ADMIN,
            password=E2E_PASSWORD,
        )
        db.session.commit()
        app.config["SCHOOL_ID"] = school.id
    with served(app):
        live = app.config["LIVE_URL"]
        idp.redirect_uris.append(f"{live}/login/sso/stadt/callback")
        idp.post_logout_redirect_uris.append(f"{live}/auth/login")
        yield app


def test_a_teacher_signs_in_with_her_school_account_and_out_again(page, live_app, idp):
    idp.add_user("anna", email="anna@schule.example", name="Anna Schmidt",
                 claims={"schulnummer": SCHOOL_NUMBER})  # fmt: skip
    page.goto("/auth/login")
    screenshot(page, "sso-login")
    page.get_by_role("link", name="Mit Schulkonto anmelden").click()
    expect(page.get_by_role("heading", name="Test-Anmeldedienst")).to_be_visible()
    page.get_by_label("Benutzername").fill("anna")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    assert page.url.startswith(live_app.config["LIVE_URL"])
    expect(page.get_by_text("Anna Schmidt").first).to_be_attached()
    with live_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "anna@schule.example"))
        assert user.school_id == live_app.config["SCHOOL_ID"] and user.role == Role.TEACHER
    page.get_by_role("button", name="Abmelden").click()
    offer = page.get_by_role("link", name="Auch beim Schulkonto abmelden")
    expect(offer).to_be_visible()
    screenshot(page, "sso-logged-out")
    offer.click()
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    assert page.url.startswith(f"{live_app.config['LIVE_URL']}/auth/login")
    assert [call["client_id"] for call in idp.end_session_calls] == ["campus"]
    assert page.console_errors == []


def test_a_teacher_at_an_unknown_school_is_told_why(page, live_app, idp):
    idp.add_user("bert", email="bert@schule.example", name="Bert",
                 claims={"schulnummer": "999999"})  # fmt: skip
    page.goto("/auth/login")
    page.get_by_role("link", name="Mit Schulkonto anmelden").click()
    page.get_by_label("Benutzername").fill("bert")
    page.get_by_role("button", name="Anmelden").click()
    alert = page.locator("#sso-error")
    expect(alert).to_contain_text("keiner Schule zu, die Campus kennt (Schulnummer: 999999)")
    screenshot(page, "sso-refused")
    with live_app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "bert@schule.example")) is None


def test_an_administrator_links_her_account_from_the_profile(page, live_app, idp):
    idp.add_user("ada", email="ada.privat@example.org", name="Ada",
                 claims={"schulnummer": SCHOOL_NUMBER})  # fmt: skip
    log_in(page, "admin@stadt.example")
    page.goto("/login/sso/account")
    page.get_by_label("Ihr Campus-Passwort").fill(E2E_PASSWORD)
    screenshot(page, "sso-profile")
    page.get_by_role("button", name="Mit Schulkonto verknüpfen").click()
    page.get_by_label("Benutzername").fill("ada")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("Ihr Konto ist mit Ihrem Schulkonto verknüpft.")).to_be_visible()
    expect(page.get_by_text("Verknüpft seit")).to_be_visible()
    with live_app.app_context():
        link = db.session.scalar(db.select(SsoLink))
        assert link.user.email == "admin@stadt.example" and link.subject == idp.users["ada"].sub
    assert page.console_errors == []
