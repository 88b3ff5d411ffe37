"""The OpenAPI 3.1 description of /api/v1, kept next to the code it describes."""

from campus.models import Category, Impact, TicketStatus
from campus.models.report import COUNTS
from campus.reports.export import RATE_FIELDS
from campus.tickets.actions import ACTIONS

NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _error() -> dict:
    return {
        "description": "An error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _list(schema: str, paged: bool = False) -> dict:
    properties = {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}}
    required = ["items"]
    if paged:
        properties.update({n: {"type": "integer"} for n in ("page", "per_page", "total")})
        required += ["page", "per_page", "total"]
    return {
        "description": f"{schema} list",
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": required, "properties": properties}
            }
        },
    }


def spec() -> dict:
    ticket = {
        "type": "object",
        "required": [
            "id",
            "number",
            "status",
            "level",
            "school_id",
            "campus_id",
            "reporter_id",
            "category",
            "impact",
            "title",
            "created_at",
        ],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "integer"},
            "status": {"type": "string", "enum": [s.value for s in TicketStatus]},
            "level": {"type": "integer", "enum": [1, 2]},
            "school_id": {"type": "integer"},
            "campus_id": {"type": "integer"},
            "reporter_id": {"type": "integer"},
            "assignee_id": NULLABLE_INT,
            "device_id": NULLABLE_INT,
            "category": {"type": "string", "enum": [c.value for c in Category]},
            "impact": {"type": "string", "enum": [i.value for i in Impact]},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "room": {"type": "string"},
            "resolved_level": NULLABLE_INT,
            **{
                name: NULLABLE_TIME
                for name in (
                    "updated_at",
                    "first_response_at",
                    "escalated_at",
                    "resolved_at",
                    "closed_at",
                )
            },
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    event = {
        "type": "object",
        "required": ["id", "kind", "internal", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "actor_id": NULLABLE_INT,
            "old_status": {"type": ["string", "null"]},
            "new_status": {"type": ["string", "null"]},
            "old_level": NULLABLE_INT,
            "new_level": NULLABLE_INT,
            "text": {"type": "string"},
            "internal": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    ref = {"$ref": "#/components/schemas/Ticket"}
    errors = {str(code): _error() for code in (400, 401, 403, 404, 409)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Campus API",
            "version": "1.0.0",
            "description": "IT-support tickets for school campuses. Authenticate with a "
            "personal token: Authorization: Bearer <token>.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        }
                    },
                },
                "Ticket": ticket,
                "TicketWithEvents": {
                    "allOf": [
                        ref,
                        {
                            "type": "object",
                            "required": ["events"],
                            "properties": {"events": {"type": "array", "items": event}},
                        },
                    ]
                },
                "Device": {
                    "type": "object",
                    "required": ["id", "school_id", "type", "inventory_number", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "school_id": {"type": "integer"},
                        "type": {"type": "string"},
                        "inventory_number": {"type": "string"},
                        "serial_number": {"type": "string"},
                        "model": {"type": "string"},
                        "room": {"type": "string"},
                        "status": {"type": "string"},
                    },
                },
                "School": {
                    "type": "object",
                    "required": ["id", "name", "campus_id"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "short_name": {"type": "string"},
                        "school_number": {"type": "string"},
                        "campus_id": {"type": "integer"},
                    },
                },
                "Campus": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "ResolutionRow": {
                    "type": "object",
                    "required": [
                        "key",
                        "recorded",
                        "resolved",
                        "resolved_first_level",
                        "escalated",
                        "cancelled",
                        "flr",
                        "net_flr",
                    ],
                    "properties": {
                        "key": {"type": "string"},
                        "label": {"type": "string"},
                        **{n: {"type": "integer"} for n in COUNTS},
                        **{n: {"type": ["number", "null"]} for n in RATE_FIELDS},
                    },
                    "additionalProperties": {"type": ["number", "integer", "null"]},
                },
                "Me": {
                    "type": "object",
                    "required": ["id", "email", "role", "campus_ids"],
                    "properties": {
                        "id": {"type": "integer"},
                        "email": {"type": "string"},
                        "display_name": {"type": "string"},
                        "role": {"type": "string"},
                        "school_id": NULLABLE_INT,
                        "campus_ids": {"type": "array", "items": {"type": "integer"}},
                    },
                },
            },
        },
        "paths": {
            "/devices": {
                "get": {
                    "summary": "Devices this user may see",
                    "parameters": [
                        {"name": n, "in": "query", "schema": {"type": "integer"}}
                        for n in ("school_id", "page", "per_page")
                    ],
                    "responses": {"200": _list("Device", paged=True), **errors},
                }
            },
            "/schools": {
                "get": {"summary": "All schools", "responses": {"200": _list("School"), **errors}}
            },
            "/campuses": {
                "get": {"summary": "All campuses", "responses": {"200": _list("Campus"), **errors}}
            },
            "/reports/resolution": {
                "get": {
                    "summary": "First-level resolution figures (administrators, campus managers)",
                    "parameters": [
                        {
                            "name": "from",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "group_by",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": [
                                    "campus",
                                    "school",
                                    "manager",
                                    "device_type",
                                    "category",
                                    "month",
                                ],
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Figures per group",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["period", "rows"],
                                        "properties": {
                                            "period": {"type": "object"},
                                            "group_by": {"type": ["string", "null"]},
                                            "rows": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/ResolutionRow"
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        **errors,
                    },
                }
            },
            "/me": {
                "get": {
                    "summary": "The token's user",
                    "responses": {
                        "200": {
                            "description": "The user",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Me"}}
                            },
                        },
                        **errors,
                    },
                }
            },
            "/tickets": {
                "get": {
                    "summary": "Tickets this user may see",
                    "parameters": [
                        {"name": n, "in": "query", "schema": s}
                        for n, s in (
                            ("status", {"type": "string"}),
                            ("level", {"type": "integer"}),
                            ("school_id", {"type": "integer"}),
                            ("campus_id", {"type": "integer"}),
                            ("assignee_id", {"type": "integer"}),
                            ("updated_since", {"type": "string", "format": "date-time"}),
                            ("page", {"type": "integer", "minimum": 1}),
                            ("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of tickets",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["items", "page", "per_page", "total"],
                                        "properties": {
                                            "items": {"type": "array", "items": ref},
                                            "page": {"type": "integer"},
                                            "per_page": {"type": "integer"},
                                            "total": {"type": "integer"},
                                        },
                                    }
                                }
                            },
                        },
                        **errors,
                    },
                },
                "post": {
                    "summary": "Report a problem (teachers)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["title", "description", "category", "impact"],
                                    "properties": {
                                        "title": {"type": "string"},
                                        "description": {"type": "string"},
                                        "category": ticket["properties"]["category"],
                                        "impact": ticket["properties"]["impact"],
                                        "room": {"type": "string"},
                                        "device_id": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "The new ticket",
                            "content": {"application/json": {"schema": ref}},
                        },
                        **errors,
                    },
                },
            },
            "/tickets/{ticket_id}": {
                "get": {
                    "summary": "A ticket with its events (internal ones for the support side)",
                    "parameters": [
                        {
                            "name": "ticket_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The ticket",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/TicketWithEvents"}
                                }
                            },
                        },
                        **errors,
                    },
                }
            },
            "/tickets/{ticket_id}/actions": {
                "post": {
                    "summary": "Take a workflow action",
                    "parameters": [
                        {
                            "name": "ticket_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["action"],
                                    "properties": {
                                        "action": {
                                            "type": "string",
                                            "enum": [a.value for a in ACTIONS],
                                        },
                                        "text": {"type": "string"},
                                        "assignee_id": {"type": "integer"},
                                        "l1_capable": {"type": "boolean"},
                                        "analysis": {
                                            "type": "object",
                                            "properties": {
                                                k: {"type": "string"}
                                                for k in (
                                                    "symptoms",
                                                    "steps_tried",
                                                    "device_data",
                                                    "reproduce",
                                                )
                                            },
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The ticket after the action",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/TicketWithEvents"}
                                }
                            },
                        },
                        **errors,
                    },
                }
            },
        },
    }
