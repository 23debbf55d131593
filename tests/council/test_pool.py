"""Reading a volunteer or tenant list: only the draw's columns, all or nothing."""

from __future__ import annotations

import pytest

from participation.core.errors import DomainError
from participation.council.draw import PoolPerson
from participation.council.pool import PoolErrors, parse_pool

pytestmark = pytest.mark.db_independent


def test_semicolon_list_keeps_only_reference_sex_and_age_band():
    data = (
        "Référence;Nom;Sexe;Tranche d'âge;Téléphone\n"
        "HA-001;Amina Haddad;F;30-44;0612345678\n"
        "HA-002;Karim B;H;16-29;\n"
        "\n"
        "V-17;Rose G;femme;60+;\n"
    ).encode()

    people = parse_pool(data)

    assert people == [
        PoolPerson("HA-001", "female", "30-44"),
        PoolPerson("HA-002", "male", "16-29"),
        PoolPerson("V-17", "female", "60+"),
    ]
    assert "Amina" not in repr(people)


def test_windows_encoding_and_commas_are_read():
    data = "reference,sex,qpv\nA1,M,Grazailles\nA2,F,Conte\n".encode("cp1252")

    assert [p.qpv for p in parse_pool(data)] == ["Grazailles", "Conte"]


def test_bad_lines_are_listed_by_number_and_nothing_is_kept():
    data = b"reference,sex\nA1,F\n,M\nA3,X\nA1,M\nA5,M\n"

    with pytest.raises(PoolErrors) as raised:
        parse_pool(data)

    assert [n for n, _message in raised.value.lines] == [3, 4, 5]
    message = str(raised.value)
    assert "line 3: the reference is missing" in message
    assert "line 4: the sex must be F or M" in message
    assert "line 5: the reference A1 appears twice" in message
    assert raised.value.field == "pool_file"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"name,phone\nA,B\n", "the first line must name the columns"),
        (b"reference,sex\n\n", "the list has no one in it"),
    ],
)
def test_empty_or_headless_files_are_refused(data, expected):
    with pytest.raises(PoolErrors, match=expected):
        parse_pool(data)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(DomainError, match="1 MB"):
        parse_pool(b"reference,sex\n" + b"A,F\n" * 300_000)
