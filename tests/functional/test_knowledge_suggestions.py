"""Suggestions while a teacher reports (issue 16): articles for teachers under the title,
and "Das hat geholfen", which counts her self-help once per report form and files no
ticket."""

import re

import pytest
from sqlalchemy import func, select

from campus.extensions import db
from campus.models import ArticleUse, Device, DeviceType, Ticket, UseKind
from tests.knowledge_corpus import load_corpus

URL = "/tickets/new/suggestions"


@pytest.fixture
def corpus(world):
    return load_corpus(world.manager)


def _titles(page: str) -> list[str]:
    return [t.strip() for t in re.findall(r'<summary class="fw-semibold">([^<]+)</summary>', page)]


def _form_key(browser) -> str:
    page = browser.get("/tickets/new").text
    return re.search(r'<input type="hidden" name="key" value="([^"]+)"', page).group(1)


def _uses() -> list[ArticleUse]:
    db.session.expire_all()
    return list(db.session.scalars(select(ArticleUse)))


def _tickets() -> int:
    return db.session.scalar(select(func.count(Ticket.id)))


def test_tablets_starten_nicht_suggests_the_tablet_article(world, as_user, corpus):
    response = as_user(world.teacher).get(URL, query_string={"q": "Tablets starten nicht"})
    assert response.status_code == 200
    titles = _titles(response.text)
    assert titles[0] == "Tablet startet nicht mehr"
    assert len(titles) <= 3
    assert response.text.count('form="self-help" name="article_id"') == len(titles)
    assert response.headers["Cache-Control"] == "no-store"


def test_support_only_and_retired_articles_are_never_suggested(world, as_user, corpus):
    browser = as_user(world.teacher)
    for words in [
        "Tablets starten nicht",
        "Tablet startet nicht MDM Wiederherstellung",
        "Konto gesperrt Fehlversuche",
        "altes Vorgehen Händler",
    ]:
        titles = _titles(browser.get(URL, query_string={"q": words}).text)
        assert "Tablet startet nicht: Wiederherstellung über das MDM" not in titles
        assert "Konto nach Fehlversuchen gesperrt" not in titles
        assert "Neues Gerät fehlt in der Geräteverwaltung" not in titles
        assert "Tablets starten nicht (altes Vorgehen)" not in titles


def test_a_device_of_her_school_ranks_its_model_higher(world, as_user, corpus):
    ipad = Device(
        school_id=world.teacher.school_id,
        type=DeviceType.TABLET,
        inventory_number="T-1",
        model="iPad 9",
    )
    far = Device(  # the same model at another school
        school_id=world.far_teacher.school_id,
        type=DeviceType.TABLET,
        inventory_number="T-9",
        model="iPad 9",
    )
    db.session.add_all([ipad, far])
    db.session.commit()
    browser = as_user(world.teacher)

    def shown(**query):
        response = browser.get(URL, query_string={"q": "Netzteil"} | query)
        assert response.status_code == 200
        return _titles(response.text)

    tablet, notebook = "Tablet startet nicht mehr", "Notebook fährt nicht hoch"
    plain = shown()
    assert plain.index(notebook) < plain.index(tablet)
    with_ipad = shown(device=ipad.id)
    assert with_ipad.index(tablet) < with_ipad.index(notebook)
    # Another school's device is ignored (its model ranks nothing higher), not an error.
    assert shown(device=far.id) == plain
    assert shown(category="no such thing", device="x") == plain


def test_nothing_under_three_letters(world, as_user, corpus):
    browser = as_user(world.teacher)
    assert _titles(browser.get(URL, query_string={"q": "Ta"}).text) == []
    assert browser.get(URL).text.strip() == ""


def test_only_teachers_are_offered_suggestions(world, as_user, client, corpus):
    for user in (world.manager, world.system_house, world.admin):
        response = as_user(user).get(URL, query_string={"q": "Tablet"})
        assert response.status_code == 403, user
    response = client.get(URL, query_string={"q": "Tablet"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "words",
    [
        "",
        " ",
        "x" * 10_000,
        "Tablet " * 2000,
        "\"Tablet' OR 1=1 --",
        'NEAR("a" "b")',
        "🖨️💥 Drucker",
        "Tablet*",
        "(((",
        "AND OR NOT",
    ],
)
def test_odd_input_never_errors(world, as_user, corpus, words):
    browser = as_user(world.teacher)
    for query in (
        {"q": words},
        {"q": words, "category": words, "device": words},
        {"q": words, "device": "99999999999999999999"},
    ):
        assert browser.get(URL, query_string=query).status_code == 200
    # A NUL is refused for every request (campus/__init__.py), bytes that are not UTF-8
    # are read as well as they can be.
    assert browser.get(URL + "?q=%00Tablet").status_code == 400
    assert browser.get(URL + "?q=%ED%A0%80Tablet&category=%FF").status_code == 200


def test_that_helped_counts_once_per_form_and_files_no_ticket(world, as_user, corpus):
    browser = as_user(world.teacher)
    key = _form_key(browser)
    article = corpus["tablet_start"]
    before = _tickets()
    data = {"key": key, "article_id": article.id}
    first = browser.post("/tickets/new/helped", data=data)
    assert first.status_code == 302
    assert first.headers["Location"].endswith("/tickets/mine")
    second = browser.post("/tickets/new/helped", data=data)  # a double tap
    assert second.status_code == 302
    # Another suggestion of the same form: still one self-help.
    browser.post("/tickets/new/helped", data={"key": key, "article_id": corpus["tablet_charge"].id})
    (use,) = _uses()
    assert (use.kind, use.level, use.ticket_id) == (UseKind.SELF_HELP, 0, None)
    assert use.article_id == article.id
    assert use.school_id == world.teacher.school_id
    assert _tickets() == before
    assert 'class="alert alert-success' in browser.get("/tickets/mine").text
    # A new report form: a new key, counted again.
    browser.post("/tickets/new/helped", data={"key": _form_key(browser), "article_id": article.id})
    assert len(_uses()) == 2


def test_that_helped_takes_only_her_own_key_and_a_suggestible_article(world, as_user, corpus):
    teacher = as_user(world.teacher)
    colleague_key = _form_key(as_user(world.other_teacher))
    tablet = corpus["tablet_start"].id
    for data, status in [
        ({"key": colleague_key, "article_id": tablet}, 400),  # not issued to her
        ({"key": "made-up", "article_id": tablet}, 400),
        ({"article_id": tablet}, 400),
        ({"key": _form_key(teacher), "article_id": "x"}, 400),
        ({"key": _form_key(teacher), "article_id": 10**12}, 400),
        ({"key": _form_key(teacher), "article_id": corpus["mdm_missing"].id}, 403),
        ({"key": _form_key(teacher), "article_id": corpus["tablet_retired"].id}, 403),
    ]:
        assert teacher.post("/tickets/new/helped", data=data).status_code == status, data
    assert _uses() == []
    manager = as_user(world.manager)
    assert (
        manager.post("/tickets/new/helped", data={"key": "x", "article_id": tablet}).status_code
        == 403
    )


def test_that_helped_needs_the_csrf_token(app, world, as_user, corpus):
    browser = as_user(world.teacher)
    key = _form_key(browser)
    app.config["WTF_CSRF_ENABLED"] = True
    response = browser.post(
        "/tickets/new/helped", data={"key": key, "article_id": corpus["tablet_start"].id}
    )
    assert response.status_code == 400
    assert _uses() == []


def test_the_report_form_carries_the_box_and_the_self_help_form(world, as_user):
    page = as_user(world.teacher).get("/tickets/new").text
    assert 'id="suggestions"' in page
    assert 'data-suggest-url="/tickets/new/suggestions"' in page
    assert '<form id="self-help" method="post" action="/tickets/new/helped" hidden>' in page
    # Forms do not nest: the self-help form follows the report form.
    assert page.index('id="self-help"') > page.index('id="suggestions"')
    assert page.count("<form") == page.count("</form>")
