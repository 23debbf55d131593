"""round texts by language

Staff write a round's presentation and rules in French (required) and may give
them in English and Arabic too: ``round.texts_by_language`` holds
``{"en": {"description": ..., "rules_text": ...}, "ar": {...}}``, shown to
readers of that language when present.

Revision ID: c6d7e8f90010
Revises: f2b3c4d50007
Create Date: 2026-12-03 11:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c6d7e8f90010"
down_revision = "f2b3c4d50007"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (nullable): no table rebuild on SQLite, where round is
    # referenced by envelopes, ideas and votes.
    op.add_column("round", sa.Column("texts_by_language", sa.JSON(), nullable=True))


def downgrade():
    # Native DROP COLUMN (SQLite >= 3.35, PostgreSQL): no table rebuild.
    op.execute('ALTER TABLE "round" DROP COLUMN texts_by_language')
