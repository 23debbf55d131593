"""What a keyer typed for one paper ballot (desks.readings): pure, no app, no DB."""

from __future__ import annotations

from decimal import Decimal

import pytest

from participation.voting.ballots import BallotSheet
from participation.voting.desks.readings import (
    Reading,
    ReadingInvalid,
    mark_value,
    parse_choices,
    parse_mark,
    read_ballot,
)
from participation.voting.desks.states import Mark, VoidReason
from tests.voting.test_ballots import Rules

pytestmark = pytest.mark.db_independent

SHEET = BallotSheet(
    rules=Rules(max_projects=2),
    costs={12: Decimal(100), 15: Decimal(200), 20: Decimal(300)},
    budget=Decimal(1000),
)
#: The ballot numbers of the sheet's projects (idea id → number printed).
NUMBERS = {12: 1, 15: 2, 20: 3}


def test_typed_numbers_are_read_in_any_usual_form():
    assert parse_choices(" n°12 ;#15  20:3 ") == [(12, 1), (15, 1), (20, 3)]
    assert parse_choices("") == []


def test_junk_is_refused_with_what_was_typed():
    with pytest.raises(ReadingInvalid) as bad:
        parse_choices("12, douze")

    assert "“douze” is not a project number" in str(bad.value)
    assert bad.value.field == "choices"


def test_marks_round_trip_through_the_form_values():
    for mark, reason in ((Mark.VALID, None), (Mark.BLANK, None)):
        assert parse_mark(mark_value(mark, reason)) == (mark, reason)
    for reason in VoidReason:
        assert parse_mark(mark_value(Mark.VOID, reason)) == (Mark.VOID, reason)
    for wrong in ("void-nonsense", "valid-too_many", "other"):
        with pytest.raises(ReadingInvalid):
            parse_mark(wrong)


def test_a_valid_reading_is_canonical_and_typed_back_the_same_way():
    reading = read_ballot("2, 1", "valid", SHEET, NUMBERS)

    assert reading == Reading(Mark.VALID, "12:1,15:1")
    assert reading is not None
    assert reading.typed(NUMBERS) == "1, 2"
    assert reading.key == (Mark.VALID, "12:1,15:1")


def test_ballot_numbers_are_read_not_ids():
    with pytest.raises(ReadingInvalid) as bad:
        read_ballot("12", "valid", SHEET, NUMBERS)

    assert str(bad.value) == (
        "There is no n° 12 on this ballot: type the numbers printed on the ballot"
        " (1 to 3)."
    )
    assert bad.value.field == "choices"
    reading = read_ballot("3", "valid", SHEET, NUMBERS)
    assert reading is not None
    assert reading.pairs == [(20, 1)]


def test_points_are_typed_and_shown_back_by_ballot_number():
    reading = Reading(Mark.VALID, "12:3,20:2")

    assert reading.typed(NUMBERS) == "1:3, 3:2"
    assert reading.typed({12: 1}) == "1:3"  # a project gone from the ballot


def test_blank_void_and_empty_readings():
    assert read_ballot("", "blank", SHEET, NUMBERS) == Reading(Mark.BLANK)
    void = read_ballot("1, 2, 3", "void-too_many", SHEET, NUMBERS)
    assert void == Reading(Mark.VOID, void_reason=VoidReason.TOO_MANY)
    assert read_ballot("", "valid", SHEET, NUMBERS) is None
    with pytest.raises(ReadingInvalid, match="blank ballot names no project"):
        read_ballot("1", "blank", SHEET, NUMBERS)


def test_a_paper_breaking_the_rules_is_explained_with_its_numbers():
    with pytest.raises(ReadingInvalid) as bad:
        read_ballot("2, 2", "valid", SHEET, NUMBERS)

    message = str(bad.value)
    assert "n° 2: This project is named twice on the ballot." in message
    assert message.endswith("record it as void.")


def test_too_many_projects_and_nothing_chosen():
    with pytest.raises(ReadingInvalid, match="at most 2"):
        read_ballot("1, 2, 3", "valid", SHEET, NUMBERS)
    with pytest.raises(ReadingInvalid, match="too long"):
        read_ballot("1, " * 200, "valid", SHEET, NUMBERS)
