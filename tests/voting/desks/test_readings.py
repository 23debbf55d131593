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
    reading = read_ballot("15, 12", "valid", SHEET)

    assert reading == Reading(Mark.VALID, "12:1,15:1")
    assert reading is not None
    assert reading.typed == "12, 15"
    assert reading.key == (Mark.VALID, "12:1,15:1")


def test_blank_void_and_empty_readings():
    assert read_ballot("", "blank", SHEET) == Reading(Mark.BLANK)
    void = read_ballot("12, 15, 20", "void-too_many", SHEET)
    assert void == Reading(Mark.VOID, void_reason=VoidReason.TOO_MANY)
    assert read_ballot("", "valid", SHEET) is None
    with pytest.raises(ReadingInvalid, match="blank ballot names no project"):
        read_ballot("12", "blank", SHEET)


def test_a_paper_breaking_the_rules_is_explained_with_its_numbers():
    with pytest.raises(ReadingInvalid) as bad:
        read_ballot("12, 12, 99", "valid", SHEET)

    message = str(bad.value)
    assert "n° 12: This project is named twice on the ballot." in message
    assert "n° 99: A project on this ballot does not exist in this vote." in message
    assert message.endswith("record it as void.")


def test_too_many_projects_and_nothing_chosen():
    with pytest.raises(ReadingInvalid, match="at most 2"):
        read_ballot("12, 15, 20", "valid", SHEET)
    with pytest.raises(ReadingInvalid, match="too long"):
        read_ballot("1, " * 200, "valid", SHEET)
