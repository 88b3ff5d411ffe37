"""Writing the knowledge base: an article from a solved ticket, its edits and retirement,
and each time it helped. Services flush and record events; the caller's unit of work
commits. SQLite's full-text table follows every change here, in the same transaction."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from campus.events import (
    ArticleChanged,
    ArticleEdited,
    ArticlePublished,
    ArticleRetired,
    ArticleUsed,
)
from campus.exceptions import Conflict, ErrorCollector, NotAllowed
from campus.extensions import db
from campus.knowledge.search import keep_in_index
from campus.models import (
    Article,
    ArticleStatus,
    ArticleUse,
    Audience,
    Category,
    DeviceType,
    Ticket,
    UseKind,
    User,
    utcnow,
)
from campus.permissions import (
    article_use_level,
    can_apply_article,
    can_edit_articles,
    can_publish_from,
    can_read_article,
)
from campus.unit_of_work import record

TITLE_MAX = 200
TEXT_MAX = 10_000
MODEL_MAX = 120
ONCE_KEY_MAX = 64


class StaleArticle(Conflict):
    """Someone else saved the article in the meantime."""


def create_article(
    actor: User,
    ticket: Ticket,
    *,
    title: str,
    symptoms: str,
    steps: str,
    audience: str,
    category: str | None = None,
    device_type: str | None = None,
    device_model: str | None = None,
    now: datetime | None = None,
) -> Article:
    """Publish the solution of a solved ticket as an article, linked to the ticket. Category,
    device kind and model default to the ticket's (and its device's)."""
    if not can_publish_from(actor, ticket):
        raise NotAllowed(
            _l("Only the campus managers and the system house can publish a solved ticket.")
        )
    device = ticket.device
    article = Article(created_by=actor, tickets=[ticket])
    _fill(
        article,
        title=title,
        symptoms=symptoms,
        steps=steps,
        audience=audience,
        category=ticket.category if category is None else category,
        device_type=(device.type if device else None) if device_type is None else device_type,
        device_model=(device.model if device else "") if device_model is None else device_model,
    )
    now = now or utcnow()
    article.created_at = article.updated_at = now
    db.session.add(article)
    return _saved(article, ArticlePublished(at=now, article=article, actor=actor))


def update_article(
    actor: User,
    article: Article,
    *,
    title: str,
    symptoms: str,
    steps: str,
    audience: str,
    category: str,
    device_type: str | None,
    device_model: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Article:
    """Edit an article. `version` is the one the editor read: if someone saved since, the
    edit is refused instead of overwriting theirs."""
    _may_edit(actor, article, version)
    _fill(
        article,
        title=title,
        symptoms=symptoms,
        steps=steps,
        audience=audience,
        category=category,
        device_type=device_type,
        device_model=device_model,
    )
    now = now or utcnow()
    if db.session.is_modified(article):
        article.updated_at = now
    return _saved(article, ArticleEdited(at=now, article=article, actor=actor))


def retire_article(
    actor: User, article: Article, *, version: int | None = None, now: datetime | None = None
) -> Article:
    """Take an article out of the suggestions; it keeps its tickets and uses. Retiring a
    retired article changes nothing."""
    _may_edit(actor, article, version)
    if article.status == ArticleStatus.RETIRED:
        return article
    now = now or utcnow()
    article.status = ArticleStatus.RETIRED
    article.retired_at = article.updated_at = now
    return _saved(article, ArticleRetired(at=now, article=article, actor=actor))


def link_ticket(
    actor: User, article: Article, ticket: Ticket, now: datetime | None = None
) -> Article:
    """Another solved ticket that the article's solution solved: it is listed with it."""
    if not can_publish_from(actor, ticket):
        raise NotAllowed(
            _l("Only the campus managers and the system house can publish a solved ticket.")
        )
    _may_edit(actor, article, None)
    if ticket in article.tickets:
        return article
    now = now or utcnow()
    article.tickets.append(ticket)
    return _saved(article, ArticleEdited(at=now, article=article, actor=actor))


def record_use(
    actor: User,
    article: Article,
    *,
    ticket: Ticket | None = None,
    once_key: str | None = None,
    now: datetime | None = None,
) -> ArticleUse:
    """The article helped: without a ticket, a teacher solved the fault herself before
    reporting it (counted once per `once_key`, the report form's one-time key); with one,
    the support side used it on the ticket (counted once per ticket)."""
    level = article_use_level(actor)
    if article.status != ArticleStatus.ACTIVE or not can_read_article(actor, article):
        raise NotAllowed(_l("This article is not available."))
    if ticket is None:
        if level != 0:
            raise NotAllowed(_l("Only teachers can solve a problem themselves with an article."))
        if not once_key or len(once_key) > ONCE_KEY_MAX:
            raise ValueError("self-help is counted once per report form: give its once_key")
        earlier = select(ArticleUse).where(ArticleUse.once_key == once_key)
        school_id, campus_id = actor.school_id, actor.school.campus_id
    else:
        if not level or not can_apply_article(actor, ticket):
            raise NotAllowed(_l("You may not change this ticket."))
        if not ticket.is_open:
            raise Conflict(
                _l("This ticket is already finished: an article is marked while it is open.")
            )
        earlier = select(ArticleUse).where(
            ArticleUse.article_id == article.id, ArticleUse.ticket_id == ticket.id
        )
        school_id, campus_id = ticket.school_id, ticket.campus_id
    existing = db.session.scalar(earlier)
    if existing is not None:
        return existing
    now = now or utcnow()
    use = ArticleUse(
        article=article,
        kind=UseKind.SELF_HELP if ticket is None else UseKind.APPLIED,
        level=level,
        campus_id=campus_id,
        school_id=school_id,
        ticket=ticket,
        once_key=once_key if ticket is None else None,
        at=now,
    )
    try:
        with db.session.begin_nested():  # the same tap twice at once: counted once
            db.session.add(use)
    except IntegrityError:
        return db.session.scalar(earlier)
    record(ArticleUsed(at=now, use=use))
    return use


# --- shared steps --------------------------------------------------------------------------


def _may_edit(actor: User, article: Article, version: int | None) -> None:
    if not can_edit_articles(actor):
        raise NotAllowed(_l("Only the campus managers and the system house can edit articles."))
    if version is not None and version != article.version:
        raise StaleArticle(_stale_message())


def _stale_message():
    return _l("Someone else changed this article just now. Please check it and try again.")


def _fill(article: Article, **values) -> None:
    """Check every field, then set them all (or raise FieldErrors and set none)."""
    problems = ErrorCollector()
    title = (values["title"] or "").strip()
    symptoms = (values["symptoms"] or "").strip()
    steps = (values["steps"] or "").strip()
    model = (values["device_model"] or "").strip()
    device_type = values["device_type"] or None
    if not title:
        problems.add("title", _l("Please give the article a title."))
    elif len(title) > TITLE_MAX:
        problems.add("title", _l("Please keep the title under %(n)d characters.", n=TITLE_MAX))
    if not symptoms:
        problems.add("symptoms", _l("Please describe the symptoms."))
    if not steps:
        problems.add("steps", _l("Please describe the steps that solve it."))
    for name, value in (("symptoms", symptoms), ("steps", steps)):
        if len(value) > TEXT_MAX:
            problems.add(name, _l("The text is too long."))
    if len(model) > MODEL_MAX:
        too_long = _l("Please keep the model under %(n)d characters.", n=MODEL_MAX)
        problems.add("device_model", too_long)
    if values["category"] not in set(Category):
        problems.add("category", _l("Please choose what kind of problem it is."))
    if device_type is not None and device_type not in set(DeviceType):
        problems.add("device_type", _l("Please choose the kind of device."))
    if values["audience"] not in set(Audience):
        problems.add("audience", _l("Please choose who may use the article."))
    problems.raise_if_any()
    article.title, article.symptoms, article.steps = title, symptoms, steps
    article.category = values["category"]
    article.device_type = device_type
    article.device_model = model
    article.audience = values["audience"]


def _saved(article: Article, event: ArticleChanged) -> Article:
    """Flush (refused if someone else saved first), follow in the search, record."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise StaleArticle(_stale_message()) from error
    keep_in_index(article)
    record(event)
    return article
