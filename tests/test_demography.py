"""The demographic rate tables: what they imply, their checks, and the run's births and deaths against them."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm import demography
from abm.state import FEMALE, MALE

EVENTS = pd.read_csv(demography.DEMOGRAPHY / "events.csv")


def cited(event: str, parameter: str) -> float:
    row = EVENTS[(EVENTS["event"] == event) & (EVENTS["parameter"] == parameter)]
    assert len(row) == 1, (event, parameter)
    return float(row["value"].iloc[0])


@pytest.mark.parametrize("sex, parameter", [(FEMALE, "e0_female"), (MALE, "e0_male")])
def test_life_table_reproduces_the_cited_life_expectancy(sex, parameter):
    e0 = demography.read_mortality().life_expectancy(sex)
    assert abs(e0 - cited("mortality", parameter)) < 0.5


def test_life_expectancy_of_a_constant_hazard_is_its_inverse():
    """A check of the life-table arithmetic itself: at a constant rate m, e0 = 1/m."""
    x = np.array([0, 1] + list(range(5, 101, 5)))
    n = np.diff(np.append(x, 121)).astype(float)
    m = np.full(x.size, 0.02)
    table = demography.MortalityTable({0: x, 1: x}, {0: n, 1: n}, {0: m, 1: m}, "test")
    a0 = table.life_expectancy(FEMALE)  # a0 and 4a1 follow Coale-Demeny, so only close to 1/m
    assert a0 == pytest.approx(50.0, abs=0.6)


def test_rates_are_probabilities_after_conversion():
    t = demography.load_tables()
    assert t.q_month.shape == (2, demography.N_AGES) and t.f_month.shape == (demography.N_AGES,)
    for table in (t.q_month, t.f_month):
        assert np.isfinite(table).all() and (table >= 0).all() and (table <= 1).all()
    assert (np.diff(t.q_month[:, 10:]) >= -1e-12).all(), "adult mortality rises with age"
    assert t.f_month[:15].sum() == 0 and t.f_month[50:].sum() == 0


def test_fertility_schedules_give_their_cited_totals():
    assert demography.total_fertility(demography.read_fertility(schedule="census_2010")) == pytest.approx(
        cited("fertility", "tfr_census"), abs=0.01)
    default = demography.total_fertility(demography.read_fertility())
    assert 1.5 <= default <= 1.8


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "mortality.csv"
    src = {"year": 2010, "publisher": "test", "title": "test", "locator": "test"}
    pd.DataFrame([r | src for r in rows]).to_csv(path, index=False)
    return path


def test_a_bad_mortality_table_names_every_problem(tmp_path):
    rows = [{"sex": "female", "age_from": 0, "age_to": 0, "measure": "mx", "value": 0.01},
            {"sex": "female", "age_from": 2, "age_to": 100, "measure": "mx", "value": 0.05},
            {"sex": "male", "age_from": 0, "age_to": 100, "measure": "lx", "value": 0.05}]
    with pytest.raises(demography.TableError) as err:
        demography.read_mortality(_write(tmp_path, rows))
    message = str(err.value)
    assert "0-0 and 2-100 leave a gap" in message
    assert "measure lx unknown; allowed: mx, qx" in message
    with pytest.raises(demography.TableError, match="no such file"):
        demography.read_mortality(tmp_path / "none.csv")


def test_births_and_deaths_follow_the_tables():
    """Over a run, each month's births and deaths are what the tables expect of that month's population:
    the sum over women in unions of f[age] and over members of q[sex, age], within binomial noise."""
    from abm.engine import FastEngine
    from abm.state import F_BIRTHS, F_DEATHS
    from abm.world import World
    from experiments.lifecourse_check import expected_events
    from tests.conftest import make_spec

    w = World(make_spec(city="zhengzhou", households=4000, months=24, seed=11))
    engine = FastEngine(w)
    expected_b = expected_d = births = deaths = 0.0
    for _ in range(24):
        eb, ed = expected_events(w)
        expected_b += eb
        expected_d += ed
        engine.step()
        births += w.flows[F_BIRTHS].sum()
        deaths += w.flows[F_DEATHS].sum()
    # deaths at the September ageing use the new age, and a full set of child slots blocks a birth: both small
    for got, want in ((births, expected_b), (deaths, expected_d)):
        assert abs(got - want) < 4 * np.sqrt(want) + 0.05 * want, (got, want)


def test_one_draw_for_any_death_keeps_each_members_probability():
    """`dies` draws once whether anyone dies, then who: each member's death frequency and a pair's joint
    frequency are those of independent draws."""
    from abm.phases.lifecourse import dies

    n = 100_000
    died = np.array([dies(7, 3, i, 0.3, 0.2, (0.5, 0.0, 0.1, 0.0)) for i in range(n)])
    for bit, q in ((1, 0.3), (2, 0.2), (4, 0.5), (8, 0.0), (16, 0.1)):
        assert abs((died & bit > 0).mean() - q) < 4 * np.sqrt(q * (1 - q) / n) + 1e-12, bit
    joint = ((died & 1 > 0) & (died & 4 > 0)).mean()
    assert abs(joint - 0.15) < 4 * np.sqrt(0.15 * 0.85 / n)


def test_marital_fertility_keeps_births_per_woman_of_each_band():
    """Rates for women in a union are the schedule's over the band's share in a union, so that the band's births
    per woman stay the schedule's; a band without women in a union, or whose rate would pass natural
    fertility, takes the natural-fertility cap."""
    f = np.zeros(demography.N_AGES)
    f[20:25] = 0.1
    f[25:30] = 0.2
    f[30:35] = 0.05
    women = np.zeros(demography.N_AGES)
    union = np.zeros(demography.N_AGES)
    women[20:35] = 10.0
    union[20:25] = 2.5   # a quarter in a union: 0.1 x 4 = 0.4, under the cap 0.460
    union[25:30] = 2.0   # a fifth: 0.2 x 5 = 1.0, capped at 0.431
    m = demography.marital_fertility(f, women, union)
    assert np.allclose(m[20:25], 0.4)
    assert np.allclose((m * union)[20:25].sum() / women[20:25].sum(), f[20:25].mean())
    assert np.allclose(m[25:30], demography.NATURAL_FERTILITY[25])
    assert np.allclose(m[30:35], demography.NATURAL_FERTILITY[30])  # nobody in a union
    assert np.all(m[:15] == 0) and np.all(m[50:] == 0)


def test_city_births_start_at_the_schedule_total_fertility():
    """In a synthetic city, the marital rates times the women in a union give the schedule's births per woman
    (constant within its 5-year bands) in every band where the cap does not bind, and most bands do not."""
    from abm.world import World, women_in_union
    from tests.conftest import make_spec

    w = World(make_spec(city="zhengzhou", households=4000, months=12, seed=3))
    women, union = women_in_union(w.h, w.n)
    checked = 0
    for lo, cap in demography.NATURAL_FERTILITY.items():
        b = slice(lo, lo + 5)
        if union[b].sum() > 0 and np.all(w.f_marital[b] < cap):
            assert np.isclose((w.f_marital * union)[b].sum() / women[b].sum(), w.tables.f_annual[lo], rtol=1e-9)
            checked += 1
    assert checked >= 5
