"""Objects as the API's JSON: timestamps ISO 8601 with their UTC offset."""

from datetime import datetime

from campus.models import Device, School, Ticket, TicketEvent, User


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


TICKET_FIELDS = (
    "id",
    "number",
    "status",
    "level",
    "school_id",
    "campus_id",
    "reporter_id",
    "assignee_id",
    "device_id",
    "category",
    "impact",
    "title",
    "description",
    "room",
    "resolved_level",
)
TICKET_TIMES = (
    "created_at",
    "updated_at",
    "first_response_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
)


def ticket_json(ticket: Ticket) -> dict:
    data = {name: getattr(ticket, name) for name in TICKET_FIELDS}
    data.update({name: iso(getattr(ticket, name)) for name in TICKET_TIMES})
    return data


def event_json(event: TicketEvent) -> dict:
    return {
        "id": event.id,
        "kind": event.kind,
        "actor_id": event.actor_id,
        "old_status": event.old_status,
        "new_status": event.new_status,
        "old_level": event.old_level,
        "new_level": event.new_level,
        "text": event.text,
        "internal": event.internal,
        "created_at": iso(event.created_at),
    }


def me_json(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "school_id": user.school_id,
        "campus_ids": user.campus_ids,
    }


def device_json(device: Device) -> dict:
    return {
        "id": device.id,
        "school_id": device.school_id,
        "type": device.type,
        "inventory_number": device.inventory_number,
        "serial_number": device.serial_number,
        "model": device.model,
        "room": device.room,
        "status": device.status,
    }


def school_json(school: School) -> dict:
    return {
        "id": school.id,
        "name": school.name,
        "short_name": school.short_name,
        "school_number": school.school_number,
        "campus_id": school.campus_id,
    }
