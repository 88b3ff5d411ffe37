"""The privacy page (/datenschutz): public, linked from every page's footer, in German
first, with the current retention periods and the configured contact."""

import re

import pytest

from campus.extensions import db
from campus.models import PrivacySettings, Role
from campus.models.privacy import LOGIN_DAYS, PHOTO_DAYS, TICKET_DAYS, USER_DAYS


def _periods(page: str) -> dict[str, str]:
    return dict(re.findall(r'<li id="(\w+-days)">(.*?)</li>', page, re.S))


def test_anyone_reads_it_without_logging_in(client):
    page = client.get("/datenschutz")
    assert page.status_code == 200
    assert "<h1" in page.text and "Datenschutz in Campus" in page.text
    # Linked from every page, the login page too.
    assert 'href="/datenschutz">Datenschutz</a>' in client.get("/auth/login").text
    # What it promises: periods, anonymous surveys, figures of five, no third parties.
    for words in (
        "Wer was sieht",
        "Wie lange",
        "anonym",
        "mindestens fünf Antworten",
        "Keine Dienste Dritter",
        "(nach der Anmeldung)",
    ):
        assert words in page.text, words
    assert 'href="/profile/data.json"' in page.text and 'href="/profile/data.pdf"' in page.text


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_it_logged_in(client, login_as, role):
    login_as(role)
    page = client.get("/datenschutz")
    assert page.status_code == 200
    assert "Lehrkraft" in page.text and "Campusmanager*in" in page.text  # the table by role
    assert "Systemhaus" in page.text and "Administrator*in" in page.text
    assert 'href="/profile/data.json"' in page.text
    assert "(nach der Anmeldung)" not in page.text


def test_it_shows_the_defaults_and_then_the_periods_an_admin_chose(client):
    periods = _periods(client.get("/datenschutz").text)
    assert f"{TICKET_DAYS} Tage nach dem Abschluss anonymisiert" in periods["ticket-days"]
    assert f"{PHOTO_DAYS} Tage nach dem Abschluss gelöscht" in periods["photo-days"]
    assert f"{USER_DAYS} Tage nach der Deaktivierung" in periods["user-days"]
    assert f"{LOGIN_DAYS} Tage nach dem Ende" in periods["login-days"]
    db.session.add(
        PrivacySettings(
            id=1, ticket_days=400, photo_days=1, user_days=60, login_days=14, manager_figures=False
        )
    )
    db.session.commit()
    periods = _periods(client.get("/datenschutz").text)
    assert "400 Tage nach dem Abschluss anonymisiert" in periods["ticket-days"]
    assert "1 Tag nach dem Abschluss gelöscht" in periods["photo-days"]
    assert "60 Tage nach der Deaktivierung" in periods["user-days"]
    assert "14 Tage nach dem Ende" in periods["login-days"]
    english = client.get("/datenschutz", headers={"Accept-Language": "en"}).text
    assert "anonymised 400 days after they were closed" in english
    assert "deleted 1 day after it was closed" in english


def test_it_says_whether_figures_per_campus_manager_are_on(client):
    assert "nie je namentlich genannter" in client.get("/datenschutz").text
    reason = "Dienstvereinbarung mit dem Personalrat vom 3. März 2026"
    db.session.add(PrivacySettings(id=1, manager_figures=True, manager_figures_reason=reason))
    db.session.commit()
    page = client.get("/datenschutz").text
    assert "sind eingeschaltet" in page and reason in page


def test_it_names_the_configured_contact(app, client):
    assert "Bitte wenden Sie sich an die Campus-Administration" in client.get("/datenschutz").text
    app.config["PRIVACY_CONTACT"] = "Datenschutzbeauftragte der Stadt, datenschutz@stadt.example"
    page = client.get("/datenschutz").text
    assert "Datenschutzbeauftragte der Stadt, datenschutz@stadt.example" in page
    assert "Bitte wenden Sie sich an die Campus-Administration" not in page


def test_a_contact_from_the_environment_stays_text(monkeypatch):
    from campus import create_app

    monkeypatch.setenv("CAMPUS_ENV", "development")
    monkeypatch.setenv("CAMPUS_PRIVACY_CONTACT", "0231501234")
    assert create_app().config["PRIVACY_CONTACT"] == "0231501234"  # a phone number, not int
