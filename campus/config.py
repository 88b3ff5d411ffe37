"""Load settings: config/default.py, then config/<env>.py, then CAMPUS_* variables."""

import json
import os
from pathlib import Path

from flask import Flask

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
ENVIRONMENTS = ("development", "testing", "production")
DEV_SECRET = "dev-insecure-change-me"  # noqa: S105 - the known value production refuses
MIN_SECRET_LENGTH = 32

# Environment variables with a name of their own; every other CAMPUS_<KEY> sets <KEY>.
ALIASES = {
    "CAMPUS_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "CAMPUS_ENV": None,
    "CAMPUS_TEST_DATABASE_URL": None,
}


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says why in one line."""


def load_config(
    app: Flask, test_config: dict | None = None, default_env: str = "development"
) -> None:
    """Fill app.config in layers; later layers win."""
    env = "testing" if test_config is not None else os.environ.get("CAMPUS_ENV", default_env)
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CAMPUS_ENV={env!r} is unknown; use one of {', '.join(ENVIRONMENTS)}.")
    app.config["CAMPUS_ENV"] = env
    app.config.from_pyfile(str(CONFIG_DIR / "default.py"))
    app.config.from_pyfile(str(CONFIG_DIR / f"{env}.py"))
    _apply_environment(app, env)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        db_file = Path(app.instance_path) / "campus.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if env == "production":
        check_production_secret(app.config.get("SECRET_KEY"))
        check_base_url(app.config)


def _apply_environment(app: Flask, env: str) -> None:
    for name, raw in os.environ.items():
        if not name.startswith("CAMPUS_"):
            continue
        key = ALIASES.get(name, name.removeprefix("CAMPUS_"))
        if key is None:
            continue
        app.config[key] = raw if _is_text_key(key) else _parse(raw)
    test_url = os.environ.get("CAMPUS_TEST_DATABASE_URL")
    if env == "testing" and test_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = test_url


TEXT_KEY_PARTS = ("SECRET", "KEY", "URL", "URI", "PASSWORD", "PATH", "DIR", "CONTACT")


def _is_text_key(key: str) -> bool:
    """Secrets, addresses, paths and contacts stay strings even when they look like
    numbers (a contact may be a phone number)."""
    return any(part in key for part in TEXT_KEY_PARTS)


def _parse(raw: str):
    """Read numbers, booleans and JSON lists as such; anything else stays a string."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def check_production_secret(secret: str | None) -> None:
    """Refuse to run production with a missing, default or short secret key."""
    if not secret or secret == DEV_SECRET:
        trial = (
            ""
            if "CAMPUS_ENV" in os.environ
            else " To try Campus on your own machine instead, set CAMPUS_ENV=development."
        )
        raise ConfigError(
            "CAMPUS_SECRET_KEY is not set: production needs its own secret key "
            '(for example: python -c "import secrets; print(secrets.token_hex(32))").' + trial
        )
    if len(str(secret)) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"CAMPUS_SECRET_KEY is too short: production needs at least "
            f"{MIN_SECRET_LENGTH} characters."
        )


def check_base_url(config) -> None:
    """Mails carry links (password resets, invitations): production builds them on
    CAMPUS_BASE_URL, never on a request's Host header, which the client writes. Without
    it production sends no mails (campus/mail/sending.py says so in the log); a value
    that is no address stops the start."""
    base = str(config.get("BASE_URL") or "")
    if base and not base.startswith(("https://", "http://")):
        raise ConfigError(
            f"CAMPUS_BASE_URL={base!r} is not an address: give it with its scheme, "
            "e.g. https://campus.stadt.example."
        )
