import numpy as np
import pytest

from weerbaar.compute.rng import (
    SEED_BITS,
    counter_bits,
    counter_key,
    make_generator,
    resolve_seed,
    spawn_generators,
    split_bits,
)
from weerbaar.errors import ValidationError


def test_counter_bits_are_the_splitmix64_stream() -> None:
    # Reference outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c): term i is
    # mix(seed + i·γ) for i = 1, 2, 3.
    bits = counter_bits(0, np.array([1, 2, 3], dtype=np.uint64))
    assert [int(b) for b in bits] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_counter_bits_depend_on_key_and_counter_only() -> None:
    counters = np.arange(10, dtype=np.uint64)
    key = counter_key(42)
    assert np.array_equal(counter_bits(key, counters)[3:7], counter_bits(key, counters[3:7]))
    assert not np.array_equal(counter_bits(key, counters), counter_bits(counter_key(43), counters))


def test_split_bits_gives_uniform_halves() -> None:
    high, low = split_bits(counter_bits(counter_key(1), np.arange(200_000, dtype=np.uint64)))
    for half in (high, low):
        u = half / 2.0**32
        assert u.min() >= 0.0 and u.max() < 1.0
        assert abs(u.mean() - 0.5) < 0.005
        assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    assert abs(np.corrcoef(high, low)[0, 1]) < 0.01


def test_none_draws_a_reportable_seed() -> None:
    seed = resolve_seed(None)
    assert 0 <= seed < 2**SEED_BITS
    generator, used = make_generator(seed)
    again, _ = make_generator(used)
    assert np.array_equal(generator.random(5), again.random(5))


@pytest.mark.parametrize("seed", [0, 1, 2**70])
def test_zero_and_large_seeds_are_seeds(seed: int) -> None:
    # `if seed:` would treat 0 as "no seed"; here 0 is a seed like any other.
    a, used = make_generator(seed)
    b, _ = make_generator(seed)
    assert used == seed
    assert np.array_equal(a.random(3), b.random(3))


@pytest.mark.parametrize("seed", [-1, True, 1.5, "7"])
def test_bad_seeds_are_rejected(seed: object) -> None:
    with pytest.raises(ValidationError, match="seed"):
        resolve_seed(seed)  # type: ignore[arg-type]


def test_spawned_generators_are_independent_and_repeatable() -> None:
    first = [g.random(4) for g in spawn_generators(7, 3)]
    second = [g.random(4) for g in spawn_generators(7, 3)]
    assert all(np.array_equal(x, y) for x, y in zip(first, second, strict=True))
    assert not np.array_equal(first[0], first[1])
