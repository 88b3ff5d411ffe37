"""Enum-typed columns: the database keeps the plain lowercase values it always had, Python
gets the StrEnum members, and queries still compare with plain strings (on SQLite and,
under make test-postgres, on PostgreSQL)."""

import json

import pytest
from flask import json as flask_json
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from campus.extensions import db
from campus.models import (
    Article,
    ArticleStatus,
    ArticleUse,
    Audience,
    Category,
    CategorySetting,
    DeliveryStatus,
    Device,
    DeviceStatus,
    DeviceType,
    EventKind,
    Impact,
    Role,
    Ticket,
    TicketEvent,
    TicketStatus,
    UseKind,
    User,
    Webhook,
    WebhookDelivery,
)
from campus.models.base import StrEnumType


def test_the_database_holds_the_plain_values(world):
    ticket = world.ticket("escalated")
    db.session.commit()
    row = db.session.execute(
        text("SELECT status, category, impact FROM tickets WHERE id = :id"), {"id": ticket.id}
    ).one()
    assert tuple(row) == ("escalated", "projector_display", "blocking")
    assert all(type(value) is str for value in row)
    kinds = db.session.scalars(
        text("SELECT kind FROM ticket_events WHERE ticket_id = :id ORDER BY id"),
        {"id": ticket.id},
    ).all()
    assert kinds[0] == "created" and type(kinds[0]) is str
    role = db.session.scalar(text("SELECT role FROM users WHERE id = :id"), {"id": world.admin.id})
    assert role == "admin"


def test_python_gets_the_members(world):
    ticket = world.ticket("in_progress")
    db.session.commit()
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status is TicketStatus.IN_PROGRESS
    assert ticket.category is Category.PROJECTOR_DISPLAY
    assert ticket.impact is Impact.BLOCKING
    first, second = ticket.events
    assert (first.kind, first.old_status, first.new_status) == (
        EventKind.CREATED,
        None,
        TicketStatus.NEW,
    )
    assert second.kind is EventKind.CLAIMED and second.old_status is TicketStatus.NEW
    assert db.session.get(User, world.manager.id).role is Role.CAMPUS_MANAGER
    # Rows from select(), as the report facts read them.
    status, category = db.session.execute(
        select(Ticket.status, Ticket.category).where(Ticket.id == ticket.id)
    ).one()
    assert status is TicketStatus.IN_PROGRESS and category is Category.PROJECTOR_DISPLAY
    assert status != TicketStatus.CANCELLED and status == "in_progress"


def test_a_string_set_on_the_column_is_a_member_at_once(world):
    device = Device(school_id=world.teacher.school_id, type="printer", inventory_number="P-1")
    assert device.type is DeviceType.PRINTER
    device.status = "in_repair"
    assert device.status is DeviceStatus.IN_REPAIR
    db.session.add(device)
    db.session.commit()
    db.session.expire_all()
    device = db.session.get(Device, device.id)
    assert (device.type, device.status) == (DeviceType.PRINTER, DeviceStatus.IN_REPAIR)


def test_the_server_default_and_the_python_default(world):
    db.session.execute(
        text(
            "INSERT INTO devices (school_id, room, type, inventory_number, serial_number, model,"
            " notes, token, created_at) VALUES (:school, '', 'tablet', 'T-1', '', '', '', 'tok1',"
            " CURRENT_TIMESTAMP)"
        ),
        {"school": world.teacher.school_id},
    )
    device = db.session.scalar(select(Device).where(Device.inventory_number == "T-1"))
    assert (device.type, device.status) == (DeviceType.TABLET, DeviceStatus.IN_USE)
    webhook = Webhook(url="https://itsm.example.org/hook", secret="s" * 64)
    delivery = WebhookDelivery(webhook=webhook, event="ticket.escalated", payload="{}")
    db.session.add(delivery)
    db.session.flush()
    db.session.expire(delivery)
    assert delivery.status is DeliveryStatus.PENDING


def test_queries_compare_with_plain_strings_and_members(world):
    resolved = world.ticket("resolved")
    new = world.ticket("new")
    db.session.commit()

    def ids(*conditions):
        return set(db.session.scalars(select(Ticket.id).where(*conditions)))

    assert ids(Ticket.status == "resolved") == {resolved.id}
    assert ids(Ticket.status == TicketStatus.NEW) == {new.id}
    assert ids(Ticket.status.in_(["new", TicketStatus.RESOLVED])) == {new.id, resolved.id}
    assert ids(Ticket.status.not_in([TicketStatus.NEW])) == {resolved.id}
    assert ids(Ticket.status.like("res%")) == {resolved.id}
    # A value that is no member (a filter from a URL) matches nothing, as before.
    assert ids(Ticket.status == "bogus") == set()
    assert ids(Ticket.category.in_(["bogus", "projector_display"])) == {new.id, resolved.id}
    assert db.session.scalars(select(User).where(User.role == "nobody")).all() == []
    assert db.session.get(CategorySetting, "printer") is None


def test_a_value_that_is_no_member_is_refused_on_writing(world):
    ticket = world.ticket("new")
    db.session.commit()
    ticket.impact = "catastrophic"
    assert ticket.impact == "catastrophic"  # left as it is: the flush refuses it
    with pytest.raises(StatementError) as refused:
        db.session.flush()
    assert isinstance(refused.value.orig, LookupError)
    db.session.rollback()
    event = TicketEvent(ticket_id=ticket.id, kind="shouted", created_at=ticket.created_at)
    db.session.add(event)
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_json_has_the_plain_values(world):
    ticket = world.ticket("waiting")
    payload = {"status": ticket.status, "kinds": [e.kind for e in ticket.events]}
    assert (
        json.dumps(payload) == '{"status": "waiting", "kinds": ["created", "claimed", "waiting"]}'
    )
    assert json.loads(flask_json.dumps(payload)) == {
        "status": "waiting",
        "kinds": ["created", "claimed", "waiting"],
    }
    assert f"{ticket.status}" == str(ticket.status) == "waiting"


def test_the_column_types_keep_their_lengths():
    for column, enum_class, length in (
        (Ticket.__table__.c.status, TicketStatus, 20),
        (Ticket.__table__.c.category, Category, 30),
        (Ticket.__table__.c.impact, Impact, 20),
        (TicketEvent.__table__.c.kind, EventKind, 20),
        (User.__table__.c.role, Role, 20),
        (Device.__table__.c.type, DeviceType, 30),
        (Device.__table__.c.status, DeviceStatus, 12),
        (CategorySetting.__table__.c.category, Category, 30),
        (WebhookDelivery.__table__.c.status, DeliveryStatus, 12),
        (Article.__table__.c.device_type, DeviceType, 30),
        (Article.__table__.c.category, Category, 30),
        (Article.__table__.c.audience, Audience, 10),
        (Article.__table__.c.status, ArticleStatus, 10),
        (ArticleUse.__table__.c.kind, UseKind, 10),
    ):
        assert isinstance(column.type, StrEnumType)
        assert (column.type.enum_class, column.type.length) == (enum_class, length)
        assert max(len(m.value) for m in enum_class) <= length
