"""solutions knowledge base: articles, the tickets they came from, their uses, and the
German full-text search (on PostgreSQL a generated tsvector column under a GIN index, on
SQLite an FTS5 table)

Revision ID: e7f8a9b0c1d2
Revises: 41567df269ce
Create Date: 2026-11-29 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7f8a9b0c1d2'
down_revision = '41567df269ce'
branch_labels = None
depends_on = None

CATEGORIES = (
    "'tablet_notebook', 'projector_display', 'network_wifi', 'printer', 'software_app', "
    "'account_login', 'other'"
)
DEVICE_TYPES = (
    "'tablet', 'notebook', 'desktop', 'display_projector', 'printer', 'network', 'other'"
)
# PostgreSQL: German text-search vectors of title (weight A), symptoms and steps (B).
ADD_SEARCH_VECTOR = (
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('german', title), 'A') || "
    "setweight(to_tsvector('german', symptoms || ' ' || steps), 'B')) STORED"
)
# SQLite: rowid = the article's id; both columns hold words stemmed in Python.
CREATE_SEARCH_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')"
)


def upgrade():
    op.create_table(
        'articles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('symptoms', sa.Text(), nullable=False),
        sa.Column('steps', sa.Text(), nullable=False),
        sa.Column('device_type', sa.String(length=30), nullable=True),
        sa.Column('device_model', sa.String(length=120), server_default='', nullable=False),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('audience', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), server_default='active', nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name=op.f('ck_articles_category')),
        sa.CheckConstraint(
            f"device_type IS NULL OR device_type IN ({DEVICE_TYPES})",
            name=op.f('ck_articles_type'),
        ),
        sa.CheckConstraint(
            "audience IN ('teachers', 'support')", name=op.f('ck_articles_audience')
        ),
        sa.CheckConstraint("status IN ('active', 'retired')", name=op.f('ck_articles_status')),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'], name=op.f('fk_articles_created_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    )
    op.create_index(op.f('ix_articles_created_by_id'), 'articles', ['created_by_id'])
    op.create_index(
        'ix_articles_status_category_model', 'articles', ['status', 'category', 'device_model']
    )
    op.create_table(
        'article_tickets',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['article_id'], ['articles.id'],
            name=op.f('fk_article_tickets_article_id_articles'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['ticket_id'], ['tickets.id'],
            name=op.f('fk_article_tickets_ticket_id_tickets'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('article_id', 'ticket_id', name=op.f('pk_article_tickets')),
    )
    op.create_index('ix_article_tickets_ticket', 'article_tickets', ['ticket_id'])
    op.create_table(
        'article_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('campus_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('once_key', sa.String(length=64), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('self_help', 'applied')", name=op.f('ck_article_uses_kind')),
        sa.CheckConstraint(
            "(kind = 'self_help' AND level = 0 AND ticket_id IS NULL)"
            " OR (kind = 'applied' AND level IN (1, 2) AND ticket_id IS NOT NULL)",
            name=op.f('ck_article_uses_level'),
        ),
        sa.ForeignKeyConstraint(
            ['article_id'], ['articles.id'],
            name=op.f('fk_article_uses_article_id_articles'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['campus_id'], ['campuses.id'], name=op.f('fk_article_uses_campus_id_campuses')
        ),
        sa.ForeignKeyConstraint(
            ['school_id'], ['schools.id'], name=op.f('fk_article_uses_school_id_schools')
        ),
        sa.ForeignKeyConstraint(
            ['ticket_id'], ['tickets.id'], name=op.f('fk_article_uses_ticket_id_tickets')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_uses')),
        sa.UniqueConstraint('article_id', 'ticket_id', name='uq_article_uses_article_ticket'),
        sa.UniqueConstraint('once_key', name=op.f('uq_article_uses_once_key')),
    )
    op.create_index('ix_article_uses_article_at', 'article_uses', ['article_id', 'at'])
    op.create_index('ix_article_uses_campus_at', 'article_uses', ['campus_id', 'at'])
    op.create_index(op.f('ix_article_uses_school_id'), 'article_uses', ['school_id'])
    op.create_index(op.f('ix_article_uses_ticket_id'), 'article_uses', ['ticket_id'])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(ADD_SEARCH_VECTOR)
        op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search_vector)")
    elif op.get_bind().dialect.name == "sqlite":
        op.execute(CREATE_SEARCH_TABLE)  # empty, as the articles table


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS article_search")
    op.drop_table('article_uses')
    op.drop_table('article_tickets')
    op.drop_table('articles')  # with its indexes (on PostgreSQL, the search column's too)
