"""Signed webhook messages on escalation and return, retried, never blocking the action."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from campus.extensions import db
from campus.models import WebhookDelivery, utcnow
from campus.webhooks.delivery import deliver_due
from tests.tickets_helpers import ANALYSIS


class Receiver:
    """A real HTTP server on a free local port that records what it receives."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.status = 200
        self.server = make_server("127.0.0.1", 0, self.app)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @Request.application
    def app(self, request):
        self.received.append((dict(request.headers), request.get_data()))
        return Response("ok" if self.status == 200 else "down", status=self.status)


@pytest.fixture
def receiver(app):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]  # the test's own receiver
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.thread.join(timeout=5)


def add_webhook(as_user, world, url, campus=""):
    admin = as_user(world.admin)
    response = admin.post("/admin/webhooks", data={"url": url, "campus_id": campus})
    assert response.status_code == 302
    return admin


def test_escalation_sends_a_signed_message_to_the_system_house(world, as_user, receiver):
    from campus.models import Webhook

    add_webhook(as_user, world, receiver.url)
    secret = db.session.scalar(select(Webhook.secret))
    ticket = world.ticket("in_progress")
    data = {f"escalate-{k}": v for k, v in ANALYSIS.items()}
    assert (
        as_user(world.manager).post(f"/tickets/{ticket.id}/escalate", data=data).status_code == 302
    )
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Campus-Signature"] == expected
    assert headers["X-Campus-Event"] == "ticket.escalated"
    message = json.loads(body)
    assert (message["event"], message["ticket"]["id"], message["ticket"]["level"]) == (
        "ticket.escalated",
        ticket.id,
        2,
    )
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_a_campus_webhook_hears_its_campus_only_and_returns_too(world, as_user, receiver):
    add_webhook(as_user, world, receiver.url, campus=str(world.far_manager.campus_ids[0]))
    world.ticket("escalated")  # the other campus: nothing sent
    db.session.commit()
    assert receiver.received == []
    from campus.tickets import services
    from campus.tickets.filing import report_ticket

    far = report_ticket(
        world.far_teacher,
        title="WLAN",
        description="weg",
        category="network_wifi",
        impact="blocking",
    )
    services.escalate(world.far_manager, far, ANALYSIS)
    services.return_to_level1(world.system_house, far, "Bitte vor Ort prüfen.")
    db.session.commit()
    assert sorted(d.event for d in db.session.scalars(select(WebhookDelivery))) == [
        "ticket.escalated",
        "ticket.returned",
    ]


def test_a_failing_receiver_never_blocks_the_action_and_is_retried(world, as_user, receiver):
    add_webhook(as_user, world, receiver.url)
    receiver.status = 500
    ticket = world.ticket("in_progress")
    data = {f"escalate-{k}": v for k, v in ANALYSIS.items()}
    response = as_user(world.manager).post(f"/tickets/{ticket.id}/escalate", data=data)
    assert response.status_code == 302  # the escalation went through regardless
    db.session.refresh(ticket)
    assert ticket.status == "escalated"
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert delivery.next_attempt_at > utcnow()
    assert deliver_due() == (0, 0)  # not due yet: backoff
    receiver.status = 200
    assert deliver_due(now=utcnow() + timedelta(minutes=2)) == (1, 0)
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    log = as_user(world.admin).get("/admin/webhooks").text
    assert "ticket.escalated" in log


def test_an_unreachable_receiver_gives_up_after_the_last_retry(app, world, as_user):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ["127.0.0.0/8"]
    add_webhook(as_user, world, "http://127.0.0.1:9/nothing-listens-here")
    ticket = world.ticket("escalated")
    db.session.commit()
    now = utcnow()
    for step in range(8):
        deliver_due(now=now + timedelta(days=step))
    delivery = db.session.scalar(select(WebhookDelivery))
    assert ticket.status == "escalated"
    assert (delivery.status, delivery.attempts) == ("failed", 6)
    assert delivery.last_error


def test_only_admins_configure_webhooks_and_only_web_addresses(world, as_user):
    assert as_user(world.manager).get("/admin/webhooks").status_code == 403
    response = as_user(world.admin).post(
        "/admin/webhooks", data={"url": "ftp://x", "campus_id": ""}
    )
    assert response.status_code == 422


def test_deliver_webhooks_command(app, world):
    result = app.test_cli_runner().invoke(args=["campus", "deliver-webhooks"])
    assert result.exit_code == 0 and "Delivered 0" in result.output
