"""Pure checks: SIRET (Luhn), RNA, IBAN, and the budget rules (balance, cap, share)."""

from __future__ import annotations

from decimal import Decimal

from participation.fph import rules
from tests.fph.conftest import BAD_SIRET, GOOD_IBAN, GOOD_SIRET

D = Decimal


def test_siret_needs_fourteen_digits_and_a_luhn_checksum() -> None:
    assert rules.siret_ok(GOOD_SIRET)
    assert not rules.siret_ok(BAD_SIRET)
    assert not rules.siret_ok("7328293200007")
    assert not rules.siret_ok("7328293200007A")


def test_la_poste_sirets_follow_their_own_rule() -> None:
    assert rules.siret_ok("35600000000001")
    assert not rules.luhn_ok("35600000000001")


def test_rna_is_w_and_nine_digits() -> None:
    assert rules.rna_ok("W302001234")
    assert not rules.rna_ok("W30200123")
    assert not rules.rna_ok("302001234W")


def test_iban_check_digits() -> None:
    assert rules.iban_ok(GOOD_IBAN)
    assert not rules.iban_ok(GOOD_IBAN[:-1] + "8")
    assert rules.compact("fr76 3000-6000 0112") == "FR7630006000" + "0112"


def test_a_balanced_budget_within_the_caps_has_no_problem() -> None:
    assert (
        rules.budget_problems(
            [D("600"), D("150")],
            [D("150")],
            D("600"),
            cap=D("1000"),
            max_share_percent=80,
        )
        == {}
    )


def test_unbalanced_budget_is_refused_on_the_resources() -> None:
    problems = rules.budget_problems(
        [D("800")], [D("100")], D("600"), cap=D("1000"), max_share_percent=80
    )
    assert set(problems) == {"resources"}


def test_amount_over_the_cap_or_the_share() -> None:
    over_cap = rules.budget_problems(
        [D("1500")], [D("300")], D("1200"), cap=D("1000"), max_share_percent=80
    )
    assert set(over_cap) == {"amount_requested"}
    over_share = rules.budget_problems(
        [D("500")], [D("50")], D("450"), cap=D("1000"), max_share_percent=80
    )
    assert "80 %" in str(over_share["amount_requested"])


def test_no_expense_and_no_request() -> None:
    problems = rules.budget_problems([], [], None, cap=D("1000"), max_share_percent=80)
    assert set(problems) == {"expenses", "amount_requested"}
