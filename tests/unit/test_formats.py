"""The pages' own time formatting writes exactly what flask-babel writes, in each language
and across the change to summer time, and the code labels are the translated names."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from flask_babel import format_datetime as babel_datetime
from flask_babel import format_timedelta

from campus.formats import format_age, format_datetime
from campus.labels import label

MOMENTS = [
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 01:30 winter time in Berlin
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 summer time
    datetime(2026, 11, 26, 23, 59, tzinfo=UTC),  # the next day in Berlin
]


@contextmanager
def request_in(app, language):
    """A request in `language`; like a real request, with a `g` of its own (the tests
    share one app context, whose `g` would otherwise carry over)."""
    with app.test_request_context(headers={"Accept-Language": language}):
        g.__dict__.clear()
        yield


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "dd.MM.yyyy HH:mm"])
def test_datetime_matches_flask_babel(app, language, fmt):
    with request_in(app, language):
        for moment in MOMENTS:
            assert format_datetime(moment, fmt) == babel_datetime(moment, fmt)
        assert format_datetime(None) == "–"


@pytest.mark.parametrize("language", ["de", "en"])
def test_age_matches_flask_babel(app, language):
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    with request_in(app, language):
        for ago in (timedelta(minutes=3), timedelta(hours=5), timedelta(days=40)):
            expected = format_timedelta(-ago, granularity="minute", add_direction=True)
            assert format_age(now - ago, now) == expected
        assert format_age(None) == "–"


def test_labels_follow_the_request_language(app):
    with request_in(app, "de"):
        assert label("status", "in_progress") == "In Bearbeitung"
        assert label("status", "in_progress") == "In Bearbeitung"  # from the request's cache
    with request_in(app, "en"):
        assert label("status", "in_progress") == "In progress"
    assert label("status", None) == ""
    assert label("status", "unknown-code") == "unknown-code"


@pytest.mark.parametrize("language", ["de", "en"])
def test_numbers_and_durations_as_flask_babel_and_the_reports_word_them(app, language):
    from flask_babel import format_decimal
    from flask_babel import format_percent as babel_percent

    from campus.formats import format_at_most, format_duration, format_number, format_percent

    with request_in(app, language):
        for value in (0, 0.5, 0.553, 0.125, 0.135, 0.555, 1 / 3, 2 / 3, 0.995, 1, 12345.678):
            assert format_percent(value) == babel_percent(value)
            assert format_number(value) == format_decimal(value)
        assert format_number(2.25, "+#,##0.0;-#,##0.0") == format_decimal(2.25, "+#,##0.0;-#,##0.0")
        assert format_percent(None) == "–"
        assert format_duration(None) == format_at_most(None) == "–"
        words = {
            "de": ("5 Min.", "1,5 Std.", "3 Tage"),
            "en": ("5 min", "1.5 h", "3 days"),
        }[language]
        assert (format_duration(300), format_duration(5400), format_duration(3 * 86400)) == words
        assert format_at_most(5400) == "≤ " + words[1]
        assert format_at_most(float("inf")) == format_duration(float("inf")) != "–"
