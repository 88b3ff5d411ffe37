"""Bad values answer 4xx, never 500: every route of the URL map, as every role, with
values beyond 64 bits, non-ASCII digits, NUL bytes, dates out of range and unknown
arguments, in the path, the query string, forms and JSON."""

import pytest
from werkzeug.routing import Rule

from tests.conftest import PASSWORD

HUGE = "9" * 30  # beyond 64 bits
ODD_VALUES = [HUGE, "-" + HUGE, "١٢٣", "\x00", "x\x00y", "9999-99-99", "0000-01-01", "%", "🙂" * 50]
ODD_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "99999-01-01", "\x00"]
QUERY_NAMES = [
    "page", "after", "before", "status", "level", "campus", "school", "category", "impact",
    "assignee", "older", "sort", "q", "device", "table", "sep", "preset", "start", "end",
    "group_by", "from", "to", "next", "room", "school_id", "limit", "unknown_argument",
]  # fmt: skip


# One at a time, each argument gets the odd value of its kind (all of them at once, above,
# gets every value): numbers beyond 64 bits, dates out of range, NUL bytes in text.
DATE_NAMES = {"start", "end", "from", "to"}
NUMBER_NAMES = {
    "page", "after", "before", "level", "campus", "school", "older", "device", "limit",
    "school_id", "assignee",
}  # fmt: skip


def _odd_value_of(name: str) -> str:
    if name in DATE_NAMES:
        return "9999-12-31"
    return HUGE if name in NUMBER_NAMES else "x\x00y"


FORM_NAMES = [
    *QUERY_NAMES, "title", "description", "text", "email", "password", "name", "url",
    "campus_id", "device_id", "assignee_id", "role", "locale", "analysis",
]  # fmt: skip


def _rules(app) -> list[Rule]:
    """Every route but the static files and /readyz (a 503 there means "not ready")."""
    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint != "static" and "bootstrap" not in r.endpoint and r.rule != "/readyz"
    ]


def _paths(rule: Rule, value: str) -> list[str]:
    """The rule's path with `value`, and with 1, in each argument."""
    if not rule.arguments:
        return [rule.rule]
    paths = []
    for odd in (value, "1"):
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", odd).replace(f"<{name}>", odd)
            path = path.replace(f"<string:{name}>", odd).replace(f"<path:{name}>", odd)
        paths.append(path)
    return paths


@pytest.fixture
def browsers(app, world, make_user):
    """A logged-in client per role, and a visitor."""
    clients = {"visitor": app.test_client()}
    for role, user in [
        ("teacher", world.teacher),
        ("manager", world.manager),
        ("system_house", world.system_house),
        ("admin", world.admin),
    ]:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        clients[role] = client
    return clients


class Failures(list):
    """Answers of 5xx, and exceptions the app let through (the test client raises them)."""

    def check(self, client, method, path, what, **request):
        try:
            response = client.open(path, method=method, **request)
        except Exception as error:  # a 500 in production
            self.append(f"{what}: {type(error).__name__}: {str(error)[:80]}")
            return None
        if response.status_code >= 500:
            self.append(f"{what}: {response.status_code}")
        return response


def refused_before_reading(response) -> bool:
    """Sent to the login, or refused to this role: the route reads no argument for it."""
    if response is None:
        return False
    to_login = response.status_code == 302 and "/auth/login" in response.location
    return to_login or response.status_code in (401, 403)


def test_odd_values_in_paths_and_query_strings_never_give_500(app, world, browsers):
    app.config["RATELIMIT_ENABLED"] = False
    failures = Failures()
    _check = failures.check
    for role, client in browsers.items():
        for rule in _rules(app):
            if "GET" not in rule.methods:
                continue
            # Each distinct path once (a rule without arguments has one whatever the value).
            path = _paths(rule, "1")[-1]
            paths = dict.fromkeys(p for value in ODD_VALUES for p in _paths(rule, value))
            for odd in paths.keys() - {path}:
                _check(client, "GET", odd, f"{role} GET {odd!r}")
            if refused_before_reading(_check(client, "GET", path, f"{role} GET {path!r}")):
                continue  # odd query strings would meet the same refusal
            for value in ODD_VALUES + ODD_DATES:  # every argument at once
                query = dict.fromkeys(QUERY_NAMES, value)
                _check(client, "GET", path, f"{role} GET {path} ?*={value!r}", query_string=query)
            if role in ("teacher", "admin"):
                for name in QUERY_NAMES:  # one at a time, the others absent
                    value = _odd_value_of(name)
                    _check(
                        client,
                        "GET",
                        path,
                        f"{role} GET {path} ?{name}={value!r}",
                        query_string={name: value},
                    )
    assert failures == [], f"{len(failures)} answers with 5xx: " + "\n".join(failures[:40])


def test_odd_values_in_forms_and_json_never_give_500(app, world, browsers):
    app.config["RATELIMIT_ENABLED"] = False
    failures = Failures()
    _check = failures.check
    app.config["WTF_CSRF_ENABLED"] = False
    for role, client in browsers.items():
        for rule in _rules(app):
            methods = rule.methods - {"GET", "HEAD", "OPTIONS"}
            if not methods or rule.endpoint in ("auth.logout",):
                continue
            for method in methods:
                path = _paths(rule, "1")[-1]
                for value in ODD_VALUES + ODD_DATES:
                    form = dict.fromkeys(FORM_NAMES, value)
                    response = _check(
                        client, method, path, f"{role} {method} {path} form={value!r}", data=form
                    )
                    if path.startswith("/api/"):
                        _check(client, method, path, f"{role} {method} {path} json", json=form)
                    if refused_before_reading(response):
                        break  # the other odd forms would meet the same refusal
    assert failures == [], f"{len(failures)} answers with 5xx: " + "\n".join(failures[:40])
