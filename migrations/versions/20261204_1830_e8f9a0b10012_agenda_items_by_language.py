"""agenda items by language

A council's agenda item (title and details) may be given in English and Arabic
besides French, like the council's presentation: ``council_agenda_item`` gets a
nullable ``texts_by_language`` JSON column, ``{"en": {name: text}, "ar": {...}}``.
The minutes and the deliberations stay in French (the record that is signed).

Revision ID: e8f9a0b10012
Revises: d7e8f9a00011
Create Date: 2026-12-04 18:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8f9a0b10012"
down_revision = "d7e8f9a00011"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable): no table rebuild on SQLite, where the table is
    # referenced by deliberations and FPH applications.
    op.add_column(
        "council_agenda_item", sa.Column("texts_by_language", sa.JSON(), nullable=True)
    )


def downgrade():
    # Native DROP COLUMN (SQLite >= 3.35, PostgreSQL): no table rebuild.
    op.drop_column("council_agenda_item", "texts_by_language")
