"""Issue 12: what an attacker sends, refused over HTTP."""

import pytest

from campus.models import Role
from tests.conftest import PASSWORD
from tests.unit.test_report_queries import march  # noqa: F401 - the shared dataset fixture

# Addresses that browsers "repair" into another host, and other ways off the site.
OFF_SITE = [
    "https://evil.example/steal",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "http://localhost/tickets/",  # even this host: `next` is a path, nothing else
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_the_site(client, make_user, target):
    user = make_user(Role.TEACHER)
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_login_keeps_a_path_on_the_site(client, make_user):
    user = make_user(Role.TEACHER)
    response = client.post(
        "/auth/login",
        query_string={"next": "/tickets/?status=open"},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.location == "/tickets/?status=open"


@pytest.mark.parametrize(
    ("referrer", "back_to"),
    [
        ("https://evil.example/x", "/"),
        ("http://localhost.evil.example/x", "/"),
        ("http://localhost/\\evil.example", "/"),
        ("http://localhost/tickets/?status=open", "/tickets/?status=open"),
    ],
)
def test_switching_language_goes_back_only_to_this_site(client, referrer, back_to):
    response = client.post("/auth/language", data={"locale": "en"}, headers={"Referer": referrer})
    assert response.status_code == 302
    assert response.location == back_to


# --- exports: no formula injection ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example","Klick")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"],
)
def test_a_name_that_is_a_formula_stays_text_in_the_csv(march, as_user, name):  # noqa: F811
    import csv
    import io

    from sqlalchemy import update

    from campus.extensions import db
    from campus.models import Campus

    db.session.execute(update(Campus).where(Campus.name == "Campus Nord").values(name=name))
    db.session.commit()
    for separator in (",", ";"):
        response = as_user(march.admin).get(
            "/reports/export.csv",
            query_string={
                "table": "campus",
                "sep": separator,
                "preset": "custom",
                "start": "2026-03-01",
                "end": "2026-03-31",
            },
        )
        assert response.status_code == 200
        rows = list(
            csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=separator)
        )
        labels = [row["label"] for row in rows]
        assert "'" + name in labels  # shown as the text it is, never run
        assert not any(label.startswith(("=", "+", "-", "@", "\t", "\r")) for label in labels)
        assert all(row["recorded"].isdigit() for row in rows)  # numbers stay numbers
