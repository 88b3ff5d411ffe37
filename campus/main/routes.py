"""The start page each role lands on after login, and the load balancer's health checks."""

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from campus.extensions import db
from campus.main import bp
from campus.permissions import is_admin, is_intern, reports_problems

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@bp.route("/")
def index():
    # No "please log in" notice for the plain address: just show the login page.
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if is_admin(current_user):
        return redirect(url_for("admin.overview"))
    if reports_problems(current_user):  # with or without a school: their own tickets
        return redirect(url_for("tickets.mine"))
    if is_intern(current_user):  # today's and tomorrow's plan, her tickets
        from campus.interns.routes import intern_home

        return intern_home()
    return redirect(url_for("tickets.queue"))


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/healthz")
def healthz():
    """The process is up (for the load balancer's liveness check)."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """Ready for traffic: the database answers and its schema is the code's (migrations)."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_heads()
    except SQLAlchemyError as error:
        return jsonify(status="unavailable", reason="database", detail=type(error).__name__), 503
    expected = _migration_heads()
    if set(current) != expected:
        return jsonify(
            status="unavailable",
            reason="migrations",
            database=sorted(current),
            code=sorted(expected),
        ), 503
    return jsonify(status="ok", migration=sorted(expected))


@cache
def _migration_heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return set(ScriptDirectory.from_config(config).get_heads())
