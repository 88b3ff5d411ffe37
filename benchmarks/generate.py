"""Fill an empty database with a city's year of tickets: `flask campus generate` under
its old name, for scripts that still call it (the side-by-side harness's README).

    python benchmarks/generate.py --url sqlite:////tmp/campus-bench.db --tickets 1000000 \
        [--campuses 50] [--schools 160] [--managers 150] [--password benchmark-password]

Migrates the database, then runs `flask campus generate` with the same options.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy database URL (empty database)")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--campuses", type=int, default=50)
    parser.add_argument("--schools", type=int, default=160)
    parser.add_argument("--managers", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--password")
    args = parser.parse_args()
    env = dict(os.environ, CAMPUS_DATABASE_URL=args.url, FLASK_APP="wsgi")
    env.setdefault("CAMPUS_ENV", "development")
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    options = [
        f"--tickets={args.tickets}",
        f"--campuses={args.campuses}",
        f"--schools={args.schools}",
        f"--seed={args.seed}",
    ]
    options += [f"--managers={args.managers}"] if args.managers else []
    options += [f"--password={args.password}"] if args.password else []
    return subprocess.run([flask, "campus", "generate", *options], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
