"""report settings: the target first-level resolution rate

Revision ID: d6e7f8a9b0c1
Revises: c5d6e7f8a9b0
Create Date: 2026-11-28 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6e7f8a9b0c1'
down_revision = 'c5d6e7f8a9b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_flr', sa.Integer(), nullable=True),
    sa.CheckConstraint('target_flr IS NULL OR target_flr BETWEEN 1 AND 100', name=op.f('ck_report_settings_target_flr')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_settings'))
    )


def downgrade():
    op.drop_table('report_settings')
