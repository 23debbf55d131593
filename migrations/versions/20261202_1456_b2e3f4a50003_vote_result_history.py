"""vote result history

The history of a vote result's workflow (``voting.models.VoteResultStateChange``,
written by ``core.workflow.apply_transition``): one row per recount, certification
and publication. Results certified or published before this revision get their
steps back from the dates and people already stored on them.

Revision ID: b2e3f4a50003
Revises: a1d2e3f40002
Create Date: 2026-12-02 14:56:11.956799

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b2e3f4a50003"
down_revision = "a1d2e3f40002"
branch_labels = None
depends_on = None


#: The steps already recorded on existing results, as history rows (both dialects).
BACKFILL = [
    "INSERT INTO vote_result_state_change"
    " (result_id, action, from_state, to_state, actor_id, changed_at)"
    " SELECT id, 'certify', 'computed', 'certified', certified_by_id, certified_at"
    " FROM vote_result WHERE certified_at IS NOT NULL ORDER BY id",
    "INSERT INTO vote_result_state_change"
    " (result_id, action, from_state, to_state, actor_id, changed_at)"
    " SELECT id, 'publish', 'certified', 'published', published_by_id, published_at"
    " FROM vote_result WHERE published_at IS NOT NULL ORDER BY id",
]


def upgrade():
    op.create_table(
        "vote_result_state_change",
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "recompute",
                "certify",
                "publish",
                name="resultaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_state",
            sa.Enum(
                "computed",
                "certified",
                "published",
                name="resultstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "computed",
                "certified",
                "published",
                name="resultstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_vote_result_state_change_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["vote_result.id"],
            name=op.f("fk_vote_result_state_change_result_id_vote_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_result_state_change")),
    )
    with op.batch_alter_table("vote_result_state_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vote_result_state_change_result_id"),
            ["result_id"],
            unique=False,
        )
    for statement in BACKFILL:
        op.execute(statement)


def downgrade():
    with op.batch_alter_table("vote_result_state_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_result_state_change_result_id"))

    op.drop_table("vote_result_state_change")
