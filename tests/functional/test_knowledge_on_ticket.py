"""The knowledge base on the support side's ticket page (issue 16): articles for the same
model and category first, then those matching the title; "Hat geholfen" counts a use once
per ticket; the teacher and other campuses' managers get none of it."""

import re

import pytest
from sqlalchemy import select

from campus.extensions import db
from campus.models import ArticleUse, Device, DeviceType, UseKind
from tests.knowledge_corpus import load_corpus


@pytest.fixture
def corpus(world):
    return load_corpus(world.manager)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _panel(page: str) -> str:
    found = re.search(
        r'<section class="card mb-3"[^>]*id="ticket-articles">(.*?)</section>', page, re.S
    )
    return found.group(1) if found else ""


def _suggested(page: str) -> list[str]:
    return re.findall(r'<a href="/articles/\d+">([^<]+)</a>', _panel(page))


def _epson(world) -> Device:
    device = Device(
        school_id=world.teacher.school_id,
        type=DeviceType.DISPLAY_PROJECTOR,
        inventory_number="B-7",
        model="Epson EB-695Wi",
    )
    db.session.add(device)
    db.session.commit()
    return device


def test_same_model_and_category_first_then_the_title(world, as_user, corpus):
    ticket = world.ticket(
        "in_progress", title="Beamer geht einfach aus", device_id=_epson(world).id
    )
    titles = _suggested(as_user(world.manager).get(f"/tickets/{ticket.id}").text)
    # both Epson articles of its category (the support one too), newest change first
    assert set(titles[:2]) == {"Kein Bild am Beamer", "Beamer schaltet sich nach Minuten ab"}
    assert "Tablets starten nicht (altes Vorgehen)" not in titles  # retired
    assert len(titles) == len(set(titles)) <= 5


def test_without_a_device_the_title_finds_them(world, as_user, corpus):
    ticket = world.ticket("in_progress", title="Tablets starten nicht")
    titles = _suggested(as_user(world.manager).get(f"/tickets/{ticket.id}").text)
    assert "Tablet startet nicht mehr" in titles
    assert "Tablet startet nicht: Wiederherstellung über das MDM" in titles  # support side
    assert "Kein Bild am Beamer" not in titles


def test_it_helped_counts_once_per_ticket_at_the_users_level(world, as_user, corpus):
    ticket = world.ticket("in_progress", title="Tablets starten nicht")
    manager = as_user(world.manager)
    page = manager.get(f"/tickets/{ticket.id}").text
    article = corpus["tablet_start"]
    url = f"/articles/{article.id}/used-on/{ticket.id}"
    assert f'action="{url}"' in page
    for _ in range(2):
        response = manager.post(url, data={"csrf_token": _csrf(page)})
        assert response.status_code == 302
        assert response.location.endswith(f"/tickets/{ticket.id}#articles-h")
    uses = list(db.session.scalars(select(ArticleUse)))
    assert [(u.kind, u.level, u.ticket_id, u.article_id) for u in uses] == [
        (UseKind.APPLIED, 1, ticket.id, article.id)
    ]
    page = manager.get(f"/tickets/{ticket.id}").text
    assert "Hat hier geholfen" in _panel(page) and f'action="{url}"' not in page
    detail = manager.get(f"/articles/{article.id}").text
    assert re.findall(
        r":\s*(\d+)</li>", re.search(r'id="uses">(.*?)</ul>', detail, re.S).group(1)
    ) == ["0", "1", "0"]


def test_the_system_house_counts_at_level_two(world, as_user, corpus):
    ticket = world.ticket("in_progress_l2", title="Tablets starten nicht")
    system_house = as_user(world.system_house)
    page = system_house.get(f"/tickets/{ticket.id}").text
    article = corpus["tablet_reset_support"]
    response = system_house.post(
        f"/articles/{article.id}/used-on/{ticket.id}", data={"csrf_token": _csrf(page)}
    )
    assert response.status_code == 302
    assert db.session.scalars(select(ArticleUse.level)).all() == [2]


def test_nobody_else_sees_or_counts_them(world, as_user, corpus):
    ticket = world.ticket("in_progress", title="Tablets starten nicht")
    article = corpus["tablet_start"]
    url = f"/articles/{article.id}/used-on/{ticket.id}"
    for who in (world.teacher, world.admin):
        browser = as_user(who)
        page = browser.get(f"/tickets/{ticket.id}").text
        assert 'id="ticket-articles"' not in page
        assert browser.post(url, data={"csrf_token": _csrf(page)}).status_code in (403, 404)
    far = as_user(world.far_manager)
    far_page = far.get("/articles/").text
    assert far.post(url, data={"csrf_token": _csrf(far_page)}).status_code == 404
    # a retired article or one for the support side is no teacher's use either
    assert db.session.scalars(select(ArticleUse)).all() == []


def test_it_helped_needs_the_csrf_token(app, world, as_user, corpus):
    ticket = world.ticket("in_progress", title="Tablets starten nicht")
    manager = as_user(world.manager)
    app.config["WTF_CSRF_ENABLED"] = True
    response = manager.post(f"/articles/{corpus['tablet_start'].id}/used-on/{ticket.id}", data={})
    assert response.status_code == 400
    assert db.session.scalars(select(ArticleUse)).all() == []


def test_a_solved_ticket_lists_its_article_and_warns_before_a_second(world, as_user, corpus):
    from campus.knowledge.services import create_article

    ticket = world.ticket("resolved")
    create_article(
        world.manager,
        ticket,
        title="Beamer: Kabel tauschen",
        symptoms="Kein Bild.",
        steps="Kabel getauscht.",
        audience="teachers",
    )
    db.session.commit()
    page = as_user(world.manager).get(f"/tickets/{ticket.id}").text
    assert "Beamer: Kabel tauschen" in _panel(page)
    assert 'id="publish-again-hint"' in page and 'id="publish-privacy-hint"' in page
    assert _suggested(page) == [] and "/used-on/" not in page  # solved: nothing suggested


def test_an_administrator_reads_a_retired_article(world, as_user, corpus):
    retired = corpus["tablet_retired"]
    assert as_user(world.admin).get(f"/articles/{retired.id}").status_code == 200
    assert as_user(world.teacher).get(f"/articles/{retired.id}").status_code == 404


def test_a_finished_ticket_takes_no_article(world, as_user, corpus):
    for state in ("closed", "cancelled", "resolved"):
        ticket = world.ticket(state, title="Tablets starten nicht")
        manager = as_user(world.manager)
        page = manager.get(f"/tickets/{ticket.id}").text
        answer = manager.post(
            f"/articles/{corpus['tablet_start'].id}/used-on/{ticket.id}",
            data={"csrf_token": _csrf(page)},
        )
        assert answer.status_code == 409, state
        assert "bereits abgeschlossen" in answer.text
    assert db.session.scalars(select(ArticleUse)).all() == []


def test_several_articles_on_one_ticket_count_one_ticket(world, as_user, corpus):
    ticket = world.ticket("in_progress", title="Tablets starten nicht")
    manager = as_user(world.manager)
    page = manager.get(f"/tickets/{ticket.id}").text
    for key in ("tablet_start", "tablet_charge", "sound"):
        url = f"/articles/{corpus[key].id}/used-on/{ticket.id}"
        assert manager.post(url, data={"csrf_token": _csrf(page)}).status_code == 302
    admin = as_user(world.admin).get("/reports/", query_string={"preset": "last_30_days"}).text
    summary = re.search(r'<p id="expertise-summary">(.*?)</p>', admin, re.S).group(1)
    assert "bei 1 Ticket in der 1. Ebene" in summary
