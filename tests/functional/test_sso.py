"""Signing in with the school's account (OpenID Connect) against a real provider served in
the tests (tests/oidc_provider.py): the code flow with PKCE, state and nonce over HTTP,
accounts matched by subject, placed by the claims, refused with a clear message."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from campus.extensions import db
from campus.models import AuditAction, AuditEntry, Mail, Role, SsoLink, User
from campus.sso.vault import unseal
from tests.conftest import PASSWORD, logged_in, login

CALLBACK = "http://localhost/login/sso/stadt/callback"


@pytest.fixture
def app_config(idp):
    idp.redirect_uris.append(CALLBACK)
    idp.post_logout_redirect_uris.append("http://localhost/auth/login")
    return {
        "OIDC_PROVIDERS": [
            {
                "name": "stadt",
                "label": "Schulkonto Stadt",
                "issuer": idp.issuer,
                "client_id": idp.client_id,
                "client_secret": idp.client_secret,
                "school_claim": "schulnummer",
                "role_claim": "groups",
                "roles": {
                    "lehrkraefte": "teacher",
                    "it-campus": "campus_manager",
                    "systemhaus": "system_house",
                },
            }
        ]
    }


def start(client, next_page=None):
    response = client.get("/login/sso/stadt", query_string={"next": next_page} if next_page else {})
    assert response.status_code == 302, response.text
    return response.location


def sign_in(client, idp, username, next_page=None):
    """The whole round trip: to the provider, log in there, back with the code."""
    callback = idp.approve(start(client, next_page), username)
    return client.get(callback)


def counts():
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(SsoLink.id))),
    )


def test_first_sign_in_creates_the_teacher_at_her_school(client, idp, make_school):
    school = make_school()
    anna = idp.add_user(
        "anna",
        email="Anna.Schmidt@schule.example",
        name="Anna Schmidt",
        claims={"schulnummer": school.school_number},
    )
    response = sign_in(client, idp, "anna", next_page="/tickets/new")
    assert response.status_code == 302 and response.location.endswith("/tickets/new")
    assert logged_in(client)
    user = db.session.scalar(select(User).where(User.email == "anna.schmidt@schule.example"))
    assert (user.display_name, user.role, user.school_id) == (
        "Anna Schmidt",
        Role.TEACHER,
        school.id,
    )
    assert not user.check_password("")  # no usable password
    link = db.session.scalar(select(SsoLink).where(SsoLink.user_id == user.id))
    assert (link.provider, link.subject) == ("stadt", anna.sub)
    assert link.last_login_at is not None
    # The refresh token is kept encrypted, and is the provider's latest.
    assert link.refresh_token and "." not in link.refresh_token[:5]
    assert unseal(link.refresh_token)
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-3:] == [AuditAction.USER_CREATED, AuditAction.SSO_LINKED, AuditAction.LOGIN]
    # The flow was the code flow with PKCE: the provider redeemed one code.
    assert [r["grant_type"] for r in idp.token_requests] == ["authorization_code"]


def test_the_authorisation_request_carries_pkce_state_and_nonce(client, idp):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["campus"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile", "offline_access"}
    assert query["redirect_uri"] == [CALLBACK]


def test_an_unknown_school_is_refused_and_nothing_is_created(client, idp, make_school):
    make_school()
    idp.add_user("bert", email="bert@schule.example", name="Bert", claims={"schulnummer": "999999"})
    before = counts()
    response = sign_in(client, idp, "bert")
    assert response.status_code == 403
    assert "ordnet Sie keiner Schule zu, die Campus kennt" in response.text
    assert "999999" in response.text
    assert counts() == before and not logged_in(client)
    failed = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN_FAILED)
    ).all()
    assert [e.detail for e in failed] == ["unknown school"]


@pytest.mark.parametrize(
    "misbehave", ["forged", "expired", "wrong_nonce", "wrong_audience", "wrong_issuer", "unsigned"]
)
def test_a_bad_id_token_is_refused_and_nothing_is_created(client, idp, make_school, misbehave):
    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    idp.misbehave = misbehave
    before = counts()
    response = sign_in(client, idp, "anna")
    assert response.status_code == 403
    assert "konnte nicht geprüft werden. Es wurde nichts geändert." in response.text
    assert counts() == before and not logged_in(client)


def test_a_replayed_callback_is_refused(client, app, idp, make_school):
    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    callback = idp.approve(start(client), "anna")
    # A copy of the browser's session still holds the state: only the code protects it.
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert client.get(callback).status_code == 302
    before = counts()
    replayed = copy.get(callback)
    assert replayed.status_code == 403 and not logged_in(copy)
    assert idp.token_requests[-1]["error"] == "invalid_grant"
    # The same browser again: its state was used up.
    client.post("/auth/logout", data={})
    again = client.get(callback)
    assert again.status_code == 403
    assert "abgelaufen oder wurde schon benutzt" in again.text
    assert counts() == before


def test_a_callback_without_a_state_of_this_browser_is_refused(client, idp, make_school, app):
    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    callback = idp.approve(start(client), "anna")
    stranger = app.test_client()  # login CSRF: someone else's code pushed into a browser
    assert stranger.get(callback).status_code == 403
    assert not logged_in(stranger) and counts()[1] == 0


def test_matched_by_subject_after_the_address_changes(client, idp, make_school):
    school = make_school()
    anna = idp.add_user("anna", email="anna@schule.example", name="Anna",
                        claims={"schulnummer": school.school_number})  # fmt: skip
    sign_in(client, idp, "anna")
    first = db.session.scalar(select(SsoLink)).user_id
    client.post("/auth/logout")
    anna.email, anna.name = "anna.neu@schule.example", "Anna Neumann"
    assert sign_in(client, idp, "anna").status_code == 302
    db.session.expire_all()
    user = db.session.get(User, first)
    assert (user.email, user.display_name) == ("anna.neu@schule.example", "Anna Neumann")
    assert counts() == (1, 1)
    # Someone else at the provider with Anna's old or new address is not Anna.
    client.post("/auth/logout")
    idp.add_user("mallory", email="anna.neu@schule.example", name="Mallory",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    response = sign_in(client, idp, "mallory")
    assert response.status_code == 403 and not logged_in(client)
    assert counts() == (1, 1)


def test_an_existing_account_is_linked_by_its_verified_address(client, idp, make_user):
    teacher = make_user(Role.TEACHER, email="lehrerin@schule.example")
    idp.add_user("unverified", email="lehrerin@schule.example", name="X", email_verified=False,
                 claims={"schulnummer": teacher.school.school_number})  # fmt: skip
    assert sign_in(client, idp, "unverified").status_code == 403  # not linked, not created
    assert counts() == (1, 0)
    idp.add_user("lehrerin", email="lehrerin@schule.example", name="Frau Lehrerin",
                 claims={"schulnummer": teacher.school.school_number})  # fmt: skip
    assert sign_in(client, idp, "lehrerin").status_code == 302
    link = db.session.scalar(select(SsoLink))
    assert link.user_id == teacher.id and counts() == (1, 1)
    # Her password still works while passwords are for everyone.
    client.post("/auth/logout")
    assert login(client, teacher.email).status_code == 302


def test_an_administrator_is_never_linked_by_address(client, idp, make_user):
    admin = make_user(Role.ADMIN, email="admin@stadt.example")
    idp.add_user("admin", email="admin@stadt.example", name="Admin",
                 claims={"schulnummer": "1"})  # fmt: skip
    response = sign_in(client, idp, "admin")
    assert response.status_code == 403 and counts() == (1, 0)
    # Linked from her profile, she signs in with it; her role stays.
    login(client, admin.email)
    # A borrowed session is not enough: linking asks for the password.
    wrong = client.post("/login/sso/stadt/link", data={"password": "not-hers"})
    assert wrong.location.endswith("/login/sso/account") and counts() == (1, 0)
    location = client.post("/login/sso/stadt/link", data={"password": PASSWORD}).location
    assert parse_qs(urlsplit(location).query)["prompt"] == ["login"]  # and a fresh sign-in
    assert client.get(idp.approve(location, "admin")).status_code == 302
    [notice] = db.session.scalars(select(Mail).where(Mail.kind == "sso_linked")).all()
    assert notice.to_address == admin.email and "Schulkonto Stadt" in notice.text
    client.post("/auth/logout")
    assert sign_in(client, idp, "admin").status_code == 302 and logged_in(client)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_role_and_school_follow_the_claims(client, idp, make_school, make_campus):
    north, south = make_campus("Nord"), make_campus("Süd")
    a, b = make_school(north), make_school(south)
    claims = {"schulnummer": [a.school_number, "123"], "groups": ["lehrkraefte", "it-campus"]}
    person = idp.add_user("max", email="max@stadt.example", name="Max", claims=claims)
    sign_in(client, idp, "max")
    user = db.session.scalar(select(User).where(User.email == "max@stadt.example"))
    assert user.role == Role.CAMPUS_MANAGER and [c.name for c in user.managed_campuses] == ["Nord"]
    client.post("/auth/logout")
    person.claims = {"schulnummer": b.school_number, "groups": ["lehrkraefte"]}
    sign_in(client, idp, "max")
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.role, user.school_id, user.managed_campuses) == (Role.TEACHER, b.id, [])
    changed = db.session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == AuditAction.USER_CHANGED)
    ).all()
    assert changed and "Nord" in changed[-1] and b.name in changed[-1]


def test_a_teacher_the_claims_no_longer_place_is_refused_deactivated_and_comes_back(
    client, idp, make_school
):
    school = make_school()
    anna = idp.add_user("anna", email="anna@schule.example", name="Anna",
                        claims={"schulnummer": school.school_number})  # fmt: skip
    sign_in(client, idp, "anna")
    client.post("/auth/logout")
    anna.claims = {"schulnummer": "000000"}  # moved to a school outside the city
    assert sign_in(client, idp, "anna").status_code == 403
    db.session.expire_all()
    link = db.session.scalar(select(SsoLink))
    assert not link.user.active and link.removed_at is not None
    anna.claims = {"schulnummer": school.school_number}  # back again
    assert sign_in(client, idp, "anna").status_code == 302 and logged_in(client)
    db.session.expire_all()
    link = db.session.scalar(select(SsoLink))
    assert link.user.active and link.removed_at is None


def test_an_account_deactivated_by_an_admin_stays_out(client, idp, make_school, as_user, app):
    from campus.admin.services import set_user_active, system_actor

    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    sign_in(client, idp, "anna")
    client.post("/auth/logout")
    user = db.session.scalar(select(SsoLink)).user
    set_user_active(system_actor(), user, False)
    db.session.commit()
    response = sign_in(client, idp, "anna")
    assert response.status_code == 403 and "deaktiviert" in response.text
    assert not logged_in(client)


def test_passwords_for_administrators_only(client, idp, make_user, as_user):
    from campus.sso.settings import set_passwords_for_all

    teacher = make_user(Role.TEACHER)
    admin = make_user(Role.ADMIN)
    set_passwords_for_all(admin, False)
    db.session.commit()
    page = client.get("/auth/login").text
    assert "Mit Schulkonto anmelden" in page and "<details" in page
    refused = login(client, teacher.email)
    assert refused.status_code == 422 and not logged_in(client)
    wrong = login(client, teacher.email, "not-the-password")
    # The same answer for the right and a wrong password: no oracle.
    assert _error(refused.text) == _error(wrong.text)
    # No reset mail for a password that cannot be used.
    client.post("/auth/password/forgot", data={"email": teacher.email})
    assert db.session.scalar(select(func.count(Mail.id))) == 0
    assert login(client, admin.email).status_code == 302


def _error(html: str) -> str:
    start = html.index('class="invalid-feedback')
    return html[start : html.index("</div>", start)]


def test_logout_offers_the_providers_end_session(client, idp, make_school):
    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    sign_in(client, idp, "anna")
    response = client.post("/auth/logout", follow_redirects=True)
    assert "Auch beim Schulkonto abmelden" in response.text
    end = client.get("/login/sso/stadt/logout")
    assert end.status_code == 302 and end.location.startswith(f"{idp.issuer}/logout")
    query = parse_qs(urlsplit(end.location).query)
    assert query["client_id"] == ["campus"]
    assert query["post_logout_redirect_uri"] == ["http://localhost/auth/login"]
    # The offer is made once, and not after a password login.
    assert "Auch beim Schulkonto abmelden" not in client.get("/auth/login").text


def test_an_unreachable_provider_gets_a_clear_message(client, idp, app):
    app.extensions["campus_sso_clients"].create_client(
        "stadt"
    )._server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
    response = client.get("/login/sso/stadt")
    assert response.status_code == 503 and "nicht erreichbar" in response.text


def test_unknown_provider_and_foreign_next_pages(client, idp, make_school):
    assert client.get("/login/sso/elsewhere").status_code == 404
    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    response = sign_in(client, idp, "anna", next_page="//evil.example/x")
    assert response.status_code == 302 and urlsplit(response.location).netloc in ("", "localhost")
    assert PASSWORD  # the module's password logins use the suite's one


def test_a_look_alike_address_is_not_linked(client, idp, make_user):
    karl = make_user(Role.TEACHER, email="karl@schule.example")
    # "\u212a" (Kelvin sign) lower-cases to "k": "Karl" to anyone comparing carelessly.
    idp.add_user("fake", email="\u212aarl@schule.example", name="Fake",
                 claims={"schulnummer": karl.school.school_number})  # fmt: skip
    response = sign_in(client, idp, "fake")
    assert response.status_code == 403 and counts() == (1, 0) and not logged_in(client)


@pytest.mark.parametrize("role", [Role.CAMPUS_MANAGER, Role.SYSTEM_HOUSE])
def test_only_teachers_are_linked_by_address(client, idp, make_user, role):
    person = make_user(role, email="support@stadt.example")
    idp.add_user("support", email="support@stadt.example", name="Support",
                 claims={"groups": ["systemhaus"]})  # fmt: skip
    assert sign_in(client, idp, "support").status_code == 403
    assert counts() == (1, 0)
    db.session.expire_all()
    assert db.session.get(User, person.id).role == role


def test_linking_from_the_profile_checks_the_claims_and_the_subject(client, idp, make_user, app):
    teacher = make_user(Role.TEACHER, email="lehrerin@schule.example")
    idp.add_user("elsewhere", email="x@schule.example", name="X",
                 claims={"schulnummer": "000000"})  # fmt: skip
    login(client, teacher.email)
    location = client.post("/login/sso/stadt/link", data={"password": PASSWORD}).location
    page = client.get(idp.approve(location, "elsewhere"), follow_redirects=True)
    assert "keiner Schule zu, die Campus kennt" in page.text and counts()[1] == 0
    # A school account already linked with someone else is refused with a message.
    other = make_user(Role.TEACHER, email="other@schule.example", school=teacher.school)
    idp.add_user("other", email=other.email, name="Other",
                 claims={"schulnummer": teacher.school.school_number})  # fmt: skip
    browser = app.test_client()
    assert sign_in(browser, idp, "other").status_code == 302
    location = client.post("/login/sso/stadt/link", data={"password": PASSWORD}).location
    page = client.get(idp.approve(location, "other"), follow_redirects=True)
    assert page.status_code == 200 and "schon mit einem anderen Campus-Konto" in page.text
    assert db.session.scalar(select(SsoLink.user_id)) == other.id


def test_a_token_endpoint_answering_garbage_is_a_clear_message(client, idp, make_school):
    school = make_school()
    idp.add_user("anna", email="anna@schule.example", name="Anna",
                 claims={"schulnummer": school.school_number})  # fmt: skip
    callback = idp.approve(start(client), "anna")
    idp.token_answer = (200, "<html>Wartung</html>")
    response = client.get(callback)
    assert response.status_code == 503 and "nicht erreichbar" in response.text
    assert counts() == (0, 0)


def test_an_administrators_name_and_address_stay_hers(client, idp, make_user):
    admin = make_user(Role.ADMIN, email="ada@stadt.example")
    ada = idp.add_user("ada", email="ada@stadt.example", name="Ada")
    login(client, admin.email)
    client.get(idp.approve(client.post("/login/sso/stadt/link", data={"password": PASSWORD})
                           .location, "ada"))  # fmt: skip
    client.post("/auth/logout")
    ada.email, ada.name = "someone.else@stadt.example", "Someone Else"
    assert sign_in(client, idp, "ada").status_code == 302
    db.session.expire_all()
    user = db.session.get(User, admin.id)
    assert (user.email, user.display_name) == ("ada@stadt.example", admin.display_name)
