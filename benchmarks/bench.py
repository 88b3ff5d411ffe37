"""`make bench`: every page at 10,000, 100,000 and 1,000,000 tickets, in-process and
through gunicorn, for a city of 50 campuses (160 schools, 150 managers) and, at a million
tickets, for one of 200 campuses (1,000 schools, 600 managers).

    python benchmarks/bench.py [--sizes 10000,100000,1000000] [--big-city 1000000]
                               [--data /tmp/campus-bench] [--duration 10] [--no-http]

Datasets come from `flask campus generate` and are kept in --data (a million tickets
take about four minutes to make and 1.3 GB); each run works on a copy, so the tickets
it files never pile up. Prints one table per dataset and writes
benchmarks/results/<date>-<shape>-<tickets>.json.
"""

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pages import PASSWORD, TARGETS  # noqa: E402

from campus.demo_city import GENERATOR_VERSION  # noqa: E402

SHAPES = {"city": (50, 160, 150), "big-city": (200, 1000, 600)}
RESULTS = ROOT / "benchmarks" / "results"


def flask(url: str, *args: str) -> None:
    env = dict(os.environ, CAMPUS_DATABASE_URL=url, CAMPUS_ENV="development", FLASK_APP="wsgi")
    subprocess.run([str(ROOT / ".venv/bin/flask"), *args], cwd=ROOT, env=env, check=True)


def dataset(data: Path, shape: str, tickets: int) -> Path:
    """The generated database for shape and size, made once and kept."""
    path = data / f"{shape}-{tickets}.sqlite3"
    label = data / f"{shape}-{tickets}.json"
    wanted = {"shape": shape, "tickets": tickets, "generator": GENERATOR_VERSION}
    if path.exists() and label.exists() and json.loads(label.read_text()) == wanted:
        flask(f"sqlite:///{path}", "db", "upgrade")  # a migration may have come since
        return path
    for stale in data.glob(f"{shape}-{tickets}.*"):
        stale.unlink()
    campuses, schools, managers = SHAPES[shape]
    url = f"sqlite:///{path}"
    print(f"generating {tickets:,} tickets for the {shape} ...", file=sys.stderr)
    flask(url, "db", "upgrade")
    flask(
        url,
        "campus",
        "generate",
        f"--tickets={tickets}",
        f"--campuses={campuses}",
        f"--schools={schools}",
        f"--managers={managers}",
        f"--password={PASSWORD}",
    )
    label.write_text(json.dumps(wanted))
    return path


def working_copy(path: Path) -> Path:
    """A copy to run on (SQLite's online backup: consistent, WAL included)."""
    copy = path.with_name(path.stem + "-run.sqlite3")
    for stale in path.parent.glob(copy.name + "*"):
        stale.unlink()
    with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def python(script: str, *args: str) -> None:
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "benchmarks" / script), *args], check=True
    )


def bench_one(data: Path, shape: str, tickets: int, args) -> dict:
    copy = working_copy(dataset(data, shape, tickets))
    url = f"sqlite:///{copy}"
    out = data / "pages.json"
    python("pages.py", "--url", url, "--runs", str(args.runs), "--json", str(out))
    result = {
        "shape": shape,
        "campuses_schools_managers": SHAPES[shape],
        "database": "sqlite",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        **json.loads(out.read_text()),
    }
    if not args.no_http:
        ticket = result["pages"]["ticket_page"]["path"].rsplit("/", 1)[1]
        python(
            "serve.py",
            "--url",
            url,
            "--ticket",
            ticket,
            "--duration",
            str(args.duration),
            "--json",
            str(out),
        )
        result["http"] = json.loads(out.read_text())
    for stale in data.glob(copy.name + "*"):
        stale.unlink()
    return result


def print_result(result: dict) -> None:
    http = result.get("http", {})
    print(
        f"\n{result['shape']}: {result['tickets']:,} tickets, "
        f"{'/'.join(map(str, result['campuses_schools_managers']))} campuses/schools/managers, "
        f"SQLite; in-process, and gunicorn -w 2 with 8 connections"
    )
    print(
        f"{'page':<24} {'median ms':>9} {'p95 ms':>7} {'SQL':>4} {'peak KiB':>8} "
        f"{'req/s':>7} {'http p95':>8} {'errors':>6}  target"
    )
    for name, row in result["pages"].items():
        target = TARGETS.get(name, 15)
        verdict = (
            "" if target is None else ("ok" if row["median_ms"] < target else f"> {target} ms")
        )
        load = http.get(name, {})
        print(
            f"{name:<24} {row['median_ms']:>9.1f} {row['p95_ms']:>7.1f} {row['queries']:>4} "
            f"{row['peak_kib']:>8} {load.get('req_per_s', ''):>7} {load.get('p95_ms', ''):>8} "
            f"{load.get('errors', ''):>6}  {verdict}"
        )
    if http:
        print(f"peak memory of a gunicorn worker: {http['_peak_worker_kib'] / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--big-city", default="1000000", help="sizes for 200 campuses ('' for none)"
    )
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("BENCH_DATA", "/tmp/campus-bench"))
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    plan = [("city", int(n)) for n in args.sizes.split(",") if n]
    plan += [("big-city", int(n)) for n in args.big_city.split(",") if n]
    for shape, tickets in plan:
        result = bench_one(args.data, shape, tickets, args)
        print_result(result)
        day = result["date"][:10]
        (RESULTS / f"{day}-{shape}-{tickets}.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
