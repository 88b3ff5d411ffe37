"""`flask db upgrade` from empty gives exactly the models' schema, and downgrade undoes it."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from campus import create_app
from campus.extensions import db


@pytest.fixture
def migrated_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        yield app, url
        db.session.remove()
        db.engine.dispose()


def test_upgrade_from_empty_matches_the_models(migrated_app):
    _app, url = migrated_app
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_leaves_an_empty_database(migrated_app):
    _app, url = migrated_app
    downgrade(revision="base")
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
