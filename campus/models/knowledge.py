"""The solutions knowledge base: articles written from solved tickets, and their uses.

Searching them (campus/knowledge/search.py) needs a structure of each database's own,
which no model declares: see the end of this module.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campus.models.base import Base, StrEnumType, UTCDateTime, utcnow
from campus.models.device import DeviceType
from campus.models.org import Campus, School
from campus.models.ticket import Category, Ticket, _in
from campus.models.user import User


class Audience(StrEnum):
    TEACHERS = "teachers"  # teachers help themselves with it; the support side reads it too
    SUPPORT = "support"  # campus managers and the system house only


class ArticleStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"  # kept with its tickets and uses, never suggested


class UseKind(StrEnum):
    SELF_HELP = "self_help"  # a teacher's "Das hat geholfen" before filing: no ticket
    APPLIED = "applied"  # used by the support side on a ticket


article_tickets = Table(
    "article_tickets",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    # The articles a ticket led to (the ticket page).
    Index("ix_article_tickets_ticket", "ticket_id"),
)


class Article(Base):
    """A solution written down once, to be found again: by teachers before they report (if
    its audience is teachers) and by the support side on a ticket."""

    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint(_in("category", Category), name="category"),
        CheckConstraint(f"device_type IS NULL OR {_in('device_type', DeviceType)}", name="type"),
        CheckConstraint(_in("audience", Audience), name="audience"),
        CheckConstraint(_in("status", ArticleStatus), name="status"),
        # Suggestions on a ticket page: active articles of a category and model.
        Index("ix_articles_status_category_model", "status", "category", "device_model"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    symptoms: Mapped[str] = mapped_column(Text)
    steps: Mapped[str] = mapped_column(Text)
    device_type: Mapped[DeviceType | None] = mapped_column(StrEnumType(DeviceType, 30))
    device_model: Mapped[str] = mapped_column(String(120), default="", server_default="")
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 30))
    audience: Mapped[Audience] = mapped_column(StrEnumType(Audience, 10))
    status: Mapped[ArticleStatus] = mapped_column(
        StrEnumType(ArticleStatus, 10),
        default=ArticleStatus.ACTIVE,
        server_default=ArticleStatus.ACTIVE.value,
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking, as on tickets: of two people editing it at once, the second is
    # refused instead of silently overwriting the first.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    created_by: Mapped[User] = relationship()
    tickets: Mapped[list[Ticket]] = relationship(secondary=article_tickets, order_by=Ticket.id)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:
        return self.status == ArticleStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.title!r} {self.status}>"


class ArticleUse(Base):
    """An article helped: a teacher solved a fault herself (level 0, no ticket), or the
    support side applied it on a ticket (level 1 or 2)."""

    __tablename__ = "article_uses"
    __table_args__ = (
        CheckConstraint(_in("kind", UseKind), name="kind"),
        CheckConstraint(
            "(kind = 'self_help' AND level = 0 AND ticket_id IS NULL)"
            " OR (kind = 'applied' AND level IN (1, 2) AND ticket_id IS NOT NULL)",
            name="level",
        ),
        # Once per ticket and article (self-help rows have no ticket and never clash).
        UniqueConstraint("article_id", "ticket_id", name="uq_article_uses_article_ticket"),
        Index("ix_article_uses_article_at", "article_id", "at"),
        # Reports: uses per campus (and school) over a period.
        Index("ix_article_uses_campus_at", "campus_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[UseKind] = mapped_column(StrEnumType(UseKind, 10))
    level: Mapped[int] = mapped_column(Integer)  # 0 the teacher herself, 1, 2
    campus_id: Mapped[int] = mapped_column(ForeignKey("campuses.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # Self-help: the report form's one-time key, so that a second tap (or a resent form)
    # counts once; no person is stored.
    once_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship()
    campus: Mapped[Campus] = relationship()
    school: Mapped[School] = relationship()
    ticket: Mapped[Ticket | None] = relationship()

    def __repr__(self) -> str:
        return f"<ArticleUse {self.id} {self.kind} L{self.level} of {self.article_id}>"


# --- the search structures: one per kind of database, no model's ---------------------------
# SQLite: the FTS5 table article_search (rowid = the article's id), whose rows hold the
# active articles' words stemmed in Python (campus/knowledge/words.py), kept by the
# article services in their transaction.
# PostgreSQL: the generated column articles.search_vector (German text-search vectors, the
# title weighted A, symptoms and steps B) under a GIN index, kept by PostgreSQL on every
# write. Stored rather than an expression index: ranking reads the vector of every
# matching article, and computing to_tsvector for thousands of them took 0.4-0.8 s at
# 10,000 articles (benchmarks/knowledge_search.py), the stored one 10-20 ms.

SEARCH_TABLE = "article_search"
CREATE_SEARCH_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')"
)
DROP_SEARCH_TABLE = f"DROP TABLE IF EXISTS {SEARCH_TABLE}"
SEARCH_VECTOR = "search_vector"
SEARCH_INDEX = "ix_articles_search"
ADD_SEARCH_VECTOR = (
    f"ALTER TABLE articles ADD COLUMN {SEARCH_VECTOR} tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('german', title), 'A') || "
    "setweight(to_tsvector('german', symptoms || ' ' || steps), 'B')) STORED"
)
CREATE_SEARCH_INDEX = f"CREATE INDEX {SEARCH_INDEX} ON articles USING gin ({SEARCH_VECTOR})"

# For databases made by create_all() (tests, a fresh development database); the
# migration makes them for migrated ones.
for _ddl, _dialect in (
    (CREATE_SEARCH_TABLE, "sqlite"),
    (ADD_SEARCH_VECTOR, "postgresql"),
    (CREATE_SEARCH_INDEX, "postgresql"),
):
    event.listen(Article.__table__, "after_create", DDL(_ddl).execute_if(dialect=_dialect))
event.listen(Article.__table__, "before_drop", DDL(DROP_SEARCH_TABLE).execute_if(dialect="sqlite"))


def is_search_table(name: str | None) -> bool:
    """The FTS5 table and its shadow tables (article_search_data, ...)."""
    return name is not None and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_"))


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """For Alembic's comparison of models and database (migrations/env.py, test_migrations):
    leave out the search structures above, before reflection (which would not understand
    an FTS5 table)."""
    if type_ == "table":
        return not is_search_table(name)
    if type_ == "column":
        return not (name == SEARCH_VECTOR and parent_names.get("table_name") == "articles")
    if type_ == "index":
        return name != SEARCH_INDEX
    return True
