"""The knowledge base's pages through HTTP: publishing a solved ticket, reading, editing
(with a stale version), retiring, and who may do what."""

import re

import pytest

from campus.extensions import db
from campus.knowledge.services import create_article
from campus.models import Article, ArticleStatus, Audience, Category


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _fields(page: str, prefix: str = "", **values) -> dict:
    """The article form as posted from `page` (its CSRF token), with defaults for what the
    test does not set; `prefix` is the publish form's ("article-")."""
    fields = {
        "title": "Tablet startet nicht",
        "symptoms": "Schwarz.",
        "steps": "Laden.",
        "category": Category.TABLET_NOTEBOOK.value,
        "device_type": "",
        "device_model": "",
        "audience": "teachers",
    } | values
    return {"csrf_token": _csrf(page)} | {prefix + name: v for name, v in fields.items()}


def _article(world, ticket, audience=Audience.TEACHERS, **kwargs) -> Article:
    author = world.system_house if ticket.level == 2 else world.manager
    article = create_article(
        author,
        ticket,
        title=kwargs.get("title", "Tablet startet nicht"),
        symptoms=kwargs.get("symptoms", "Das Tablet bleibt schwarz."),
        steps=kwargs.get("steps", "Zehn Sekunden die Ein-Taste halten."),
        audience=audience,
    )
    db.session.commit()
    return article


def test_publish_from_a_level_one_ticket(world, as_user):
    ticket = world.ticket("resolved")
    manager = as_user(world.manager)
    page = manager.get(f"/tickets/{ticket.id}").text
    assert "Als Artikel veröffentlichen" in page or "Publish as an article" in page
    assert 'id="publish-article"' in page and 'id="publish-l1-hint"' not in page
    assert "Kabel getauscht." in page  # the steps, from the solution
    assert '<option selected value="teachers">' in page
    response = manager.post(
        f"/articles/from-ticket/{ticket.id}",
        data=_fields(
            page,
            "article-",
            title=ticket.title,
            symptoms="Kein Bild.",
            steps="Kabel getauscht.",
            category=Category.PROJECTOR_DISPLAY.value,
        ),
    )
    assert response.status_code == 302, response.text
    article = db.session.scalars(db.select(Article)).one()
    assert response.location.endswith(f"/articles/{article.id}")
    detail = manager.get(response.location).text
    assert f"/tickets/{ticket.id}" in detail and ticket.title in detail


def test_publish_from_a_level_two_ticket_suggests_level_one(world, as_user):
    ticket = world.ticket("resolved_l2")
    system_house = as_user(world.system_house)
    page = system_house.get(f"/tickets/{ticket.id}").text
    assert 'id="publish-l1-hint"' in page
    assert re.search(r'<details class="card mb-2" id="publish-article" open', page)
    assert '<option selected value="support">' in page
    assert "Beamer zeigt kein Bild, Lampe leuchtet." in page  # symptoms of the analysis
    response = system_house.post(
        f"/articles/from-ticket/{ticket.id}",
        data=_fields(
            page,
            "article-",
            title="Beamer: Mainboard",
            symptoms="Kein Bild.",
            steps="Mainboard getauscht.",
            category=Category.PROJECTOR_DISPLAY.value,
            audience="support",
        ),
    )
    assert response.status_code == 302, response.text
    detail = system_house.get(response.location).text
    assert f"/tickets/{ticket.id}" in detail


def test_publish_with_a_missing_field_keeps_the_input(world, as_user):
    ticket = world.ticket("resolved")
    manager = as_user(world.manager)
    page = manager.get(f"/tickets/{ticket.id}").text
    response = manager.post(
        f"/articles/from-ticket/{ticket.id}",
        data=_fields(page, "article-", title="Mein Titel", symptoms="", steps="Schritte"),
    )
    assert response.status_code == 422
    assert "Mein Titel" in response.text and 'id="article-symptoms-error"' in response.text
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 0


def test_no_publish_panel_on_an_open_ticket_or_for_the_teacher(world, as_user):
    open_ticket = world.ticket("in_progress")
    assert (
        'id="publish-article"' not in as_user(world.manager).get(f"/tickets/{open_ticket.id}").text
    )
    solved = world.ticket("resolved")
    teacher = as_user(world.teacher)
    assert 'id="publish-article"' not in teacher.get(f"/tickets/{solved.id}").text


def test_edit_with_a_stale_version_is_refused_and_keeps_the_input(world, as_user):
    article = _article(world, world.ticket("resolved"))
    manager = as_user(world.manager)
    page = manager.get(f"/articles/{article.id}/edit").text
    assert 'name="version" type="hidden" value="1"' in page
    # someone else saves in the meantime
    colleague = as_user(world.colleague)
    form = colleague.get(f"/articles/{article.id}/edit").text
    data = _fields(form, version="1", title="Tablet startet nicht (neu)")
    assert colleague.post(f"/articles/{article.id}/edit", data=data).status_code == 302
    mine = {**data, "csrf_token": _csrf(page), "title": "Mein besserer Titel"}
    response = manager.post(f"/articles/{article.id}/edit", data=mine)
    assert response.status_code == 422
    assert "Mein besserer Titel" in response.text
    assert "alert-danger" in response.text
    db.session.expire_all()
    assert db.session.get(Article, article.id).title == "Tablet startet nicht (neu)"
    # the form now carries the version saved meanwhile: saving again is a deliberate choice
    assert 'name="version" type="hidden" value="2"' in response.text
    again = manager.post(f"/articles/{article.id}/edit", data={**mine, "version": "2"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Article, article.id).title == "Mein besserer Titel"


def test_an_edit_without_a_readable_version_is_refused_not_saved(world, as_user):
    article = _article(world, world.ticket("resolved"))
    manager = as_user(world.manager)
    page = manager.get(f"/articles/{article.id}/edit").text
    data = _fields(page, title="Ohne Version")
    for version in (None, "", "abc", "99999999999999999999"):
        sent = data if version is None else {**data, "version": version}
        response = manager.post(f"/articles/{article.id}/edit", data=sent)
        assert response.status_code == 422, (version, response.status_code)
        assert "Ohne Version" in response.text
    db.session.expire_all()
    assert db.session.get(Article, article.id).title != "Ohne Version"


def test_the_article_shows_how_often_it_helped(world, as_user):
    from campus.knowledge.services import record_use

    ticket = world.ticket("resolved")
    article = _article(world, ticket)
    record_use(world.teacher, article, once_key="k1")
    record_use(world.teacher, article, once_key="k2")
    record_use(world.manager, article, ticket=world.ticket("in_progress"))
    db.session.commit()
    page = as_user(world.manager).get(f"/articles/{article.id}").text
    uses = re.search(r'<ul[^>]*id="uses">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r":\s*(\d+)</li>", uses) == ["2", "1", "0"]


def test_the_publish_panel_costs_no_query(world, as_user, count_queries):
    ticket_id = world.ticket("resolved_l2").id
    browser = as_user(world.system_house)
    db.session.expunge_all()
    with count_queries() as counter:
        page = browser.get(f"/tickets/{ticket_id}").text
    assert 'id="publish-article"' in page
    assert counter.count <= 14


def test_retire_hides_it_from_search_and_teachers(world, as_user):
    article = _article(world, world.ticket("resolved"))
    teacher = as_user(world.teacher)
    assert "Tablet startet nicht" in teacher.get("/articles/?q=Tablets+starten").text
    manager = as_user(world.manager)
    page = manager.get(f"/articles/{article.id}").text
    response = manager.post(f"/articles/{article.id}/retire", data={"csrf_token": _csrf(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Article, article.id).status == ArticleStatus.RETIRED
    assert "Tablet startet nicht" not in teacher.get("/articles/?q=Tablets+starten").text
    assert "Tablet startet nicht" not in manager.get("/articles/?q=Tablets+starten").text
    assert teacher.get(f"/articles/{article.id}").status_code == 404
    assert manager.get(f"/articles/{article.id}").status_code == 200  # editors still see it


def test_retire_needs_the_csrf_token(app, world, as_user):
    article = _article(world, world.ticket("resolved"))
    manager = as_user(world.manager)
    app.config["WTF_CSRF_ENABLED"] = True
    response = manager.post(f"/articles/{article.id}/retire", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Article, article.id).is_active


def test_teacher_reads_teacher_articles_only_and_never_edits(world, as_user):
    for_teachers = _article(world, world.ticket("resolved"))
    for_support = _article(world, world.ticket("resolved"), Audience.SUPPORT, title="Intern")
    teacher = as_user(world.teacher)
    page = teacher.get(f"/articles/{for_teachers.id}")
    assert page.status_code == 200 and "Tablet startet nicht" in page.text
    assert f"/articles/{for_teachers.id}/edit" not in page.text
    assert teacher.get(f"/articles/{for_support.id}").status_code == 404
    assert teacher.get(f"/articles/{for_teachers.id}/edit").status_code == 403
    assert teacher.get(f"/articles/{for_support.id}/edit").status_code == 404
    retire = teacher.post(
        f"/articles/{for_teachers.id}/retire", data={"csrf_token": _csrf(page.text)}
    )
    assert retire.status_code == 403
    assert "Intern" not in teacher.get("/articles/").text


def test_source_tickets_only_those_the_reader_may_see(world, as_user):
    ticket = world.ticket("resolved")
    article = _article(world, ticket)
    assert f"/tickets/{ticket.id}" in as_user(world.teacher).get(f"/articles/{article.id}").text
    other = as_user(world.other_teacher).get(f"/articles/{article.id}").text
    assert f"/tickets/{ticket.id}" not in other


@pytest.mark.parametrize("query", ["Tablets starten", "tablet startete"])
def test_list_search_finds_inflections(world, as_user, query):
    _article(world, world.ticket("resolved"))
    _article(
        world,
        world.ticket("resolved"),
        title="Drucker druckt streifig",
        symptoms="Streifen.",
        steps="Reinigen.",
    )
    page = as_user(world.manager).get("/articles/", query_string={"q": query}).text
    assert "Tablet startet nicht" in page and "Drucker druckt streifig" not in page


def test_list_filters_by_category_and_audience(world, as_user):
    _article(world, world.ticket("resolved"))
    _article(world, world.ticket("resolved"), Audience.SUPPORT, title="Intern")
    manager = as_user(world.manager)
    assert "Intern" in manager.get("/articles/").text
    assert "Intern" not in manager.get("/articles/?audience=teachers").text
    assert "Intern" not in manager.get("/articles/?category=printer").text
