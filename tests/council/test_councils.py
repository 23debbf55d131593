"""Councils, rules versions, members, substitutes, facilitators, compositions."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from participation.accounts.states import Sex
from participation.core.actors import SYSTEM
from participation.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    PermissionDenied,
)
from participation.core.models import AuditEntry
from participation.council import queries
from participation.council.models import Council, CouncilComposition, CouncilMember
from participation.council.services import councils, seats
from participation.council.states import (
    College,
    CouncilScope,
    LeaveReason,
    MajorityRule,
    QuorumKind,
)


def test_a_council_starts_with_the_default_rules_and_the_2014_policies(
    db, make_territory, staff
):
    territory = make_territory()

    council = councils.create_council(
        councils.CouncilData(name="CC Grazailles", territory_id=territory.id), staff
    )

    assert council.rules.version == 1
    assert council.rules.quorum_kind is QuorumKind.FRACTION
    assert (council.rules.quorum_numerator, council.rules.quorum_denominator) == (1, 2)
    assert council.rules.majority_rules_change is MajorityRule.TWO_THIRDS
    assert councils.policy_of(council) == {
        "is_draw_required": True,
        "is_parity_required": True,
        "min_residents_share": 50,
        "is_recognition_required": True,
    }
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "council.council_created" in actions


def test_residents_and_visitors_cannot_create_a_council(db, make_territory, resident):
    with pytest.raises(PermissionDenied):
        councils.create_council(
            councils.CouncilData(name="x", territory_id=make_territory().id), resident
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Council)) == 0


def test_one_council_per_qpv_and_one_for_the_agglomeration(db, council, staff):
    with pytest.raises(FieldErrors) as raised:
        councils.create_council(
            councils.CouncilData(name="Doublon", territory_id=council.territory_id),
            staff,
        )
    assert "territory_id" in raised.value.errors

    councils.create_council(
        councils.CouncilData(name="CC intercommunal", scope=CouncilScope.AGGLOMERATION),
        staff,
    )
    with pytest.raises(FieldErrors) as raised:
        councils.create_council(
            councils.CouncilData(name="Autre", scope=CouncilScope.AGGLOMERATION), staff
        )
    assert "scope" in raised.value.errors


def test_the_database_refuses_a_second_agglomeration_council(db, council):
    db.session.add(Council(name="A", scope=CouncilScope.AGGLOMERATION))
    db.session.add(Council(name="B", scope=CouncilScope.AGGLOMERATION))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_adopting_rules_makes_a_new_version_and_keeps_the_old(db, council, staff):
    data = councils.RulesData(
        text="Article 1. Le conseil se réunit chaque mois.",
        quorum_kind=QuorumKind.NUMBER,
        quorum_number=7,
        max_proxies_per_holder=2,
        notice_days=21,
    )

    rules = councils.adopt_rules(council, data, staff)

    assert rules.version == 2
    assert council.rules is rules
    assert council.rules_versions[0].quorum_kind is QuorumKind.FRACTION
    assert rules.quorum_rule.number == 7


def test_rules_with_bad_values_say_which_field(council, staff):
    data = councils.RulesData(
        text="",
        quorum_kind=QuorumKind.FRACTION,
        quorum_numerator=3,
        quorum_denominator=2,
        notice_days=200,
    )

    with pytest.raises(FieldErrors) as raised:
        councils.adopt_rules(council, data, staff)

    assert set(raised.value.errors) == {"text", "quorum_numerator", "notice_days"}
    assert council.rules.version == 1


def test_seating_a_person_by_email_or_pseudonym(db, council, make_user, staff):
    person = make_user(pseudonym="Fatou", email="fatou@example.test")

    member = seats.add_member(
        council,
        seats.MemberData(
            person="FATOU",
            college=College.LOCAL_ACTORS,
            sex=Sex.FEMALE,
            mandate_starts_on=date(2025, 1, 1),
            organisation="Association Les Voisins",
        ),
        staff,
    )

    assert member.user_id == person.id
    assert member.is_titular
    with pytest.raises(FieldErrors) as raised:
        seats.add_member(
            council,
            seats.MemberData(
                person="fatou@example.test",
                college=College.LOCAL_ACTORS,
                sex=Sex.FEMALE,
                mandate_starts_on=date(2025, 1, 1),
            ),
            staff,
        )
    assert "already has a seat" in str(raised.value.errors["person"])


def test_an_unknown_person_and_bad_mandate_dates_are_explained(council, staff):
    with pytest.raises(FieldErrors) as raised:
        seats.add_member(
            council,
            seats.MemberData(
                person="personne",
                college=College.LOCAL_ACTORS,
                sex=Sex.MALE,
                mandate_starts_on=date(2025, 6, 1),
                mandate_ends_on=date(2025, 1, 1),
            ),
            staff,
        )
    assert set(raised.value.errors) == {"person", "mandate_ends_on"}


def test_when_the_draw_is_required_residents_come_from_a_draw(
    make_council, make_user, staff
):
    council = make_council(is_draw_required=True)
    person = make_user()

    with pytest.raises(FieldErrors) as raised:
        seats.add_member(
            council,
            seats.MemberData(
                person=person.email,
                college=College.RESIDENTS,
                sex=Sex.FEMALE,
                mandate_starts_on=date(2025, 1, 1),
            ),
            staff,
        )
    assert "drawn by lot" in str(raised.value.errors["draw_entry_id"])


def test_two_substitutes_cannot_share_a_rank(db, council, make_member):
    make_member(council, sex=Sex.FEMALE, substitute_rank=1)

    with pytest.raises(DomainError, match="already has this rank"):
        make_member(council, sex=Sex.FEMALE, substitute_rank=1)
    other_list = make_member(council, sex=Sex.MALE, substitute_rank=1)
    assert other_list.substitute_rank == 1


def test_leaving_proposes_the_next_substitute_of_the_same_sex_and_college(
    db, council, make_member, staff
):
    leaving = make_member(council, sex=Sex.MALE)
    make_member(council, sex=Sex.FEMALE, substitute_rank=1)
    second = make_member(council, sex=Sex.MALE, substitute_rank=2)
    make_member(council, sex=Sex.MALE, substitute_rank=3)
    make_member(council, sex=Sex.MALE, college=College.LOCAL_ACTORS, substitute_rank=1)

    proposed = seats.end_membership(
        leaving, LeaveReason.MOVED_OUT, date(2026, 2, 1), staff
    )

    assert proposed is second
    promoted = seats.promote_substitute(second, leaving, staff, date(2026, 2, 2))
    assert promoted.is_titular
    assert promoted.replaces_id == leaving.id
    with pytest.raises(Conflict):
        seats.end_membership(leaving, LeaveReason.RESIGNED, date(2026, 3, 1), staff)


def test_a_substitute_of_the_other_sex_cannot_take_the_seat_under_parity(
    council, make_member, staff
):
    leaving = make_member(council, sex=Sex.MALE)
    woman = make_member(council, sex=Sex.FEMALE, substitute_rank=1)
    seats.end_membership(leaving, LeaveReason.RESIGNED, date(2026, 1, 1), staff)

    with pytest.raises(DomainError, match="same college"):
        seats.promote_substitute(woman, leaving, staff, date(2026, 1, 2))


def test_a_facilitator_needs_an_end_after_the_start(council, staff):
    with pytest.raises(FieldErrors) as raised:
        seats.add_facilitator(
            council,
            seats.FacilitatorData(
                name="Délégué du préfet",
                starts_on=date(2026, 1, 1),
                ends_on=date(2025, 1, 1),
            ),
            staff,
        )
    assert "ends_on" in raised.value.errors


def test_the_dashboard_measures_size_share_parity_vacancies_and_warns(
    council, make_member
):
    for sex in (Sex.FEMALE, Sex.FEMALE, Sex.FEMALE, Sex.MALE):
        make_member(council, sex=sex)
    for i in range(5):
        make_member(
            council, college=College.LOCAL_ACTORS, sex=Sex.FEMALE if i < 2 else Sex.MALE
        )
    seats.add_facilitator(
        council,
        seats.FacilitatorData(
            name="Agent municipal",
            starts_on=date(2025, 1, 1),
            ends_on=date(2099, 1, 1),
        ),
        SYSTEM,
    )

    figures = queries.composition(council)

    assert (figures.size, figures.residents, figures.local_actors) == (9, 4, 5)
    assert round(figures.residents_share) == 44
    assert not figures.is_parity_met
    assert figures.vacancies == 6 + 1  # 10 resident seats, 6 local actor seats
    text = " ".join(figures.warnings)
    assert "advises 15 to 50" in text
    assert "below the 50 %" in text
    assert "Parity is not met" in text
    assert "more than twelve months" in text
    assert [bar.value for bar in figures.bars] == [3, 1, 2, 3, 7]
    assert max(bar.width for bar in figures.bars) == queries.CHART_BAR_WIDTH


def test_a_recorded_composition_keeps_the_policy_that_applied(
    db, council, make_member, staff
):
    make_member(council, sex=Sex.FEMALE)
    make_member(council, sex=Sex.MALE)
    council.is_parity_required = False

    composition = councils.record_composition(
        council,
        staff,
        recognition_reference="Arrêté 2026-14",
        recognised_on=date(2026, 2, 3),
    )

    assert composition.version == 1
    assert composition.is_parity_required is False
    assert composition.is_draw_required is False
    assert (composition.size, composition.women, composition.men) == (2, 1, 1)
    assert len(json.loads(composition.members_json)) == 2
    with pytest.raises(DomainError):
        councils.record_composition(council, staff, recognition_reference="Arrêté seul")
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(CouncilComposition))
        == 1
    )


def test_one_standing_seat_per_person_is_a_database_rule(db, council, make_member):
    member = make_member(council)
    db.session.add(
        CouncilMember(
            council_id=council.id,
            user_id=member.user_id,
            college=College.RESIDENTS,
            sex=Sex.FEMALE,
            mandate_starts_on=date(2025, 1, 1),
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
