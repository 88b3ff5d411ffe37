"""German words for the search: lower-cased, without stop words, and (for SQLite's FTS5
table) stemmed with the Snowball German stemmer, so that "Tablets starten" and "Tablet
startet" meet in "tabl start". No database here."""

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# Letters and digits; everything else (punctuation, quotes, operators, emoji) separates.
_WORD = re.compile(r"[^\W_]+")
MAX_WORD_LENGTH = 60  # longer "words" are noise (a pasted hash, a URL's remains)
MAX_QUERY_WORDS = 24  # a pasted page searches by its first words
MAX_QUERY_CHARS = 2000
PREFIX_FROM = 4  # stems this long also match as the start of a longer word

# Snowball's German stop words (PostgreSQL's german.stop), their spellings without
# umlauts, and the filler of fault reports; "nicht" and "kein" are among them.
_STOP_WORDS = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den
    des dem die das daß dass derselbe derselben denselben desselben demselben dieselbe
    dieselben dasselbe dazu dein deine deinem deinen deiner deines denn derer dessen dich
    dir du dies diese diesem diesen dieser dieses doch dort durch ein eine einem einen einer
    eines einig einige einigem einigen einiger einiges einmal er ihn ihm es etwas euer eure
    eurem euren eurer eures für fuer gegen gewesen hab habe haben hat hatte hatten hier hin
    hinter ich mich mir ihr ihre ihrem ihren ihrer ihres euch im in indem ins ist jede jedem
    jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner
    keines können koennen könnte koennte machen man manche manchem manchen mancher manches
    mein meine meinem meinen meiner meines mit muss musste nach nicht nichts noch nun nur ob
    oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie ihnen sind so
    solche solchem solchen solcher solches soll sollte sondern sonst über ueber um und uns
    unse unsem unsen unser unses unter viel vom von vor während waehrend war waren warst was
    weg weil weiter welche welchem welchen welcher welches wenn werde werden wie wieder will
    wir wird wirst wo wollen wollte würde wuerde würden wuerden zu zum zur zwar zwischen
    mehr beim bitte mal schon seit heute immer leider gar ja nein ok bzw usw ca sowie sogar
    geht gehen gibt wurde wurden worden sei seid wäre waere hallo danke
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_local = threading.local()  # a Snowball stemmer keeps state: one per thread


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("german")
    return stemmer


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball German stem of a lower-cased word ("geräte" -> "gerat")."""
    return _stemmer().stemWord(word)


def content_words(text: str) -> list[str]:
    """The words of `text` that say something: lower-cased (NFKC, so that a decomposed
    "ä" is one letter), stop words and single letters left out, in their order."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return [
        word
        for word in _WORD.findall(text)
        if 1 < len(word) <= MAX_WORD_LENGTH and word not in STOP_WORDS
    ]


def query_words(text: str) -> list[str]:
    """The distinct content words of a search, the first MAX_QUERY_WORDS of them."""
    found: dict[str, None] = {}
    for word in content_words((text or "")[:MAX_QUERY_CHARS]):
        found.setdefault(word)
        if len(found) == MAX_QUERY_WORDS:
            break
    return list(found)


def stems(text: str) -> str:
    """What SQLite's full-text table holds of `text`: its content words' stems."""
    return " ".join(stem(word) for word in content_words(text))


def fts_query(words: list[str]) -> str:
    """An FTS5 query that matches any of the words' stems, longer ones also as the start of
    a word ("bild" finds "bildschirm"). Each stem is a quoted string: no operator or
    column filter of FTS5's query language can come from the user's text."""
    terms = {}
    for word in words:
        term = stem(word)
        quoted = '"' + term.replace('"', '""') + '"'
        terms.setdefault(quoted + (" *" if len(term) >= PREFIX_FROM else ""))
    return " OR ".join(terms)
