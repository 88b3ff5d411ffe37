"""Back up a Campus PostgreSQL database, restore it into a fresh one, compare the counts.

    python scripts/backup_check.py --url postgresql+psycopg://postgres@127.0.0.1:5432/campus

Writes the dump (pg_dump custom format) to --out (default: a temporary file), restores it
into a new database on the same server, and compares the number of tickets, events,
users, devices and photos. Exit code 0 only if all match. The new database is dropped
again unless --keep is given. This is the restore drill the README's backup plan asks for.
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile

import psycopg
from sqlalchemy.engine import make_url

TABLES = ("tickets", "ticket_events", "users", "devices", "ticket_photos", "report_days")


def counts(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the database to back up")
    parser.add_argument("--out", help="where to write the dump (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args()
    source = make_url(args.url).set(drivername="postgresql")
    dsn = source.render_as_string(hide_password=False)
    env = dict(os.environ, PGPASSWORD=source.password or "")
    connection_args = [
        "-h",
        source.host or "127.0.0.1",
        "-p",
        str(source.port or 5432),
        "-U",
        source.username or "postgres",
    ]
    out = args.out or os.path.join(tempfile.mkdtemp(), "campus.dump")
    subprocess.run(
        ["pg_dump", *connection_args, "-Fc", "-f", out, source.database],
        check=True,
        env=env,
    )
    restored_name = f"campus_restore_{secrets.token_hex(4)}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{restored_name}"')
    restored = source.set(database=restored_name).render_as_string(hide_password=False)
    try:
        subprocess.run(
            ["pg_restore", *connection_args, "--no-owner", "-d", restored_name, out],
            check=True,
            env=env,
        )
        before, after = counts(dsn), counts(restored)
        for table in TABLES:
            mark = "ok" if before[table] == after[table] else "DIFFERENT"
            print(f"{table:15s} {before[table]:>10,} {after[table]:>10,}  {mark}")
        print(f"dump: {out} ({os.path.getsize(out):,} bytes)")
        return 0 if before == after else 1
    finally:
        if not args.keep:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
