"""Enum-typed columns: the schema stays as it is; existing values are checked

The models now read ticket statuses, event kinds, roles, device types and the like as
Python enums (VARCHAR columns with the same lengths and CHECK constraints as before), so
the schema does not change. Two columns never had a CHECK constraint: ticket_events.kind
and webhook_deliveries.status. A value outside the enum there would fail when read, so
this revision refuses to run over such data and names it instead.

Revision ID: 5b2e7c1d9a40
Revises: 93dc8a16f05f
Create Date: 2026-11-26 16:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b2e7c1d9a40'
down_revision = '93dc8a16f05f'
branch_labels = None
depends_on = None

KNOWN = {
    ("ticket_events", "kind"): (
        "created", "claimed", "assigned", "replied", "noted", "waiting", "resolved",
        "escalated", "returned", "confirmed", "reopened", "cancelled", "closed", "released",
    ),
    ("webhook_deliveries", "status"): ("pending", "delivered", "failed"),
}


def upgrade():
    connection = op.get_bind()
    for (table, column), values in KNOWN.items():
        unknown = connection.execute(
            sa.text(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} NOT IN :values"  # noqa: S608
            ).bindparams(sa.bindparam("values", expanding=True)),
            {"values": list(values)},
        ).scalars().all()
        if unknown:
            raise RuntimeError(
                f"{table}.{column} holds values Campus does not know: {sorted(unknown)}; "
                "correct them before upgrading."
            )


def downgrade():
    pass  # nothing in the schema changed
