"""The reports pages and exports, for those who may read them."""

import csv
import io
import re

import pytest

from tests.conftest import field_errors
from tests.unit.test_report_queries import march  # noqa: F401 - the shared dataset fixture

MARCH_ARGS = "preset=custom&start=2026-03-01&end=2026-03-31"


@pytest.mark.parametrize("role", ["teacher", "system_house"])
def test_teachers_and_system_house_may_not_read_reports(world, as_user, role):
    browser = as_user(getattr(world, role))
    for path in ("/reports/", "/reports/evaluation", "/reports/export.csv", "/reports/data.json"):
        assert browser.get(path).status_code == 403, path


def test_admin_reads_the_summary_sentence_and_every_breakdown(march, as_user, manager_figures):  # noqa: F811
    page = as_user(march.admin).get(f"/reports/?{MARCH_ARGS}")
    assert page.status_code == 200
    assert "14\xa0% von 7 erfassten Störungen" in page.text  # 1 of 7, cancelled D apart
    for heading in (
        "Nach Campus",
        "Nach Schule",
        "Nach Campusmanager*in",
        "Nach Geräteart",
        "Nach Kategorie",
        "Nach Monat",
        "Rückstand",
    ):
        assert heading in page.text
    assert "<svg" in page.text  # charts rendered by the server, no CDN


def test_manager_sees_only_their_campuses(march, as_user):  # noqa: F811
    page = as_user(march.manager).get(f"/reports/?{MARCH_ARGS}")
    assert "17\xa0% von 6 erfassten Störungen" in page.text
    assert "Campus Süd" not in page.text


def test_an_empty_period_shows_dashes_not_errors(world, as_user):
    page = as_user(world.admin).get("/reports/?preset=custom&start=2020-01-01&end=2020-01-31")
    assert page.status_code == 200
    assert "keine Störungen erfasst" in page.text
    assert "–" in page.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("preset=custom&start=2026-03-31&end=2026-03-01", "end"),
        ("preset=custom&start=kaputt&end=2026-03-01", "start"),
        ("preset=custom&start=2026-03-01", "end"),
        ("preset=custom&start=2010-01-01&end=2026-03-01", "end"),
    ],
)
def test_bad_periods_are_explained_next_to_the_field(world, as_user, query, field):
    page = as_user(world.admin).get(f"/reports/?{query}")
    assert page.status_code == 422
    assert field in field_errors(page.text)


def test_csv_export_opens_in_excel_with_umlauts(march, as_user):  # noqa: F811
    response = as_user(march.admin).get(f"/reports/export.csv?table=campus&{MARCH_ARGS}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_label = {row["label"]: row for row in rows}
    assert by_label["Campus Süd"]["recorded"] == "1"
    assert by_label["Campus Nord"]["flr"] == "0.1667"


def test_csv_for_german_excel_uses_semicolons_and_decimal_commas(march, as_user):  # noqa: F811
    response = as_user(march.admin).get(f"/reports/export.csv?table=summary&sep=;&{MARCH_ARGS}")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[0]["flr"] == "0,1429"  # 1 of 7
    assert rows[0]["resolution_median_hours"] == "60"  # the bucket (2 d, 2.5 d]


def test_json_has_the_same_rows(march, as_user):  # noqa: F811
    response = as_user(march.manager).get(f"/reports/data.json?group_by=month&{MARCH_ARGS}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert [(r["key"], r["recorded"], r["resolved_first_level"]) for r in data["rows"]] == [
        ("2026-03", 6, 1)
    ]
    assert data["rows"][0]["first_response_median_hours"] == 1.0


def test_json_refuses_unknown_groupings_with_a_json_error(world, as_user):
    response = as_user(world.admin).get("/reports/data.json?group_by=planet")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_group_by"


def test_evaluation_report_states_the_figures_like_the_press_release(march, as_user):  # noqa: F811
    page = as_user(march.admin).get(f"/reports/evaluation?{MARCH_ARGS}")
    assert page.status_code == 200
    assert "7 Störungen erfasst" in page.text
    assert "Campus Nord" in page.text and "Campus Süd" in page.text
    assert "data-print" in page.text


def test_reports_page_does_not_query_per_row(world, as_user, count_queries):
    from sqlalchemy import inspect

    from campus.extensions import db
    from campus.models import User

    admin = as_user(world.admin)
    for _ in range(3):
        world.ticket("resolved")
    db.session.expunge_all()
    with count_queries() as few:
        admin.get("/reports/")
    for name, user in vars(world).items():  # back into the session after the expunge
        setattr(world, name, db.session.get(User, inspect(user).identity[0]))
    for state in ("escalated", "resolved_l2", "closed", "in_progress") * 3:
        world.ticket(state)
    db.session.expunge_all()
    with count_queries() as many:
        admin.get("/reports/")
    assert many.count == few.count


def test_admin_sets_the_categories_left_out_of_the_net_rate(march, as_user):  # noqa: F811
    admin = as_user(march.admin)
    response = admin.post("/admin/report-settings", data={"categories": ["printer"]})
    assert response.status_code == 302
    assert re.search(
        r'<input checked[^>]*value="printer"', admin.get("/admin/report-settings").text
    )
    data = admin.get(f"/reports/data.json?{MARCH_ARGS}").get_json()["rows"][0]
    assert (data["net_recorded"], data["net_resolved_first_level"]) == (4, 1)  # no B, G, J
    assert data["net_flr"] == 0.25
    admin.post("/admin/report-settings", data={})
    data = admin.get(f"/reports/data.json?{MARCH_ARGS}").get_json()["rows"][0]
    assert data["net_recorded"] == 7


def test_report_settings_refuse_unknown_categories(world, as_user):
    response = as_user(world.admin).post(
        "/admin/report-settings", data={"categories": ["spaceship"]}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "query", ["start=0001-01-01&end=0001-01-05", "start=9999-12-01&end=9999-12-31"]
)
def test_dates_far_outside_any_school_year_are_refused_not_crashed(world, as_user, query):
    admin = as_user(world.admin)
    assert admin.get(f"/reports/?preset=custom&{query}").status_code == 422
    assert admin.get(f"/reports/data.json?{query}").status_code == 400
    assert admin.get(f"/reports/export.csv?{query}").status_code == 400


def test_an_empty_periods_summary_export_still_has_its_header(world, as_user):
    response = as_user(world.admin).get(
        "/reports/export.csv?table=summary&preset=custom&start=2020-01-01&end=2020-01-31"
    )
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0]["recorded"] == "0" and rows[0]["flr"] == ""


def test_a_long_breakdown_shows_the_groups_with_most_tickets(world, as_user, monkeypatch):
    """A city of a thousand schools: the page lists those with the most tickets, says how
    many there are, and the CSV holds them all."""
    import campus.reports.overview
    from campus.extensions import db
    from campus.tickets.filing import report_ticket

    monkeypatch.setattr(campus.reports.overview, "ROW_LIMIT", 1)
    for _ in range(2):
        world.ticket("new")
    report_ticket(
        world.far_teacher,
        title="WLAN weg",
        description="-",
        category="network_wifi",
        impact="minor",
    )
    db.session.commit()
    browser = as_user(world.admin)
    page = browser.get("/reports/").text
    schools = page.split('id="table-school"')[1].split("</section>")[0]
    assert "Helmholtz-Gymnasium" in schools  # two tickets
    assert "Phoenix-Gymnasium" not in schools  # one
    assert "Die 1 mit den meisten Tickets von 2" in schools
    export = browser.get("/reports/export.csv?table=school").text
    assert "Helmholtz-Gymnasium" in export and "Phoenix-Gymnasium" in export


def test_csv_download_is_streamed(march, as_user):  # noqa: F811
    response = as_user(march.admin).get(f"/reports/export.csv?table=campus&{MARCH_ARGS}")
    assert response.is_streamed  # sent line by line, not built whole in memory
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("\ufeffkey,label,")
    assert len(lines) == 1 + 2  # the header and one line per campus
