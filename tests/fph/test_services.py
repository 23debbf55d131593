"""Services: funds and funders, règlement versions, the steps, submission with a
receipt number and a committee, review, withdrawal, and the bad input of the issue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import OutboxMessage
from participation.core.time import utcnow
from participation.council.states import AgendaItemKind
from participation.fph import services
from participation.fph.models import Fund
from participation.fph.states import (
    ApplicantKind,
    ApplicationAction,
    ApplicationState,
    FunderKind,
)
from tests.fph.conftest import BAD_SIRET, GOOD_SIRET, expense

S = ApplicationState
D = Decimal


def _errors(excinfo: pytest.ExceptionInfo[FieldErrors]) -> set[str | None]:
    return set(excinfo.value.messages_by_field())


def test_a_fund_starts_with_its_envelope_as_balance(fund) -> None:
    assert fund.balance == fund.envelope == D("3000.00")
    assert fund.cap_per_project == D("1000.00")
    assert fund.max_share_percent == 80


def test_one_fund_per_neighbourhood_and_year(db, fund) -> None:
    data = services.FundData(
        name="Bis", year=fund.year, territory_id=fund.territory_id, envelope=D("10")
    )
    with pytest.raises(FieldErrors) as excinfo:
        services.create_fund(data, SYSTEM)
    assert _errors(excinfo) == {"year"}


def test_residents_cannot_create_a_fund(db, resident, fund) -> None:
    data = services.FundData(
        name="X", year=2030, territory_id=fund.territory_id, envelope=D("10")
    )
    with pytest.raises(PermissionDenied):
        services.create_fund(data, resident)


def test_the_balance_cannot_go_negative_in_the_database(db, fund) -> None:
    fund.balance = D("-1.00")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_funders_shares_add_up_to_at_most_100(db, fund) -> None:
    services.set_funders(
        fund,
        [
            services.FunderData("État", FunderKind.STATE, D("50")),
            services.FunderData("Ville d'Alès", FunderKind.COMMUNE, D("50")),
        ],
        SYSTEM,
    )
    assert [f.name for f in fund.funders] == ["État", "Ville d'Alès"]
    with pytest.raises(FieldErrors) as excinfo:
        services.set_funders(
            fund,
            [
                services.FunderData("État", FunderKind.STATE, D("60")),
                services.FunderData("Agglo", FunderKind.EPCI, D("50")),
            ],
            SYSTEM,
        )
    assert _errors(excinfo) == {"funders"}


def test_a_new_reglement_version_replaces_the_one_in_force(db, fund) -> None:
    first = fund.reglement_in_force
    second = services.adopt_reglement(
        fund, "Nouveau texte", "Délibération 2026-80", date(2026, 6, 1), SYSTEM
    )
    assert second.version == first.version + 1
    assert fund.reglement_in_force is second
    assert not first.is_in_force


def test_the_accepted_version_is_stored_and_must_be_in_force_to_submit(
    db, fund, make_application, resident
) -> None:
    application = make_application(fund)
    assert application.reglement_id == fund.reglement_in_force.id
    assert application.reglement_accepted_at is not None
    services.adopt_reglement(fund, "V2", "Délibération", date(2026, 6, 1), SYSTEM)
    assert 1 in services.missing_steps(application)
    with pytest.raises(FieldErrors):
        services.submit_application(application, resident)


def test_the_reglement_must_be_ticked(db, fund, resident) -> None:
    application = services.start_application(fund, resident)
    with pytest.raises(FieldErrors) as excinfo:
        services.accept_reglement(application, False, resident)
    assert _errors(excinfo) == {"accept"}
    assert application.step == 0


def test_a_group_of_fewer_than_three_adults_is_refused(db, fund, resident) -> None:
    application = services.start_application(fund, resident)
    data = services.ApplicantData(
        kind=ApplicantKind.INFORMAL_GROUP,
        contact_name="Awa",
        contact_phone="0601020304",
        members_count=4,
        adult_names=["Awa", "Marc"],
    )
    with pytest.raises(FieldErrors) as excinfo:
        services.save_applicant(application, data, resident)
    assert "adult_names" in _errors(excinfo)
    assert application.applicant_kind is None


def test_an_association_needs_a_valid_rna_or_siret(db, fund, resident) -> None:
    application = services.start_application(fund, resident)

    def data(**values: str) -> services.ApplicantData:
        return services.ApplicantData(
            kind=ApplicantKind.ASSOCIATION,
            name="Les Jardins du Quartier",
            contact_name="Awa",
            contact_email="awa@example.test",
            **values,
        )

    for values, field in (
        ({}, "rna"),
        ({"rna": "W12345"}, "rna"),
        ({"siret": BAD_SIRET}, "siret"),
    ):
        with pytest.raises(FieldErrors) as excinfo:
            services.save_applicant(application, data(**values), resident)
        assert field in _errors(excinfo)
    services.save_applicant(application, data(siret="732 829 320 00074"), resident)
    assert application.siret == GOOD_SIRET
    services.save_applicant(application, data(rna="w302001234"), resident)
    assert application.rna == "W302001234"


def test_budget_lines_must_balance_and_stay_within_cap_and_share(
    db, fund, make_application, resident
) -> None:
    application = make_application(fund, upto=3)
    cases = [
        ([expense("Repas", "800")], [expense("Habitants", "100")], "600", "resources"),
        (
            [expense("Car", "2000")],
            [expense("Autre", "800")],
            "1200",
            "amount_requested",
        ),
        (
            [expense("Repas", "500")],
            [expense("Habitants", "50")],
            "450",
            "amount_requested",
        ),
    ]
    for expenses, resources, requested, field in cases:
        with pytest.raises(FieldErrors) as excinfo:
            services.save_budget(
                application, expenses, resources, D(requested), resident
            )
        assert field in _errors(excinfo)
    assert application.budget_lines == []
    services.save_budget(
        application,
        [expense("Repas", "600"), expense("Tables", "150")],
        [expense("Habitants", "150")],
        D("600"),
        resident,
    )
    assert application.total_expenses == D("750.00")
    assert application.step == 4


def test_a_line_without_its_amount_is_named(
    db, fund, make_application, resident
) -> None:
    application = make_application(fund, upto=3)
    with pytest.raises(FieldErrors) as excinfo:
        services.save_budget(
            application,
            [services.LineData("Repas", None), expense("Tables", "150")],
            [],
            D("100"),
            resident,
        )
    assert _errors(excinfo) == {"expense_amount_0"}


def test_a_bad_iban_is_refused(db, fund, make_application, resident) -> None:
    application = make_application(fund, upto=4)
    with pytest.raises(FieldErrors) as excinfo:
        services.save_holder(
            application,
            services.HolderData(name="Awa", iban="FR7630006000011234567890188"),
            resident,
        )
    assert _errors(excinfo) == {"holder_iban"}


def test_submission_gives_a_receipt_and_the_next_committee_meeting_the_deadline(
    db, fund, make_application, make_committee, resident
) -> None:
    too_soon = make_committee(fund, days=10)  # deadline (30 days before) passed
    next_one = make_committee(fund, days=45)
    application = make_application(fund)
    entry = services.submit_application(application, resident)
    assert application.state is S.SUBMITTED
    assert application.reference == f"FPH-{fund.year}-{application.id:05d}"
    assert entry is not None
    assert entry.meeting is next_one
    assert application.meeting_id == next_one.id != too_soon.id
    mail = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.to_address for m in mail] == ["awa@example.test"]
    assert application.reference in mail[0].subject


def test_an_action_before_the_committee_is_refused_with_the_date(
    db, fund, make_application, make_committee, resident
) -> None:
    make_committee(fund, days=45)
    application = make_application(
        fund, starts_on=(utcnow() + timedelta(days=40)).date()
    )
    with pytest.raises(FieldErrors) as excinfo:
        services.submit_application(application, resident)
    assert _errors(excinfo) == {"starts_on"}
    assert application.state is S.DRAFT
    assert application.reference is None


def test_without_a_committee_the_file_waits_for_a_date(
    db, fund, make_application, resident
) -> None:
    application = make_application(fund, submit=True)
    assert application.meeting_id is None
    assert application.state is S.SUBMITTED


def test_staff_marks_complete_and_the_file_goes_on_the_agenda(
    db, fund, make_application, make_committee, staff
) -> None:
    meeting = make_committee(fund)
    application = make_application(fund, submit=True)
    services.mark_complete(application, staff)
    assert application.state is S.SCHEDULED
    item = application.agenda_item
    assert item is not None
    assert item.meeting_id == meeting.id
    assert item.kind is AgendaItemKind.FPH_FILE
    assert application.reference in item.title
    assert [h.to_state for h in application.history] == [
        S.SUBMITTED,
        S.COMPLETE,
        S.SCHEDULED,
    ]


def test_incomplete_goes_back_with_what_is_missing_and_can_be_resubmitted(
    db, fund, make_application, make_committee, staff, resident
) -> None:
    make_committee(fund)
    application = make_application(fund, submit=True)
    with pytest.raises(FieldErrors):
        services.mark_incomplete(application, "  ", staff)
    services.mark_incomplete(application, "Le devis du traiteur.", staff)
    assert application.state is S.INCOMPLETE
    subjects = [m.subject for m in db.session.scalars(sa.select(OutboxMessage))]
    assert any("incomplete" in s for s in subjects)
    assert services.can_edit_application(resident, application)
    services.submit_application(application, resident)
    assert application.state is S.SUBMITTED
    assert application.missing_note is None


def test_residents_cannot_review(db, fund, make_application, resident) -> None:
    application = make_application(fund, submit=True)
    with pytest.raises(PermissionDenied):
        services.mark_complete(application, resident)


def test_a_submitted_file_is_no_longer_editable(
    db, fund, make_application, resident
) -> None:
    application = make_application(fund, submit=True)
    with pytest.raises(Conflict):
        services.save_holder(application, services.HolderData(name="X"), resident)


def test_someone_else_cannot_touch_a_draft(
    db, fund, make_application, make_user
) -> None:
    application = make_application(fund, upto=1)
    with pytest.raises(PermissionDenied):
        services.accept_reglement(application, True, make_user())


def test_withdrawing_a_scheduled_file_takes_it_off_the_agenda(
    db, fund, make_application, make_committee, staff, resident
) -> None:
    meeting = make_committee(fund)
    application = make_application(fund, submit=True)
    services.mark_complete(application, staff)
    assert len(meeting.items) == 1
    services.withdraw(application, resident, reason="Projet annulé")
    assert application.state is S.WITHDRAWN
    assert application.withdrawn_at is not None
    db.session.refresh(meeting)
    assert meeting.items == []


def test_a_relay_files_for_a_group_with_its_consent(db, fund, make_user) -> None:
    from participation.core.roles import Role

    relay = make_user(roles=(Role.RELAY,))
    with pytest.raises(FieldErrors):
        services.start_application(fund, relay, for_group=True, consent_note=" ")
    application = services.start_application(
        fund, relay, for_group=True, consent_note="Rencontre au centre social"
    )
    assert application.filed_by_id == relay.id
    assert application.channel.value == "relay"
    resident = make_user()
    with pytest.raises(PermissionDenied):
        services.start_application(fund, resident, for_group=True, consent_note="x")


def test_grants_per_group_per_year(
    db, make_fund, make_application, resident, make_committee
) -> None:
    fund: Fund = make_fund(max_grants_per_group=1)
    make_committee(fund)
    first = make_application(fund, submit=True)
    services.mark_complete(first, SYSTEM)
    first.amount_granted = D("500")
    services.transition(first, ApplicationAction.GRANT, SYSTEM)
    second = make_application(fund)
    assert services.grants_this_year(second) == 1
    with pytest.raises(FieldErrors) as excinfo:
        services.submit_application(second, resident)
    assert _errors(excinfo) == {None}
    assert second.state is S.DRAFT
