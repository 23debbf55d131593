"""locked vote process and paper kit

The minutes of a polling desk (``polling_desk.minutes_note``: what explains fewer
paper ballots than sign-ins, required before the count) and the short, stable
ballot numbers of each envelope's projects (``ballot_number``: assigned at the
announcement, printed on the ballots, typed by the keyers).

Revision ID: f2b3c4d50007
Revises: d4a5b6c70005
Create Date: 2026-12-02 19:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2b3c4d50007"
down_revision = "d4a5b6c70005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ballot_number",
        sa.Column("envelope_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "number >= 1", name=op.f("ck_ballot_number_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["envelope_id"],
            ["envelope.id"],
            name=op.f("fk_ballot_number_envelope_id_envelope"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_ballot_number_idea_id_idea"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "envelope_id", "idea_id", name=op.f("pk_ballot_number")
        ),
        sa.UniqueConstraint(
            "envelope_id",
            "number",
            name=op.f("uq_ballot_number_envelope_id_number"),
        ),
    )
    # A plain ADD COLUMN (nullable): no table rebuild, which on SQLite would drop
    # polling_desk under the sign-ins and batches that reference it.
    op.add_column(
        "polling_desk", sa.Column("minutes_note", sa.String(length=2000), nullable=True)
    )


def downgrade():
    # Native DROP COLUMN (SQLite >= 3.35, PostgreSQL): no table rebuild.
    op.execute("ALTER TABLE polling_desk DROP COLUMN minutes_note")
    op.drop_table("ballot_number")
