"""Issue 12: what an attacker sends, refused over HTTP."""

import pytest

from campus.models import Role
from tests.conftest import PASSWORD
from tests.unit.test_report_queries import march  # noqa: F401 - the shared dataset fixture

# Addresses that browsers "repair" into another host, and other ways off the site.
OFF_SITE = [
    "https://evil.example/steal",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "http://localhost/tickets/",  # even this host: `next` is a path, nothing else
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_the_site(client, make_user, target):
    user = make_user(Role.TEACHER)
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_login_keeps_a_path_on_the_site(client, make_user):
    user = make_user(Role.TEACHER)
    response = client.post(
        "/auth/login",
        query_string={"next": "/tickets/?status=open"},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.location == "/tickets/?status=open"


@pytest.mark.parametrize(
    ("referrer", "back_to"),
    [
        ("https://evil.example/x", "/"),
        ("http://localhost.evil.example/x", "/"),
        ("http://localhost/\\evil.example", "/"),
        ("http://localhost/tickets/?status=open", "/tickets/?status=open"),
    ],
)
def test_switching_language_goes_back_only_to_this_site(client, referrer, back_to):
    response = client.post("/auth/language", data={"locale": "en"}, headers={"Referer": referrer})
    assert response.status_code == 302
    assert response.location == back_to


# --- exports: no formula injection ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example","Klick")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"],
)
def test_a_name_that_is_a_formula_stays_text_in_the_csv(march, as_user, name):  # noqa: F811
    import csv
    import io

    from sqlalchemy import update

    from campus.extensions import db
    from campus.models import Campus

    db.session.execute(update(Campus).where(Campus.name == "Campus Nord").values(name=name))
    db.session.commit()
    for separator in (",", ";"):
        response = as_user(march.admin).get(
            "/reports/export.csv",
            query_string={
                "table": "campus",
                "sep": separator,
                "preset": "custom",
                "start": "2026-03-01",
                "end": "2026-03-31",
            },
        )
        assert response.status_code == 200
        rows = list(
            csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=separator)
        )
        labels = [row["label"] for row in rows]
        assert "'" + name in labels  # shown as the text it is, never run
        assert not any(label.startswith(("=", "+", "-", "@", "\t", "\r")) for label in labels)
        assert all(row["recorded"].isdigit() for row in rows)  # numbers stay numbers


# --- failed logins behind a reverse proxy: the attacker is slowed, nobody else ----------


def _from(client, forwarded_for: str | None = None, remote: str = "127.0.0.1"):
    client.environ_base["REMOTE_ADDR"] = remote
    if forwarded_for is None:
        client.environ_base.pop("HTTP_X_FORWARDED_FOR", None)
    else:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def _login(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password})


@pytest.fixture
def proxied_app(app):
    """The app as deployed behind one trusted reverse proxy (nginx on 127.0.0.1)."""
    from campus import trust_proxies

    app.config["TRUSTED_PROXIES"] = 1
    trust_proxies(app)
    return app


def test_fifty_invented_accounts_behind_the_proxy_lock_out_only_the_attacker(
    proxied_app, make_user
):
    admin = make_user(Role.ADMIN)
    attacker = _from(proxied_app.test_client(), "203.0.113.66")
    for n in range(60):
        response = _login(attacker, f"erfunden{n}@example.org", "geraten")
        assert response.status_code in (422, 429)
    assert _login(attacker, admin.email, PASSWORD).status_code == 429  # that address waits
    office = _from(proxied_app.test_client(), "198.51.100.7")  # the same proxy, a user
    assert _login(office, admin.email, PASSWORD).status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(app, make_user):
    user = make_user(Role.TEACHER)
    attacker = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"] * 5  # what one address may fail
    for n in range(limit):  # a new invented origin each time
        _from(attacker, f"10.0.{n // 250}.{n % 250}")
        assert _login(attacker, f"erfunden{n}@example.org", "geraten").status_code == 422
    _from(attacker, "192.0.2.200")
    assert _login(attacker, user.email, PASSWORD).status_code == 429  # still one address


def test_an_account_attacked_from_many_addresses_still_lets_its_owner_in(app, make_user):
    owner = make_user(Role.ADMIN)
    laptop = _from(app.test_client(), remote="198.51.100.10")
    assert _login(laptop, owner.email, PASSWORD).status_code == 302  # a known browser now
    laptop.post("/auth/logout")
    tries = app.config["LOGIN_MAX_FAILURES"]
    for n in range(5 * tries):  # the account's limit over all addresses, each address
        if n % (tries - 1) == 0:  # below its own
            botnet = _from(app.test_client(), remote=f"203.0.113.{n + 1}")
        assert _login(botnet, owner.email, "geraten").status_code == 422
    # Across addresses the account has failed too often: a new browser waits ...
    stranger = _from(app.test_client(), remote="192.0.2.99")
    assert _login(stranger, owner.email, PASSWORD).status_code == 429
    # ... but the owner's own browser is not held by what others did.
    assert _login(laptop, owner.email, PASSWORD).status_code == 302
    # a forged "known" cookie is no way around it
    stranger.set_cookie("campus_known", "eyJmYWtlIjoxfQ.forged.sig")
    assert _login(stranger, owner.email, PASSWORD).status_code == 429


def test_the_waits_grow_as_failures_go_on(app, make_user):
    import time

    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_SECONDS=1)
    user = make_user(Role.TEACHER)
    guesser = app.test_client()
    for _ in range(2):
        assert _login(guesser, user.email, "geraten").status_code == 422
    first = _login(guesser, user.email, PASSWORD)
    assert first.status_code == 429 and int(first.headers["Retry-After"]) == 1
    time.sleep(1.1)
    for _ in range(2):  # the first window is over: two more failures ...
        assert _login(guesser, user.email, "geraten").status_code == 422
    second = _login(guesser, user.email, PASSWORD)
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > 1  # ... and now a longer window holds


# --- sessions and tokens ---------------------------------------------------------------------


def _copy_cookies(source, names=("session", "remember_token")):
    """What an attacker who copied the browser's cookies holds: a fresh client with them."""
    thief = source.application.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def _is_logged_in(client) -> bool:
    return client.get("/tickets/mine").status_code == 200


def test_logging_out_ends_that_session_for_good(app, make_user):
    user = make_user(Role.TEACHER)
    browser = app.test_client()
    response = browser.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert browser.get_cookie("remember_token") is not None
    copied = _copy_cookies(browser)
    only_remember = _copy_cookies(browser, names=("remember_token",))
    assert _is_logged_in(copied)  # before the logout the copies work: they are the session
    other_device = app.test_client()
    assert _login(other_device, user.email, PASSWORD).status_code == 302

    assert browser.post("/auth/logout").status_code == 302
    assert not _is_logged_in(browser)
    assert not _is_logged_in(copied)  # the copied session cookie no longer works
    assert not _is_logged_in(only_remember)  # nor the remember-me cookie alone
    assert _is_logged_in(other_device)  # the user's other login goes on


def _token(user) -> str:
    from campus.auth.tokens import create_token
    from campus.extensions import db
    from campus.unit_of_work import work

    with work():
        _record, token = create_token(user, user, "Skript")
    db.session.commit()
    return token


def _api_works(app, token) -> bool:
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code == 200


@pytest.mark.parametrize("revoke", [True, False])
def test_changing_the_password_offers_to_revoke_the_api_tokens(app, make_user, revoke):
    user = make_user(Role.CAMPUS_MANAGER)
    token = _token(user)
    browser = app.test_client()
    _login(browser, user.email, PASSWORD)
    page = browser.get("/auth/password").text
    assert 'name="revoke_tokens"' in page and "checked" in page  # ticked by default
    form = {
        "current_password": PASSWORD,
        "new_password": "ein-ganz-neues-passwort",
        "confirm": "ein-ganz-neues-passwort",
    }
    if revoke:
        form["revoke_tokens"] = "y"
    assert browser.post("/auth/password", data=form).status_code == 302
    assert _is_logged_in(browser)  # this browser stays logged in
    assert _api_works(app, token) is not revoke


def test_an_admins_password_reset_revokes_the_api_tokens(app, make_user, as_user):
    teacher = make_user(Role.TEACHER)
    token = _token(teacher)
    admin = as_user(make_user(Role.ADMIN))
    response = admin.post(
        f"/admin/users/{teacher.id}/edit",
        data={
            "display_name": teacher.display_name,
            "email": teacher.email,
            "role": "teacher",
            "school_id": str(teacher.school_id),
            "password": "vom-admin-neu-gesetzt",
        },
    )
    assert response.status_code == 302
    assert not _api_works(app, token)


def test_ended_and_month_old_logins_are_forgotten(app, make_user):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from campus.extensions import db
    from campus.models import LoginSession, utcnow

    user = make_user(Role.TEACHER)
    for _ in range(3):
        _login(app.test_client(), user.email, PASSWORD)
    ended = app.test_client()
    _login(ended, user.email, PASSWORD)
    ended.post("/auth/logout")
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.id == db.session.scalar(select(func.min(LoginSession.id))))
        .values(created_at=utcnow() - timedelta(days=31))
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["campus", "close-stale"])
    assert result.exit_code == 0 and "Forgot 2 ended or month-old login(s)." in result.output
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 2


# --- webhooks: no requests into the server's own networks (SSRF) ---------------------------

INTERNAL = [
    "http://127.0.0.1/",
    "http://localhost:8000/admin",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://10.0.0.5/",
    "http://172.16.0.1/",
    "http://192.168.178.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0:5432/",
    "http://0x7f000001/",  # hex
    "http://2130706433/",  # one decimal number
    "http://0177.0.0.1/",  # octal
    "http://127.1/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://user:pass@example.org/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_a_webhook_into_an_internal_network_is_refused(app, as_user, make_user, url):
    from sqlalchemy import func, select

    from campus.extensions import db
    from campus.models import Webhook

    admin = as_user(make_user(Role.ADMIN))
    response = admin.post("/admin/webhooks", data={"url": url, "campus_id": ""})
    assert response.status_code == 422, url
    assert "CAMPUS_WEBHOOK_ALLOWED_NETWORKS" in response.text or "Adresse" in response.text
    assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0


def test_a_public_address_and_an_allowed_network_are_accepted(app, as_user, make_user):
    admin = as_user(make_user(Role.ADMIN))
    public = admin.post(
        "/admin/webhooks", data={"url": "https://93.184.215.14/hook", "campus_id": ""}
    )
    assert public.status_code == 302
    refused = admin.post("/admin/webhooks", data={"url": "http://10.20.1.5/itsm", "campus_id": ""})
    assert refused.status_code == 422
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["10.20.0.0/16"]  # the system house's ITSM
    allowed = admin.post("/admin/webhooks", data={"url": "http://10.20.1.5/itsm", "campus_id": ""})
    assert allowed.status_code == 302


class _Receiver:
    """A local receiver; answers with `status` (and a Location for redirects)."""

    def __init__(self, status=200):
        import threading

        from werkzeug.serving import make_server

        self.status, self.received = status, []
        self.server = make_server("127.0.0.1", 0, self.app)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ, start_response):
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        self.received.append((request.path, dict(request.headers), request.get_data()))
        headers = {"Location": self.url.replace("/hook", "/elsewhere")}
        return Response("x", status=self.status, headers=headers)(environ, start_response)


def _escalate_with_hook(app, world, as_user, url):
    from tests.tickets_helpers import ANALYSIS

    admin = as_user(world.admin)
    assert admin.post("/admin/webhooks", data={"url": url, "campus_id": ""}).status_code == 302
    ticket = world.ticket("in_progress")
    data = {f"escalate-{k}": v for k, v in ANALYSIS.items()}
    assert (
        as_user(world.manager).post(f"/tickets/{ticket.id}/escalate", data=data).status_code == 302
    )


def _delivery():
    from sqlalchemy import select

    from campus.extensions import db
    from campus.models import WebhookDelivery

    db.session.expire_all()
    return db.session.scalar(select(WebhookDelivery))


def test_the_address_is_checked_again_when_sending(app, world, as_user):
    receiver = _Receiver()
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]
    admin = as_user(world.admin)
    assert (
        admin.post("/admin/webhooks", data={"url": receiver.url, "campus_id": ""}).status_code
        == 302
    )
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = []  # as if the name now pointed inside
    from tests.tickets_helpers import ANALYSIS

    ticket = world.ticket("in_progress")
    data = {f"escalate-{k}": v for k, v in ANALYSIS.items()}
    assert (
        as_user(world.manager).post(f"/tickets/{ticket.id}/escalate", data=data).status_code == 302
    )
    assert receiver.received == []
    assert _delivery().last_error == "refused: address not allowed"
    receiver.server.shutdown()


def test_redirects_are_not_followed_and_the_log_keeps_a_short_reason(app, world, as_user):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]
    receiver = _Receiver(status=302)
    _escalate_with_hook(app, world, as_user, receiver.url)
    assert [path for path, _headers, _body in receiver.received] == ["/hook"]  # not /elsewhere
    assert _delivery().last_error == "HTTP 302: redirects are not followed"
    receiver.server.shutdown()


def test_a_closed_port_is_logged_without_details(app, world, as_user):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]
    _escalate_with_hook(app, world, as_user, "http://127.0.0.1:9/nothing")
    assert _delivery().last_error == "could not connect"


def test_the_timestamp_is_signed_with_the_body(app, world, as_user):
    import hashlib
    import hmac
    import time

    from sqlalchemy import select

    from campus.extensions import db
    from campus.models import Webhook

    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]
    receiver = _Receiver()
    _escalate_with_hook(app, world, as_user, receiver.url)
    [(_path, headers, body)] = receiver.received
    secret = db.session.scalar(select(Webhook.secret))
    timestamp = headers["X-Campus-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Campus-Signature-V2"] == f"t={timestamp},sha256={expected.hexdigest()}"
    # an old message sent again carries its old time: the signature binds it
    other = hmac.new(
        secret.encode(), str(int(timestamp) + 600).encode() + b"." + body, hashlib.sha256
    )
    assert other.hexdigest() not in headers["X-Campus-Signature-V2"]
    receiver.server.shutdown()


def test_a_secret_is_shown_once_can_be_rotated_and_a_webhook_deleted(app, world, as_user):
    from sqlalchemy import func, select

    from campus.extensions import db
    from campus.models import Webhook, WebhookDelivery

    admin = as_user(world.admin)
    added = admin.post(
        "/admin/webhooks",
        data={"url": "https://93.184.215.14/hook", "campus_id": ""},
        follow_redirects=True,
    )
    hook = db.session.scalar(select(Webhook))
    assert hook.secret in added.text  # shown once, right after it was made
    assert hook.secret not in admin.get("/admin/webhooks").text  # and never again
    old = hook.secret
    rotated = admin.post(f"/admin/webhooks/{hook.id}/secret", follow_redirects=True)
    db.session.refresh(hook)
    assert hook.secret != old and hook.secret in rotated.text and old not in rotated.text
    assert hook.secret not in admin.get("/admin/webhooks").text
    db.session.add(WebhookDelivery(webhook_id=hook.id, event="ticket.escalated", payload="{}"))
    db.session.commit()
    manager = as_user(world.manager)
    assert manager.post(f"/admin/webhooks/{hook.id}/delete").status_code == 403
    assert admin.post(f"/admin/webhooks/{hook.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


# --- bad values answer 4xx (the walk over every route is tests/functional/test_odd_values.py)


def test_nul_bytes_and_oversized_ids_are_refused_clearly(app, world, as_user, token_for):
    teacher = as_user(world.teacher)
    assert teacher.get("/tickets/mine", query_string={"q": "a\x00b"}).status_code == 400
    assert teacher.get("/tickets/" + "9" * 25).status_code == 404
    assert teacher.get("/tickets/١٢٣").status_code == 404  # digits, but not ASCII ones
    response = app.test_client().post(
        "/api/v1/tickets",
        json={"title": "Beamer\x00", "description": "x", "category": "printer", "impact": "minor"},
        headers=token_for(world.teacher),
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"]  # the API's own error shape
    listing = app.test_client().get(
        "/api/v1/tickets", query_string={"page": "9" * 25}, headers=token_for(world.teacher)
    )
    assert listing.status_code == 400 and listing.get_json()["error"]["code"] == "invalid"
