"""German first, English complete."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from campus.extensions import db
from campus.models import Role, User

TRANSLATIONS = Path(__file__).resolve().parents[2] / "campus" / "translations"


def test_german_is_the_default(client):
    page = client.get("/auth/login")
    assert '<html lang="de">' in page.text
    assert "Anmelden" in page.text


def test_browser_asking_for_english_gets_english(client):
    page = client.get("/auth/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text


def test_unsupported_browser_language_falls_back_to_german(client):
    page = client.get("/auth/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="de">' in page.text


def test_logged_in_user_switches_language_and_it_is_remembered(app, client, login_as):
    user = login_as(Role.TEACHER)
    response = client.post(
        "/auth/language", data={"locale": "en"}, headers={"Referer": "http://localhost/"}
    )
    assert response.status_code == 302
    assert db.session.get(User, user.id).locale == "en"
    assert '<html lang="en">' in client.get("/auth/password").text
    # The preference follows the user to another device.
    other = app.test_client()
    other.post("/auth/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert '<html lang="en">' in other.get("/auth/password").text


@pytest.mark.parametrize("locale", ["de"])
def test_every_message_is_translated(locale):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_catalog_covers_every_message_in_the_code(tmp_path):
    """A text added to the code without `make update-messages` would stay English."""
    root = TRANSLATIONS.parents[1]
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with pot.open("rb") as pot_file:
        in_code = {m.id for m in read_po(pot_file) if m.id}
    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        german = {m.id for m in read_po(po_file) if m.id}
    assert in_code - german == set()
