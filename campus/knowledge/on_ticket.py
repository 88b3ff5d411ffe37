"""The knowledge base on a ticket page: articles the support side is offered for the
ticket (same category and device model first, then those matching its title), the ones
already used on it, and the articles that were written from it."""

from dataclasses import dataclass, field

from sqlalchemy import select

from campus.extensions import db
from campus.knowledge.search import LIMIT, related_articles, search_articles
from campus.models import Article, ArticleUse, Ticket, User, article_tickets
from campus.permissions import article_audiences, can_apply_article, visible_articles


@dataclass
class TicketArticles:
    suggested: list[Article] = field(default_factory=list)
    used_ids: set[int] = field(default_factory=set)  # used on this ticket already
    written: list[Article] = field(default_factory=list)  # published from this ticket

    def __bool__(self) -> bool:
        return bool(self.suggested or self.written)


def articles_for(user: User, ticket: Ticket, limit: int = LIMIT) -> TicketArticles:
    """What the ticket page shows of the knowledge base: suggestions while the ticket is
    open, the articles written from it once it is solved; nothing for the teacher (she was
    offered the teachers' articles while reporting) or an administrator."""
    if not can_apply_article(user, ticket):
        return TicketArticles()
    audiences = article_audiences(user)
    device = ticket.device
    model = device.model if device else ""
    suggested: list[Article] = []
    if ticket.is_open:
        suggested = related_articles(
            audiences=audiences, category=ticket.category, device_model=model, limit=limit
        )
        if len(suggested) < limit:
            seen = {a.id for a in suggested}
            found = search_articles(
                ticket.title,
                audiences=audiences,
                category=ticket.category,
                device_model=model,
                limit=limit + len(seen),
            )
            suggested += [a for a, _score in found if a.id not in seen][: limit - len(seen)]
    written: list[Article] = []
    if not ticket.is_open:  # articles are written from solved tickets, beside publishing
        written = list(
            db.session.scalars(
                visible_articles(user, select(Article))
                .join(article_tickets, article_tickets.c.article_id == Article.id)
                .where(article_tickets.c.ticket_id == ticket.id)
                .order_by(Article.id)
            )
        )
    used: set[int] = set()
    if suggested:
        used = set(
            db.session.scalars(
                select(ArticleUse.article_id).where(
                    ArticleUse.ticket_id == ticket.id,
                    ArticleUse.article_id.in_([a.id for a in suggested]),
                )
            )
        )
    return TicketArticles(suggested=suggested, used_ids=used, written=written)
