"""City profiles carry the seed figures they cite."""

import csv
from pathlib import Path

import pytest

from abm.city import BUILTIN_CITIES, CITIES_DIR, load_profile

FACTS = list(csv.DictReader((CITIES_DIR / "seed_facts.csv").open()))


def fact(site, indicator, year=None):
    return next(float(r["value"]) for r in FACTS if r["site"] == site and r["indicator"] == indicator
                and (year is None or r["year"] == str(year)))


@pytest.mark.parametrize("city", BUILTIN_CITIES)
def test_profiles_load_and_add_up(city):
    prof = load_profile(city)
    assert abs(prof.migrants + prof.local_hukou - prof.residents) <= 0.01 * prof.residents
    persons = prof.persons()
    assert persons["migrant"] == prof.migrants


@pytest.mark.parametrize("city", ["zhengzhou", "yanta", "changshu"])
def test_profiles_use_the_seed_figures(city):
    prof = load_profile(city)
    assert prof.residents == fact(city, "resident_population")
    assert prof.migrants == fact(city, "migrant_population")
    assert prof.local_hukou == fact(city, "local_hukou_population")
    assert prof.urban_share_of_local_hukou == fact(city, "urban_hukou_share_of_local_hukou")


def test_shares_derived_from_the_seeds():
    jinnan = load_profile("jinnan")
    assert jinnan.migrants / jinnan.residents == pytest.approx(fact("jinnan", "migrant_share_of_residents"), abs=1e-4)
    yiwu = load_profile("yiwu")
    assert yiwu.migrants / yiwu.residents == pytest.approx(fact("yiwu", "migrant_share_of_residents"), abs=1e-4)
    kunshan = load_profile("kunshan")
    assert kunshan.migrants == fact("kunshan", "migrant_population", 2009)


def test_the_seed_table_in_the_repo_is_the_shared_one():
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "seed_facts.csv"
    if not shared.exists():
        pytest.skip("the shared seed folder is not beside this checkout")
    assert shared.read_text() == (CITIES_DIR / "seed_facts.csv").read_text()
