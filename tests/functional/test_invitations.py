"""Invitations (one by one and by CSV import) and password resets: links by mail that set a
password, through the real HTTP client; the mails are read back from the .eml files."""

import re
import time
from contextlib import contextmanager
from datetime import timedelta
from email.parser import BytesParser
from email.policy import default as default_policy
from io import BytesIO
from pathlib import Path

import flask
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from campus.admin.services import save_user, system_actor
from campus.auth.invitations import is_invited
from campus.exceptions import FieldErrors
from campus.extensions import db
from campus.mail import links
from campus.models import AuditAction, AuditEntry, Mail, MailStatus, Role, User
from tests.conftest import PASSWORD, field_errors, logged_in, login

NEW_PASSWORD = "a-brand-new-secret-42"
LINK = re.compile(r"https?://[^\s\"'<>]+/auth/(?:invitation|password/reset)/[\w.\-]+")


# --- helpers --------------------------------------------------------------------------------


def english(browser) -> None:
    """Read this browser's pages in English (the msgids): German comes with the catalogue."""
    browser.post("/auth/language", data={"locale": "en"})


def mails(app, to: str | None = None) -> list:
    """The mails written to the folder, parsed, oldest first (in the order of the outbox)."""
    folder = Path(app.config["MAIL_FOLDER"])
    parsed = {}
    for path in folder.glob("*.eml") if folder.exists() else []:
        with path.open("rb") as file:
            message = BytesParser(policy=default_policy).parse(file)
        parsed[message["Message-ID"].strip("<>")] = message
    order = db.session.scalars(select(Mail.message_id).order_by(Mail.id)).all()
    found = [parsed[m] for m in order if m in parsed]
    return [m for m in found if to is None or m["To"] == to]


def link_in(message) -> str:
    """The one link of an invitation or reset mail (the same in its text and HTML part)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    found = set(LINK.findall(text))
    assert len(found) == 1, text
    link = found.pop()
    assert link in html
    return link


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def user_by(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def set_password(browser, link: str, password: str = NEW_PASSWORD):
    return browser.post(path_of(link), data={"password": password, "confirm": password})


@pytest.fixture
def admin(client, login_as):
    user = login_as(Role.ADMIN)
    english(client)
    return user


def invite(client, school, email="j.mueller@schule.example", name="Jürgen Müller"):
    return client.post(
        "/admin/users/new",
        data={
            "display_name": name,
            "email": email,
            "role": "teacher",
            "school_id": str(school.id),
            "password": "",
        },
    )


@contextmanager
def signed_earlier(monkeypatch, ago: timedelta):
    """Links signed in this block carry a time stamp `ago` in the past."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - ago.total_seconds())

    def sign(purpose, value):
        secret = flask.current_app.config["SECRET_KEY"]
        return URLSafeTimedSerializer(secret, salt=purpose, signer=Earlier).dumps(value)

    with monkeypatch.context() as patch:
        patch.setattr(links, "sign", sign)
        yield


# --- invitations one by one -------------------------------------------------------------------


def test_admin_invites_a_teacher_who_sets_a_password_by_the_link(app, client, admin, make_school):
    school = make_school()
    response = invite(client, school)
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Invitation sent to j.mueller@schule.example." in page.text

    teacher = user_by("j.mueller@schule.example")
    assert (teacher.role, teacher.school_id, teacher.display_name) == (
        Role.TEACHER,
        school.id,
        "Jürgen Müller",
    )
    assert is_invited(teacher)
    row = db.session.scalar(select(Mail).where(Mail.kind == "invitation"))
    assert (row.to_address, row.user_id, row.status) == (
        "j.mueller@schule.example",
        teacher.id,
        MailStatus.SENT,
    )
    [message] = mails(app)
    assert message["To"] == "j.mueller@schule.example"
    assert message["Subject"] == row.subject and message["Subject"].strip()
    assert message["X-Campus-Kind"] == "invitation"
    link = link_in(message)
    assert "/auth/invitation/" in link
    assert "Jürgen Müller" in message.get_body(preferencelist=("plain",)).get_content()

    # The users list shows who has not joined yet, with a button to send the mail again.
    users = client.get("/admin/users")
    assert "Invited" in users.text
    assert f"/admin/users/{teacher.id}/invitation" in users.text

    # No password works before the link was used, not even the stored placeholder.
    browser = app.test_client()
    for attempt in ("", PASSWORD, teacher.password_hash):
        login(browser, teacher.email, attempt)
        assert not logged_in(browser)

    form = browser.get(path_of(link))
    assert form.status_code == 200
    assert "j.mueller@schule.example" in form.text
    done = set_password(browser, link)
    assert done.status_code == 302
    assert done.location.startswith("/auth/login")
    assert not is_invited(user_by(teacher.email))

    assert login(browser, teacher.email, NEW_PASSWORD).status_code == 302
    assert logged_in(browser)

    # The link works once: afterwards it neither shows the form nor sets a password.
    other = app.test_client()
    assert other.get(path_of(link)).status_code == 404
    assert set_password(other, link, "someone-elses-password").status_code == 404
    assert user_by(teacher.email).check_password(NEW_PASSWORD)
    assert not user_by(teacher.email).check_password("someone-elses-password")

    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {AuditAction.USER_CREATED, AuditAction.USER_INVITED} <= actions
    assert AuditAction.INVITATION_ACCEPTED in actions
    users = client.get("/admin/users")
    assert f"/admin/users/{teacher.id}/invitation" not in users.text


def test_the_new_user_form_explains_the_invitation(client, admin):
    page = client.get("/admin/users/new")
    assert "Leave empty to send an invitation by e-mail" in page.text


def test_an_admin_may_still_set_an_initial_password(app, client, admin, make_school):
    school = make_school()
    response = client.post(
        "/admin/users/new",
        data={
            "display_name": "Pia Paß",
            "email": "pia@schule.example",
            "role": "teacher",
            "school_id": str(school.id),
            "password": "an-initial-password",
        },
    )
    assert response.status_code == 302
    assert not is_invited(user_by("pia@schule.example"))
    assert count(Mail) == 0
    assert "Invitation sent" not in client.get(response.location).text


def test_a_refused_form_invites_nobody(app, client, admin):
    response = client.post(
        "/admin/users/new",
        data={"display_name": "Ohne Schule", "email": "os@schule.example", "role": "teacher"},
    )
    assert response.status_code == 422
    assert "school_id" in field_errors(response.text)
    assert user_by("os@schule.example") is None
    assert count(Mail) == 0
    assert mails(app) == []


def test_without_invite_a_new_user_still_needs_a_password(app, make_school):
    """The command line passes a password; without one and without `invite`, no account."""
    school = make_school()
    with pytest.raises(FieldErrors) as refused:
        save_user(
            system_actor(),
            email="cli@schule.example",
            display_name="Per Kommandozeile",
            role=Role.TEACHER,
            school_id=school.id,
        )
    assert "password" in refused.value.errors
    db.session.rollback()
    assert user_by("cli@schule.example") is None


def test_the_set_password_form_checks_the_password(app, client, admin, make_school):
    invite(client, make_school())
    link = link_in(mails(app)[0])
    browser = app.test_client()
    english(browser)
    short = set_password(browser, link, "kurz")
    assert short.status_code == 422
    assert "password" in field_errors(short.text)
    differ = browser.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": "other-one-42"})
    assert differ.status_code == 422
    assert "confirm" in field_errors(differ.text)
    assert is_invited(user_by("j.mueller@schule.example"))
    assert set_password(browser, link).status_code == 302  # still unused


def test_an_expired_invitation_is_refused(app, client, admin, make_school, monkeypatch):
    school = make_school()
    with signed_earlier(monkeypatch, timedelta(days=14, minutes=1)):
        invite(client, school)
    link = link_in(mails(app)[0])
    browser = app.test_client()
    english(browser)
    page = browser.get(path_of(link))
    assert page.status_code == 410
    assert "The link has expired." in page.text
    assert set_password(browser, link).status_code == 410
    assert is_invited(user_by("j.mueller@schule.example"))
    # The age is INVITATION_DAYS: the same link within a longer period still works.
    app.config["INVITATION_DAYS"] = 30
    assert browser.get(path_of(link)).status_code == 200


def test_a_tampered_link_is_refused(app, client, admin, make_school):
    invite(client, make_school())
    link = link_in(mails(app)[0])
    browser = app.test_client()
    path = path_of(link)
    middle = len(path) - 10  # inside the signature: the last character may hold spare bits
    tampered = path[:middle] + ("A" if path[middle] != "A" else "B") + path[middle + 1 :]
    assert browser.get(tampered).status_code == 404
    # An invitation link is no reset link, and the other way round.
    token = path_of(link).rsplit("/", 1)[1]
    assert browser.get(f"/auth/password/reset/{token}").status_code == 404


def test_resending_the_invitation_writes_a_new_mail_and_both_links_work_until_one_is_used(
    app, client, admin, make_school
):
    invite(client, make_school())
    teacher = user_by("j.mueller@schule.example")
    response = client.post(f"/admin/users/{teacher.id}/invitation")
    assert response.status_code == 302
    assert "Invitation sent to j.mueller@schule.example." in client.get(response.location).text
    first, second = mails(app, to=teacher.email)
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == AuditAction.USER_INVITED)
        )
        == 2
    )

    # Sending again does not spend the first link: the password stays unset until a link
    # is used, and each link stands for "the account as long as no password is set".
    browser = app.test_client()
    assert browser.get(path_of(link_in(first))).status_code == 200
    assert browser.get(path_of(link_in(second))).status_code == 200
    assert set_password(browser, link_in(second)).status_code == 302
    assert browser.get(path_of(link_in(first))).status_code == 404
    assert set_password(browser, link_in(first), "taken-over-password").status_code == 404
    assert user_by(teacher.email).check_password(NEW_PASSWORD)

    # Joined: nothing more to send.
    again = client.post(f"/admin/users/{teacher.id}/invitation")
    assert again.status_code == 302
    assert "has already set a password" in client.get(again.location).text
    assert len(mails(app, to=teacher.email)) == 2


def test_no_invitation_for_a_deactivated_user(app, client, admin, make_school):
    invite(client, make_school())
    teacher = user_by("j.mueller@schule.example")
    link = link_in(mails(app)[0])
    client.post(f"/admin/users/{teacher.id}/active", data={"active": "0"})
    assert not user_by(teacher.email).active
    response = client.post(f"/admin/users/{teacher.id}/invitation")
    assert response.status_code == 302
    assert "is deactivated" in client.get(response.location).text
    assert len(mails(app)) == 1
    assert app.test_client().get(path_of(link)).status_code == 404  # and the link is dead


def test_no_invitation_for_someone_who_has_a_password(app, client, admin, make_user):
    teacher = make_user(Role.TEACHER)
    response = client.post(f"/admin/users/{teacher.id}/invitation")
    assert response.status_code == 302
    assert "has already set a password" in client.get(response.location).text
    assert count(Mail) == 0
    assert login(app.test_client(), teacher.email).status_code == 302  # unchanged


def test_correcting_an_invited_address_spends_the_old_link_and_invites_the_new_one(
    app, client, admin, make_school
):
    school = make_school()
    invite(client, school, email="j.mueler@schule.example")  # a typo: a stranger's mailbox
    teacher = user_by("j.mueler@schule.example")
    old_link = link_in(mails(app)[0])
    response = client.post(
        f"/admin/users/{teacher.id}/edit",
        data={
            "display_name": "Jürgen Müller",
            "email": "j.mueller@schule.example",
            "role": "teacher",
            "school_id": str(school.id),
            "password": "",
        },
    )
    assert response.status_code == 302
    assert "Invitation sent to j.mueller@schule.example." in client.get(response.location).text
    browser = app.test_client()
    assert browser.get(path_of(old_link)).status_code == 404
    [new] = mails(app, to="j.mueller@schule.example")
    assert set_password(browser, link_in(new)).status_code == 302


def test_editing_an_invited_user_otherwise_sends_nothing(app, client, admin, make_school):
    school = make_school()
    invite(client, school)
    teacher = user_by("j.mueller@schule.example")
    link = link_in(mails(app)[0])
    client.post(
        f"/admin/users/{teacher.id}/edit",
        data={
            "display_name": "Jürgen B. Müller",
            "email": teacher.email,
            "role": "teacher",
            "school_id": str(school.id),
            "password": "",
        },
    )
    assert user_by(teacher.email).display_name == "Jürgen B. Müller"
    assert len(mails(app)) == 1
    assert app.test_client().get(path_of(link)).status_code == 200


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CAMPUS_MANAGER, Role.SYSTEM_HOUSE])
def test_only_admins_may_invite_or_import(app, client, login_as, make_user, make_school, role):
    school = make_school()
    waiting = save_user(
        system_actor(),
        email="wartet@schule.example",
        display_name="Wartet Noch",
        role=Role.TEACHER,
        school_id=school.id,
        invite=True,
    )
    db.session.commit()
    written = count(Mail)
    login_as(role)
    assert client.post(f"/admin/users/{waiting.id}/invitation").status_code == 403
    assert client.get("/admin/users/import").status_code == 403
    data = {
        "school_id": str(school.id),
        "file": (BytesIO(b"E-Mail;Name\nx@schule.example;X Y\n"), "lehrer.csv"),
    }
    assert client.post("/admin/users/import", data=data).status_code == 403
    assert count(Mail) == written
    assert user_by("x@schule.example") is None


def test_resending_needs_the_csrf_token(app, client, admin, make_school):
    invite(client, make_school())
    teacher = user_by("j.mueller@schule.example")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/users/{teacher.id}/invitation").status_code == 400
    assert len(mails(app)) == 1
    users = client.get("/admin/users")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', users.text).group(1)
    response = client.post(f"/admin/users/{teacher.id}/invitation", data={"csrf_token": token})
    assert response.status_code == 302
    assert len(mails(app)) == 2


# --- importing teachers from a CSV list -----------------------------------------------------

LIST = (
    "Nachname;Vorname;E-Mail\n"
    "Müller;Jürgen;J.Mueller@Schule.example\n"
    "Schmidt;Anna;a.schmidt@schule.example\n"
    "Bekannt;Berta;bekannt@schule.example\n"  # has an account already
    "Ohne;Adresse;\n"
    "Kaputt;Karl;karl-at-schule.example\n"
    "Doppelt;Dora;a.schmidt@schule.example\n"  # the same address as line 3
    ";;ohne.name@schule.example\n"
    "\n"
)


def upload(client, school_id, text, encoding="utf-8", name="lehrer.csv"):
    fields = MultiDict({"school_id": str(school_id)})
    fields.add("file", FileStorage(BytesIO(text.encode(encoding)), filename=name))
    # Encoded in memory: the test client would spool a large body to an unclosed temp file.
    boundary, body = encode_multipart(fields)
    return client.post(
        "/admin/users/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def checked_file(html: str) -> str:
    return re.search(r'name="checked_file" type="hidden" value="([^"]*)"', html).group(1)


def results(html: str) -> list[str]:
    return re.findall(r'data-result="(\w+)"', html)


@pytest.fixture
def known(make_user, make_school):
    """A person with an account at another school, whose address is on the list."""
    return make_user(Role.CAMPUS_MANAGER, email="bekannt@schule.example")


def test_the_users_list_links_to_the_import(client, admin):
    assert "/admin/users/import" in client.get("/admin/users").text


def test_the_dry_run_shows_every_line_and_saves_nothing(app, client, admin, known, make_school):
    school = make_school(name="Heinrich-Heine-Gymnasium")
    users_before = count(User)
    preview = upload(client, school.id, LIST)
    assert preview.status_code == 200
    assert "Heinrich-Heine-Gymnasium" in preview.text
    assert (
        "Dry run: 2 new teachers (will be invited), 1 already have an account (skipped), "
        "4 refused. Nothing has been saved yet." in preview.text
    )
    assert results(preview.text) == [
        "create",
        "create",
        "exists",
        "refuse",
        "refuse",
        "refuse",
        "refuse",
    ]
    assert "j.mueller@schule.example" in preview.text and "Jürgen Müller" in preview.text
    assert "no e-mail address" in preview.text
    assert "not a valid e-mail address" in preview.text
    assert "e-mail address already in line 3" in preview.text
    assert "no name" in preview.text
    # Of an existing account, the list says that it exists: nothing of its role or school.
    exists_row = re.search(r'<tr[^>]*data-result="exists">(.*?)</tr>', preview.text, re.S)
    assert "already exists (skipped)" in exists_row.group(1)
    assert known.display_name not in preview.text
    assert "Campus" not in exists_row.group(1)
    assert count(User) == users_before
    assert count(Mail) == 0


def test_the_real_run_creates_and_invites_the_good_lines(app, client, admin, known, make_school):
    school = make_school()
    known_before = (known.display_name, known.role, known.password_hash, known.school_id)
    preview = upload(client, school.id, LIST)
    done = client.post(
        "/admin/users/import",
        data={
            "school_id": str(school.id),
            "checked_file": checked_file(preview.text),
            "skip_refused": "1",
        },
    )
    assert done.status_code == 302
    assert (
        "2 teachers invited, 1 already had an account, 4 lines skipped"
        in client.get(done.location).text
    )
    teachers = db.session.scalars(select(User).where(User.school_id == school.id)).all()
    assert sorted((t.email, t.display_name) for t in teachers) == [
        ("a.schmidt@schule.example", "Anna Schmidt"),
        ("j.mueller@schule.example", "Jürgen Müller"),
    ]
    assert all(t.role == Role.TEACHER and is_invited(t) for t in teachers)
    written = mails(app)
    assert sorted(m["To"] for m in written) == [
        "a.schmidt@schule.example",
        "j.mueller@schule.example",
    ]
    assert all(m["X-Campus-Kind"] == "invitation" for m in written)
    assert count(Mail) == 2
    known_now = user_by("bekannt@schule.example")
    assert (
        known_now.display_name,
        known_now.role,
        known_now.password_hash,
        known_now.school_id,
    ) == known_before
    assert mails(app, to="bekannt@schule.example") == []
    # Each invited teacher can join with their own link.
    for message in written:
        browser = app.test_client()
        assert set_password(browser, link_in(message)).status_code == 302
        assert login(browser, message["To"], NEW_PASSWORD).status_code == 302


def test_refused_lines_stop_the_whole_import_unless_skipped(app, client, admin, make_school):
    school = make_school()
    preview = upload(client, school.id, LIST)
    users_before = count(User)
    done = client.post(
        "/admin/users/import",
        data={"school_id": str(school.id), "checked_file": checked_file(preview.text)},
    )
    assert done.status_code == 422
    assert "file" in field_errors(done.text)
    assert "nobody was imported" in field_errors(done.text)["file"]
    assert count(User) == users_before
    assert count(Mail) == 0


def test_a_clean_list_offers_the_import_without_skipping(app, client, admin, make_school):
    school = make_school()
    text = "E-Mail,Name\nx.eins@schule.example,Xaver Eins\nx.zwei@schule.example,Xenia Zwei\n"
    preview = upload(client, school.id, text)
    assert results(preview.text) == ["create", "create"]
    assert 'name="skip_refused"' not in preview.text
    done = client.post(
        "/admin/users/import",
        data={"school_id": str(school.id), "checked_file": checked_file(preview.text)},
    )
    assert done.status_code == 302
    assert {
        u.display_name for u in db.session.scalars(select(User).where(User.school_id == school.id))
    } == {
        "Xaver Eins",
        "Xenia Zwei",
    }
    assert count(Mail) == 2


def test_an_account_made_after_the_dry_run_is_skipped(app, client, admin, make_school, make_user):
    school = make_school()
    text = "E-Mail;Name\nspaet@schule.example;Spät Dran\nfrueh@schule.example;Früh Dran\n"
    preview = upload(client, school.id, text)
    assert results(preview.text) == ["create", "create"]
    make_user(Role.TEACHER, email="spaet@schule.example")
    done = client.post(
        "/admin/users/import",
        data={"school_id": str(school.id), "checked_file": checked_file(preview.text)},
    )
    assert done.status_code == 302
    assert [m["To"] for m in mails(app)] == ["frueh@schule.example"]
    assert user_by("spaet@schule.example").school_id != school.id


def test_windows_1252_umlauts_are_read(app, client, admin, make_school):
    school = make_school()
    text = "Vorname;Nachname;E-Mail-Adresse\nJürgen;Müller;j.mueller@schule.example\n"
    preview = upload(client, school.id, text, encoding="cp1252")
    assert "Jürgen Müller" in preview.text
    client.post(
        "/admin/users/import",
        data={"school_id": str(school.id), "checked_file": checked_file(preview.text)},
    )
    assert user_by("j.mueller@schule.example").display_name == "Jürgen Müller"


@pytest.mark.parametrize(
    ("header", "line", "name"),
    [
        ("Name;Vorname;Mail", "Müller;Jürgen;jm@schule.example", "Jürgen Müller"),
        ("First name,Last name,Email", "Jürgen,Müller,jm@schule.example", "Jürgen Müller"),
        ("Anzeigename;Emailadresse", "Herr Müller;jm@schule.example", "Herr Müller"),
        ('"Display Name","E-Mail"', '"Müller, Jürgen","jm@schule.example"', "Müller, Jürgen"),
        ("\ufeffName;E-Mail", "Jürgen  Müller ;jm@schule.example", "Jürgen Müller"),
    ],
)
def test_columns_are_found_by_their_header(app, client, admin, make_school, header, line, name):
    school = make_school()
    preview = upload(client, school.id, f"{header}\n{line}\n")
    assert preview.status_code == 200, field_errors(preview.text)
    assert results(preview.text) == ["create"]
    assert name in preview.text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Name;Telefon\nJürgen Müller;0231 12345\n", "The file needs a column"),
        ("E-Mail;Telefon\njm@schule.example;0231 12345\n", "The file needs a column"),
        ("", "The file is empty."),
        ("\n\n", "The file is empty."),
        ("E-Mail;Name\n", "lists no teachers"),
        ("E-Mail;Name\na@s.example;" + "x" * 140_000 + "\n", "cannot be read as a CSV list"),
        ("E-Mail;Name\n" + "".join(f"t{i}@s.example;T {i}\n" for i in range(5001)), "At most"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why_next_to_the_field(
    app, client, admin, make_school, text, says
):
    school = make_school()
    response = upload(client, school.id, text)
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert says in errors["file"]
    assert "data-result" not in response.text  # no dry run to act on
    assert count(Mail) == 0


def test_5000_lines_are_allowed(app, client, admin, make_school):
    school = make_school()
    text = "E-Mail;Name\n" + "".join(f"t{i}@s.example;T {i}\n" for i in range(5000))
    preview = upload(client, school.id, text)
    assert preview.status_code == 200
    assert "Dry run: 5000 new teachers" in preview.text


def test_a_file_over_5_mb_is_refused(app, client, admin, make_school):
    school = make_school()
    text = "E-Mail;Name;Bemerkung\n" + "a@s.example;A B;" + "x" * (5 * 1024 * 1024) + "\n"
    response = upload(client, school.id, text)
    assert response.status_code == 422
    assert "larger than 5 MB" in field_errors(response.text)["file"]


def test_a_large_checked_file_travels_to_the_real_run(app, client, admin, make_school):
    """The checked file comes back in a hidden field, larger than Flask's limit for one field
    of a multipart form (500 kB): the page posts it url-encoded, where the limit is not."""
    school = make_school()
    good = "".join(f"t{i}@s.example;T {i};{'x' * 300}\n" for i in range(3))
    refused = "".join(f";;{i}{'y' * 300}\n" for i in range(2000))  # no e-mail address
    text = "E-Mail;Name;Bemerkung\n" + good + refused
    preview = upload(client, school.id, text)
    assert preview.status_code == 200
    assert len(checked_file(preview.text)) > 500_000
    done = client.post(
        "/admin/users/import",
        data={
            "school_id": str(school.id),
            "checked_file": checked_file(preview.text),
            "skip_refused": "1",
        },
    )
    assert done.status_code == 302
    assert count(Mail) == 3


def test_the_school_must_be_chosen(app, client, admin):
    for school_id in ("", "999999"):
        response = upload(client, school_id, "E-Mail;Name\njm@schule.example;J M\n")
        assert response.status_code == 422
        assert "school_id" in field_errors(response.text)
    assert client.post("/admin/users/import", data={"school_id": ""}).status_code == 422
    assert count(Mail) == 0


def test_no_file_chosen(app, client, admin, make_school):
    response = client.post(
        "/admin/users/import",
        data={"school_id": str(make_school().id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in field_errors(response.text)


def test_a_damaged_checked_file_is_refused(app, client, admin, make_school):
    school = make_school()
    response = client.post(
        "/admin/users/import",
        data={"school_id": str(school.id), "checked_file": "not base64 ü"},
    )
    assert response.status_code == 422
    assert "damaged" in response.text
    assert count(Mail) == 0


# --- password reset -------------------------------------------------------------------------


def forgot(browser, email):
    return browser.post("/auth/password/forgot", data={"email": email})


def flashes(browser) -> list:
    with browser.session_transaction() as session:
        return list(session.get("_flashes", []))


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(app, make_user):
    user = make_user(Role.TEACHER)
    answers = []
    for email in (user.email, "niemand@schule.example", user.email.upper()):
        browser = app.test_client()
        response = forgot(browser, email)
        answers.append((response.status_code, response.location, flashes(browser)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and answers[0][1] == "/auth/login"
    assert len(answers[0][2]) == 1
    # One mail, for the existing address only (written in lower case, as stored).
    assert [m["To"] for m in mails(app)] == [user.email]
    assert db.session.scalar(select(Mail.kind)) == "password_reset"


def test_no_reset_mail_for_a_deactivated_account(app, make_user):
    user = make_user(Role.TEACHER)
    user.active = False
    db.session.commit()
    browser = app.test_client()
    response = forgot(browser, user.email)
    assert (response.status_code, response.location) == (302, "/auth/login")
    assert count(Mail) == 0


def test_the_reset_link_sets_a_new_password_ends_sessions_and_revokes_tokens(
    app, make_user, as_user, token_for
):
    user = make_user(Role.TEACHER)
    old_browser = as_user(user)
    headers = token_for(user)
    assert logged_in(old_browser)
    assert old_browser.get("/api/v1/me", headers=headers).status_code == 200

    browser = app.test_client()
    forgot(browser, user.email)
    [message] = mails(app)
    assert message["To"] == user.email
    link = link_in(message)
    assert "/auth/password/reset/" in link
    assert browser.get(path_of(link)).status_code == 200
    done = set_password(browser, link)
    assert done.status_code == 302 and done.location.startswith("/auth/login")

    assert not logged_in(old_browser)  # the old session cookie no longer works
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert login(app.test_client(), user.email, PASSWORD).status_code != 302
    fresh = app.test_client()
    assert login(fresh, user.email, NEW_PASSWORD).status_code == 302
    assert logged_in(fresh)
    reset = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.PASSWORD_RESET)
    )
    assert reset is not None and reset.detail == "by e-mail link"

    # Once only.
    assert browser.get(path_of(link)).status_code == 404
    assert set_password(browser, link, "yet-another-password").status_code == 404
    assert user_by(user.email).check_password(NEW_PASSWORD)


def test_the_reset_link_expires(app, make_user, monkeypatch):
    user = make_user(Role.TEACHER)
    minutes = app.config["PASSWORD_RESET_MINUTES"]
    with signed_earlier(monkeypatch, timedelta(minutes=minutes, seconds=30)):
        forgot(app.test_client(), user.email)
    link = link_in(mails(app)[0])
    browser = app.test_client()
    assert browser.get(path_of(link)).status_code == 410
    assert set_password(browser, link).status_code == 410
    assert user_by(user.email).check_password(PASSWORD)
    app.config["PASSWORD_RESET_MINUTES"] = minutes + 5
    assert browser.get(path_of(link)).status_code == 200


def test_a_second_request_within_two_minutes_writes_no_second_mail(app, make_user):
    user = make_user(Role.TEACHER)
    browser = app.test_client()
    first, second = forgot(browser, user.email), forgot(browser, user.email)
    assert (first.status_code, first.location) == (second.status_code, second.location)
    assert len(mails(app)) == 1
    # After the pause, the next request writes the next mail.
    row = db.session.scalar(select(Mail))
    row.created_at = row.created_at - timedelta(minutes=3)
    db.session.commit()
    forgot(browser, user.email)
    assert len(mails(app)) == 2


def test_a_new_reset_link_spends_the_earlier_one_only_once_used(app, make_user):
    user = make_user(Role.TEACHER)
    browser = app.test_client()
    forgot(browser, user.email)
    row = db.session.scalar(select(Mail))
    row.created_at = row.created_at - timedelta(minutes=3)
    db.session.commit()
    forgot(browser, user.email)
    first, second = (link_in(m) for m in mails(app))
    assert set_password(browser, first).status_code == 302
    assert browser.get(path_of(second)).status_code == 404


def test_forgot_password_is_limited_per_address(app, client):
    """Ten requests from one address in 15 minutes; the eleventh waits (no mail bombing,
    no cheap enumeration by timing)."""
    answers = [
        client.post("/auth/password/forgot", data={"email": f"x{n}@example.org"}).status_code
        for n in range(11)
    ]
    assert answers[:10] == [302] * 10
    assert answers[10] == 429


# --- found in review: links and addresses ---------------------------------------------------


def test_an_address_corrected_while_deactivated_still_spends_the_old_link(
    app, client, admin, make_school
):
    school = make_school()
    invite(client, school, email="tippfehler@fremd.example")
    teacher = user_by("tippfehler@fremd.example")
    old_link = link_in(mails(app)[0])
    assert client.post(f"/admin/users/{teacher.id}/active", data={"active": ""}).status_code
    response = client.post(
        f"/admin/users/{teacher.id}/edit",
        data={
            "display_name": "Jürgen Müller",
            "email": "richtig@schule.example",
            "role": "teacher",
            "school_id": str(school.id),
            "password": "",
        },
    )
    assert response.status_code == 302
    teacher = user_by("richtig@schule.example")
    teacher.active = True  # reactivated later
    db.session.commit()
    assert app.test_client().get(path_of(old_link)).status_code == 404
    assert is_invited(user_by("richtig@schule.example"))


def test_a_reset_link_is_spent_when_the_address_changes(app, make_user):
    user = make_user(Role.TEACHER, email="alt@schule.example")
    forgot(app.test_client(), user.email)
    link = link_in(mails(app, to="alt@schule.example")[0])
    user.email = "neu@schule.example"
    db.session.commit()
    browser = app.test_client()
    assert browser.get(path_of(link)).status_code == 404
    assert set_password(browser, link).status_code == 404


@pytest.mark.parametrize(
    "address", ["a@x.de,boss@fremd.example", "a:b@x.de", '"a"@x.de', "a b@x.de"]
)
def test_one_plain_address_only(client, admin, make_school, address):
    school = make_school()
    response = client.post(
        "/admin/users/new",
        data={
            "display_name": "Maria Muster",
            "email": address,
            "role": "teacher",
            "school_id": str(school.id),
            "password": "",
        },
    )
    assert response.status_code == 422
    assert user_by(address) is None
