"""Who may use the solutions knowledge base, rate a solution and answer a survey: the
access rules of growing expertise, kept beside campus/permissions.py (which re-exports
them) under the same two rules: each exists for one object and as a list filter, and none
compares role names outside these modules or answers HTTP."""

from sqlalchemy import Select, false

from campus.models import Role, Ticket, TicketStatus, User
from campus.models.knowledge import Article, ArticleStatus, Audience
from campus.permissions import (
    can_report,
    is_admin,
    is_support,
    manages_a_campus,
    reports_problems,
    sides_of,
    works_at_level_two,
)
from campus.tickets.workflow import SUPPORT_SIDES

# --- feedback and surveys ------------------------------------------------------------------


def takes_surveys(user: User) -> bool:
    """The anonymous teacher surveys ask teachers placed at a school (surveys/)."""
    return reports_problems(user) and user.active and user.school_id is not None


def can_give_feedback(user: User, ticket: Ticket) -> bool:
    """Only the teacher who reported it rates a solution (once; feedback.py)."""
    return user.is_authenticated and ticket.reporter_id == user.id and reports_problems(user)


# --- the knowledge base --------------------------------------------------------------


def article_audiences(user: User) -> frozenset[Audience]:
    """Whose articles a person reads and is offered: teachers those for teachers; the
    support side and administrators all of them."""
    if is_support(user) or is_admin(user):
        return frozenset(Audience)
    if reports_problems(user):
        return frozenset({Audience.TEACHERS})
    return frozenset()


def can_read_article(user: User, article: Article) -> bool:
    """An article of one's audiences; a retired one only for those who may edit articles
    and administrators (who read everything, to follow the figures)."""
    if article.status != ArticleStatus.ACTIVE and not sees_retired_articles(user):
        return False
    return article.audience in article_audiences(user)


def visible_articles(user: User, query: Select) -> Select:
    """The list twin of can_read_article, for a query over Article."""
    audiences = article_audiences(user)
    if not audiences:
        return query.where(false())
    query = query.where(Article.audience.in_(sorted(audiences)))
    if not sees_retired_articles(user):
        query = query.where(Article.status == ArticleStatus.ACTIVE)
    return query


def can_edit_articles(user: User) -> bool:
    """Campus managers and the system house write, edit and retire articles; teachers and
    administrators read them."""
    return is_support(user)


def sees_retired_articles(user: User) -> bool:
    return can_edit_articles(user) or is_admin(user)


def article_editors(query: Select) -> Select:
    """The list twin of can_edit_articles, for a query over User."""
    support = User.role.in_([Role.CAMPUS_MANAGER, Role.SYSTEM_HOUSE])
    return query.where(support, User.active.is_(True))


def can_apply_article(user: User, ticket: Ticket) -> bool:
    """An article is used on a ticket by its support side (either level)."""
    return bool(sides_of(user, ticket) & SUPPORT_SIDES)


def can_publish_from(user: User, ticket: Ticket) -> bool:
    """A solved ticket becomes an article (or a source of one) by its support side: a
    manager of its campus, or the system house once it was escalated."""
    solved = ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    return solved and can_edit_articles(user) and can_apply_article(user, ticket)


def article_use_level(user: User) -> int | None:
    """The level that uses an article: 0 a teacher helping herself, 1 a campus manager,
    2 the system house; None for everyone else."""
    if works_at_level_two(user):
        return 2
    if manages_a_campus(user):
        return 1
    if can_report(user):
        return 0
    return None
