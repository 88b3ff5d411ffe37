"""ticket number sequence on postgresql

Revision ID: 93dc8a16f05f
Revises: 3502410feda0
Create Date: 2026-11-25 15:02:15.331339

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '93dc8a16f05f'
down_revision = '3502410feda0'
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL: ticket numbers from a sequence, so simultaneous reports never collide.
    # SQLite has one writer at a time and keeps using the highest number plus one.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS ticket_numbers")
        op.execute(
            "SELECT setval('ticket_numbers', coalesce((SELECT max(number) FROM tickets), 0) + 1,"
            " false)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS ticket_numbers")
