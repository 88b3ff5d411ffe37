"""The JSON API: tokens, the same rules as the pages, JSON errors, and the OpenAPI contract."""

import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from sqlalchemy import select

from campus.api import api
from campus.extensions import db
from campus.models import ApiToken, Ticket, WebhookDelivery, utcnow
from campus.permissions import visible_tickets
from tests.tickets_helpers import ANALYSIS


def conforms(data, schema_name: str) -> None:
    """Check a real response against the OpenAPI document the app generates."""
    document = api.spec.to_dict()
    registry = Registry().with_resource(
        "urn:campus",
        Resource.from_contents(
            {**document, "$schema": "https://json-schema.org/draft/2020-12/schema"}
        ),
    )
    schema = {"$ref": f"urn:campus#/components/schemas/{schema_name}"}
    errors = list(Draft202012Validator(schema, registry=registry).iter_errors(data))
    assert errors == [], [e.message for e in errors]


def test_me_answers_for_each_role(client, world, token_for):
    for user in (world.teacher, world.manager, world.system_house, world.admin):
        data = client.get("/api/v1/me", headers=token_for(user)).get_json()
        assert (data["id"], data["role"], data["school_id"]) == (user.id, user.role, user.school_id)
        conforms(data, "Me")
    assert (
        client.get("/api/v1/me", headers=token_for(world.manager)).get_json()["campus_ids"]
        == world.manager.campus_ids
    )


def test_tokens_are_stored_hashed_and_stop_working_when_revoked_or_deactivated(
    client, world, token_for, as_user
):
    headers = token_for(world.manager)
    raw = headers["Authorization"].split()[1]
    assert db.session.scalar(select(ApiToken.token_hash)) != raw  # only the hash is kept
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    world.manager.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    world.manager.active = True
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    browser = as_user(world.manager)
    token_id = db.session.scalar(select(ApiToken.id))
    browser.post(f"/auth/tokens/{token_id}/revoke")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_is_made_on_the_profile_page_and_shown_once(client, world, as_user):
    browser = as_user(world.manager)
    page = browser.post("/auth/tokens", data={"name": "ITSM-Abgleich"}).text
    token = page.split('user-select-all fs-6">')[1].split("<")[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in browser.get("/auth/tokens").text  # never shown again


def test_command_line_prints_a_token(app, client, world):
    result = app.test_cli_runner().invoke(
        args=["campus", "create-token", world.admin.email, "--name", "Skript"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["role"]
        == "admin"
    )


def test_a_browser_session_does_not_authenticate_the_api(world, as_user):
    browser = as_user(world.admin)
    response = browser.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "role", ["teacher", "other_teacher", "manager", "far_manager", "system_house", "admin"]
)
def test_ticket_list_holds_exactly_what_the_pages_show(client, world, token_for, role):
    for state in ("new", "escalated", "resolved", "returned"):
        world.ticket(state)
    user = getattr(world, role)
    data = client.get("/api/v1/tickets?per_page=100", headers=token_for(user)).get_json()
    expected = set(db.session.scalars(visible_tickets(user, select(Ticket.id))))
    assert {t["id"] for t in data["items"]} == expected
    assert data["total"] == len(expected)
    for item in data["items"]:
        conforms(item, "Ticket")


def test_ticket_list_filters_and_pages(client, world, token_for):
    for _ in range(3):
        world.ticket("new")
    world.ticket("escalated")
    headers = token_for(world.manager)
    assert client.get("/api/v1/tickets?level=2", headers=headers).json["total"] == 1
    assert client.get("/api/v1/tickets?status=new", headers=headers).json["total"] == 3
    page = client.get("/api/v1/tickets?per_page=2&page=2", headers=headers).json
    assert (page["page"], page["per_page"], len(page["items"]), page["total"]) == (2, 2, 2, 4)
    assert client.get("/api/v1/tickets?per_page=500", headers=headers).json["per_page"] == 100
    bad = client.get("/api/v1/tickets?updated_since=yesterday", headers=headers)
    assert bad.status_code == 400 and "updated_since" in bad.json["error"]["fields"]


def test_teacher_files_a_ticket_and_bad_input_names_the_fields(client, world, token_for):
    headers = token_for(world.teacher)
    created = client.post(
        "/api/v1/tickets",
        headers=headers,
        json={
            "title": "Beamer",
            "description": "kein Bild",
            "category": "projector_display",
            "impact": "blocking",
            "room": "A 101",
        },
    )
    assert created.status_code == 201
    conforms(created.json, "Ticket")
    assert created.json["created_at"].endswith("+00:00")
    bad = client.post("/api/v1/tickets", headers=headers, json={"category": "toaster"})
    assert bad.status_code == 400
    assert set(bad.json["error"]["fields"]) >= {"title", "description", "category", "impact"}
    not_json = client.post("/api/v1/tickets", headers=headers, data="title=x")
    assert not_json.status_code == 400
    refused = client.post(
        "/api/v1/tickets",
        headers=token_for(world.manager),
        json={"title": "x", "description": "y", "category": "other", "impact": "minor"},
    )
    assert refused.status_code == 403


def test_detail_shows_internal_events_to_the_support_side_only(client, world, token_for):
    ticket = world.ticket("escalated")
    from campus.tickets import services

    services.note(world.manager, ticket, "Nur intern")
    db.session.commit()
    support = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(world.manager)).json
    conforms(support, "TicketWithEvents")
    assert "Nur intern" in [e["text"] for e in support["events"]]
    teacher = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(world.teacher)).json
    assert "Nur intern" not in [e["text"] for e in teacher["events"]]
    assert (
        client.get(
            f"/api/v1/tickets/{ticket.id}", headers=token_for(world.other_teacher)
        ).status_code
        == 404
    )


def test_actions_follow_the_workflow_with_json_refusals(client, world, token_for):
    ticket = world.ticket("new")
    manager, teacher = token_for(world.manager), token_for(world.teacher)
    url = f"/api/v1/tickets/{ticket.id}/actions"
    assert client.post(url, headers=teacher, json={"action": "claim"}).status_code == 403
    claimed = client.post(url, headers=manager, json={"action": "claim"})
    assert claimed.status_code == 200 and claimed.json["status"] == "in_progress"
    conforms(claimed.json, "TicketWithEvents")
    again = client.post(url, headers=manager, json={"action": "claim"})
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    missing = client.post(url, headers=manager, json={"action": "escalate", "analysis": {}})
    assert missing.status_code == 400 and "symptoms" in missing.json["error"]["fields"]
    escalated = client.post(url, headers=manager, json={"action": "escalate", "analysis": ANALYSIS})
    assert (escalated.json["status"], escalated.json["level"]) == ("escalated", 2)
    unknown = client.post(url, headers=manager, json={"action": "explode"})
    assert unknown.status_code == 400 and "action" in unknown.json["error"]["fields"]
    house = token_for(world.system_house)
    resolved = client.post(
        url, headers=house, json={"action": "resolve", "text": "Getauscht", "l1_capable": True}
    )
    assert resolved.status_code == 200 and resolved.json["resolved_level"] == 2


def test_errors_are_json_never_html(client, world, token_for):
    headers = token_for(world.admin)
    for response, status in (
        (client.get("/api/v1/nothing-here", headers=headers), 404),
        (client.delete("/api/v1/me", headers=headers), 405),
        (client.get("/api/v1/tickets/999999", headers=headers), 404),
        (client.get("/api/v1/me"), 401),
    ):
        assert response.status_code == status
        assert response.mimetype == "application/json"
        assert set(response.json["error"]) >= {"code", "message"}
        conforms(response.json, "Error")


def test_openapi_description_is_served_and_lists_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) >= {
        "/me",
        "/tickets",
        "/tickets/{ticket_id}",
        "/tickets/{ticket_id}/actions",
    }


def test_devices_follow_the_inventory_rules(client, world, token_for):
    from campus.models import Device

    own = Device(school=world.teacher.school, type="tablet", inventory_number="HHG-1")
    far = Device(school=world.far_teacher.school, type="tablet", inventory_number="PXG-1")
    db.session.add_all([own, far])
    db.session.commit()
    seen = client.get("/api/v1/devices", headers=token_for(world.teacher)).json
    assert [d["inventory_number"] for d in seen["items"]] == ["HHG-1"]
    for item in seen["items"]:
        conforms(item, "Device")
    admin = client.get(
        f"/api/v1/devices?school_id={far.school_id}", headers=token_for(world.admin)
    ).json
    assert [d["inventory_number"] for d in admin["items"]] == ["PXG-1"]
    schools = client.get("/api/v1/schools", headers=token_for(world.teacher)).json["items"]
    assert {s["name"] for s in schools} == {"Helmholtz-Gymnasium", "Phoenix-Gymnasium"}
    campuses = client.get("/api/v1/campuses", headers=token_for(world.teacher)).json["items"]
    assert {c["name"] for c in campuses} == {"Campus Nord", "Campus Süd"}


def test_resolution_report_matches_the_reports_page(client, world, token_for, as_user):
    for state in ("resolved", "resolved_l2", "new", "cancelled"):
        world.ticket(state)
    from campus.reports.period import today_in_berlin

    today = today_in_berlin().isoformat()
    query = f"from={today}&to={today}"
    api = client.get(
        f"/api/v1/reports/resolution?{query}&group_by=campus", headers=token_for(world.admin)
    )
    assert api.status_code == 200
    page = (
        as_user(world.admin)
        .get(f"/reports/data.json?group_by=campus&preset=custom&start={today}&end={today}")
        .json
    )
    assert api.json["rows"] == page["rows"]
    row = api.json["rows"][0]
    conforms(row, "ResolutionRow")
    assert (row["recorded"], row["resolved_first_level"], row["escalated"], row["cancelled"]) == (
        3,
        1,
        1,
        1,
    )
    for user in (world.teacher, world.system_house):
        assert (
            client.get(f"/api/v1/reports/resolution?{query}", headers=token_for(user)).status_code
            == 403
        )
    bad = client.get(
        "/api/v1/reports/resolution?from=kaputt&to=2026-01-01", headers=token_for(world.admin)
    )
    assert bad.status_code == 400 and "from" in bad.json["error"]["fields"]


def test_too_many_requests_get_429_with_retry_after(app, client, world, token_for):
    app.config["API_REQUESTS_PER_MINUTE"] = 3
    headers = token_for(world.teacher)
    assert [client.get("/api/v1/me", headers=headers).status_code for _ in range(3)] == [200] * 3
    limited = client.get("/api/v1/me", headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json["error"]["code"] == "too_many_requests"
    assert client.get("/api/v1/me", headers=token_for(world.manager)).status_code == 200


def test_too_large_bodies_get_a_json_413(app, client, world, token_for):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(
        "/api/v1/tickets",
        headers=token_for(world.teacher),
        data="x" * 5000,
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    conforms(response.json, "Error")
    ticket = world.ticket("new")
    action = client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        headers=token_for(world.manager),
        json={"action": "note", "text": "x" * 5000},
    )
    assert (action.status_code, action.json["error"]["code"]) == (413, "too_large")
    conforms(action.json, "Error")


@pytest.mark.parametrize(
    "state", ["new", "in_progress", "escalated", "in_progress_l2", "resolved", "closed"]
)
@pytest.mark.parametrize("role", ["reporter", "manager", "system_house", "admin"])
def test_api_allows_exactly_what_the_pages_allow(client, world, token_for, state, role):
    """Every action through the API for each role and state: the pages' workflow matrix."""
    from campus.tickets.workflow import SYSTEM_ACTIONS, Action
    from tests.functional.test_ticket_actions import expected_actions, form_data, user_for

    expected = expected_actions(state, role)
    user = user_for(world, role)
    headers = token_for(user)
    for action in Action:
        if action in SYSTEM_ACTIONS:
            continue
        ticket = world.ticket(state)
        body = {"action": action.value, "text": "Ein Text."}
        data = form_data(world, ticket, action)
        if action == Action.ASSIGN:
            body["assignee_id"] = int(data["assign-assignee_id"])
        if action == Action.ESCALATE:
            body["analysis"] = ANALYSIS
        if action == Action.APPROVE:
            body["proposal"] = int(data["approve-proposal"] or 0)
        response = client.post(f"/api/v1/tickets/{ticket.id}/actions", headers=headers, json=body)
        if expected is None:
            assert response.status_code == 404, action
        elif action in expected:
            assert response.status_code == 200, (action, response.json)
        else:
            assert response.status_code in (403, 409), (action, response.status_code)
            assert response.mimetype == "application/json"


# --- the generated document -----------------------------------------------------------------

ERRORS = {
    ("/me", "get"): {401, 429},
    ("/tickets", "get"): {400, 401, 403, 429},
    ("/tickets", "post"): {400, 401, 403, 413, 429},
    ("/tickets/{ticket_id}", "get"): {401, 404, 429},
    ("/tickets/{ticket_id}/actions", "post"): {400, 401, 403, 404, 409, 413, 429},
    ("/devices", "get"): {400, 401, 429},
    ("/schools", "get"): {401, 429},
    ("/campuses", "get"): {401, 429},
    ("/reports/resolution", "get"): {400, 401, 403, 429},
}


def _schema_of(document: dict, response: dict) -> str:
    if "$ref" in response:  # a shared response under components/responses
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]["$ref"]


def test_the_document_is_openapi_3_1_and_lists_each_endpoints_errors_in_one_shape(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1"}]
    operations = {(p, m) for p, ops in document["paths"].items() for m in ops if m != "parameters"}
    assert operations == set(ERRORS)
    for (path, method), codes in ERRORS.items():
        responses = document["paths"][path][method]["responses"]
        assert {int(code) for code in responses if int(code) >= 400} == codes, (path, method)
        for code in codes:
            assert _schema_of(document, responses[str(code)]) == "#/components/schemas/Error"
    shared = document["components"]["responses"].values()  # 405 and 413 can come anywhere
    assert len(shared) == 8
    assert {_schema_of(document, r) for r in shared} == {"#/components/schemas/Error"}
    ticket = document["components"]["schemas"]["Ticket"]["properties"]
    assert ticket["assignee_id"]["type"] == ["integer", "null"]
    assert ticket["closed_at"] == {"type": ["string", "null"], "format": "date-time"}


def test_the_documented_action_body_comes_from_the_registry(client):
    from campus.tickets.actions import ACTIONS

    document = client.get("/api/v1/openapi.json").json
    body = document["paths"]["/tickets/{ticket_id}/actions"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    schemas = document["components"]["schemas"]
    named = [
        name
        for variant in schema["oneOf"]
        for name in schemas[variant["$ref"].rsplit("/", 1)[1]]["properties"]["action"]["enum"]
    ]
    assert sorted(named) == sorted(a.value for a in ACTIONS)  # each action exactly once
    assert set(schema["discriminator"]["mapping"]) == set(named)
    escalation = schemas[schema["discriminator"]["mapping"]["escalate"].rsplit("/", 1)[1]]
    assert escalation["required"] == ["action", "analysis"]


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/v1/tickets?level=zwei", None, "level"),
        ("get", "/api/v1/tickets?page=-1", None, "page"),
        ("get", "/api/v1/tickets?updated_since=2026-11-25T08:00:00", None, "updated_since"),
        ("get", "/api/v1/devices?school_id=x", None, "school_id"),
        (
            "get",
            "/api/v1/reports/resolution?from=2026-01-01&to=2026-01-31&group_by=x",
            None,
            "group_by",
        ),
        ("get", "/api/v1/reports/resolution?to=2026-01-31", None, "from"),
        ("post", "/api/v1/tickets", {"title": 5}, "title"),
        ("post", "/api/v1/tickets", {"title": "a", "device_id": "3"}, "device_id"),
        ("post", "/api/v1/tickets", [1], "body"),
        ("post", "/api/v1/tickets", "{not json", "body"),
        ("post", "ACTIONS", {"action": "assign", "assignee_id": "niemand"}, "assignee_id"),
        ("post", "ACTIONS", {"action": "resolve", "l1_capable": "vielleicht"}, "l1_capable"),
        ("post", "ACTIONS", {"action": "escalate", "analysis": "kaputt"}, "analysis"),
        ("post", "ACTIONS", {"action": 7}, "action"),
    ],
)
def test_a_wrong_type_is_400_invalid_naming_the_field(
    client, world, token_for, method, url, body, field
):
    user = world.teacher if url == "/api/v1/tickets" else world.admin
    if url == "ACTIONS":
        url, user = f"/api/v1/tickets/{world.ticket('escalated').id}/actions", world.system_house
    headers = token_for(user)
    if isinstance(body, str):
        response = client.post(url, headers=headers, data=body, content_type="application/json")
    else:
        response = getattr(client, method)(url, headers=headers, json=body)
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    assert error["message"] in error["fields"].values()
    conforms(response.json, "Error")


def test_unknown_keys_are_ignored_as_before(client, world, token_for):
    body = {"title": "Beamer", "description": "kein Bild", "category": "other", "impact": "minor"}
    headers = token_for(world.teacher)
    response = client.post("/api/v1/tickets", headers=headers, json={**body, "priority": 1})
    assert response.status_code == 201
    assert client.get("/api/v1/tickets?level=&status=", headers=headers).json["total"] == 1


def test_the_token_use_is_written_at_most_once_a_minute(client, world, token_for):
    from datetime import timedelta

    headers = token_for(world.teacher)
    record = db.session.scalar(select(ApiToken))
    assert record.last_used_at is None
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.refresh(record)
    first = record.last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=headers)
    db.session.refresh(record)
    assert record.last_used_at == first  # a minute has not passed: no write
    record.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/me", headers=headers)
    db.session.refresh(record)
    assert record.last_used_at > first


def test_the_webhook_message_is_the_documented_ticket_shape(app, client, world, as_user, token_for):
    app.config["WEBHOOK_DELIVERY"] = "off"
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]
    admin = as_user(world.admin)
    admin.post("/admin/webhooks", data={"url": "http://127.0.0.1:9/hook", "campus_id": ""})
    ticket = world.ticket("escalated", room="Aula Süd")
    payload = db.session.scalar(select(WebhookDelivery.payload))
    assert "Aula Süd" in payload  # UTF-8 as it is, keys sorted: the bytes that are signed
    message = json.loads(payload)
    assert payload == json.dumps(message, ensure_ascii=False, sort_keys=True)
    conforms(message, "WebhookMessage")
    assert message["event"] == "ticket.escalated"
    assert message["occurred_at"].endswith("+00:00")
    seen = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(world.manager)).json
    assert message["ticket"] == {k: v for k, v in seen.items() if k != "events"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"action": "assign"}, "assignee_id", "Bitte wählen Sie eine Person, die auf dieser Ebene"),
        ({"action": "escalate"}, "analysis", "Bitte die Fehleranalyse als Objekt"),
        ({"action": "escalate", "analysis": []}, "analysis", "Bitte die Fehleranalyse"),
        ({"action": "reply", "text": 5}, "text", "Muss ein Text sein."),
        ({"action": 5}, "action", "Unbekannte Aktion; möglich sind: claim, assign, reply"),
    ],
)
def test_a_refused_action_body_says_what_to_send_in_the_users_language(
    client, world, token_for, body, field, message
):
    ticket = world.ticket("in_progress")
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/actions", headers=token_for(world.manager), json=body
    )
    assert response.status_code == 400, response.json
    assert response.json["error"]["fields"][field].startswith(message), response.json
    db.session.refresh(ticket)
    assert [e.kind for e in ticket.events] == ["created", "claimed"]  # nothing changed
