"""Campus: IT-support ticketing for school campuses."""

from datetime import date
from pathlib import Path

from flask import Flask, abort, current_app, g, has_request_context, request, session
from flask_babel import (
    format_date,
    get_locale,
    lazy_gettext,
)
from flask_login import current_user

from campus.config import ConfigError, load_config
from campus.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from campus.formhelpers import IdConverter

# Everything from this site only; no inline script or style, no framing, forms sent here.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(test_config: dict | None = None, default_env: str = "development") -> Flask:
    """Build the app; `test_config` selects the testing settings and overrides them.
    Without CAMPUS_ENV the app runs `default_env`: wsgi.py (gunicorn) asks for production."""
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_relative_config=True,
    )
    load_config(app, test_config, default_env)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    register_extensions(app)
    register_event_handlers(app)
    register_blueprints(app)
    register_assets(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_logging(app)
    register_commands(app)
    trust_proxies(app)
    from campus.mail.sending import warn_if_disabled

    warn_if_disabled(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind CAMPUS_TRUSTED_PROXIES reverse proxies, the client's address, scheme and host
    are those the proxies pass on (X-Forwarded-For/-Proto/-Host, the last n hops). With
    0 (the default) those headers are ignored: a client could write anything in them."""
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if not isinstance(hops, int) or isinstance(hops, bool) or hops < 0:
        raise ConfigError(
            f"CAMPUS_TRUSTED_PROXIES={hops!r}: give the number of proxies, 0 or more."
        )
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from campus import (
        database,
        models,  # noqa: F401 - every table known to db and Alembic
    )

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")

    from campus.auth.sessions import load_user_from_session_id
    from campus.models import User

    User.password_method = app.config["PASSWORD_HASH_METHOD"]

    login_manager.user_loader(load_user_from_session_id)

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    limiter.init_app(app)

    from campus.sso import providers as sso_providers

    sso_providers.init_app(app)  # the school accounts' providers (OIDC_PROVIDERS)


def register_event_handlers(app: Flask) -> None:
    from campus.handlers import handlers

    app.extensions["campus_handlers"] = handlers()


def register_blueprints(app: Flask) -> None:
    from campus.admin import import_routes as _imports  # noqa: F401 - on the admin blueprint
    from campus.admin import mail_routes as _mails  # noqa: F401 - on the admin blueprint
    from campus.admin import privacy_routes as _privacy  # noqa: F401 - on the admin blueprint
    from campus.admin import report_routes as _reports  # noqa: F401 - on the admin blueprint
    from campus.admin import routes as admin_routes
    from campus.admin import sso_routes as _sign_in  # noqa: F401 - on the admin blueprint
    from campus.admin import survey_routes as _surveys  # noqa: F401 - on the admin blueprint
    from campus.admin import webhook_routes as _webhooks  # noqa: F401 - on the admin blueprint
    from campus.api import init_api
    from campus.auth import routes as auth_routes
    from campus.devices import import_page as _import_page  # noqa: F401 - on the devices bp
    from campus.devices import inventory as device_routes
    from campus.devices import scanning as _scanning  # noqa: F401 - on the devices blueprint
    from campus.interns import routes as intern_routes
    from campus.knowledge import routes as knowledge_routes
    from campus.mail import routes as mail_routes
    from campus.main import routes as main_routes
    from campus.privacy import routes as privacy_routes
    from campus.reports import routes as report_routes
    from campus.sso import routes as sso_routes
    from campus.surveys import routes as survey_routes
    from campus.tickets import lists as _lists  # noqa: F401 - routes on the tickets blueprint
    from campus.tickets import report_page as _report_page  # noqa: F401
    from campus.tickets import routes as ticket_routes
    from campus.tickets import suggestions as _suggestions  # noqa: F401 - on the tickets bp
    from campus.timetable import day as _day  # noqa: F401 - on the timetable blueprint
    from campus.timetable import holiday_routes as _holidays  # noqa: F401 - the same
    from campus.timetable import routes as timetable_routes

    app.register_blueprint(main_routes.bp)
    app.register_blueprint(ticket_routes.bp)
    app.register_blueprint(report_routes.bp)
    app.register_blueprint(device_routes.bp)
    init_api(app)  # the API blueprint and its OpenAPI document (flask-smorest)
    app.register_blueprint(auth_routes.bp)
    app.register_blueprint(admin_routes.bp)
    app.register_blueprint(mail_routes.bp)
    app.register_blueprint(timetable_routes.bp)
    app.register_blueprint(survey_routes.bp)
    app.register_blueprint(knowledge_routes.bp)
    app.register_blueprint(privacy_routes.bp)
    app.register_blueprint(sso_routes.bp)
    app.register_blueprint(intern_routes.bp)


def register_assets(app: Flask) -> None:
    """Static files under content-hashed names, cached long and compressed (assets.py)."""
    from campus import assets

    assets.init_app(app)


def register_error_handlers(app: Flask) -> None:
    from campus.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from campus import permissions
    from campus.formats import (
        format_age,
        format_at_most,
        format_datetime,
        format_duration,
        format_number,
        format_percent,
    )
    from campus.labels import label
    from campus.timetable import wording

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(label=label, permissions=permissions)
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["at_most"] = format_at_most
    app.jinja_env.filters["signed"] = lambda value: (
        format_number(0, "0.0")
        if round(value, 1) == 0
        else format_number(value, "+#,##0.0;-#,##0.0")
    )
    app.jinja_env.filters["date_short"] = lambda value: format_date(value, "medium")
    # "2026-10" as "Okt. 2026" (a report's month key)
    app.jinja_env.filters["month"] = lambda key: format_date(
        date(int(key[:4]), int(key[5:7]), 1), "MMM yyyy"
    )
    app.jinja_env.filters["age"] = format_age
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["clock"] = wording.clock
    app.jinja_env.filters["date_long"] = wording.long_day
    app.jinja_env.filters["date_weekday"] = wording.short_day
    app.jinja_env.globals.update(on_site_words=wording.next_on_site, visit_hours=wording.hours)

    @app.before_request
    def _settle_locale():
        # Chosen once, while the user is loaded anyway: after a unit of work's commit the
        # user row is expired, and a first translation then would read it again.
        if request.endpoint not in app.extensions["campus_static_endpoints"]:
            get_locale()

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _carries_nul() -> bool:
    """A NUL character in the path, the query string, a form field or a JSON body: no
    text in Campus has one, and PostgreSQL refuses it in text columns."""
    if "\x00" in request.path:
        return True
    if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        return True
    if request.mimetype in FORM_TYPES:
        return any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True))
    if request.is_json:
        raw = request.get_data(cache=True)
        return b"\x00" in raw or b"\\u0000" in raw
    return False


def register_security_headers(app: Flask) -> None:
    from campus.audit import acting_from, done_acting
    from campus.logs import request_id_from

    @app.before_request
    def _refuse_nul():
        if _carries_nul():
            abort(400, description="The request contains a NUL character.")

    @app.before_request
    def _request_id():
        g.request_id = request_id_from(request.headers.get("X-Request-ID"))
        g.acting = acting_from(request.remote_addr)  # for the audit trail

    @app.teardown_request
    def _done(_error):
        if "acting" in g:
            done_acting(g.pop("acting"))

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        if app.config.get("HSTS_SECONDS"):
            response.headers.setdefault(
                "Strict-Transport-Security",
                f"max-age={int(app.config['HSTS_SECONDS'])}; includeSubDomains",
            )
        return response


def register_logging(app: Flask) -> None:
    from campus.logs import init_logging

    init_logging(app)


def register_commands(app: Flask) -> None:
    from campus.cli import campus_cli
    from campus.knowledge import cli as _knowledge_cli  # noqa: F401  (adds its command)
    from campus.privacy import cli as _privacy_cli  # noqa: F401  (adds its command)
    from campus.sso import cli as _sso_cli  # noqa: F401  (adds its command)

    app.cli.add_command(campus_cli)


def select_locale() -> str:
    """User preference, then the session's choice, then the browser's, then German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and services outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _root() -> Path:
    return Path(__file__).resolve().parent.parent
