"""initial schema

Revision ID: 7b3741c4526c
Revises:
Create Date: 2026-11-22 03:37:34.610086

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b3741c4526c"
down_revision = None
branch_labels = None
depends_on = None


#: Guards of the voting tables, per dialect (voting.models.TRIGGERS).
TRIGGERS = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION voting_refuse() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], "
        "ERRCODE = 'check_violation'; END $$",
        "CREATE TRIGGER trg_vote_rules_frozen BEFORE UPDATE ON vote_rules FOR "
        "EACH ROW WHEN (OLD.frozen_at IS NOT NULL) EXECUTE FUNCTION "
        "voting_refuse('vote rules are frozen once the first ballot is cast')",
        "CREATE TRIGGER trg_vote_result_published_update BEFORE UPDATE ON "
        "vote_result FOR EACH ROW WHEN (OLD.state = 'published') EXECUTE "
        "FUNCTION voting_refuse('a published result cannot change')",
        "CREATE TRIGGER trg_vote_result_published_delete BEFORE DELETE ON "
        "vote_result FOR EACH ROW WHEN (OLD.state = 'published') EXECUTE "
        "FUNCTION voting_refuse('a published result cannot be deleted')",
        "CREATE TRIGGER trg_ballot_update BEFORE UPDATE ON ballot FOR EACH ROW "
        "WHEN (1 = 1) EXECUTE FUNCTION voting_refuse('a ballot is final')",
        "CREATE OR REPLACE FUNCTION voting_guard_ballot_insert_published() "
        "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM "
        "vote_result r WHERE r.envelope_id = NEW.envelope_id AND r.state = "
        "'published') THEN RAISE EXCEPTION 'the result of this envelope is "
        "published' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END "
        "$$",
        "CREATE TRIGGER trg_ballot_insert_published BEFORE INSERT ON ballot "
        "FOR EACH ROW EXECUTE FUNCTION voting_guard_ballot_insert_published()",
        "CREATE OR REPLACE FUNCTION voting_guard_ballot_delete_published() "
        "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM "
        "vote_result r WHERE r.envelope_id = OLD.envelope_id AND r.state = "
        "'published') THEN RAISE EXCEPTION 'the result of this envelope is "
        "published' USING ERRCODE = 'check_violation'; END IF; RETURN OLD; END "
        "$$",
        "CREATE TRIGGER trg_ballot_delete_published BEFORE DELETE ON ballot "
        "FOR EACH ROW EXECUTE FUNCTION voting_guard_ballot_delete_published()",
        "CREATE TRIGGER trg_ballot_choice_update BEFORE UPDATE ON "
        "ballot_choice FOR EACH ROW WHEN (1 = 1) EXECUTE FUNCTION "
        "voting_refuse('a ballot is final')",
        "CREATE OR REPLACE FUNCTION "
        "voting_guard_ballot_choice_delete_published() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM ballot b JOIN "
        "vote_result r ON r.envelope_id = b.envelope_id WHERE b.id = "
        "OLD.ballot_id AND r.state = 'published') THEN RAISE EXCEPTION 'the "
        "result of this envelope is published' USING ERRCODE = "
        "'check_violation'; END IF; RETURN OLD; END $$",
        "CREATE TRIGGER trg_ballot_choice_delete_published BEFORE DELETE ON "
        "ballot_choice FOR EACH ROW EXECUTE FUNCTION "
        "voting_guard_ballot_choice_delete_published()",
    ],
    "sqlite": [
        "CREATE TRIGGER trg_vote_rules_frozen BEFORE UPDATE ON vote_rules FOR EACH "
        "ROW WHEN OLD.frozen_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'vote rules "
        "are frozen once the first ballot is cast'); END",
        "CREATE TRIGGER trg_vote_result_published_update BEFORE UPDATE ON "
        "vote_result FOR EACH ROW WHEN OLD.state = 'published' BEGIN SELECT "
        "RAISE(ABORT, 'a published result cannot change'); END",
        "CREATE TRIGGER trg_vote_result_published_delete BEFORE DELETE ON "
        "vote_result FOR EACH ROW WHEN OLD.state = 'published' BEGIN SELECT "
        "RAISE(ABORT, 'a published result cannot be deleted'); END",
        "CREATE TRIGGER trg_ballot_update BEFORE UPDATE ON ballot FOR EACH ROW "
        "WHEN 1 = 1 BEGIN SELECT RAISE(ABORT, 'a ballot is final'); END",
        "CREATE TRIGGER trg_ballot_insert_published BEFORE INSERT ON ballot FOR "
        "EACH ROW WHEN EXISTS (SELECT 1 FROM vote_result r WHERE r.envelope_id = "
        "NEW.envelope_id AND r.state = 'published') BEGIN SELECT RAISE(ABORT, 'the "
        "result of this envelope is published'); END",
        "CREATE TRIGGER trg_ballot_delete_published BEFORE DELETE ON ballot FOR "
        "EACH ROW WHEN EXISTS (SELECT 1 FROM vote_result r WHERE r.envelope_id = "
        "OLD.envelope_id AND r.state = 'published') BEGIN SELECT RAISE(ABORT, 'the "
        "result of this envelope is published'); END",
        "CREATE TRIGGER trg_ballot_choice_update BEFORE UPDATE ON ballot_choice "
        "FOR EACH ROW WHEN 1 = 1 BEGIN SELECT RAISE(ABORT, 'a ballot is final'); "
        "END",
        "CREATE TRIGGER trg_ballot_choice_delete_published BEFORE DELETE ON "
        "ballot_choice FOR EACH ROW WHEN EXISTS (SELECT 1 FROM ballot b JOIN "
        "vote_result r ON r.envelope_id = b.envelope_id WHERE b.id = OLD.ballot_id "
        "AND r.state = 'published') BEGIN SELECT RAISE(ABORT, 'the result of this "
        "envelope is published'); END",
    ],
}
DROP_TRIGGERS = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS trg_vote_rules_frozen ON vote_rules",
        "DROP TRIGGER IF EXISTS trg_vote_result_published_update ON vote_result",
        "DROP TRIGGER IF EXISTS trg_vote_result_published_delete ON vote_result",
        "DROP TRIGGER IF EXISTS trg_ballot_update ON ballot",
        "DROP TRIGGER IF EXISTS trg_ballot_insert_published ON ballot",
        "DROP TRIGGER IF EXISTS trg_ballot_delete_published ON ballot",
        "DROP TRIGGER IF EXISTS trg_ballot_choice_update ON ballot_choice",
        "DROP TRIGGER IF EXISTS trg_ballot_choice_delete_published ON ballot_choice",
        "DROP FUNCTION IF EXISTS voting_guard_ballot_insert_published()",
        "DROP FUNCTION IF EXISTS voting_guard_ballot_delete_published()",
        "DROP FUNCTION IF EXISTS voting_guard_ballot_choice_delete_published()",
        "DROP FUNCTION IF EXISTS voting_refuse()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS trg_vote_rules_frozen",
        "DROP TRIGGER IF EXISTS trg_vote_result_published_update",
        "DROP TRIGGER IF EXISTS trg_vote_result_published_delete",
        "DROP TRIGGER IF EXISTS trg_ballot_update",
        "DROP TRIGGER IF EXISTS trg_ballot_insert_published",
        "DROP TRIGGER IF EXISTS trg_ballot_delete_published",
        "DROP TRIGGER IF EXISTS trg_ballot_choice_update",
        "DROP TRIGGER IF EXISTS trg_ballot_choice_delete_published",
    ],
}


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=False),
        sa.Column("object_id", sa.String(length=60), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entry_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_entry_prev_hash")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entry_action"), ["action"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entry_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            "ix_audit_entry_object", ["object_type", "object_id"], unique=False
        )

    op.create_table(
        "commune",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "population IS NULL OR population >= 0",
            name=op.f("ck_commune_population_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune")),
        sa.UniqueConstraint("insee_code", name=op.f("uq_commune_insee_code")),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("attachment_name", sa.String(length=120), nullable=True),
        sa.Column("attachment_type", sa.String(length=80), nullable=True),
        sa.Column("attachment_data", sa.LargeBinary(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_sent_at"), ["sent_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_to_address"), ["to_address"], unique=False
        )

    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "has_custom_name", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("code", name=op.f("uq_theme_code")),
    )
    op.create_table(
        "territory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "qpv", "outside", name="territorykind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind <> 'qpv' OR code IS NOT NULL", name=op.f("ck_territory_qpv_has_code")
        ),
        sa.CheckConstraint(
            "population IS NULL OR population >= 0",
            name=op.f("ck_territory_population_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_territory_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territory")),
        sa.UniqueConstraint("code", name=op.f("uq_territory_code")),
        sa.UniqueConstraint(
            "commune_id", "name", name=op.f("uq_territory_commune_id_name")
        ),
    )
    with op.batch_alter_table("territory", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_territory_commune_id"), ["commune_id"], unique=False
        )

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("pseudonym", sa.String(length=60), nullable=False),
        sa.Column("real_name", sa.String(length=120), nullable=True),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column(
            "sex",
            sa.Enum(
                "female", "male", "other", name="sex", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("email_confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("last_signin_at", sa.DateTime(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_managed", sa.Boolean(), nullable=False),
        sa.Column("managed_by_id", sa.Integer(), nullable=True),
        sa.Column("setup_code_hash", sa.String(length=255), nullable=True),
        sa.Column("setup_code_expires_at", sa.DateTime(), nullable=True),
        sa.Column("security_stamp", sa.Integer(), nullable=False),
        sa.Column("data_notice_accepted_at", sa.DateTime(), nullable=True),
        sa.Column("managed_consent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "NOT is_managed OR managed_consent_at IS NOT NULL",
            name=op.f("ck_user_managed_has_consent"),
        ),
        sa.CheckConstraint(
            "birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
            name=op.f("ck_user_birth_year_range"),
        ),
        sa.ForeignKeyConstraint(
            ["managed_by_id"],
            ["user.id"],
            name=op.f("fk_user_managed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_user_territory_id_territory"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
        sa.UniqueConstraint("phone", name=op.f("uq_user_phone")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_user_pseudonym")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "grid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("copied_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["copied_from_id"],
            ["grid.id"],
            name=op.f("fk_grid_copied_from_id_grid"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_grid_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid")),
        sa.UniqueConstraint("name", name=op.f("uq_grid_name")),
    )
    op.create_table(
        "resident_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "proof_in_person",
                "imported_list",
                name="verificationmethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "verified_by_role",
            sa.Enum(
                "resident",
                "relay",
                "reviewer",
                "staff",
                "admin",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user.id"],
            name=op.f("fk_resident_verification_revoked_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_resident_verification_territory_id_territory"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_resident_verification_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["user.id"],
            name=op.f("fk_resident_verification_verified_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_verification")),
    )
    with op.batch_alter_table("resident_verification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_verification_user_id"), ["user_id"], unique=False
        )
        batch_op.create_index(
            "uq_resident_verification_active",
            ["user_id", "territory_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "user_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "resident",
                "relay",
                "reviewer",
                "staff",
                "admin",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["user.id"],
            name=op.f("fk_user_role_granted_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_role_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_role")),
        sa.UniqueConstraint("user_id", "role", name=op.f("uq_user_role_user_id_role")),
    )
    op.create_table(
        "grid_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("is_frozen", sa.Boolean(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(is_frozen AND frozen_at IS NOT NULL) OR (NOT is_frozen AND frozen_at IS NULL)",
            name=op.f("ck_grid_version_frozen_has_date"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_grid_version_number_positive")),
        sa.CheckConstraint(
            "threshold >= 0", name=op.f("ck_grid_version_threshold_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_grid_version_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
            name=op.f("fk_grid_version_grid_id_grid"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_version")),
        sa.UniqueConstraint(
            "grid_id", "number", name=op.f("uq_grid_version_grid_id_number")
        ),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_version_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "eligible",
                "ineligible",
                "to_discuss",
                name="outcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("max_score", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("failed_codes", sa.JSON(), nullable=False),
        sa.Column("missing_codes", sa.JSON(), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "score >= 0 AND max_score >= 0", name=op.f("ck_assessment_scores_positive")
        ),
        sa.ForeignKeyConstraint(
            ["assessor_id"],
            ["user.id"],
            name=op.f("fk_assessment_assessor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grid_version_id"],
            ["grid_version.id"],
            name=op.f("fk_assessment_grid_version_id_grid_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("id", "grid_version_id", name="uq_assessment_id_version"),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_grid_version_id"),
            ["grid_version_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_assessment_subject", ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "mandatory",
                "scored",
                "informational",
                name="criterionkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("help_text", sa.Text(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'scored' AND weight IS NOT NULL AND weight >= 0) OR (kind <> 'scored' AND weight IS NULL)",
            name=op.f("ck_criterion_weight_for_scored"),
        ),
        sa.CheckConstraint("code <> ''", name=op.f("ck_criterion_code_not_empty")),
        sa.CheckConstraint("label <> ''", name=op.f("ck_criterion_label_not_empty")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["grid_version.id"],
            name=op.f("fk_criterion_version_id_grid_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion")),
        sa.UniqueConstraint(
            "id", "version_id", "kind", name="uq_criterion_id_version_kind"
        ),
        sa.UniqueConstraint(
            "version_id", "code", name=op.f("uq_criterion_version_id_code")
        ),
    )
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criterion_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rules_text", sa.Text(), nullable=False),
        sa.Column("submission_opens_at", sa.DateTime(), nullable=False),
        sa.Column("submission_closes_at", sa.DateTime(), nullable=False),
        sa.Column("review_closes_at", sa.DateTime(), nullable=False),
        sa.Column("announcement_at", sa.DateTime(), nullable=False),
        sa.Column("vote_opens_at", sa.DateTime(), nullable=False),
        sa.Column("vote_closes_at", sa.DateTime(), nullable=False),
        sa.Column("results_published_at", sa.DateTime(), nullable=True),
        sa.Column("delivery_starts_at", sa.DateTime(), nullable=True),
        sa.Column("min_cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("max_cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("is_carry_over_enabled", sa.Boolean(), nullable=False),
        sa.Column("grid_version_id", sa.Integer(), nullable=True),
        sa.Column("previous_round_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "max_cost >= min_cost", name=op.f("ck_round_max_cost_above_min")
        ),
        sa.CheckConstraint("min_cost >= 0", name=op.f("ck_round_min_cost_positive")),
        sa.CheckConstraint(
            "previous_round_id IS NULL OR previous_round_id <> id",
            name=op.f("ck_round_not_own_previous"),
        ),
        sa.CheckConstraint(
            "results_published_at IS NULL OR results_published_at >= vote_closes_at",
            name=op.f("ck_round_results_after_vote"),
        ),
        sa.CheckConstraint(
            "submission_closes_at <= review_closes_at AND review_closes_at <= announcement_at AND announcement_at <= vote_opens_at",
            name=op.f("ck_round_phase_order"),
        ),
        sa.CheckConstraint(
            "submission_opens_at < submission_closes_at",
            name=op.f("ck_round_submission_dates"),
        ),
        sa.CheckConstraint(
            "vote_opens_at < vote_closes_at", name=op.f("ck_round_vote_dates")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_round_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grid_version_id"],
            ["grid_version.id"],
            name=op.f("fk_round_grid_version_id_grid_version"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_round_id"],
            ["round.id"],
            name=op.f("fk_round_previous_round_id_round"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round")),
        sa.UniqueConstraint(
            "previous_round_id", name=op.f("uq_round_previous_round_id")
        ),
    )
    op.create_table(
        "assessment_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("grid_version_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "mandatory",
                "scored",
                "informational",
                name="criterionkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "choice",
            sa.Enum("pass", "fail", "na", name="check", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'mandatory' AND points IS NULL AND text IS NULL AND choice IS NOT NULL AND choice IN ('pass', 'fail', 'na')) OR (kind = 'scored' AND choice IS NULL AND text IS NULL AND points IS NOT NULL AND points >= 0 AND points <= 3) OR (kind = 'informational' AND choice IS NULL AND points IS NULL AND text IS NOT NULL)",
            name=op.f("ck_assessment_answer_value_fits_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id", "grid_version_id"],
            ["assessment.id", "assessment.grid_version_id"],
            name="fk_assessment_answer_assessment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id", "grid_version_id", "kind"],
            ["criterion.id", "criterion.version_id", "criterion.kind"],
            name="fk_assessment_answer_criterion",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_answer")),
        sa.UniqueConstraint(
            "assessment_id",
            "criterion_id",
            name=op.f("uq_assessment_answer_assessment_id_criterion_id"),
        ),
    )
    with op.batch_alter_table("assessment_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_answer_criterion_id", ["criterion_id"], unique=False
        )

    op.create_table(
        "envelope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("carried_over_in", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("is_carry_over_final", sa.Boolean(), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_envelope_amount_positive")),
        sa.CheckConstraint(
            "carried_over_in >= 0", name=op.f("ck_envelope_carried_over_in_positive")
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["envelope.id"],
            name=op.f("fk_envelope_carried_from_id_envelope"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_envelope_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_envelope_territory_id_territory"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_envelope")),
        sa.UniqueConstraint(
            "carried_from_id", name=op.f("uq_envelope_carried_from_id")
        ),
        sa.UniqueConstraint(
            "round_id", "territory_id", name=op.f("uq_envelope_round_id_territory_id")
        ),
    )
    with op.batch_alter_table("envelope", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_envelope_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "review_theme_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user.id"],
            name=op.f("fk_review_theme_rule_reviewer_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_review_theme_rule_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_review_theme_rule_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_theme_rule")),
        sa.UniqueConstraint(
            "round_id", "theme_id", name=op.f("uq_review_theme_rule_round_id_theme_id")
        ),
    )
    with op.batch_alter_table("review_theme_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_theme_rule_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "round_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("grid_version_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["grid_version_id"],
            ["grid_version.id"],
            name=op.f("fk_round_review_grid_version_id_grid_version"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_round_review_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["user.id"],
            name=op.f("fk_round_review_started_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_review")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_review_round_id")),
    )
    op.create_table(
        "round_theme",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_round_theme_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_round_theme_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "theme_id", name=op.f("pk_round_theme")),
    )
    op.create_table(
        "vote_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "ballot_type",
            sa.Enum(
                "approval",
                "knapsack",
                "cumulative",
                name="ballottype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("min_projects", sa.Integer(), nullable=False),
        sa.Column("max_projects", sa.Integer(), nullable=True),
        sa.Column("min_spend_percent", sa.Integer(), nullable=False),
        sa.Column("total_points", sa.Integer(), nullable=True),
        sa.Column("max_points_per_project", sa.Integer(), nullable=True),
        sa.Column("min_age", sa.Integer(), nullable=False),
        sa.Column(
            "required_level",
            sa.Enum(
                "declared",
                "verified",
                name="verificationlevel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_online_enabled", sa.Boolean(), nullable=False),
        sa.Column("is_paper_enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "counting_rule",
            sa.Enum(
                "greedy",
                "greedy-threshold",
                "mes",
                "mes-greedy",
                name="countingrule",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column(
            "tie_break",
            sa.Enum(
                "support-cost-order",
                "pabutools",
                name="tiebreak",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("frozen_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "ballot_type <> 'cumulative' OR (total_points >= 1 AND max_points_per_project >= 1 AND max_points_per_project <= total_points)",
            name=op.f("ck_vote_rules_cumulative_has_points"),
        ),
        sa.CheckConstraint(
            "threshold >= 0 AND (threshold = 0 OR counting_rule = 'greedy-threshold')",
            name=op.f("ck_vote_rules_threshold_with_rule"),
        ),
        sa.CheckConstraint(
            "is_online_enabled OR is_paper_enabled",
            name=op.f("ck_vote_rules_at_least_one_channel"),
        ),
        sa.CheckConstraint(
            "max_projects IS NULL OR (max_projects >= 1 AND max_projects >= min_projects)",
            name=op.f("ck_vote_rules_max_projects_above_min"),
        ),
        sa.CheckConstraint(
            "min_age BETWEEN 0 AND 120", name=op.f("ck_vote_rules_min_age_range")
        ),
        sa.CheckConstraint(
            "min_projects >= 0", name=op.f("ck_vote_rules_min_projects_positive")
        ),
        sa.CheckConstraint(
            "min_spend_percent BETWEEN 0 AND 100",
            name=op.f("ck_vote_rules_min_spend_percent_range"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_vote_rules_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_vote_rules_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_rules")),
        sa.UniqueConstraint("round_id", name=op.f("uq_vote_rules_round_id")),
    )
    op.create_table(
        "ballot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("envelope_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "online",
                "paper",
                "unknown",
                name="channel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "receipt_hash IS NULL OR length(receipt_hash) = 64",
            name=op.f("ck_ballot_receipt_hash_hex"),
        ),
        sa.ForeignKeyConstraint(
            ["envelope_id"],
            ["envelope.id"],
            name=op.f("fk_ballot_envelope_id_envelope"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ballot_envelope_id"), ["envelope_id"], unique=False
        )
        batch_op.create_index(
            "uq_ballot_receipt_hash",
            ["receipt_hash"],
            unique=True,
            sqlite_where=sa.text("receipt_hash IS NOT NULL"),
            postgresql_where=sa.text("receipt_hash IS NOT NULL"),
        )

    op.create_table(
        "idea",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("estimated_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("final_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("photo_name", sa.String(length=80), nullable=True),
        sa.Column("photo_alt", sa.String(length=200), nullable=True),
        sa.Column("association_name", sa.String(length=200), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on_behalf_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_recorded_at", sa.DateTime(), nullable=True),
        sa.Column("consent_note", sa.String(length=200), nullable=True),
        sa.Column("accepted_rules_at", sa.DateTime(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "submitted",
                "in_review",
                "eligible",
                "ineligible",
                "transferred",
                "merged",
                "withdrawn",
                "hidden",
                "selected",
                "not_selected",
                name="ideastate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("state_changed_at", sa.DateTime(), nullable=False),
        sa.Column("public_reason", sa.Text(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("transfer_service", sa.String(length=120), nullable=True),
        sa.Column(
            "transfer_status",
            sa.Enum(
                "sent",
                "acknowledged",
                "in_progress",
                "done",
                "declined",
                name="transferstatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("transfer_status_at", sa.DateTime(), nullable=True),
        sa.Column("submission_token", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(state = 'merged') = (merged_into_id IS NOT NULL)",
            name=op.f("ck_idea_merged_has_target"),
        ),
        sa.CheckConstraint(
            "state <> 'hidden' OR hidden_reason IS NOT NULL",
            name=op.f("ck_idea_hidden_has_reason"),
        ),
        sa.CheckConstraint(
            "state = 'draft' OR (state = 'withdrawn' AND submitted_at IS NULL) OR (territory_id IS NOT NULL AND submitted_at IS NOT NULL AND accepted_rules_at IS NOT NULL)",
            name=op.f("ck_idea_submitted_is_complete"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('eligible', 'selected', 'not_selected') OR final_cost IS NOT NULL",
            name=op.f("ck_idea_retained_has_final_cost"),
        ),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)",
            name=op.f("ck_idea_point_complete"),
        ),
        sa.CheckConstraint(
            "estimated_cost IS NULL OR estimated_cost >= 0",
            name=op.f("ck_idea_estimated_cost_positive"),
        ),
        sa.CheckConstraint(
            "final_cost IS NULL OR final_cost >= 0",
            name=op.f("ck_idea_final_cost_positive"),
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
            name=op.f("ck_idea_point_range"),
        ),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id",
            name=op.f("ck_idea_not_merged_into_self"),
        ),
        sa.CheckConstraint(
            "submitted_on_behalf_by_id IS NULL OR consent_recorded_at IS NOT NULL",
            name=op.f("ck_idea_relay_records_consent"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_idea_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["idea.id"],
            name=op.f("fk_idea_merged_into_id_idea"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "territory_id"],
            ["envelope.round_id", "envelope.territory_id"],
            name="fk_idea_round_territory_envelope",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_idea_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_on_behalf_by_id"],
            ["user.id"],
            name=op.f("fk_idea_submitted_on_behalf_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_idea_territory_id_territory"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea")),
        sa.UniqueConstraint("submission_token", name=op.f("uq_idea_submission_token")),
    )
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idea_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_idea_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(
            "ix_idea_round_id_state", ["round_id", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_idea_state"), ["state"], unique=False)
        batch_op.create_index(
            "ix_idea_submitted_at_id", ["submitted_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_idea_submitted_on_behalf_by_id"),
            ["submitted_on_behalf_by_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_idea_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "polling_desk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user.id"],
            name=op.f("fk_polling_desk_closed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["user.id"],
            name=op.f("fk_polling_desk_opened_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "territory_id"],
            ["envelope.round_id", "envelope.territory_id"],
            name="fk_polling_desk_round_territory_envelope",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_polling_desk_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_polling_desk_territory_id_territory"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polling_desk")),
    )
    with op.batch_alter_table("polling_desk", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_polling_desk_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "vote_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("envelope_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
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
            "rule",
            sa.Enum(
                "greedy",
                "greedy-threshold",
                "mes",
                "mes-greedy",
                name="countingrule",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column(
            "tie_break",
            sa.Enum(
                "support-cost-order",
                "pabutools",
                name="tiebreak",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("engine_version", sa.String(length=20), nullable=False),
        sa.Column("budget", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("allocated", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("amount_left", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("num_ballots", sa.Integer(), nullable=False),
        sa.Column("num_sign_ins", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("participation", sa.JSON(), nullable=False),
        sa.Column("support", sa.JSON(), nullable=False),
        sa.Column("winners", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("ballot_set_hash", sa.String(length=64), nullable=False),
        sa.Column("receipt_hashes", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("computed_by_id", sa.Integer(), nullable=True),
        sa.Column("certified_at", sa.DateTime(), nullable=True),
        sa.Column("certified_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(state = 'published') = (published_at IS NOT NULL)",
            name=op.f("ck_vote_result_published_has_date"),
        ),
        sa.CheckConstraint(
            "state = 'computed' OR certified_at IS NOT NULL",
            name=op.f("ck_vote_result_certified_has_date"),
        ),
        sa.CheckConstraint(
            "allocated >= 0 AND amount_left >= 0 AND allocated + amount_left = budget",
            name=op.f("ck_vote_result_money_adds_up"),
        ),
        sa.CheckConstraint(
            "num_ballots >= 0 AND num_sign_ins >= 0", name=op.f("ck_vote_result_counts")
        ),
        sa.ForeignKeyConstraint(
            ["certified_by_id"],
            ["user.id"],
            name=op.f("fk_vote_result_certified_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["computed_by_id"],
            ["user.id"],
            name=op.f("fk_vote_result_computed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["envelope_id"],
            ["envelope.id"],
            name=op.f("fk_vote_result_envelope_id_envelope"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user.id"],
            name=op.f("fk_vote_result_published_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_result")),
        sa.UniqueConstraint("envelope_id", name=op.f("uq_vote_result_envelope_id")),
    )
    op.create_table(
        "ballot_choice",
        sa.Column("ballot_id", sa.Uuid(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "points >= 0", name=op.f("ck_ballot_choice_points_positive")
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
            name=op.f("fk_ballot_choice_ballot_id_ballot"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_ballot_choice_idea_id_idea"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "idea_id", name=op.f("pk_ballot_choice")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "idea_co_author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("merged_from_idea_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_idea_co_author_idea_id_idea"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_from_idea_id"],
            ["idea.id"],
            name=op.f("fk_idea_co_author_merged_from_idea_id_idea"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_idea_co_author_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_co_author")),
        sa.UniqueConstraint(
            "idea_id", "user_id", name=op.f("uq_idea_co_author_idea_id_user_id")
        ),
    )
    with op.batch_alter_table("idea_co_author", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idea_co_author_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "idea_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("theme_rule_id", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("cost_estimate", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("feasibility_note", sa.Text(), nullable=False),
        sa.Column("land_owner", sa.String(length=200), nullable=False),
        sa.Column("land_maintainer", sa.String(length=200), nullable=False),
        sa.Column("public_justification", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "cost_estimate IS NULL OR cost_estimate >= 0",
            name=op.f("ck_idea_review_cost_positive"),
        ),
        sa.CheckConstraint(
            "submitted_at IS NULL OR assessment_id IS NOT NULL",
            name=op.f("ck_idea_review_submitted_has_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_idea_review_assessment_id_assessment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["user.id"],
            name=op.f("fk_idea_review_assigned_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_idea_review_idea_id_idea"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user.id"], name=op.f("fk_idea_review_reviewer_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["theme_rule_id"],
            ["review_theme_rule.id"],
            name=op.f("fk_idea_review_theme_rule_id_review_theme_rule"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_review")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_idea_review_assessment_id")),
        sa.UniqueConstraint("idea_id", name=op.f("uq_idea_review_idea_id")),
    )
    with op.batch_alter_table("idea_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idea_review_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "idea_state_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "submit",
                "withdraw",
                "start_review",
                "retain",
                "declare_ineligible",
                "transfer",
                "merge",
                "hide",
                "unhide",
                "reopen",
                "select",
                "not_select",
                name="ideaaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_state",
            sa.Enum(
                "draft",
                "submitted",
                "in_review",
                "eligible",
                "ineligible",
                "transferred",
                "merged",
                "withdrawn",
                "hidden",
                "selected",
                "not_selected",
                name="ideastate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "draft",
                "submitted",
                "in_review",
                "eligible",
                "ineligible",
                "transferred",
                "merged",
                "withdrawn",
                "hidden",
                "selected",
                "not_selected",
                name="ideastate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_idea_state_change_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_idea_state_change_idea_id_idea"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_state_change")),
    )
    with op.batch_alter_table("idea_state_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idea_state_change_idea_id"), ["idea_id"], unique=False
        )

    op.create_table(
        "idea_theme",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_idea_theme_idea_id_idea"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_idea_theme_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", "theme_id", name=op.f("pk_idea_theme")),
    )
    op.create_table(
        "paper_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("declared_count", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "first_keyed",
                "second_keyed",
                "reconciled",
                "deposited",
                "cancelled",
                name="batchstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("form_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("valid_count", sa.Integer(), nullable=True),
        sa.Column("blank_count", sa.Integer(), nullable=True),
        sa.Column("void_count", sa.Integer(), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(), nullable=True),
        sa.Column("deposited_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_paper_batch_cancelled_has_date"),
        ),
        sa.CheckConstraint(
            "(state = 'deposited') = (deposited_at IS NOT NULL)",
            name=op.f("ck_paper_batch_deposited_has_date"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'first_keyed', 'second_keyed', 'reconciled', 'deposited', 'cancelled')",
            name=op.f("ck_paper_batch_state_known"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('reconciled', 'deposited') OR (valid_count IS NOT NULL AND reconciled_at IS NOT NULL)",
            name=op.f("ck_paper_batch_settled_has_counts"),
        ),
        sa.CheckConstraint(
            "(valid_count IS NULL AND blank_count IS NULL AND void_count IS NULL) OR (valid_count >= 0 AND blank_count >= 0 AND void_count >= 0 AND valid_count + blank_count + void_count = declared_count)",
            name=op.f("ck_paper_batch_counts_add_up"),
        ),
        sa.CheckConstraint(
            "declared_count BETWEEN 1 AND 100",
            name=op.f("ck_paper_batch_declared_count_range"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_paper_batch_number_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_paper_batch_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["desk_id"],
            ["polling_desk.id"],
            name=op.f("fk_paper_batch_desk_id_polling_desk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_batch")),
        sa.UniqueConstraint(
            "desk_id", "number", name=op.f("uq_paper_batch_desk_id_number")
        ),
        sa.UniqueConstraint("form_token", name=op.f("uq_paper_batch_form_token")),
    )
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_batch_desk_id"), ["desk_id"], unique=False
        )

    op.create_table(
        "sign_in",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "online",
                "paper",
                "unknown",
                name="channel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("desk_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "(channel = 'paper') = (desk_id IS NOT NULL)",
            name=op.f("ck_sign_in_paper_at_a_desk"),
        ),
        sa.CheckConstraint(
            "channel IN ('online', 'paper')", name=op.f("ck_sign_in_channel_known")
        ),
        sa.ForeignKeyConstraint(
            ["desk_id"],
            ["polling_desk.id"],
            name=op.f("fk_sign_in_desk_id_polling_desk"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["user.id"], name=op.f("fk_sign_in_person_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_sign_in_recorded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "territory_id"],
            ["envelope.round_id", "envelope.territory_id"],
            name="fk_sign_in_round_territory_envelope",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_sign_in_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_sign_in_territory_id_territory"),
        ),
        sa.PrimaryKeyConstraint("round_id", "person_id", name=op.f("pk_sign_in")),
    )
    with op.batch_alter_table("sign_in", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_desk_id"), ["desk_id"], unique=False
        )
        batch_op.create_index(
            "ix_sign_in_round_id_territory_id",
            ["round_id", "territory_id"],
            unique=False,
        )

    op.create_table(
        "paper_batch_state_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "finish_keying",
                "reconcile",
                "deposit",
                "cancel",
                name="batchaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_state",
            sa.Enum(
                "open",
                "first_keyed",
                "second_keyed",
                "reconciled",
                "deposited",
                "cancelled",
                name="batchstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "open",
                "first_keyed",
                "second_keyed",
                "reconciled",
                "deposited",
                "cancelled",
                name="batchstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=300), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_paper_batch_state_change_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["paper_batch.id"],
            name=op.f("fk_paper_batch_state_change_batch_id_paper_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_batch_state_change")),
    )
    with op.batch_alter_table("paper_batch_state_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_batch_state_change_batch_id"),
            ["batch_id"],
            unique=False,
        )

    op.create_table(
        "paper_keying",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("pass_number", sa.Integer(), nullable=False),
        sa.Column("keyer_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "pass_number IN (1, 2)", name=op.f("ck_paper_keying_pass_number_known")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["paper_batch.id"],
            name=op.f("fk_paper_keying_batch_id_paper_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["keyer_id"],
            ["user.id"],
            name=op.f("fk_paper_keying_keyer_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_keying")),
        sa.UniqueConstraint(
            "batch_id", "keyer_id", name=op.f("uq_paper_keying_batch_id_keyer_id")
        ),
        sa.UniqueConstraint(
            "batch_id", "pass_number", name=op.f("uq_paper_keying_batch_id_pass_number")
        ),
    )
    with op.batch_alter_table("paper_keying", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_keying_keyer_id"), ["keyer_id"], unique=False
        )

    op.create_table(
        "paper_resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "mark",
            sa.Enum(
                "valid", "blank", "void", name="mark", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("choices", sa.String(length=2000), nullable=False),
        sa.Column(
            "void_reason",
            sa.Enum(
                "too_many",
                "rules",
                "unreadable",
                "identifying_mark",
                "not_official",
                name="voidreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(mark = 'valid') = (choices <> '')",
            name=op.f("ck_paper_resolution_valid_has_choices"),
        ),
        sa.CheckConstraint(
            "(mark = 'void') = (void_reason IS NOT NULL)",
            name=op.f("ck_paper_resolution_void_has_reason"),
        ),
        sa.CheckConstraint(
            "mark IN ('valid', 'blank', 'void')",
            name=op.f("ck_paper_resolution_mark_known"),
        ),
        sa.CheckConstraint(
            "position >= 1", name=op.f("ck_paper_resolution_position_positive")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["paper_batch.id"],
            name=op.f("fk_paper_resolution_batch_id_paper_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user.id"],
            name=op.f("fk_paper_resolution_resolved_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_resolution")),
        sa.UniqueConstraint(
            "batch_id", "position", name=op.f("uq_paper_resolution_batch_id_position")
        ),
    )
    op.create_table(
        "paper_keyed_ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("keying_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "mark",
            sa.Enum(
                "valid", "blank", "void", name="mark", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("choices", sa.String(length=2000), nullable=False),
        sa.Column(
            "void_reason",
            sa.Enum(
                "too_many",
                "rules",
                "unreadable",
                "identifying_mark",
                "not_official",
                name="voidreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "(mark = 'valid') = (choices <> '')",
            name=op.f("ck_paper_keyed_ballot_valid_has_choices"),
        ),
        sa.CheckConstraint(
            "(mark = 'void') = (void_reason IS NOT NULL)",
            name=op.f("ck_paper_keyed_ballot_void_has_reason"),
        ),
        sa.CheckConstraint(
            "mark IN ('valid', 'blank', 'void')",
            name=op.f("ck_paper_keyed_ballot_mark_known"),
        ),
        sa.CheckConstraint(
            "position >= 1", name=op.f("ck_paper_keyed_ballot_position_positive")
        ),
        sa.ForeignKeyConstraint(
            ["keying_id"],
            ["paper_keying.id"],
            name=op.f("fk_paper_keyed_ballot_keying_id_paper_keying"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_keyed_ballot")),
        sa.UniqueConstraint(
            "keying_id",
            "position",
            name=op.f("uq_paper_keyed_ballot_keying_id_position"),
        ),
    )
    # ### end Alembic commands ###

    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("paper_keyed_ballot")
    op.drop_table("paper_resolution")
    with op.batch_alter_table("paper_keying", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_keying_keyer_id"))

    op.drop_table("paper_keying")
    with op.batch_alter_table("paper_batch_state_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_batch_state_change_batch_id"))

    op.drop_table("paper_batch_state_change")
    with op.batch_alter_table("sign_in", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_round_id_territory_id")
        batch_op.drop_index(batch_op.f("ix_sign_in_desk_id"))

    op.drop_table("sign_in")
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_batch_desk_id"))

    op.drop_table("paper_batch")
    op.drop_table("idea_theme")
    with op.batch_alter_table("idea_state_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_state_change_idea_id"))

    op.drop_table("idea_state_change")
    with op.batch_alter_table("idea_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_review_reviewer_id"))

    op.drop_table("idea_review")
    with op.batch_alter_table("idea_co_author", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_co_author_user_id"))

    op.drop_table("idea_co_author")
    op.drop_table("ballot_choice")
    op.drop_table("vote_result")
    with op.batch_alter_table("polling_desk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polling_desk_round_id"))

    op.drop_table("polling_desk")
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_territory_id"))
        batch_op.drop_index(batch_op.f("ix_idea_submitted_on_behalf_by_id"))
        batch_op.drop_index("ix_idea_submitted_at_id")
        batch_op.drop_index(batch_op.f("ix_idea_state"))
        batch_op.drop_index("ix_idea_round_id_state")
        batch_op.drop_index(batch_op.f("ix_idea_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_idea_author_id"))

    op.drop_table("idea")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_ballot_receipt_hash",
            sqlite_where=sa.text("receipt_hash IS NOT NULL"),
            postgresql_where=sa.text("receipt_hash IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_ballot_envelope_id"))

    op.drop_table("ballot")
    op.drop_table("vote_rules")
    op.drop_table("round_theme")
    op.drop_table("round_review")
    with op.batch_alter_table("review_theme_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_theme_rule_round_id"))

    op.drop_table("review_theme_rule")
    with op.batch_alter_table("envelope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_envelope_territory_id"))

    op.drop_table("envelope")
    with op.batch_alter_table("assessment_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_answer_criterion_id")

    op.drop_table("assessment_answer")
    op.drop_table("round")
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criterion_version_id"))

    op.drop_table("criterion")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_subject")
        batch_op.drop_index(batch_op.f("ix_assessment_grid_version_id"))

    op.drop_table("assessment")
    op.drop_table("grid_version")
    op.drop_table("user_role")
    with op.batch_alter_table("resident_verification", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_resident_verification_active",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_resident_verification_user_id"))

    op.drop_table("resident_verification")
    op.drop_table("grid")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_territory_id"))

    op.drop_table("user")
    with op.batch_alter_table("territory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territory_commune_id"))

    op.drop_table("territory")
    op.drop_table("theme")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_to_address"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_sent_at"))

    op.drop_table("outbox_message")
    op.drop_table("commune")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_object")
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
    # ### end Alembic commands ###
