"""Ticket list indexes by urgency: a campus's tickets of one status, and the open work of
each level (partial indexes over open tickets), in impact-then-age order

A school's tickets newest first serve the ticket page's "same model" list. The queues
page through tickets by (impact, created_at, id) with keyset pagination; these
indexes hand out each page in order instead of sorting every matching ticket.

Revision ID: d7e8f9a0b1c2
Revises: c4f1a2b3d5e6
Create Date: 2026-11-26 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'c4f1a2b3d5e6'
branch_labels = None
depends_on = None

OPEN = "status IN ('new', 'in_progress', 'waiting', 'escalated')"


def upgrade():
    op.create_index("ix_tickets_school_created", "tickets", ["school_id", "created_at"])
    op.create_index(
        "ix_tickets_campus_status_impact",
        "tickets",
        ["campus_id", "status", "impact", "created_at", "id"],
    )
    op.create_index(
        "ix_tickets_open_campus_level_impact",
        "tickets",
        ["campus_id", "level", "impact", "created_at", "id"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_tickets_open_level_impact",
        "tickets",
        ["level", "impact", "created_at", "id"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade():
    op.drop_index("ix_tickets_open_level_impact", table_name="tickets")
    op.drop_index("ix_tickets_open_campus_level_impact", table_name="tickets")
    op.drop_index("ix_tickets_campus_status_impact", table_name="tickets")
    op.drop_index("ix_tickets_school_created", table_name="tickets")
