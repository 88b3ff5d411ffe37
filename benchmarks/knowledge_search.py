"""Time the knowledge base's search at 10,000 articles, on SQLite or PostgreSQL.

    python benchmarks/knowledge_search.py --url sqlite:////tmp/kb-bench.db
    python benchmarks/knowledge_search.py --url postgresql+psycopg://postgres@127.0.0.1/kbbench

The database must be empty (a throwaway one): the script makes the tables, fills them with
the test corpus and generated German articles (a realistic mix: common words such as
"Tablet" or "startet" match a fifth of them), times `search_articles` for a teacher and
for the support side, prints the median, 90th percentile and slowest time per search,
writes benchmarks/results/<date>-knowledge-search-<database>.json and drops the tables
again (unless --keep). Target: under 50 ms median per search.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 50
SEARCHES = [
    "Tablets starten nicht",
    "Beamer zeigt kein Bild",
    "Drucker druckt nicht",
    "Gerät verbindet sich nicht mit dem WLAN",
    "Passwort vergessen",
    "Kein Ton",
    "Tablet",
    "iPad startet nicht mehr, Bildschirm bleibt schwarz, Akku ist voll geladen",
    "Dokumentenkamera",
    "xylophon",  # matches nothing
]

DEVICES = [
    ("Tablet", "tablet", "tablet_notebook", ["iPad 9", "iPad 10", "Galaxy Tab A8"]),
    ("Notebook", "notebook", "tablet_notebook", ["ThinkPad L14", "Latitude 3540"]),
    ("Beamer", "display_projector", "projector_display", ["Epson EB-695Wi", "BenQ MW560"]),
    ("Display", "display_projector", "projector_display", ["ActivPanel 9", "Clevertouch"]),
    ("Drucker", "printer", "printer", ["HL-L5100DN", "LaserJet M404"]),
    ("PC", "desktop", "other", ["OptiPlex 7010", "ThinkCentre M70"]),
    ("WLAN", "network", "network_wifi", ["", "Access Point 5"]),
    ("Dokumentenkamera", "other", "other", ["Elmo MX-P3", "IPEVO V4K"]),
    ("Lautsprecher", "other", "projector_display", ["", "Bose S1"]),
    ("Lern-App", None, "software_app", [""]),
    ("Schulkonto", None, "account_login", [""]),
]
FAULTS = [
    "startet nicht mehr",
    "lädt nicht",
    "zeigt kein Bild",
    "druckt nicht",
    "verbindet sich nicht",
    "stürzt ab",
    "ist sehr langsam",
    "hat keinen Ton",
    "flackert",
    "reagiert nicht",
    "meldet einen Fehler",
    "schaltet sich ab",
    "wird nicht erkannt",
    "Anmeldung klappt nicht",
]
SYMPTOMS = [
    "Der Bildschirm bleibt schwarz.",
    "Die Anzeige leuchtet rot.",
    "Nach dem Einschalten passiert nichts.",
    "Es kommt die Meldung „Kein Signal“.",
    "Die Klasse konnte nicht weiterarbeiten.",
    "Das Problem tritt seit dem letzten Update auf.",
    "Im Raum funktionieren die anderen Geräte.",
    "Das Kabel wurde schon getauscht.",
    "Der Akku ist geladen.",
    "Der Fehler kommt nur morgens.",
]
STEPS = [
    "Gerät neu starten und zehn Sekunden warten.",
    "Kabel und Netzteil prüfen und fest einstecken.",
    "Die Quelle am Gerät auf HDMI stellen.",
    "Im Menü die Werkseinstellungen laden.",
    "Treiber aktualisieren und neu installieren.",
    "Die Warteschlange leeren und erneut versuchen.",
    "WLAN vergessen und mit den Zugangsdaten neu verbinden.",
    "Passwort über die Anmeldeseite zurücksetzen.",
    "Lüftungsgitter reinigen und abkühlen lassen.",
    "Im MDM-Portal das Gerät neu zuweisen.",
    "Akku kalibrieren: ganz leer laufen lassen, dann voll laden.",
    "Firmware über das Herstellerportal aktualisieren.",
]


def generated(count: int, author_id: int, rng: random.Random) -> list[dict]:
    now = datetime.now(UTC)
    rows = []
    for n in range(count):
        name, kind, category, models = rng.choice(DEVICES)
        model = rng.choice(models)
        fault = rng.choice(FAULTS)
        code = f"F{rng.randrange(10**5):05d}"  # an error code: a rare word of its own
        symptoms = " ".join(rng.sample(SYMPTOMS, 3)) + f" Fehlercode {code}."
        steps = " ".join(rng.sample(STEPS, 4))
        rows.append(
            {
                "title": f"{name} {model} {fault}".replace("  ", " ")[:200],
                "symptoms": f"{name} {fault}. {symptoms}",
                "steps": steps,
                "device_type": kind,
                "device_model": model,
                "category": category,
                "audience": "support" if n % 4 == 0 else "teachers",
                "status": "retired" if n % 25 == 0 else "active",
                "created_by_id": author_id,
                "created_at": now,
                "updated_at": now,
                "retired_at": None,
                "version": 1,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="leave the tables in place")
    args = parser.parse_args()
    os.environ["CAMPUS_DATABASE_URL"] = args.url
    os.environ.setdefault("CAMPUS_ENV", "development")

    from sqlalchemy import inspect

    from campus import create_app
    from campus.database import bulk_insert
    from campus.extensions import db
    from campus.knowledge.search import rebuild_index, search_articles
    from campus.models import Article, Audience, Role, User
    from tests.knowledge_corpus import load_corpus

    app = create_app()
    with app.app_context():
        if inspect(db.engine).get_table_names():
            sys.exit("knowledge_search: the database is not empty; give a throwaway one")
        db.create_all()
        try:
            author = User(email="bench@example.org", display_name="Bench", role=Role.SYSTEM_HOUSE)
            author.password_hash = "-"
            db.session.add(author)
            db.session.flush()
            load_corpus(author)
            started = time.perf_counter()
            rows = generated(args.articles - 17, author.id, random.Random(16))
            bulk_insert(db.session.connection(), Article.__table__, rows)
            indexed = rebuild_index()
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                # What autovacuum does soon after a bulk load: statistics, and the GIN
                # index's pending list merged (until then the planner avoids the index).
                with db.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                    connection.exec_driver_sql("VACUUM ANALYZE articles")
            total = db.session.scalar(db.select(db.func.count(Article.id)))
            fill = time.perf_counter() - started
            print(f"{db.engine.dialect.name}: {total:,} articles (filled in {fill:.1f} s)")
            if indexed:
                print(f"  SQLite's article_search holds the {indexed:,} active ones")
            results = {}
            for reader, audiences in (
                ("teacher", [Audience.TEACHERS]),
                ("support", list(Audience)),
            ):
                for words in SEARCHES:

                    def search(words=words, audiences=audiences):
                        hits = search_articles(words, audiences=audiences, category="printer")
                        db.session.rollback()
                        return hits

                    hits = len(search())
                    times = measure(search, args.runs)
                    results[f"{reader}: {words}"] = summary(times) | {"results": hits}
                    report(f"{reader}: {words}", times, hits)
            medians = [r["median_ms"] for r in results.values()]
            print(
                f"  median of the medians {statistics.median(medians):.1f} ms, "
                f"slowest median {max(medians):.1f} ms (target {TARGET_MS} ms)"
            )
            write(db.engine.dialect.name, total, results)
        finally:
            db.session.rollback()
            if not args.keep:
                db.drop_all()


def measure(call, runs: int) -> list[float]:
    call()  # warm caches once
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 2),
        "max_ms": round(max(times), 2),
    }


def report(what: str, times: list[float], hits: int) -> None:
    s = summary(times)
    verdict = "ok" if s["median_ms"] < TARGET_MS else f"over the {TARGET_MS} ms target"
    print(
        f"  {what[:60]:60s} {hits:2d} found  median {s['median_ms']:6.1f} ms"
        f"  p90 {s['p90_ms']:6.1f} ms  max {s['max_ms']:6.1f} ms  {verdict}"
    )


def write(database: str, articles: int, results: dict) -> None:
    date = datetime.now(UTC).replace(microsecond=0)
    out = ROOT / "benchmarks" / "results" / f"{date:%Y-%m-%d}-knowledge-search-{database}.json"
    payload = {"date": date.isoformat(), "database": database, "articles": articles}
    out.write_text(json.dumps(payload | {"searches": results}, indent=1) + "\n")
    print(f"  written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
