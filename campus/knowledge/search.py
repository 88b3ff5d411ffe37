"""Finding articles by a few words: German full-text search, on PostgreSQL and SQLite alike.

PostgreSQL: the column articles.search_vector (to_tsvector('german') of title, symptoms
and steps, kept by PostgreSQL) under its GIN index, matched against the words OR'ed as
tsqueries (each one a bound value, stemmed by PostgreSQL), ranked by ts_rank. SQLite: the
FTS5 table article_search, whose rows hold the articles' words stemmed in Python
(words.py) and follow every change of an article in its transaction (`keep_in_index`),
ranked by bm25. On both, a word matches inflections ("Tablets starten" - "Tablet
startet") and, from 4 letters, longer words it begins ("Bild" - "Bildschirm"); the title
counts double; an article of the same category or device model ranks higher. Only active
articles of the reader's audiences are found. The structures: campus/models/knowledge.py.
"""

from collections.abc import Collection, Sequence
from functools import reduce

from sqlalchemy import (
    ColumnElement,
    case,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    table,
    text,
)

from campus.extensions import db
from campus.knowledge.words import PREFIX_FROM, fts_query, query_words, stems
from campus.models import Article, ArticleStatus, Audience, Category
from campus.models.knowledge import SEARCH_TABLE, SEARCH_VECTOR

LIMIT = 5
MAX_LIMIT = 50
TITLE_WEIGHT = 2.0  # a word in the title counts twice as much as one in the text
SAME_CATEGORY = 0.5  # an article of the same category ranks 1.5 times as high
SAME_MODEL = 0.5  # ... of the same device model too (both: twice as high)

_fts = table(SEARCH_TABLE, column("rowid"), column("title"), column("body"))
_vector = literal_column(f"{Article.__tablename__}.{SEARCH_VECTOR}")
# ts_rank's weights of D, C, B (symptoms and steps) and A (the title).
_WEIGHTS = text(f"'{{0.1, 0.2, {1 / TITLE_WEIGHT}, 1.0}}'::real[]")
_GERMAN = text("'german'")


def search_articles(
    words: str,
    *,
    audiences: Collection[Audience],
    category: Category | str | None = None,
    device_model: str | None = None,
    limit: int = LIMIT,
) -> list[tuple[Article, float]]:
    """The active articles for `audiences` (permissions.article_audiences) that match any
    of the words, best first, with their score (higher is better; comparable within one
    search only). Empty, stop words only or nothing readable: []."""
    found = query_words(words)
    limit = min(limit, MAX_LIMIT)
    if not found or not audiences or limit < 1:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        rank, query = _postgres(found)
    else:
        rank, query = _sqlite(found)
    score = (rank * _boost(category, device_model)).label("score")
    query = (
        query.add_columns(score)
        .where(
            Article.status == ArticleStatus.ACTIVE,
            Article.audience.in_([Audience(a) for a in audiences]),
        )
        .order_by(score.desc(), Article.id.desc())
        .limit(limit)
    )
    return [(article, float(value)) for article, value in db.session.execute(query)]


def _postgres(words: Sequence[str]):
    """ts_rank of the stored vectors, for any word (each its own tsquery)."""
    queries = [
        func.to_tsquery(_GERMAN, literal(word + (":*" if len(word) >= PREFIX_FROM else "")))
        for word in words
    ]
    query = reduce(lambda left, right: left.op("||")(right), queries)
    rank = func.ts_rank(_WEIGHTS, _vector, query)
    return rank, select(Article).where(_vector.op("@@")(query))


def _sqlite(words: Sequence[str]):
    """bm25 (lower is better, hence negated) over the FTS5 table's title and body."""
    rank = -func.bm25(literal_column(SEARCH_TABLE), TITLE_WEIGHT, 1.0)
    query = (
        select(Article)
        .join(_fts, _fts.c.rowid == Article.id)
        .where(literal_column(SEARCH_TABLE).op("MATCH")(fts_query(list(words))))
    )
    return rank, query


def _boost(category: str | None, device_model: str | None) -> ColumnElement:
    boost: ColumnElement = literal_column("1.0")
    if category in set(Category):
        boost = boost + case((Article.category == category, SAME_CATEGORY), else_=0.0)
    model = _plain(device_model or "").strip()
    if model:
        same = func.lower(Article.device_model) == model.lower()
        boost = boost + case((same, SAME_MODEL), else_=0.0)
    return boost


def _plain(value: str) -> str:
    """A value any database takes: no NUL, no lone surrogate (neither is a model's name)."""
    return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def related_articles(
    *, audiences: Collection[Audience], category: str, device_model: str, limit: int = LIMIT
) -> list[Article]:
    """Active articles of one category and device model (a ticket page's suggestions
    without words), most recently changed first."""
    if not audiences or not device_model:
        return []
    query = (
        select(Article)
        .where(
            Article.status == ArticleStatus.ACTIVE,
            Article.category == category,
            Article.device_model == device_model,
            Article.audience.in_([Audience(a) for a in audiences]),
        )
        .order_by(Article.updated_at.desc(), Article.id.desc())
        .limit(min(limit, MAX_LIMIT))
    )
    return list(db.session.scalars(query))


# --- SQLite's full-text table --------------------------------------------------------------


def keep_in_index(article: Article) -> None:
    """After a change to `article` (flushed): its row in SQLite's article_search holds its
    stemmed words while it is active, and is gone once it is retired; in the same
    transaction. PostgreSQL keeps its search column by itself."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    connection.execute(delete(_fts).where(_fts.c.rowid == article.id))
    if article.status == ArticleStatus.ACTIVE:
        connection.execute(insert(_fts).values(**_row(article.id, *_texts(article))))


def rebuild_index(connection=None) -> int:
    """Fill SQLite's article_search anew from the articles (after a bulk import or a
    restore); returns how many active articles it holds. Nothing to do on PostgreSQL."""
    connection = connection or db.session.connection()
    if connection.dialect.name != "sqlite":
        return 0
    connection.execute(delete(_fts))
    active = select(Article.id, Article.title, Article.symptoms, Article.steps).where(
        Article.status == ArticleStatus.ACTIVE
    )
    count = 0
    for rows in connection.execute(active).partitions(1000):
        connection.execute(insert(_fts), [_row(id_, title, s, t) for id_, title, s, t in rows])
        count += len(rows)
    return count


def _texts(article: Article) -> tuple[str, str, str]:
    return article.title, article.symptoms, article.steps


def _row(article_id: int, title: str, symptoms: str, steps: str) -> dict:
    return {"rowid": article_id, "title": stems(title), "body": stems(f"{symptoms}\n{steps}")}
