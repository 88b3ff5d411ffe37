"""`flask db upgrade` from empty gives exactly the models' schema, and downgrade undoes it,
on SQLite and (under make test-postgres) on PostgreSQL."""

import os
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from campus import create_app
from campus.extensions import db
from campus.models.knowledge import include_name


def _postgres_server():
    url = os.environ.get("CAMPUS_TEST_DATABASE_URL", "")
    return make_url(url) if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """An empty database of each kind: a file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    server = _postgres_server()
    if server is None:
        pytest.skip("PostgreSQL runs under make test-postgres")
    import psycopg

    name = f"campus_migrate_{secrets.token_hex(4)}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        yield empty_database
        db.session.remove()
        db.engine.dispose()


def test_upgrade_from_empty_matches_the_models(migrated):
    engine = create_engine(migrated)
    with engine.connect() as connection:
        # As migrations/env.py: the search structures of one kind of database each are no
        # model's (test_the_search_structures_exist_on_their_database).
        opts = {"compare_type": True, "include_name": include_name}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, db.metadata)
    engine.dispose()
    assert differences == []


def test_the_search_structures_exist_on_their_database(migrated):
    """The knowledge base's search: SQLite's FTS5 table; PostgreSQL's generated column of
    German text-search vectors under its GIN index (campus/models/knowledge.py)."""
    engine = create_engine(migrated)
    inspector = inspect(engine)
    if engine.dialect.name == "sqlite":
        assert "article_search" in inspector.get_table_names()
    else:
        columns = {c["name"]: c for c in inspector.get_columns("articles")}
        assert "to_tsvector('german'" in columns["search_vector"]["computed"]["sqltext"]
        indexes = {i["name"]: i for i in inspector.get_indexes("articles")}
        search = indexes["ix_articles_search"]
        assert search["column_names"] == ["search_vector"]
        assert search["dialect_options"]["postgresql_using"] == "gin"
    engine.dispose()


def test_downgrade_to_base_leaves_an_empty_database(migrated):
    downgrade(revision="base")
    engine = create_engine(migrated)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()


def test_the_city_wide_report_rows_are_derived_from_the_campus_rows(migrated):
    """An installation from before the city-wide rows gets them, equal to a rebuild."""
    from flask import current_app
    from sqlalchemy import func, select

    from campus.models import report_days
    from tests.unit.test_report_queries import facts_match_a_rebuild

    runner = current_app.test_cli_runner()
    result = runner.invoke(
        args=["campus", "generate", "--tickets=300", "--campuses=3", "--schools=5"]
    )
    assert result.exit_code == 0, result.output
    downgrade(revision="5b2e7c1d9a40")  # the rows for the whole city go
    city_rows = select(func.count()).select_from(report_days).where(report_days.c.campus_id == 0)
    assert db.session.scalar(city_rows) == 0
    db.session.commit()
    upgrade()
    assert db.session.scalar(city_rows) > 0
    assert facts_match_a_rebuild()
