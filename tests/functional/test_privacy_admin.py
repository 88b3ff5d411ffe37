"""Privacy for administrators (issue 17): figures per named campus manager are off by
default and unreachable everywhere (pages, CSV, JSON, API) until an administrator
switches them on with a reason; retention periods, a dry run, the last run; erasing a
person on request keeps every figure."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campus.extensions import db
from campus.models import AuditEntry, Ticket, User
from campus.privacy.retention import run_retention
from campus.reports.export import row_to_dict
from campus.reports.period import Period, today_in_berlin
from campus.reports.queries import Scope, first_level_resolution_rate
from campus.reports.sums import ManagerFiguresOff

PERIOD = f"from={today_in_berlin() - timedelta(days=300)}&to={today_in_berlin()}"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def worked(world):
    """Tickets the manager solved at level 1, so that a figure per manager would exist."""
    for _ in range(3):
        world.ticket("closed")
    world.ticket("resolved_l2")
    return world


def _everywhere(world, as_user, client, token_for) -> dict[str, object]:
    admin = as_user(world.admin)
    period = {"preset": "last_12_months"}
    return {
        "page": admin.get("/reports/", query_string=period).text,
        "manager page": as_user(world.manager).get("/reports/", query_string=period).text,
        "evaluation": as_user(world.admin).get("/reports/evaluation").text,
        "csv": as_user(world.admin).get(
            "/reports/export.csv", query_string=period | {"table": "manager"}
        ),
        "json": as_user(world.admin).get(
            "/reports/data.json", query_string=period | {"group_by": "manager"}
        ),
        "api": client.get(
            f"/api/v1/reports/resolution?{PERIOD}&group_by=manager",
            headers=token_for(world.admin),
        ),
    }


def test_manager_figures_are_unreachable_while_switched_off(worked, as_user, client, token_for):
    world = worked
    seen = _everywhere(world, as_user, client, token_for)
    for name in ("page", "manager page", "evaluation"):
        main = seen[name].split("<main")[1]  # the manager's own name is in his menu
        assert 'id="table-manager"' not in main and 'id="chart-manager"' not in main, name
        assert world.manager.display_name not in main, name
    assert seen["csv"].status_code == 404
    assert seen["json"].status_code == 400 and "manager" not in str(seen["json"].json)
    assert seen["api"].status_code == 403
    assert "Mitbestimmung" in seen["api"].json["error"]["message"]
    with pytest.raises(ManagerFiguresOff):
        period = Period(today_in_berlin() - timedelta(days=30), today_in_berlin())
        first_level_resolution_rate(period, Scope(), "manager")


def test_switching_on_needs_a_reason_and_is_audited(worked, as_user, client, token_for):
    world = worked
    admin = as_user(world.admin)
    page = admin.get("/admin/privacy").text
    assert 'id="figures-off"' in page
    refused = admin.post(
        "/admin/privacy/manager-figures",
        data={"csrf_token": _csrf(page), "on": "y", "reason": "ok"},
    )
    assert refused.status_code == 422 and "Personalrat" in refused.text
    reason = "Dienstvereinbarung mit dem Personalrat vom 1. September 2026"
    done = admin.post(
        "/admin/privacy/manager-figures",
        data={"csrf_token": _csrf(page), "on": "y", "reason": reason},
    )
    assert done.status_code == 302
    page = admin.get("/admin/privacy").text
    assert 'id="figures-on"' in page and reason in page
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy_changed")
    ).one()
    assert entry.actor_id == world.admin.id and reason in entry.detail
    seen = _everywhere(world, as_user, client, token_for)
    assert 'id="table-manager"' in seen["page"] and world.manager.display_name in seen["page"]
    assert seen["csv"].status_code == 200 and world.manager.display_name in seen["csv"].text
    assert seen["json"].status_code == 200, seen["json"].text
    assert seen["api"].status_code == 200
    # and off again
    admin.post("/admin/privacy/manager-figures", data={"csrf_token": _csrf(page), "reason": ""})
    seen = _everywhere(world, as_user, client, token_for)
    assert 'id="table-manager"' not in seen["page"] and seen["api"].status_code == 403


def test_only_administrators_reach_the_privacy_pages(world, as_user):
    for who in (world.teacher, world.manager, world.system_house):
        browser = as_user(who)
        assert browser.get("/admin/privacy").status_code in (403, 404)
        page = browser.get("/auth/password").text
        answer = browser.post(
            "/admin/privacy/manager-figures",
            data={"csrf_token": _csrf(page), "on": "y", "reason": "x" * 40},
        )
        assert answer.status_code in (403, 404)
        assert browser.get(f"/admin/users/{world.teacher.id}/erase").status_code in (403, 404)
    assert db.session.scalars(select(AuditEntry)).all() == [] or all(
        e.action != "privacy_changed" for e in db.session.scalars(select(AuditEntry))
    )


def test_retention_periods_dry_run_and_last_run(world, as_user, app):
    admin = as_user(world.admin)
    page = admin.get("/admin/privacy").text
    values = {"ticket_days": "365", "photo_days": "0", "user_days": "30", "login_days": "60"}
    bad = admin.post(
        "/admin/privacy/retention",
        data={"csrf_token": _csrf(page), **values, "ticket_days": "3"},
    )
    assert bad.status_code == 422 and "zwischen 30 und 3650" in bad.text
    assert 'value="3"' in bad.text  # the input is kept
    assert (
        admin.post(
            "/admin/privacy/retention", data={"csrf_token": _csrf(page), **values}
        ).status_code
        == 302
    )
    page = admin.get("/admin/privacy").text
    assert 'value="365"' in page and 'value="60"' in page
    closed = world.ticket("closed")
    dry = admin.post("/admin/privacy/dry-run", data={"csrf_token": _csrf(page)}).text
    assert "Zu anonymisierende Tickets: 0" in dry and "Es wurde nichts geändert" in dry
    assert "Noch nicht gelaufen" in dry
    run_retention(app.config["UPLOAD_FOLDER"])
    db.session.commit()
    page = admin.get("/admin/privacy").text
    assert 'id="last-run"' in page and "0 Tickets anonymisiert" in page
    assert db.session.get(Ticket, closed.id).anonymised_at is None


def test_erasing_a_person_keeps_every_figure(worked, as_user, manager_figures):
    world = worked
    period = Period(today_in_berlin() - timedelta(days=30), today_in_berlin())

    def figures():
        return {
            group: [row_to_dict(r) for r in first_level_resolution_rate(period, Scope(), group)]
            for group in (None, "campus", "school", "manager", "category")
        }

    before = figures()
    admin = as_user(world.admin)
    url = f"/admin/users/{world.teacher.id}/erase"
    page = admin.get(url).text
    wrong = admin.post(url, data={"csrf_token": _csrf(page), "confirm": "falsch@example.org"})
    assert wrong.status_code == 422 and "nicht die E-Mail-Adresse" in wrong.text
    done = admin.post(url, data={"csrf_token": _csrf(page), "confirm": world.teacher.email})
    assert done.status_code == 302
    db.session.expire_all()
    teacher = db.session.get(User, world.teacher.id)
    assert teacher.pseudonymised_at is not None and not teacher.active
    assert "lehrerin@example.org" not in teacher.email
    tickets = db.session.scalars(select(Ticket)).all()
    assert tickets and all(t.reporter_id != teacher.id and t.description == "" for t in tickets)
    # closed ones are done for good; one still being worked on goes on under its category
    assert {t.status for t in tickets if t.anonymised_at is not None} == {"closed"}
    assert {t.status for t in tickets if t.anonymised_at is None} == {"resolved"}
    assert figures() == before
    assert (
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person_erased"))
        .one()
        .subject
        == f"#{teacher.id}"
    )
    # the page of the erased account says so and offers nothing more
    page = admin.get(f"/admin/users/{teacher.id}/edit").text
    assert 'id="pseudonymised"' in page and 'id="erase-link"' not in page
    assert admin.get(url).status_code == 200
    again = admin.post(url, data={"csrf_token": _csrf(page), "confirm": teacher.email})
    assert again.status_code == 422


def test_an_administrator_cannot_erase_herself(world, as_user):
    admin = as_user(world.admin)
    url = f"/admin/users/{world.admin.id}/erase"
    page = admin.get(url).text
    answer = admin.post(url, data={"csrf_token": _csrf(page), "confirm": world.admin.email})
    assert answer.status_code == 422 and "eigenes Konto" in answer.text
    assert db.session.get(User, world.admin.id).pseudonymised_at is None
