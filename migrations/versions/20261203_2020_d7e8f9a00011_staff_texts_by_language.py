"""staff texts by language

Like a round's presentation and rules, the other staff-written public texts may
be given in English and Arabic besides French: an FPH fund's help text, the
text of a règlement, a project's news (title and body) and a council's
description. Each table gets a nullable ``texts_by_language`` JSON column,
``{"en": {name: text}, "ar": {...}}``.

Revision ID: d7e8f9a00011
Revises: c6d7e8f90010
Create Date: 2026-12-03 20:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7e8f9a00011"
down_revision = "c6d7e8f90010"
branch_labels = None
depends_on = None

TABLES = ("fph_fund", "fph_reglement", "project_update", "council")


def upgrade():
    # Plain ADD COLUMN (nullable): no table rebuild on SQLite, where these tables
    # are referenced by others (applications, photos, meetings...).
    for table in TABLES:
        op.add_column(table, sa.Column("texts_by_language", sa.JSON(), nullable=True))


def downgrade():
    # Native DROP COLUMN (SQLite >= 3.35, PostgreSQL): no table rebuild.
    for table in reversed(TABLES):
        op.drop_column(table, "texts_by_language")
