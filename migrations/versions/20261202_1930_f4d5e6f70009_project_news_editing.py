"""Editing project news and photos: corrected and withdrawn updates, photo consent.

project_update gains edited_at, withdrawn_at and withdraw_reason (a CHECK: a
withdrawn update has its reason). project_photo gains is_consent_confirmed (false
for the photos already there: they stay visible to staff only until someone
confirms the consent of the people shown).

Revision ID: f4d5e6f70009
Revises: e5b6c7d80005
Create Date: 2026-12-02 19:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4d5e6f70009"
down_revision = "e5b6c7d80005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("project_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("withdraw_reason", sa.String(length=300), nullable=True)
        )
        batch_op.create_check_constraint(
            "withdrawn_has_reason",
            "(withdrawn_at IS NULL) = (withdraw_reason IS NULL)",
        )
    with op.batch_alter_table("project_photo", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_consent_confirmed",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("project_photo", schema=None) as batch_op:
        batch_op.drop_column("is_consent_confirmed")
    with op.batch_alter_table("project_update", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_project_update_withdrawn_has_reason"), type_="check"
        )
        batch_op.drop_column("withdraw_reason")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("edited_at")
