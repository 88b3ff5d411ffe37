"""Writing the knowledge base through its services, in a unit of work: who may publish,
edit, retire and use an article, what is checked, and that the search follows every
change in the same transaction (SQLite's FTS5 table; PostgreSQL's index by itself)."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from campus.exceptions import FieldErrors, NotAllowed
from campus.extensions import db
from campus.knowledge import services
from campus.knowledge.search import search_articles
from campus.models import (
    Article,
    ArticleStatus,
    ArticleUse,
    Audience,
    Device,
    Ticket,
    UseKind,
)
from campus.unit_of_work import work

EVERYONE = list(Audience)
TEXT = {
    "title": "Beamer zeigt kein Bild",
    "symptoms": "Die Leinwand bleibt blau, der Beamer meldet kein Signal.",
    "steps": "Quelle HDMI 1 wählen und das Kabel fest einstecken.",
    "audience": "teachers",
}


def publish(actor, ticket, **changes) -> Article:
    with work():
        article = services.create_article(actor, ticket, **{**TEXT, **changes})
    return article


def titles(words, audiences=EVERYONE) -> list[str]:
    return [article.title for article, _ in search_articles(words, audiences=audiences)]


def test_a_manager_publishes_a_solved_ticket(world):
    device = Device(
        school=world.teacher.school,
        type="display_projector",
        inventory_number="B-1",
        model="Epson EB-695Wi",
    )
    db.session.add(device)
    db.session.commit()
    ticket = world.ticket("resolved", device_id=device.id)
    article = publish(world.manager, ticket)
    db.session.expire_all()
    assert article.tickets == [ticket]
    assert (article.category, article.device_type, article.device_model) == (
        "projector_display",
        "display_projector",
        "Epson EB-695Wi",
    )
    assert article.status is ArticleStatus.ACTIVE and article.created_by == world.manager
    assert article.version == 1 and article.retired_at is None
    assert titles("Beamer zeigt kein Bild", [Audience.TEACHERS]) == ["Beamer zeigt kein Bild"]


def test_the_author_chooses_scope_and_audience(world):
    ticket = world.ticket("resolved_l2")
    article = publish(
        world.system_house,
        ticket,
        category="printer",
        device_type="",
        device_model=" HL-5100 ",
        audience="support",
    )
    assert (article.category, article.device_type, article.device_model) == (
        "printer",
        None,
        "HL-5100",
    )
    assert titles("Beamer", [Audience.TEACHERS]) == []
    assert titles("Beamer") == ["Beamer zeigt kein Bild"]


@pytest.mark.parametrize(
    ("who", "state"),
    [
        ("teacher", "resolved"),  # teachers never write articles
        ("admin", "resolved"),  # administrators read them
        ("far_manager", "resolved"),  # not their campus's ticket
        ("system_house", "resolved"),  # never escalated: not the system house's
        ("manager", "in_progress"),  # not solved yet
        ("manager", "cancelled"),
    ],
)
def test_who_may_not_publish(world, who, state):
    ticket = world.ticket(state)
    with pytest.raises(NotAllowed):
        publish(getattr(world, who), ticket)
    assert db.session.scalar(select(func.count()).select_from(Article)) == 0


def test_every_field_is_checked_at_once(world):
    ticket = world.ticket("closed")
    with pytest.raises(FieldErrors) as refused:
        publish(
            world.colleague,
            ticket,
            title=" ",
            symptoms="",
            steps="x" * 10_001,
            audience="everyone",
            category="coffee",
            device_type="toaster",
            device_model="m" * 121,
        )
    assert set(refused.value.errors) == {
        "title",
        "symptoms",
        "steps",
        "audience",
        "category",
        "device_type",
        "device_model",
    }
    assert db.session.scalar(select(func.count()).select_from(Article)) == 0


def test_an_edit_is_what_the_search_finds(world):
    article = publish(world.manager, world.ticket("resolved"))
    with work():
        services.update_article(
            world.system_house,
            article,
            title="Drucker druckt leere Seiten",
            symptoms="Blätter bleiben weiß.",
            steps="Schutzfolie vom Toner abziehen.",
            audience="teachers",
            category="printer",
            device_type="printer",
            device_model="Brother",
            version=1,
        )
    assert article.version == 2
    assert titles("Beamer Bild") == []
    assert titles("Drucker druckt nicht") == ["Drucker druckt leere Seiten"]


def test_an_edit_against_an_old_version_is_refused(world):
    article = publish(world.manager, world.ticket("resolved"))
    values = {**TEXT, "category": "other", "device_type": None, "device_model": ""}
    with pytest.raises(services.StaleArticle), work():
        services.update_article(world.manager, article, **values, version=0)
    # Someone saved between our read and our write (behind this session's back): the
    # flush is refused.
    assert article.version == 1  # read
    db.session.execute(text("UPDATE articles SET version = version + 1"))
    with pytest.raises(services.StaleArticle), work():
        services.update_article(world.colleague, article, **{**values, "title": "Neu"})
    db.session.expire_all()
    assert db.session.get(Article, article.id).title == TEXT["title"]


def test_teachers_and_admins_never_edit(world):
    article = publish(world.manager, world.ticket("resolved"))
    values = {**TEXT, "category": "other", "device_type": None, "device_model": ""}
    for who in (world.teacher, world.admin):
        with pytest.raises(NotAllowed), work():
            services.update_article(who, article, **values)
        with pytest.raises(NotAllowed), work():
            services.retire_article(who, article)


def test_a_retired_article_leaves_the_search(world):
    article = publish(world.manager, world.ticket("resolved"))
    with work():
        services.retire_article(world.system_house, article)
    assert article.status is ArticleStatus.RETIRED and article.retired_at is not None
    assert titles("Beamer zeigt kein Bild") == []
    with work():
        services.retire_article(world.manager, article)  # again: nothing changes
    assert article.version == 2
    if db.engine.dialect.name == "sqlite":
        rows = db.session.scalar(text("SELECT count(*) FROM article_search"))
        assert rows == 0


def test_a_rolled_back_article_leaves_no_search_row(world):
    ticket = world.ticket("resolved")
    with pytest.raises(RuntimeError), work():
        services.create_article(world.manager, ticket, **TEXT)
        raise RuntimeError("a later step failed")
    assert titles("Beamer zeigt kein Bild") == []
    if db.engine.dialect.name == "sqlite":
        assert db.session.scalar(text("SELECT count(*) FROM article_search")) == 0


def test_more_tickets_are_linked_once(world):
    first, second = world.ticket("resolved"), world.ticket("closed")
    article = publish(world.manager, first)
    for _ in range(2):
        with work():
            services.link_ticket(world.colleague, article, second)
    assert article.tickets == [first, second]
    with pytest.raises(NotAllowed), work():
        services.link_ticket(world.manager, article, world.ticket("in_progress"))


# --- uses ------------------------------------------------------------------------------------


def test_self_help_counts_once_and_files_no_ticket(world):
    article = publish(world.manager, world.ticket("resolved"))
    tickets = db.session.scalar(select(func.count()).select_from(Ticket))
    for _ in range(3):  # a second tap, a resent form
        with work():
            use = services.record_use(world.teacher, article, once_key="form-abc")
    uses = db.session.scalars(select(ArticleUse)).all()
    assert uses == [use]
    assert (use.kind, use.level, use.ticket_id) == (UseKind.SELF_HELP, 0, None)
    assert (use.school_id, use.campus_id) == (
        world.teacher.school_id,
        world.teacher.school.campus_id,
    )
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == tickets
    with work():
        services.record_use(world.other_teacher, article, once_key="form-def")
    assert db.session.scalar(select(func.count()).select_from(ArticleUse)) == 2


def test_self_help_only_by_teachers_with_articles_for_them(world):
    article = publish(world.manager, world.ticket("resolved"))
    for who in (world.manager, world.system_house, world.admin):
        with pytest.raises(NotAllowed), work():
            services.record_use(who, article, once_key=f"k-{who.id}")
    support_only = publish(world.manager, world.ticket("resolved"), audience="support")
    with pytest.raises(NotAllowed), work():
        services.record_use(world.teacher, support_only, once_key="k-1")
    with work():
        services.retire_article(world.manager, article)
    with pytest.raises(NotAllowed), work():
        services.record_use(world.teacher, article, once_key="k-2")
    other = publish(world.manager, world.ticket("resolved"), title="Kein Ton")
    with pytest.raises(ValueError), work():  # self-help without its form's key
        services.record_use(world.teacher, other)
    assert db.session.scalar(select(func.count()).select_from(ArticleUse)) == 0


def test_the_support_side_applies_an_article_once_per_ticket(world):
    article = publish(world.manager, world.ticket("resolved"), audience="support")
    ticket = world.ticket("in_progress")
    for _ in range(2):
        with work():
            use = services.record_use(world.colleague, article, ticket=ticket)
    assert (use.kind, use.level, use.ticket_id, use.campus_id) == (
        UseKind.APPLIED,
        1,
        ticket.id,
        ticket.campus_id,
    )
    escalated = world.ticket("escalated")
    with work():
        use = services.record_use(world.system_house, article, ticket=escalated)
    assert use.level == 2
    for who, target in (
        (world.far_manager, ticket),
        (world.system_house, ticket),
        (world.teacher, ticket),
        (world.admin, ticket),
    ):
        with pytest.raises(NotAllowed), work():
            services.record_use(who, article, ticket=target)
    assert db.session.scalar(select(func.count()).select_from(ArticleUse)) == 2


def test_the_database_refuses_a_use_that_mixes_kinds(world):
    article = publish(world.manager, world.ticket("resolved"))
    ticket = world.ticket("new")
    db.session.add(
        ArticleUse(
            article=article,
            kind="self_help",
            level=0,
            ticket=ticket,
            campus_id=ticket.campus_id,
            school_id=ticket.school_id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        ArticleUse(
            article_id=article.id,
            kind="applied",
            level=0,
            ticket_id=ticket.id,
            campus_id=ticket.campus_id,
            school_id=ticket.school_id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
