"""Run the whole test suite against PostgreSQL in a throwaway database (make test-postgres).

CAMPUS_TEST_DATABASE_URL names the server and a database to connect to for creating
the throwaway one (default: the local server, database "test"). The throwaway database
is dropped afterwards, whatever the outcome.
"""

import os
import secrets
import subprocess
import sys

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main() -> int:
    base = make_url(os.environ.get("CAMPUS_TEST_DATABASE_URL", DEFAULT_URL))
    name = f"campus_test_{secrets.token_hex(4)}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
            # A throwaway database: a commit need not wait for the disk (a crash loses at
            # most the last moments, never consistency).
            connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except psycopg.OperationalError as error:
        print(
            f"test-postgres: cannot reach PostgreSQL at {base.host}:{base.port}: {error}",
            file=sys.stderr,
        )
        return 1
    env = dict(
        os.environ,
        CAMPUS_TEST_DATABASE_URL=base.set(database=name).render_as_string(hide_password=False),
    )
    try:
        return subprocess.call(
            [sys.executable, "-m", "pytest", "tests", *sys.argv[1:]],
            env=env,
        )
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
