"""Keyset pagination of the ticket lists: every ticket exactly once, in order, forwards and
backwards, whatever the ties; the filter stays; a broken link gives the first page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from campus.extensions import db
from campus.models import Ticket, utcnow
from campus.pagination import COUNT_CAP, BadCursor, decode, encode

ROW = re.compile(r'href="/tickets/(\d+)"')


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(browser, start: str) -> tuple[list[int], list[int]]:
    """Every page forwards from `start`; then, from the last one, every page before it."""
    forwards, path, html = [], start, ""
    while path:
        html = browser.get(path).text
        forwards += [int(i) for i in ROW.findall(html)]
        path = link(html, "next")
    backwards, path = [], link(html, "prev")
    while path:
        html = browser.get(path).text
        backwards = [int(i) for i in ROW.findall(html)] + backwards
        path = link(html, "prev")
    return forwards, backwards


@pytest.fixture
def tickets(app, world):
    """31 tickets on 5 distinct creation times (ties everywhere), of mixed impact."""
    app.config["ITEMS_PER_PAGE"] = 4
    made = [world.ticket("new", impact=("blocking", "impaired", "minor")[n % 3]) for n in range(31)]
    base = utcnow() - timedelta(days=3)
    for n, ticket in enumerate(made):
        db.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(created_at=base + timedelta(hours=n % 5))
        )
    db.session.commit()
    return db.session.scalars(db.select(Ticket)).all()


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("newest", lambda t: (t.created_at, t.id), True),
        ("age", lambda t: (t.created_at, t.id), False),
        ("impact", lambda t: (t.impact, t.created_at, t.id), False),
    ],
)
def test_every_ticket_once_in_order_both_ways(tickets, world, as_user, sort, key, reverse):
    expected = [t.id for t in sorted(tickets, key=key, reverse=reverse)]
    forwards, backwards = walk(as_user(world.manager), f"/tickets/?status=open&sort={sort}")
    assert forwards == expected
    # from the last page back to the first: all but the last page, in the same order
    last_page_size = len(expected) % 4 or 4
    assert backwards == expected[:-last_page_size]


def test_impact_values_sort_in_order_of_urgency():
    from campus.models import Impact

    assert sorted(Impact) == [Impact.BLOCKING, Impact.IMPAIRED, Impact.MINOR]


def test_the_default_view_keeps_its_filter_on_later_pages(app, tickets, world, as_user):
    """A manager's first view is the open level-1 work; page two of it is too."""
    escalated = world.ticket("escalated")
    manager = as_user(world.manager)
    first = manager.get("/tickets/").text
    second = manager.get(link(first, "next")).text
    seen = ROW.findall(first) + ROW.findall(second)
    assert str(escalated.id) not in seen
    assert "?after=" in link(first, "next")  # only the position, no filter spelled out


def test_my_tickets_page_through_too(tickets, world, as_user):
    forwards, _ = walk(as_user(world.teacher), "/tickets/mine")
    assert forwards == [t.id for t in sorted(tickets, key=lambda t: (t.created_at, t.id))][::-1]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "W10",
        encode(["x"]),
        encode([1, 2]),
        "eyJ0IjoxfQ",
        encode([{"t": "2026-13-01"}, 1]),
    ],
)
def test_a_broken_page_link_gives_the_first_page_with_a_message(tickets, world, as_user, cursor):
    response = as_user(world.manager).get(f"/tickets/?status=open&sort=newest&after={cursor}")
    assert response.status_code == 200
    assert "Dieser Seitenlink gilt nicht mehr" in response.text
    assert len(ROW.findall(response.text)) == 4


def test_cursors_check_their_values():
    from datetime import datetime

    now = utcnow()
    assert decode(encode([now, 5]), [datetime, int]) == [now, 5]
    for bad in ([True, 5], ["2026-01-01", 5]):
        with pytest.raises(BadCursor):
            decode(encode(bad), [datetime, int])
    with pytest.raises(BadCursor):  # a time without its zone
        decode(encode([now.replace(tzinfo=None), 5]), [datetime, int])


def test_the_count_stops_at_the_cap(app, world, as_user, monkeypatch):
    import campus.pagination

    monkeypatch.setattr(campus.pagination, "COUNT_CAP", 3)
    for _ in range(5):
        world.ticket("new")
    html = as_user(world.manager).get("/tickets/?status=open").text
    assert re.search(r"(More than|Mehr als) 3 ", html)
    assert COUNT_CAP == 1000


def test_a_city_of_many_schools_asks_for_a_campus_before_it_lists_schools(
    world, as_user, make_campus, make_school, monkeypatch
):
    from campus.tickets import queries

    monkeypatch.setattr(queries, "SCHOOL_CHOICES_MAX", 2)
    north = make_campus("Nord")
    schools = [make_school(north, name=f"Nordschule {n}") for n in range(2)]
    south = make_campus("Süd")
    make_school(south, name="Südschule")
    admin = as_user(world.admin)

    def school_options(query: str) -> tuple[list[str], str]:
        page = admin.get("/tickets/" + query).text
        bar = page[
            page.index('id="f-school"') : page.index("</select>", page.index('id="f-school"'))
        ]
        return re.findall(r'<option value="(\d+)"', bar), page

    options, page = school_options("")
    assert options == [] and "Wählen Sie zuerst einen Campus" in page
    options, page = school_options(f"?campus={north.id}")
    assert options == [str(s.id) for s in schools]
    # a chosen school stays chosen when the bar cannot list them all
    options, page = school_options(f"?school={schools[1].id}")
    assert options == [str(schools[1].id)] and "selected" in page
