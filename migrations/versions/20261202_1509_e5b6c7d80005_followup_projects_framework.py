"""Follow-up of projects and the strategic framework.

Tables: framework_objective (the contrat de ville's tree), project (one per winning
idea, later per FPH grant: source kind + id), project_state_change (status history),
project_milestone, project_update, project_photo, project_follow (one per account
and one per address per project), project_objective (tags). Only tables, indexes
and CHECK constraints: no trigger.

Revision ID: e5b6c7d80005
Revises: c3f4a5b60004
Create Date: 2026-12-02 15:09:16.547469

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5b6c7d80005"
down_revision = "c3f4a5b60004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "framework_objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id",
            name=op.f("ck_framework_objective_not_own_parent"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["framework_objective.id"],
            name=op.f("fk_framework_objective_parent_id_framework_objective"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_objective")),
        sa.UniqueConstraint("code", name=op.f("uq_framework_objective_code")),
    )
    with op.batch_alter_table("framework_objective", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_objective_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column(
            "source_kind",
            sa.Enum("budget_idea", name="sourcekind", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "planned",
                "in_progress",
                "delivered",
                "abandoned",
                name="projectstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("state_changed_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(), nullable=True),
        sa.Column("abandon_reason", sa.Text(), nullable=True),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("amount_voted", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "amount_committed", sa.Numeric(precision=12, scale=2), nullable=False
        ),
        sa.Column("amount_spent", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("overspend_reason", sa.Text(), nullable=True),
        sa.Column("service_in_charge", sa.String(length=120), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "CASE WHEN source_kind = 'budget_idea' THEN idea_id IS NOT NULL AND idea_id = source_id ELSE idea_id IS NULL END",
            name=op.f("ck_project_idea_is_source"),
        ),
        sa.CheckConstraint(
            "state <> 'abandoned' OR abandon_reason IS NOT NULL",
            name=op.f("ck_project_abandoned_has_reason"),
        ),
        sa.CheckConstraint(
            "state <> 'delivered' OR progress_percent = 100",
            name=op.f("ck_project_delivered_is_complete"),
        ),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)",
            name=op.f("ck_project_point_complete"),
        ),
        sa.CheckConstraint(
            "(source_kind IS NULL) = (source_id IS NULL)",
            name=op.f("ck_project_source_complete"),
        ),
        sa.CheckConstraint(
            "amount_spent <= amount_committed OR overspend_reason IS NOT NULL",
            name=op.f("ck_project_overspend_has_reason"),
        ),
        sa.CheckConstraint(
            "amount_voted >= 0 AND amount_committed >= 0 AND amount_spent >= 0",
            name=op.f("ck_project_money_positive"),
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
            name=op.f("ck_project_point_range"),
        ),
        sa.CheckConstraint(
            "progress_percent BETWEEN 0 AND 100",
            name=op.f("ck_project_progress_percent_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_project_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_project_idea_id_idea"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_project_round_id_round")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_project_territory_id_territory"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("idea_id", name=op.f("uq_project_idea_id")),
        sa.UniqueConstraint(
            "source_kind", "source_id", name=op.f("uq_project_source_kind_source_id")
        ),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_project_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_project_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "project_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("is_automatic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (email IS NULL)",
            name=op.f("ck_project_follow_account_or_address"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_follow_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_project_follow_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_follow")),
        sa.UniqueConstraint(
            "project_id", "email", name=op.f("uq_project_follow_project_id_email")
        ),
        sa.UniqueConstraint(
            "project_id", "user_id", name=op.f("uq_project_follow_project_id_user_id")
        ),
    )
    with op.batch_alter_table("project_follow", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_follow_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_project_follow_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "project_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("actual_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_milestone_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_milestone")),
    )
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_milestone_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_objective",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["framework_objective.id"],
            name=op.f("fk_project_objective_objective_id_framework_objective"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_objective_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "objective_id", name=op.f("pk_project_objective")
        ),
    )
    op.create_table(
        "project_state_change",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "start",
                "deliver",
                "abandon",
                "reopen",
                name="projectaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_state",
            sa.Enum(
                "planned",
                "in_progress",
                "delivered",
                "abandoned",
                name="projectstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "planned",
                "in_progress",
                "delivered",
                "abandoned",
                name="projectstate",
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
            name=op.f("fk_project_state_change_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_state_change_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_state_change")),
    )
    with op.batch_alter_table("project_state_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_state_change_project_id"),
            ["project_id"],
            unique=False,
        )

    op.create_table(
        "project_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_project_update_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_update_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_update")),
    )
    with op.batch_alter_table("project_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_update_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("alt", sa.String(length=200), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "width > 0 AND height > 0", name=op.f("ck_project_photo_size_positive")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_photo_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["project_update.id"],
            name=op.f("fk_project_photo_update_id_project_update"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_photo")),
        sa.UniqueConstraint("name", name=op.f("uq_project_photo_name")),
    )
    with op.batch_alter_table("project_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_photo_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_project_photo_update_id"), ["update_id"], unique=False
        )



def downgrade():
    with op.batch_alter_table("project_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_photo_update_id"))
        batch_op.drop_index(batch_op.f("ix_project_photo_project_id"))

    op.drop_table("project_photo")
    with op.batch_alter_table("project_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_update_project_id"))

    op.drop_table("project_update")
    with op.batch_alter_table("project_state_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_state_change_project_id"))

    op.drop_table("project_state_change")
    op.drop_table("project_objective")
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_milestone_project_id"))

    op.drop_table("project_milestone")
    with op.batch_alter_table("project_follow", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_follow_user_id"))
        batch_op.drop_index(batch_op.f("ix_project_follow_project_id"))

    op.drop_table("project_follow")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_territory_id"))
        batch_op.drop_index(batch_op.f("ix_project_state"))
        batch_op.drop_index(batch_op.f("ix_project_round_id"))

    op.drop_table("project")
    with op.batch_alter_table("framework_objective", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_objective_parent_id"))

    # A parent is RESTRICT: SQLite's DROP deletes row by row and would refuse.
    op.execute("UPDATE framework_objective SET parent_id = NULL")
    op.drop_table("framework_objective")
