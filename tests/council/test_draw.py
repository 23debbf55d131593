"""The draw by lot, as a pure function: deterministic, stratified, documented."""

from __future__ import annotations

import hashlib
import random

import pytest

from participation.council import draw as lottery
from participation.council.draw import DrawError, PoolPerson, StrataSpec

pytestmark = pytest.mark.db_independent


def pool(
    women: int = 12, men: int = 10, bands: tuple[str, ...] = ()
) -> list[PoolPerson]:
    people = []
    for i in range(women):
        people.append(
            PoolPerson(f"F{i:03d}", "female", bands[i % len(bands)] if bands else None)
        )
    for i in range(men):
        people.append(
            PoolPerson(f"M{i:03d}", "male", bands[i % len(bands)] if bands else None)
        )
    return people


def test_same_pool_and_seed_give_the_same_draw_whatever_the_file_order():
    people = pool()
    shuffled = people[:]
    random.Random(4).shuffle(shuffled)

    first = lottery.draw(people, "3 5 1 6 2", titulars=4, substitutes=3)
    second = lottery.draw(shuffled, "3 5 1 6 2", titulars=4, substitutes=3)

    assert first == second
    assert first.fingerprint == lottery.pool_fingerprint(shuffled)


def test_one_character_of_the_seed_changes_the_draw():
    people = pool(30, 30)

    first = lottery.draw(people, "3 5 1 6 2", titulars=5, substitutes=5)
    other = lottery.draw(people, "3 5 1 6 3", titulars=5, substitutes=5)

    assert first.master_key != other.master_key
    assert [s.titulars for s in first.strata] != [s.titulars for s in other.strata]


def test_seed_spaces_and_unicode_forms_do_not_matter():
    people = pool()
    composed = lottery.draw(people, "dé 4  6", titulars=2, substitutes=1)
    decomposed = lottery.draw(people, " de\u0301 4 6 ", titulars=2, substitutes=1)

    assert composed == decomposed
    assert composed.seed == "dé 4 6"


def test_each_sex_gets_its_titulars_and_ordered_substitutes_from_its_own_people():
    people = pool(12, 10)

    result = lottery.draw(people, "42", titulars=4, substitutes=3)

    by_stratum = {s.stratum: s for s in result.strata}
    assert set(by_stratum) == {("female",), ("male",)}
    for (sex,), stratum in by_stratum.items():
        prefix = "F" if sex == "female" else "M"
        drawn = stratum.titulars + stratum.substitutes
        assert len(stratum.titulars) == 4
        assert len(stratum.substitutes) == 3
        assert len(set(drawn)) == 7
        assert all(ref.startswith(prefix) for ref in drawn)
    assert by_stratum[("female",)].size == 12


def test_a_short_stratum_gives_fewer_substitutes_not_an_error():
    result = lottery.draw(pool(5, 5), "1", titulars=4, substitutes=3)

    assert all(len(s.substitutes) == 1 for s in result.strata)


def test_the_draw_follows_the_documented_algorithm():
    """Recompute one stratum by hand from the module docstring."""
    people = pool(6, 6)
    result = lottery.draw(people, "seed", titulars=2, substitutes=1)

    fingerprint = hashlib.sha256(
        "\n".join(sorted(p.line() for p in people)).encode()
    ).hexdigest()
    master = hashlib.sha256(f"seed\n{fingerprint}".encode()).digest()
    key = hashlib.sha256(master + b"female").digest()
    order = sorted(p.reference for p in people if p.sex == "female")
    blocks = (hashlib.sha256(key + n.to_bytes(8, "big")).digest() for n in range(1000))
    words = (
        int.from_bytes(b[i : i + 8], "big") for b in blocks for i in (0, 8, 16, 24)
    )
    for i in range(len(order) - 1, 0, -1):
        limit = (2**64 // (i + 1)) * (i + 1)
        word = next(words)
        while word >= limit:
            word = next(words)
        j = word % (i + 1)
        order[i], order[j] = order[j], order[i]

    assert result.fingerprint == fingerprint
    assert result.master_key == master.hex()
    female = next(s for s in result.strata if s.stratum == ("female",))
    assert female.titulars == tuple(order[:2])
    assert female.substitutes == tuple(order[2:3])


def test_age_bands_make_strata_within_each_sex():
    people = pool(8, 8, bands=("16-29", "30-59"))

    result = lottery.draw(
        people, "x", titulars=2, substitutes=1, spec=StrataSpec(by_age_band=True)
    )

    assert [s.stratum for s in result.strata] == [
        ("female", "16-29"),
        ("female", "30-59"),
        ("male", "16-29"),
        ("male", "30-59"),
    ]


def test_an_empty_stratum_is_refused():
    people = [*pool(6, 0), PoolPerson("M1", "male", "60+")]
    people = [PoolPerson(p.reference, p.sex, "16-29") for p in people[:-1]] + people[
        -1:
    ]

    with pytest.raises(DrawError) as raised:
        lottery.draw(
            people, "x", titulars=1, substitutes=0, spec=StrataSpec(by_age_band=True)
        )

    assert raised.value.kind == "empty_stratum"
    assert raised.value.stratum in {("female", "60+"), ("male", "16-29")}


def test_a_pool_without_men_is_an_empty_stratum():
    with pytest.raises(DrawError) as raised:
        lottery.draw(pool(6, 0), "x", titulars=2, substitutes=0)

    assert raised.value.kind == "empty_stratum"
    assert raised.value.stratum == ("male",)


def test_a_stratum_smaller_than_its_seats_is_refused():
    with pytest.raises(DrawError) as raised:
        lottery.draw(pool(6, 2), "x", titulars=3, substitutes=0)

    assert (raised.value.kind, raised.value.size, raised.value.needed) == (
        "small_stratum",
        2,
        3,
    )


def test_duplicates_and_an_empty_seed_are_refused():
    with pytest.raises(DrawError, match="duplicate"):
        lottery.draw(
            [*pool(2, 2), PoolPerson("F000", "female")], "x", titulars=1, substitutes=0
        )
    with pytest.raises(DrawError, match="empty_seed"):
        lottery.draw(pool(2, 2), "   ", titulars=1, substitutes=0)


def test_the_shuffle_is_a_permutation_and_roughly_uniform():
    items = [str(i) for i in range(5)]
    firsts = [lottery.shuffled(items, f"k{n}".encode())[0] for n in range(2000)]

    assert sorted(lottery.shuffled(items, b"k")) == items
    counts = [firsts.count(i) for i in items]
    assert min(counts) > 300  # 400 expected for each
