"""The load balancer's checks: alive, and ready (database reachable, schema current)."""

from flask_migrate import downgrade, upgrade

from campus import create_app
from campus.extensions import db


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_needs_the_current_migrations(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'ready.db'}"})
    client = app.test_client()
    with app.app_context():
        response = client.get("/readyz")
        assert response.status_code == 503 and response.json["reason"] == "migrations"
        upgrade()
        assert client.get("/readyz").status_code == 200
        downgrade(revision="-1")
        assert client.get("/readyz").json["reason"] == "migrations"
        db.engine.dispose()


def test_readyz_reports_an_unreachable_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["reason"] == "database"
    with app.app_context():
        db.engine.dispose()
