"""What people may type: the pure normalisers and checks, without an application."""

from __future__ import annotations

import re

import pytest

from participation.accounts import rules
from participation.core.errors import DomainError


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("04-68-11-22-33", "+33468112233"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_in_international_form(typed, stored):
    assert rules.normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12345", "06 12 34", "0012", "+33 6 12 34 56 78 99", "phone", "<b>06</b>"]
)
def test_wrong_phone_numbers_are_refused_on_the_phone_field(typed):
    with pytest.raises(DomainError) as error:
        rules.normalize_phone(typed)

    assert error.value.field == "phone"


def test_email_is_lower_cased():
    assert rules.normalize_email("  Leila.B@Example.ORG ") == "leila.b@example.org"


@pytest.mark.parametrize(
    "typed", ["leila", "leila@", "@example.org", "a b@example.org", "x" * 250 + "@a.fr"]
)
def test_wrong_email_is_refused(typed):
    with pytest.raises(DomainError) as error:
        rules.normalize_email(typed)

    assert error.value.field == "email"


def test_the_reserved_test_domain_is_only_for_tests():
    with pytest.raises(DomainError):
        rules.normalize_email("amina@example.test")

    assert (
        rules.normalize_email("Amina@example.test", allow_test_domains=True)
        == "amina@example.test"
    )


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("Amina", True),
        ("  Jean   Paul ", True),
        ("Zoé_du-Viguier 2", True),
        ("أمينة", True),
        ("ab", False),
        ("x" * 41, False),
        ("<script>", False),
        ("amina@example.org", False),
        ("Amina!", False),
    ],
)
def test_pseudonym_rules(typed, ok):
    if ok:
        assert rules.normalize_pseudonym(typed) == " ".join(typed.split())
    else:
        with pytest.raises(DomainError) as error:
            rules.normalize_pseudonym(typed)
        assert error.value.field == "pseudonym"


def test_pseudonyms_are_compared_in_one_unicode_form():
    decomposed = "Zoe\u0301  du Pont"

    assert rules.tidy_pseudonym(decomposed) == "Zoé du Pont"


def test_password_policy_names_the_field_it_checks():
    rules.check_password_policy("ten chars!")
    with pytest.raises(DomainError) as short:
        rules.check_password_policy("nine char", field="new_password")
    with pytest.raises(DomainError) as long:
        rules.check_password_policy("x" * 201)

    assert short.value.field == "new_password"
    assert str(short.value) == "The password must have at least 10 characters."
    assert long.value.field == "password"


@pytest.mark.parametrize(
    ("year", "ok"),
    [(None, True), (1900, True), (2020, True), (1899, False), (2021, False)],
)
def test_birth_year_is_between_1900_and_this_year(year, ok):
    if ok:
        assert rules.check_birth_year(year, current_year=2020) == year
    else:
        with pytest.raises(DomainError) as error:
            rules.check_birth_year(year, current_year=2020)
        assert error.value.field == "birth_year"
        assert str(error.value) == "Enter a year between 1900 and 2020."


def test_optional_texts_are_stripped_and_limited():
    assert rules.clean_optional(None, 5, "note") is None
    assert rules.clean_optional("   ", 5, "note") is None
    assert rules.clean_optional(" abcde ", 5, "note") == "abcde"
    with pytest.raises(DomainError) as error:
        rules.clean_optional("abcdef", 5, "note")
    assert error.value.field == "note"


def test_locale_is_one_of_the_site_languages():
    assert rules.check_locale("ar", ("fr", "en", "ar")) == "ar"
    with pytest.raises(DomainError) as error:
        rules.check_locale("de", ("fr", "en", "ar"))
    assert error.value.field == "locale"


def test_setup_codes_are_three_groups_without_ambiguous_characters():
    codes = {rules.new_setup_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code) & set("01OILUV")


def test_setup_codes_compare_without_case_spaces_or_dashes():
    assert rules.canonical_setup_code(" k7pm-3qxr w9zc ") == "K7PM3QXRW9ZC"


def test_collect_keeps_values_and_every_message_by_field():
    def wrong_elsewhere() -> str:
        raise DomainError("bad territory", field="territory")

    def wrong_here() -> str:
        raise DomainError("bad name")

    values, errors = rules.collect(
        {
            "pseudonym": lambda: "Amina",
            "territory_id": wrong_elsewhere,
            "name": wrong_here,
        }
    )

    assert values == {"pseudonym": "Amina"}
    assert errors == {"territory": "bad territory", "name": "bad name"}
