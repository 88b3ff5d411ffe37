"""The reports' growing-expertise section (issue 16): self-help, articles used per level and
the knowledge base's size month by month next to the first-level rate, in the reader's
campuses only; on the reports page and in the printable evaluation."""

import re
from datetime import UTC, datetime

import pytest

from campus.extensions import db
from campus.models import ArticleStatus, ArticleUse, UseKind
from campus.reports.period import today_in_berlin
from tests.knowledge_corpus import load_corpus

PERIOD = {"preset": "custom", "start": "2026-01-01", "end": "2026-03-31"}


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def history(world):
    """Three articles dated into the period (one retired in March), the rest written later;
    uses before, in and after the period, at two campuses."""
    corpus = load_corpus(world.manager)
    before, february, retired = (
        corpus["tablet_start"],
        corpus["beamer_picture"],
        corpus["wifi_room"],
    )
    before.created_at = at(12, 10, 2025)
    february.created_at = at(2, 5)
    retired.created_at, retired.status, retired.retired_at = (
        at(1, 20),
        ArticleStatus.RETIRED,
        at(3, 10),
    )
    corpus["tablet_retired"].created_at = at(11, 1)  # written and retired after the period
    near = world.teacher.school
    far = world.far_teacher.school
    ticket_one, ticket_two = world.ticket("in_progress"), world.ticket("in_progress_l2")

    def use(article, when, level=0, school=near, ticket=None, key=None):
        kind = UseKind.SELF_HELP if level == 0 else UseKind.APPLIED
        db.session.add(
            ArticleUse(
                article=article,
                kind=kind,
                level=level,
                campus_id=school.campus_id,
                school_id=school.id,
                ticket_id=ticket.id if ticket else None,
                once_key=key,
                at=when,
            )
        )

    use(before, at(1, 15), key="a")
    use(before, at(1, 31, 2026).replace(hour=22, minute=30), key="b")  # 23:30 in Berlin: January
    use(before, at(2, 15), school=far, key="c")
    use(before, at(2, 20), level=1, ticket=ticket_one)
    use(february, at(3, 5), level=2, ticket=ticket_two)
    use(february, at(12, 20, 2025), key="d")  # before the period
    use(february, at(4, 2), key="e")  # after it
    db.session.commit()
    return corpus


def _months(page: str) -> dict[str, list[str]]:
    table = re.search(r'<table[^>]*id="expertise-months">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r'data-month="(\d{4}-\d\d)">(.*?)</tr>', table, re.S)
    return {
        month: [c.replace("\xa0", " ") for c in re.findall(r">([^<]*)</td>", cells)]
        for month, cells in rows
    }


def test_the_administrator_sees_the_whole_city_month_by_month(world, as_user, history):
    page = as_user(world.admin).get("/reports/", query_string=PERIOD).text
    # month: FLR, recorded, articles at its end, new, self-help, level 1, level 2
    assert _months(page) == {
        "2026-01": ["–", "0", "2", "1", "2", "0", "0"],
        "2026-02": ["–", "0", "3", "1", "1", "1", "0"],
        "2026-03": ["–", "0", "2", "0", "0", "0", "1"],
    }
    summary = re.search(r'<p id="expertise-summary">(.*?)</p>', page, re.S).group(1)
    assert "Lehrkräfte 3 Störungen selbst" in summary
    assert "bei 1 Ticket in der 1. Ebene (vor Ort) und bei 1 Ticket in der 2. Ebene" in summary
    assert "2 Artikel wurden neu geschrieben;\n2 waren am Ende" in summary


def test_a_manager_counts_the_uses_of_his_campus_only(world, as_user, history):
    months = _months(as_user(world.manager).get("/reports/", query_string=PERIOD).text)
    assert [row[4] for row in months.values()] == ["2", "0", "0"]  # self-help
    assert [row[2] for row in months.values()] == ["2", "3", "2"]  # the city's articles
    far = _months(as_user(world.far_manager).get("/reports/", query_string=PERIOD).text)
    assert [row[4:] for row in far.values()] == [["0", "0", "0"], ["1", "0", "0"], ["0", "0", "0"]]


def test_the_evaluation_has_it_with_the_first_level_rate(world, as_user, history):
    page = as_user(world.admin).get("/reports/evaluation", query_string=PERIOD).text
    assert 'id="expertise"' in page and _months(page)["2026-02"][2:] == ["3", "1", "1", "1", "0"]
    # this month's tickets (the fixture's two open ones and a resolved one) give the
    # running month its first-level rate next to its articles
    today = today_in_berlin()
    this_month = {
        "preset": "custom",
        "start": today.replace(day=1).isoformat(),
        "end": today.isoformat(),
    }
    world.ticket("resolved")
    running = as_user(world.admin).get("/reports/evaluation", query_string=this_month).text
    assert next(iter(_months(running).values()))[:2] == ["33 %", "3"]
    assert "(laufend)" in running.split('id="expertise-months"')[1].split("</table>")[0]
    assert "(laufend)" not in page.split('id="expertise-months"')[1].split("</table>")[0]


def test_an_empty_knowledge_base_says_so(world, as_user):
    page = as_user(world.admin).get("/reports/", query_string=PERIOD).text
    section = page.split('id="expertise"')[1].split("</section>")[0]
    assert "keine Artikel" in section and "expertise-months" not in section
