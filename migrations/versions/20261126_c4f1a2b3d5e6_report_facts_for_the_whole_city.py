"""Report facts for the whole city: a "city" row per day and month, and city-wide copies
of the device-type and category rows (campus_id 0)

A reading over every campus (the administrators' reports page) used to add up each
campus's rows; with 200 campuses that is 200 times the rows for the summary, the month
trend and the type and category breakdowns. The rows are derived from the existing
per-campus rows here, so the figures stay exactly the same; the services keep them
from now on. No schema change.

Revision ID: c4f1a2b3d5e6
Revises: 5b2e7c1d9a40
Create Date: 2026-11-26 19:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4f1a2b3d5e6'
down_revision = '5b2e7c1d9a40'
branch_labels = None
depends_on = None

KEY = ("dimension", "span", "day", "campus_id", "key")


def upgrade():
    bind = op.get_bind()
    values = [c["name"] for c in sa.inspect(bind).get_columns("report_days") if c["name"] not in KEY]
    columns = ", ".join(KEY + tuple(values))
    sums = ", ".join(f"SUM({name})" for name in values)
    op.execute(
        f"INSERT INTO report_days ({columns}) "
        f"SELECT dimension, span, day, 0, key, {sums} FROM report_days "
        "WHERE dimension IN ('device_type', 'category') AND campus_id <> 0 "
        "GROUP BY dimension, span, day, key"
    )
    op.execute(
        f"INSERT INTO report_days ({columns}) "
        f"SELECT 'city', span, day, 0, '', {sums} FROM report_days "
        "WHERE dimension = 'campus' GROUP BY span, day"
    )


def downgrade():
    op.execute("DELETE FROM report_days WHERE campus_id = 0")
