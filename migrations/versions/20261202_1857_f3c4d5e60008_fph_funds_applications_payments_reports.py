"""FPH: funds, funders, règlements, applications, budget lines, payments, reports.

Tables: fph_fund (balance CHECK >= 0 and <= envelope), fph_fund_funder,
fph_reglement (one in force per fund: partial unique index), fph_application
(+ members, themes, budget lines, state changes), fph_payment, fph_report
(+ expenses, files). Only tables, indexes and CHECK constraints: no trigger.

Revision ID: f3c4d5e60008
Revises: f1a2b3c40006
Create Date: 2026-12-02 18:57:10.877395

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3c4d5e60008"
down_revision = "f1a2b3c40006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fph_fund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=True),
        sa.Column("managing_body", sa.String(length=200), nullable=False),
        sa.Column("envelope", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("balance", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("cap_per_project", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("max_share_percent", sa.Integer(), nullable=False),
        sa.Column("max_grants_per_group", sa.Integer(), nullable=False),
        sa.Column("min_group_adults", sa.Integer(), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column("help_text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "balance <= envelope", name=op.f("ck_fph_fund_balance_within_envelope")
        ),
        sa.CheckConstraint(
            "balance >= 0", name=op.f("ck_fph_fund_balance_not_negative")
        ),
        sa.CheckConstraint(
            "cap_per_project > 0", name=op.f("ck_fph_fund_cap_positive")
        ),
        sa.CheckConstraint(
            "deadline_days BETWEEN 0 AND 365", name=op.f("ck_fph_fund_deadline_range")
        ),
        sa.CheckConstraint("envelope >= 0", name=op.f("ck_fph_fund_envelope_positive")),
        sa.CheckConstraint(
            "max_grants_per_group >= 1", name=op.f("ck_fph_fund_max_grants_positive")
        ),
        sa.CheckConstraint(
            "max_share_percent BETWEEN 1 AND 100",
            name=op.f("ck_fph_fund_max_share_range"),
        ),
        sa.CheckConstraint(
            "min_group_adults >= 1", name=op.f("ck_fph_fund_min_adults_positive")
        ),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2100", name=op.f("ck_fph_fund_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
            name=op.f("fk_fph_fund_council_id_council"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_fph_fund_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_fph_fund_territory_id_territory"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_fund")),
        sa.UniqueConstraint(
            "territory_id", "year", name=op.f("uq_fph_fund_territory_id_year")
        ),
    )
    with op.batch_alter_table("fph_fund", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_fund_council_id"), ["council_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fph_fund_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "fph_fund_funder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "state",
                "commune",
                "epci",
                "region",
                "other",
                name="funderkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("share_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.CheckConstraint(
            "kind IN ('state', 'commune', 'epci', 'region', 'other')",
            name=op.f("ck_fph_fund_funder_kind_known"),
        ),
        sa.CheckConstraint(
            "share_percent > 0 AND share_percent <= 100",
            name=op.f("ck_fph_fund_funder_share_range"),
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["fph_fund.id"],
            name=op.f("fk_fph_fund_funder_fund_id_fph_fund"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_fund_funder")),
        sa.UniqueConstraint(
            "fund_id", "name", name=op.f("uq_fph_fund_funder_fund_id_name")
        ),
    )
    with op.batch_alter_table("fph_fund_funder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_fund_funder_fund_id"), ["fund_id"], unique=False
        )

    op.create_table(
        "fph_reglement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("adopted_by", sa.String(length=300), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("is_in_force", sa.Boolean(), nullable=False),
        sa.Column("in_force_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "NOT is_in_force OR in_force_at IS NOT NULL",
            name=op.f("ck_fph_reglement_in_force_has_date"),
        ),
        sa.CheckConstraint(
            "version >= 1", name=op.f("ck_fph_reglement_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_fph_reglement_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["fph_fund.id"],
            name=op.f("fk_fph_reglement_fund_id_fph_fund"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_reglement")),
        sa.UniqueConstraint(
            "fund_id", "version", name=op.f("uq_fph_reglement_fund_id_version")
        ),
    )
    with op.batch_alter_table("fph_reglement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_reglement_fund_id"), ["fund_id"], unique=False
        )
        batch_op.create_index(
            "uq_fph_reglement_one_in_force",
            ["fund_id"],
            unique=True,
            sqlite_where=sa.text("is_in_force"),
            postgresql_where=sa.text("is_in_force"),
        )

    op.create_table(
        "fph_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "submitted",
                "complete",
                "incomplete",
                "scheduled",
                "granted",
                "granted_partially",
                "deferred",
                "refused",
                "paid_advance",
                "report_due",
                "report_submitted",
                "closed",
                "repayment_requested",
                "withdrawn",
                name="applicationstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("state_changed_at", sa.DateTime(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "online", "relay", "paper", name="channel", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_note", sa.String(length=300), nullable=True),
        sa.Column("reglement_id", sa.Integer(), nullable=True),
        sa.Column("reglement_accepted_at", sa.DateTime(), nullable=True),
        sa.Column(
            "applicant_kind",
            sa.Enum(
                "informal_group",
                "association",
                name="applicantkind",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("rna", sa.String(length=10), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("members_count", sa.Integer(), nullable=True),
        sa.Column("adults_count", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("expected_participants", sa.Integer(), nullable=True),
        sa.Column("amount_requested", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("holder_iban", sa.String(length=34), nullable=True),
        sa.Column("holder_bic", sa.String(length=11), nullable=True),
        sa.Column("holder_address", sa.String(length=300), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("missing_note", sa.Text(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("deliberation_id", sa.Integer(), nullable=True),
        sa.Column("amount_granted", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "NOT (state IN ('closed', 'granted', 'granted_partially', 'paid_advance',"
            " 'repayment_requested', 'report_due', 'report_submitted'))"
            " OR amount_granted IS NOT NULL",
            name=op.f("ck_fph_application_granted_has_amount"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'withdrawn')"
            " OR (reference IS NOT NULL AND submitted_at IS NOT NULL)",
            name=op.f("ck_fph_application_filed_has_reference"),
        ),
        sa.CheckConstraint(
            "applicant_kind IS NULL OR applicant_kind <> 'association' OR rna IS NOT NULL OR siret IS NOT NULL",
            name=op.f("ck_fph_application_association_identified"),
        ),
        sa.CheckConstraint(
            "channel IN ('online', 'relay', 'paper')",
            name=op.f("ck_fph_application_channel_known"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'complete', 'incomplete', 'scheduled', 'granted', 'granted_partially', 'deferred', 'refused', 'paid_advance', 'report_due', 'report_submitted', 'closed', 'repayment_requested', 'withdrawn')",
            name=op.f("ck_fph_application_state_known"),
        ),
        sa.CheckConstraint(
            "adults_count IS NULL OR members_count IS NULL OR (adults_count >= 0 AND adults_count <= members_count)",
            name=op.f("ck_fph_application_adults_within_members"),
        ),
        sa.CheckConstraint(
            "amount_granted IS NULL OR (amount_granted > 0 AND amount_requested IS NOT NULL AND amount_granted <= amount_requested)",
            name=op.f("ck_fph_application_granted_within_requested"),
        ),
        sa.CheckConstraint(
            "amount_requested IS NULL OR amount_requested > 0",
            name=op.f("ck_fph_application_requested_positive"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_fph_application_dates_ordered"),
        ),
        sa.CheckConstraint(
            "expected_participants IS NULL OR expected_participants >= 0",
            name=op.f("ck_fph_application_participants_positive"),
        ),
        sa.CheckConstraint(
            "reglement_id IS NULL OR reglement_accepted_at IS NOT NULL",
            name=op.f("ck_fph_application_reglement_acceptance_dated"),
        ),
        sa.CheckConstraint(
            "step BETWEEN 0 AND 6", name=op.f("ck_fph_application_step_range")
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["council_agenda_item.id"],
            name=op.f("fk_fph_application_agenda_item_id_council_agenda_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deliberation_id"],
            ["council_deliberation.id"],
            name=op.f("fk_fph_application_deliberation_id_council_deliberation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"],
            ["user.id"],
            name=op.f("fk_fph_application_filed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["fph_fund.id"],
            name=op.f("fk_fph_application_fund_id_fph_fund"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["council_meeting.id"],
            name=op.f("fk_fph_application_meeting_id_council_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_fph_application_owner_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reglement_id"],
            ["fph_reglement.id"],
            name=op.f("fk_fph_application_reglement_id_fph_reglement"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_application")),
        sa.UniqueConstraint(
            "agenda_item_id", name=op.f("uq_fph_application_agenda_item_id")
        ),
        sa.UniqueConstraint("reference", name=op.f("uq_fph_application_reference")),
    )
    with op.batch_alter_table("fph_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_application_filed_by_id"), ["filed_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fph_application_fund_id"), ["fund_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fph_application_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fph_application_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fph_application_state"), ["state"], unique=False
        )

    op.create_table(
        "fph_application_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["fph_application.id"],
            name=op.f("fk_fph_application_member_application_id_fph_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_fph_application_member_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_application_member")),
    )
    with op.batch_alter_table("fph_application_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_application_member_application_id"),
            ["application_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_fph_application_member_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "fph_application_state_change",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "submit",
                "mark_complete",
                "mark_incomplete",
                "resubmit",
                "schedule",
                "unschedule",
                "grant",
                "grant_partially",
                "defer",
                "refuse",
                "pay_advance",
                "request_report",
                "submit_report",
                "close",
                "request_repayment",
                "withdraw",
                name="applicationaction",
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
                "complete",
                "incomplete",
                "scheduled",
                "granted",
                "granted_partially",
                "deferred",
                "refused",
                "paid_advance",
                "report_due",
                "report_submitted",
                "closed",
                "repayment_requested",
                "withdrawn",
                name="applicationstate",
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
                "complete",
                "incomplete",
                "scheduled",
                "granted",
                "granted_partially",
                "deferred",
                "refused",
                "paid_advance",
                "report_due",
                "report_submitted",
                "closed",
                "repayment_requested",
                "withdrawn",
                name="applicationstate",
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
            name=op.f("fk_fph_application_state_change_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["fph_application.id"],
            name=op.f("fk_fph_application_state_change_application_id_fph_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_application_state_change")),
    )
    with op.batch_alter_table("fph_application_state_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_application_state_change_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "fph_application_theme",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["fph_application.id"],
            name=op.f("fk_fph_application_theme_application_id_fph_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_fph_application_theme_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "theme_id", name=op.f("pk_fph_application_theme")
        ),
    )
    op.create_table(
        "fph_budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "expense",
                "resource",
                name="budgetlinekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint(
            "kind IN ('expense', 'resource')",
            name=op.f("ck_fph_budget_line_kind_known"),
        ),
        sa.CheckConstraint(
            "amount > 0", name=op.f("ck_fph_budget_line_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["fph_application.id"],
            name=op.f("fk_fph_budget_line_application_id_fph_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_budget_line")),
        sa.UniqueConstraint(
            "application_id",
            "kind",
            "position",
            name=op.f("uq_fph_budget_line_application_id_kind_position"),
        ),
    )
    with op.batch_alter_table("fph_budget_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_budget_line_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "fph_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "advance",
                "balance",
                "repayment",
                name="paymentkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('advance', 'balance', 'repayment')",
            name=op.f("ck_fph_payment_kind_known"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_fph_payment_amount_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["fph_application.id"],
            name=op.f("fk_fph_payment_application_id_fph_application"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_fph_payment_recorded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_payment")),
        sa.UniqueConstraint(
            "application_id", "kind", name=op.f("uq_fph_payment_application_id_kind")
        ),
    )
    with op.batch_alter_table("fph_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_payment_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "fph_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("actual_participants", sa.Integer(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("is_photo_consent", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "verdict",
            sa.Enum(
                "conform", "not_conform", name="verdict", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("verdict_note", sa.Text(), nullable=True),
        sa.Column("verdict_at", sa.DateTime(), nullable=True),
        sa.Column("verdict_meeting_id", sa.Integer(), nullable=True),
        sa.Column("repayment_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.CheckConstraint(
            "repayment_amount IS NULL OR (repayment_amount > 0 AND verdict = 'not_conform')",
            name=op.f("ck_fph_report_repayment_when_not_conform"),
        ),
        sa.CheckConstraint(
            "verdict IS NULL OR verdict IN ('conform', 'not_conform')",
            name=op.f("ck_fph_report_verdict_known"),
        ),
        sa.CheckConstraint(
            "(verdict IS NULL) = (verdict_at IS NULL)",
            name=op.f("ck_fph_report_verdict_dated"),
        ),
        sa.CheckConstraint(
            "actual_participants IS NULL OR actual_participants >= 0",
            name=op.f("ck_fph_report_participants_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["fph_application.id"],
            name=op.f("fk_fph_report_application_id_fph_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user.id"],
            name=op.f("fk_fph_report_submitted_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["verdict_meeting_id"],
            ["council_meeting.id"],
            name=op.f("fk_fph_report_verdict_meeting_id_council_meeting"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_report")),
        sa.UniqueConstraint(
            "application_id", name=op.f("uq_fph_report_application_id")
        ),
    )
    op.create_table(
        "fph_report_expense",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("budget_line_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_fph_report_expense_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["budget_line_id"],
            ["fph_budget_line.id"],
            name=op.f("fk_fph_report_expense_budget_line_id_fph_budget_line"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["fph_report.id"],
            name=op.f("fk_fph_report_expense_report_id_fph_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_report_expense")),
    )
    with op.batch_alter_table("fph_report_expense", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_report_expense_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "fph_report_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receipt", "photo", name="reportfilekind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')",
            name=op.f("ck_fph_report_file_content_type_known"),
        ),
        sa.CheckConstraint(
            "kind = 'photo' OR NOT is_public",
            name=op.f("ck_fph_report_file_receipt_never_public"),
        ),
        sa.CheckConstraint(
            "kind IN ('receipt', 'photo')", name=op.f("ck_fph_report_file_kind_known")
        ),
        sa.CheckConstraint(
            "size_bytes > 0", name=op.f("ck_fph_report_file_size_positive")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["fph_report.id"],
            name=op.f("fk_fph_report_file_report_id_fph_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user.id"],
            name=op.f("fk_fph_report_file_uploaded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fph_report_file")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_fph_report_file_stored_name")),
    )
    with op.batch_alter_table("fph_report_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fph_report_file_report_id"), ["report_id"], unique=False
        )



def downgrade():
    with op.batch_alter_table("fph_report_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_report_file_report_id"))

    op.drop_table("fph_report_file")
    with op.batch_alter_table("fph_report_expense", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_report_expense_report_id"))

    op.drop_table("fph_report_expense")
    op.drop_table("fph_report")
    with op.batch_alter_table("fph_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_payment_application_id"))

    op.drop_table("fph_payment")
    with op.batch_alter_table("fph_budget_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_budget_line_application_id"))

    op.drop_table("fph_budget_line")
    op.drop_table("fph_application_theme")
    with op.batch_alter_table("fph_application_state_change", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_fph_application_state_change_application_id")
        )

    op.drop_table("fph_application_state_change")
    with op.batch_alter_table("fph_application_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_application_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_fph_application_member_application_id"))

    op.drop_table("fph_application_member")
    with op.batch_alter_table("fph_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_application_state"))
        batch_op.drop_index(batch_op.f("ix_fph_application_owner_id"))
        batch_op.drop_index(batch_op.f("ix_fph_application_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_fph_application_fund_id"))
        batch_op.drop_index(batch_op.f("ix_fph_application_filed_by_id"))

    op.drop_table("fph_application")
    with op.batch_alter_table("fph_reglement", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_fph_reglement_one_in_force",
            sqlite_where=sa.text("is_in_force"),
            postgresql_where=sa.text("is_in_force"),
        )
        batch_op.drop_index(batch_op.f("ix_fph_reglement_fund_id"))

    op.drop_table("fph_reglement")
    with op.batch_alter_table("fph_fund_funder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_fund_funder_fund_id"))

    op.drop_table("fph_fund_funder")
    with op.batch_alter_table("fph_fund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fph_fund_territory_id"))
        batch_op.drop_index(batch_op.f("ix_fph_fund_council_id"))

    op.drop_table("fph_fund")
