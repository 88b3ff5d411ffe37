"""German full-text search of the knowledge base, on SQLite (FTS5 over Python-stemmed
words) and, under make test-postgres, PostgreSQL (to_tsvector('german') and its GIN
index): inflections and umlauts match, the reader's audience and retired articles are
respected, and no input makes it fail."""

import pytest
from sqlalchemy import event, func, select

from campus.extensions import db
from campus.knowledge.search import related_articles, search_articles
from campus.knowledge.words import MAX_QUERY_WORDS, query_words
from campus.models import Article, Audience
from tests.knowledge_corpus import load_corpus

TEACHERS = [Audience.TEACHERS]
EVERYONE = list(Audience)


@pytest.fixture
def corpus(world):
    articles = load_corpus(world.manager)
    return {article.id: key for key, article in articles.items()}


def found(corpus, words, audiences=TEACHERS, **options) -> list[str]:
    return [
        corpus[article.id] for article, _ in search_articles(words, audiences=audiences, **options)
    ]


@pytest.mark.parametrize(
    ("words", "first"),
    [
        ("Tablets starten nicht", "tablet_start"),
        ("Beamer zeigt kein Bild", "beamer_picture"),
        ("Drucker druckt nicht", "printer_blank"),
        ("Kein Ton", "sound"),
        ("WLAN geht nicht", "wifi_room"),
        ("Passwort vergessen", "password"),
        ("Die Leinwand bleibt blau", "beamer_picture"),
        ("Tafel erkennt den Stift nicht", "board_touch"),
    ],
)
def test_a_teachers_words_find_the_article_first(corpus, words, first):
    assert found(corpus, words)[0] == first


def test_a_printer_fault_finds_the_printer_articles(corpus):
    assert set(found(corpus, "Drucker druckt nicht")[:2]) == {"printer_blank", "printer_queue"}
    assert found(corpus, "druckt")[0] == "printer_blank"


@pytest.mark.parametrize("word", ["Gerät", "Geräte", "GERÄTE", "Gera\u0308t"])
def test_umlauts_and_their_inflections_match(corpus, word):
    """ "Geräte" (wifi_room) and "Gerät" (printer_blank, app_crash) are one word, in
    capitals too, and a decomposed "ä" is the same letter."""
    assert {"wifi_room", "printer_blank", "app_crash"} <= set(found(corpus, word))


def test_a_support_article_is_never_offered_to_teachers(corpus):
    support_only = {"beamer_lamp", "mdm_missing", "account_locked", "tablet_reset_support"}
    for words in (
        "Tablets starten nicht",
        "Beamer schaltet ab",
        "Gerät fehlt im MDM",
        "Konto gesperrt",
        "Lampe blinkt rot",
    ):
        assert not support_only & set(found(corpus, words, limit=50)), words
    assert "tablet_reset_support" in found(corpus, "Tablets starten nicht", EVERYONE)[:2]
    assert found(corpus, "Konto gesperrt", EVERYONE)[0] == "account_locked"


def test_a_retired_article_is_never_found(corpus):
    for audiences in (TEACHERS, EVERYONE):
        assert "tablet_retired" not in found(corpus, "Tablets starten nicht", audiences, limit=50)
        assert found(corpus, "altes Vorgehen Händler", audiences) == []


@pytest.mark.parametrize(
    "words", ["", "   ", "nicht", "der die das", "Das geht nicht mehr!", "?!", "am", None]
)
def test_stop_words_alone_find_nothing(corpus, words):
    assert found(corpus, words) == []


def test_nobody_and_no_room_find_nothing(corpus):
    assert search_articles("Tablet", audiences=[]) == []
    assert search_articles("Tablet", audiences=TEACHERS, limit=0) == []
    assert len(search_articles("Tablet", audiences=EVERYONE, limit=1)) == 1
    assert len(search_articles("Tablet", audiences=EVERYONE, limit=10**9)) <= 50


def test_same_category_and_model_rank_higher(corpus):
    assert found(corpus, "Tablet")[0] == "display_airplay"
    assert found(corpus, "Tablet", device_model="iPad 9")[0] in {"tablet_start", "tablet_charge"}
    assert found(corpus, "Tablet", device_model=" ipad 9 ")[0] in {"tablet_start", "tablet_charge"}
    assert found(corpus, "Gerät")[0] == "wifi_room"
    assert found(corpus, "Gerät", category="printer")[0] == "printer_blank"
    both = found(corpus, "Bild", category="projector_display", device_model="Epson EB-695Wi")
    assert both[0] == "beamer_picture"


def test_scores_come_best_first(corpus):
    scores = [score for _, score in search_articles("Tablet startet", audiences=EVERYONE)]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


ODD = [
    "'",
    '"',
    "''\"\"",
    "&|!():*",
    "Tablet & | ! ( ) : * <-> <2> \\",
    "' OR 1=1 --",
    "Robert'); DROP TABLE articles;--",
    "tablet:* & !beamer",
    'NEAR(tablet beamer) AND "kein" OR NOT title: bild^ * -',
    "title:tablet",
    "{tablet} + - ^",
    "Tablet\x00startet",
    "🖨️ druckt nicht 😡",
    "📽️📽️📽️",
    "\u202etablet\u202c",
    "جهاز لا يعمل",
    "Tablet " * 2000,
    "x" * 10_000,
    "ä" * 10_000,
    " ".join(f"wort{n}" for n in range(3000)),
    "\ud800 tablet",
    "%_%",
]


@pytest.mark.parametrize("words", ODD, ids=range(len(ODD)))
def test_odd_input_never_fails(corpus, words):
    for audiences in (TEACHERS, EVERYONE):
        results = search_articles(
            words, audiences=audiences, category="printer", device_model=words[:120]
        )
        assert all(isinstance(score, float) for _, score in results)
    assert db.session.scalar(select(func.count()).select_from(Article)) == len(corpus)


def test_a_long_search_uses_its_first_words():
    words = query_words(" ".join(f"wort{n}" for n in range(1000)))
    assert words == [f"wort{n}" for n in range(MAX_QUERY_WORDS)]
    assert query_words("Tablet tablet TABLET Tablets") == ["tablet", "tablets"]


def test_related_articles_share_category_and_model(corpus):
    related = related_articles(
        audiences=TEACHERS, category="projector_display", device_model="Promethean ActivPanel"
    )
    assert {corpus[a.id] for a in related} == {"display_airplay", "board_touch", "sound"}
    lamp = related_articles(
        audiences=TEACHERS, category="projector_display", device_model="Epson EB-695Wi"
    )
    assert [corpus[a.id] for a in lamp] == ["beamer_picture"]  # beamer_lamp: support only
    assert related_articles(audiences=TEACHERS, category="printer", device_model="") == []


def test_postgresql_searches_through_the_gin_index(corpus):
    """The query's document expression is the index's: PostgreSQL can read
    ix_articles_search for it (a different expression could not). A corpus this small is
    read whole, so sequential scans and the other index are out of the way here (in this
    transaction only)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL runs under make test-postgres")
    statements = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        search_articles("Tablets starten nicht", audiences=EVERYONE)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    statement, parameters = statements[-1]
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("DROP INDEX ix_articles_status_category_model")
    plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
    assert any("ix_articles_search" in line for line in plan), "\n".join(plan)
