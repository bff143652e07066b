import numpy as np

from abm import rng


def test_draw_is_a_pure_function_of_its_keys():
    assert rng.draw(7, 3, 11, rng.LEAVE) == rng.draw(7, 3, 11, rng.LEAVE)
    keys = {(7, 3, 11, rng.LEAVE), (8, 3, 11, rng.LEAVE), (7, 4, 11, rng.LEAVE), (7, 3, 12, rng.LEAVE),
            (7, 3, 11, rng.SEPARATION)}
    values = {rng.draw(*k) for k in keys}
    assert len(values) == len(keys)  # changing any key changes the number


def test_draws_are_uniform_on_the_unit_interval():
    u = np.array([rng.draw(1, 0, i, rng.SEPARATION) for i in range(20000)])
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01
    counts, _ = np.histogram(u, bins=10, range=(0, 1))
    assert counts.min() > 1800 and counts.max() < 2200


def test_neighbouring_keys_are_not_correlated():
    a = np.array([rng.draw(1, 5, i, rng.LEAVE) for i in range(5000)])
    b = np.array([rng.draw(1, 5, i + 1, rng.LEAVE) for i in range(5000)])
    c = np.array([rng.draw(1, 6, i, rng.LEAVE) for i in range(5000)])
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.05
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.05
