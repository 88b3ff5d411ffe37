"""The app factory and its configuration layers."""

import subprocess
import sys
from pathlib import Path

import pytest

from campus import create_app
from campus.config import DEV_SECRET, ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_testing_config_uses_an_in_memory_database(monkeypatch):
    monkeypatch.delenv("CAMPUS_TEST_DATABASE_URL", raising=False)
    app = create_app({})
    assert app.config["TESTING"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "de"


def test_development_uses_a_sqlite_file_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("CAMPUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CAMPUS_ENV", "development")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/campus.db")


def test_environment_variables_override_settings(monkeypatch):
    monkeypatch.setenv("CAMPUS_ENV", "development")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    monkeypatch.setenv("CAMPUS_ITEMS_PER_PAGE", "40")
    monkeypatch.setenv("CAMPUS_SECRET_KEY", "1234567890")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.db"
    assert app.config["ITEMS_PER_PAGE"] == 40
    assert app.config["SECRET_KEY"] == "1234567890"  # a secret stays a string


@pytest.mark.parametrize("secret", [None, "", DEV_SECRET, "short-secret"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, secret):
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", "sqlite://")
    if secret is None:
        monkeypatch.delenv("CAMPUS_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("CAMPUS_SECRET_KEY", secret)
    with pytest.raises(ConfigError) as error:
        create_app()
    assert "CAMPUS_SECRET_KEY" in str(error.value)
    assert "\n" not in str(error.value)


def test_production_starts_with_a_real_secret_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("CAMPUS_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("CAMPUS_BASE_URL", "https://campus.stadt.example")
    app = create_app()
    assert app.config["DEBUG"] is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def _python(env: dict, code: str) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter in the project, with only `env` as its environment."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_wsgi_says_why_in_one_line_when_production_has_no_secret(tmp_path):
    env = {"CAMPUS_ENV": "production", "CAMPUS_DATABASE_URL": "sqlite://", "PATH": "/usr/bin"}
    result = _python(env, "import wsgi")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("campus: CAMPUS_SECRET_KEY is not set")


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("CAMPUS_ENV", "staging")
    with pytest.raises(ConfigError, match="CAMPUS_ENV"):
        create_app()


def test_passwords_are_hashed_with_scrypt_outside_tests(monkeypatch):
    from campus.models import User

    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("CAMPUS_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("CAMPUS_BASE_URL", "https://campus.stadt.example")
    create_app()
    user = User(email="a@example.org", display_name="A", role="admin")
    user.set_password("ein-langes-passwort")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("ein-langes-passwort")
    create_app({})  # back to the test setting for the other tests


def test_wsgi_without_campus_env_runs_production(tmp_path):
    """A forgotten CAMPUS_ENV under gunicorn never means debug mode and a public key."""
    env = {"CAMPUS_DATABASE_URL": "sqlite://", "PATH": "/usr/bin"}
    refused = _python(env, "import wsgi")
    assert refused.returncode == 1
    assert "CAMPUS_SECRET_KEY is not set" in refused.stderr
    assert "CAMPUS_ENV=development" in refused.stderr  # how to try it locally instead
    started = _python(
        {**env, "CAMPUS_SECRET_KEY": "k" * 40, "CAMPUS_BASE_URL": "https://campus.example"},
        "import wsgi; c = wsgi.app.config; "
        "print(c['CAMPUS_ENV'], c['DEBUG'], c['SESSION_COOKIE_SECURE'])",
    )
    assert started.stdout.split() == ["production", "False", "True"], started.stderr


def test_production_sends_hsts_and_it_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("CAMPUS_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("CAMPUS_BASE_URL", "https://campus.stadt.example")
    header = create_app().test_client().get("/healthz").headers.get("Strict-Transport-Security")
    assert header == "max-age=31536000; includeSubDomains"
    monkeypatch.setenv("CAMPUS_HSTS_SECONDS", "0")
    assert "Strict-Transport-Security" not in create_app().test_client().get("/healthz").headers
    monkeypatch.setenv("CAMPUS_ENV", "development")
    monkeypatch.delenv("CAMPUS_HSTS_SECONDS")
    assert "Strict-Transport-Security" not in create_app().test_client().get("/healthz").headers
    create_app({})


def test_seed_demo_refuses_to_run_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.setenv("CAMPUS_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("CAMPUS_BASE_URL", "https://campus.stadt.example")
    app = create_app()
    result = app.test_cli_runner().invoke(args=["campus", "seed-demo"])
    assert result.exit_code == 1
    assert "refuses to run in production" in result.output
    create_app({})


def test_production_without_the_base_url_sends_no_mails(monkeypatch):
    """Links in mails (password resets) are never built from a request's Host header:
    without CAMPUS_BASE_URL production starts, but writes no mails."""
    from campus.mail.sending import enabled

    monkeypatch.setenv("CAMPUS_ENV", "production")
    monkeypatch.setenv("CAMPUS_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("CAMPUS_SECRET_KEY", "x" * 48)
    monkeypatch.delenv("CAMPUS_BASE_URL", raising=False)
    app = create_app()
    with app.app_context():
        assert enabled() is False
    monkeypatch.setenv("CAMPUS_BASE_URL", "campus.stadt.example")  # no scheme
    with pytest.raises(ConfigError) as error:
        create_app()
    assert "CAMPUS_BASE_URL" in str(error.value)
    monkeypatch.setenv("CAMPUS_BASE_URL", "https://campus.stadt.example")
    app = create_app()
    with app.app_context():
        assert enabled() is True
    monkeypatch.setenv("CAMPUS_ENV", "development")
    monkeypatch.delenv("CAMPUS_BASE_URL")
    create_app({})
