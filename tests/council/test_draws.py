"""Draw services: import a pool (all or nothing), draw once, seat, report."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from participation.accounts.states import Sex
from participation.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    PermissionDenied,
)
from participation.council import pdf
from participation.council.models import CouncilDraw, DrawEntry
from participation.council.pool import PoolErrors
from participation.council.services import draws, seats
from participation.council.states import College, DrawOutcome


def csv_pool(women: int = 8, men: int = 8) -> bytes:
    lines = ["reference;nom;sexe"]
    lines += [f"F-{i:02d};Madame {i};F" for i in range(women)]
    lines += [f"M-{i:02d};Monsieur {i};M" for i in range(men)]
    return ("\n".join(lines) + "\n").encode()


def import_data(data: bytes, **values) -> draws.PoolImport:
    return draws.PoolImport(
        title=values.pop("title", "Tirage du collège habitants"),
        data=data,
        titulars_per_stratum=values.pop("titulars_per_stratum", 3),
        substitutes_per_stratum=values.pop("substitutes_per_stratum", 2),
        **values,
    )


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_importing_keeps_references_and_strata_but_no_names(db, council, staff):
    draw = draws.import_pool(council, import_data(csv_pool()), staff)

    assert draw.pool_size == 16
    assert len(draw.pool_fingerprint) == 64
    assert {e.stratum for e in draw.entries} == {"female", "male"}
    assert all("Madame" not in e.reference for e in draw.entries)
    assert not draw.is_drawn


def test_a_csv_with_bad_rows_imports_nothing(db, council, staff):
    data = b"reference,sex\nA,F\nB,?\nC\n"

    with pytest.raises(PoolErrors) as raised:
        draws.import_pool(council, import_data(data), staff)

    assert [line for line, _m in raised.value.lines] == [3, 4]
    assert count(db, CouncilDraw) == 0
    assert count(db, DrawEntry) == 0


def test_an_empty_stratum_is_refused_at_the_import(db, council, staff):
    with pytest.raises(DomainError) as raised:
        draws.import_pool(council, import_data(csv_pool(women=6, men=0)), staff)

    assert raised.value.field == "pool_file"
    assert "“men” has nobody in the pool" in str(raised.value)
    assert count(db, CouncilDraw) == 0


def test_parity_policy_requires_stratifying_by_sex(council, staff):
    council.is_parity_required = True

    with pytest.raises(FieldErrors) as raised:
        draws.import_pool(council, import_data(csv_pool(), by_sex=False), staff)

    assert "by_sex" in raised.value.errors


def test_the_draw_needs_a_seed_and_two_witnesses(council, staff):
    draw = draws.import_pool(council, import_data(csv_pool()), staff)

    with pytest.raises(FieldErrors) as raised:
        draws.perform_draw(draw, "  ", "Mme Martin", staff)

    assert set(raised.value.errors) == {"seed", "witnesses"}
    assert not draw.is_drawn


def test_a_draw_is_made_once_and_can_be_redone_from_its_record(db, council, staff):
    draw = draws.import_pool(council, import_data(csv_pool()), staff)

    result = draws.perform_draw(draw, "6 2 5 1", "Mme Martin\nM. Ferrand\n", staff)
    db.session.commit()

    assert draw.is_drawn
    assert draw.witness_names == ["Mme Martin", "M. Ferrand"]
    outcomes = [e.outcome for e in draw.entries]
    assert outcomes.count(DrawOutcome.TITULAR) == 6
    assert outcomes.count(DrawOutcome.SUBSTITUTE) == 4
    assert outcomes.count(DrawOutcome.NOT_DRAWN) == 6
    assert draws.redo(draw) == result
    with pytest.raises(Conflict):
        draws.perform_draw(draw, "1 1 1", "A\nB", staff)


def test_residents_cannot_draw(council, staff, resident):
    draw = draws.import_pool(council, import_data(csv_pool()), staff)

    with pytest.raises(PermissionDenied):
        draws.perform_draw(draw, "1", "A\nB", resident)


def test_a_drawn_person_is_seated_once_in_the_residents_college(
    db, make_council, make_user, staff
):
    council = make_council(is_draw_required=True)
    draw = draws.import_pool(council, import_data(csv_pool()), staff)
    draws.perform_draw(draw, "3", "A\nB", staff)
    titular = next(e for e in draw.entries if e.outcome is DrawOutcome.TITULAR)
    person = make_user()

    def seat(**values):
        return seats.add_member(
            council,
            seats.MemberData(
                person=values.pop("person", person.email),
                college=values.pop("college", College.RESIDENTS),
                sex=values.pop("sex", titular.sex),
                mandate_starts_on=date(2026, 1, 1),
                draw_entry_id=titular.id,
            ),
            staff,
        )

    with pytest.raises(FieldErrors) as raised:
        seat(sex=Sex.MALE if titular.sex is Sex.FEMALE else Sex.FEMALE)
    assert "sex" in raised.value.errors
    member = seat()
    assert member.draw_entry_id == titular.id
    with pytest.raises(FieldErrors) as raised:
        seat(person=make_user().email)
    assert "draw_entry_id" in raised.value.errors


def test_the_draw_report_holds_the_seed_witnesses_fingerprint_and_result(
    council, staff
):
    draw = draws.import_pool(council, import_data(csv_pool()), staff)
    draws.perform_draw(draw, "4 4 2", "Mme Martin\nM. Ferrand", staff)

    text = "\n".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(pdf.draw_report(draw))).pages
    )

    assert "4 4 2" in text
    assert "Mme Martin" in text
    assert "M. Ferrand" in text
    assert draw.pool_fingerprint[:20] in text.replace("\n", "")
    titular = next(e for e in draw.entries if e.outcome is DrawOutcome.TITULAR)
    assert titular.reference in text
