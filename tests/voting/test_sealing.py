"""The sealed ballot box's cryptography (pure): ceremony, shares, seal and open."""

from __future__ import annotations

import itertools

import pytest

from participation.voting import sealing

pytestmark = pytest.mark.db_independent


@pytest.fixture(scope="module")
def ceremony() -> sealing.Ceremony:
    return sealing.new_ceremony(threshold=2, trustees=3)


def test_any_two_of_three_shares_rebuild_the_private_key(ceremony):
    for pair in itertools.permutations(ceremony.shares, 2):
        key = sealing.recover_private_key(list(pair), ceremony.public_key, 2)

        assert bytes(key.public_key) == ceremony.public_key


def test_one_share_alone_is_refused_as_too_few(ceremony):
    with pytest.raises(sealing.ShareError) as error:
        sealing.recover_private_key([ceremony.shares[0], ""], ceremony.public_key, 2)

    assert error.value.kind == "too_few"


def test_the_same_share_twice_is_refused_as_a_duplicate(ceremony):
    share = ceremony.shares[1]

    with pytest.raises(sealing.ShareError) as error:
        sealing.recover_private_key([share, share], ceremony.public_key, 2)

    assert (error.value.kind, error.value.position) == ("duplicate", 2)


def test_a_typo_in_a_share_is_refused_naming_the_share(ceremony):
    share = ceremony.shares[0]
    index = share.index("-", 4) + 3
    typo = share[:index] + ("A" if share[index] != "A" else "B") + share[index + 1 :]

    with pytest.raises(sealing.ShareError) as error:
        sealing.recover_private_key([ceremony.shares[2], typo], ceremony.public_key, 2)

    assert (error.value.kind, error.value.position) == ("wrong", 2)


def test_a_share_of_another_round_is_refused(ceremony):
    other = sealing.new_ceremony(threshold=2, trustees=3)

    with pytest.raises(sealing.ShareError) as error:
        sealing.recover_private_key(
            [ceremony.shares[0], other.shares[1]], ceremony.public_key, 2
        )

    assert error.value.kind == "wrong"


def test_shares_are_read_whatever_the_case_and_spacing(ceremony):
    messy = [
        " ".join(s.lower()[i : i + 5] for i in range(0, len(s), 5))
        for s in ceremony.shares[:2]
    ]

    key = sealing.recover_private_key(messy, ceremony.public_key, 2)

    assert bytes(key.public_key) == ceremony.public_key


@pytest.mark.parametrize(
    "text",
    ["", "PB1", "PB1-x-AAAA-AAAA", "PB1-99-AA-AA", "XX-1-A-A", "PB1-²-AAAA-AAAA"],
)
def test_malformed_shares_are_refused(ceremony, text):
    with pytest.raises(sealing.ShareError):
        sealing.parse_share(text, ceremony.public_key, 1)


def test_a_sealed_ballot_opens_with_the_rebuilt_key_only(ceremony):
    sealed = sealing.seal(ceremony.public_key, {12: 1, 7: 1})
    key = sealing.recover_private_key(list(ceremony.shares[1:]), ceremony.public_key, 2)
    stranger = sealing.new_ceremony(threshold=1, trustees=1)
    stranger_key = sealing.recover_private_key(
        list(stranger.shares), stranger.public_key, 1
    )

    assert sealing.open_all(key, [sealed]) == [{7: 1, 12: 1}]
    with pytest.raises(Exception, match="decrypt"):
        sealing.open_all(stranger_key, [sealed])


def test_identical_ballots_give_unrelated_boxes_of_one_size(ceremony):
    one = sealing.seal(ceremony.public_key, {3: 1})
    again = sealing.seal(ceremony.public_key, {3: 1})
    many = sealing.seal(ceremony.public_key, {i: 1 for i in range(1, 40)})

    assert one != again
    assert sealing.fingerprint(one) != sealing.fingerprint(again)
    assert len(one) == len(again) == len(many)


def test_open_all_returns_every_ballot_in_a_shuffled_order(ceremony):
    key = sealing.recover_private_key(list(ceremony.shares[:2]), ceremony.public_key, 2)
    boxes = [sealing.seal(ceremony.public_key, {i: 1}) for i in range(1, 41)]

    orders = {
        tuple(next(iter(b)) for b in sealing.open_all(key, boxes)) for _ in range(3)
    }

    assert all(sorted(order) == list(range(1, 41)) for order in orders)
    assert len(orders) > 1  # 40! orders: three equal draws would be a broken shuffle


def test_a_ceremony_of_one_trustee_works():
    ceremony = sealing.new_ceremony(threshold=1, trustees=1)

    key = sealing.recover_private_key(list(ceremony.shares), ceremony.public_key, 1)

    assert bytes(key.public_key) == ceremony.public_key


@pytest.mark.parametrize(("k", "n"), [(0, 3), (4, 3), (2, 21)])
def test_impossible_ceremonies_are_refused(k, n):
    with pytest.raises(ValueError, match="threshold"):
        sealing.new_ceremony(threshold=k, trustees=n)
