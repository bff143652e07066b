"""The pilot policies: each moves the indicator its pilot monitored, the way it intended,
against the status quo with common random numbers; both engines agree for each; rules compose."""

import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from abm.cli import app
from abm.indicators import INDEX
from abm.policies import PolicyError, available, instantiate, resolve_rules
from abm.runner import simulate
from tests.conftest import make_spec
from tests.test_engines import assert_same

PILOTS = ("zhengzhou", "yanta", "jinnan", "changshu", "kunshan", "yiwu", "coproduction")
SEEDS = (1, 2, 3)
CITY, HOUSEHOLDS, MONTHS = "zhengzhou", 2000, 48
MIG, FARM = 0, 1

_cache: dict = {}


def history(arm, seed):
    key = (arm, seed)
    if key not in _cache:
        spec = make_spec(city=CITY, households=HOUSEHOLDS, months=MONTHS, seed=seed, policies=[arm])
        _cache[key] = np.asarray(simulate(spec).world.history)
    return _cache[key]


def at_end(name, group):
    return lambda h: h[-1, INDEX[name], group, 2]


def total(name, group):
    return lambda h: h[1:, INDEX[name], group, 2].sum()


def departure_rate(h):
    return h[1:, INDEX["departures"], MIG, 2].sum() / h[1:, INDEX["households"], MIG, 2].sum()


# pilot -> (what, measure, +1 if the pilot meant to raise it, -1 to lower it)
EFFECTS = {
    "zhengzhou": [("migrants' registration rate", at_end("registration_rate", MIG), +1),
                  ("migrants' public-school share", at_end("public_school_share", MIG), +1)],
    "yanta": [("migrants' hukou conversions", total("hukou_conversions", MIG), +1),
              ("training person-times", total("training_person_times", 3), +1)],
    "jinnan": [("resettled farmers", at_end("resettled_farmers", FARM), +1),
               ("farmers on urban social security", at_end("farmers_urban_social_security", FARM), +1)],
    "changshu": [("migrants' public-rental coverage", at_end("public_rental_coverage", MIG), +1)],
    "kunshan": [("migrants' pension coverage", at_end("pension_coverage", MIG), +1),
                ("migrants' informal-housing share", at_end("informal_housing_share", MIG), -1)],
    "yiwu": [("migrants' public-school share", at_end("public_school_share", MIG), +1)],
    "coproduction": [("migrants' departure rate", departure_rate, -1)],
}


def test_all_eight_policies_are_listed_with_parameters():
    assert set(PILOTS) | {"baseline"} <= set(available())
    out = CliRunner().invoke(app, ["policies"], env={"COLUMNS": "250"}).output
    for name in PILOTS:
        assert f"{name}:" in out
    for param in ("build_share", "pension_years", "programme_rate", "units_per_year", "compound_share",
                  "points_skill", "staff_per_committee"):
        assert param in out


def test_every_pilot_says_which_seed_it_follows():
    for name in PILOTS:
        cls = available()[name]
        assert "seeds/" in sys.modules[cls.__module__].__doc__
        assert cls.phases and cls.parameters


@pytest.mark.parametrize("pilot", PILOTS)
def test_pilot_moves_its_indicator_as_intended(pilot):
    for what, measure, sign in EFFECTS[pilot]:
        diffs = [measure(history(pilot, s)) - measure(history("baseline", s)) for s in SEEDS]
        assert all(sign * d > 0 for d in diffs), f"{pilot}: {what} paired effects {diffs}"


@pytest.mark.parametrize("pilot", PILOTS)
def test_engines_agree_under_every_pilot(pilot):
    spec = lambda: make_spec(city="changshu", households=600, months=14, seed=5, policies=[pilot],  # noqa: E731
                             start_month=8)
    assert_same(simulate(spec(), "numba"), simulate(spec(), "mesa"))


def test_engines_agree_with_every_pilot_at_once():
    pols = ["zhengzhou", "yanta", "jinnan", "changshu", "kunshan", "yiwu", "coproduction"]
    prec = {"school_rule": "kunshan", "uv_redevelopment_rate": "yiwu"}

    def spec():
        return make_spec(city="jinnan", households=500, months=14, seed=9, policies=pols, start_month=8,
                         precedence=prec)
    assert_same(simulate(spec(), "numba"), simulate(spec(), "mesa"))


def test_incompatible_rules_fail_naming_both_policies_unless_precedence_says():
    pols = instantiate(["yiwu", "kunshan"])
    with pytest.raises(PolicyError, match=r"policies 'yiwu' and 'kunshan' both set rule 'school_rule'"):
        resolve_rules(pols, {})
    assert resolve_rules(pols, {}, {"school_rule": "yiwu"})["school_rule"] == 2
    assert resolve_rules(pols, {}, {"school_rule": "kunshan"})["school_rule"] == 3
    with pytest.raises(PolicyError, match="precedence.school_rule: 'jinnan' does not set this rule"):
        resolve_rules(pols, {}, {"school_rule": "jinnan"})


def test_compatible_rules_combine_the_generous_way():
    rules = resolve_rules(instantiate(["yanta", {"changshu": {"training_rate": 0.05}}]), {})
    assert rules["training_rate_migrant"] == 0.05  # the higher take-up of the two
    rules = resolve_rules(instantiate(["jinnan", {"coproduction": {"participation": 0.5}}]), {})
    assert rules["coproduction_participation"] == 0.5


def test_pilots_do_not_depend_on_their_order():
    a = resolve_rules(instantiate(["yanta", "changshu", "coproduction"]), {})
    b = resolve_rules(instantiate(["coproduction", "changshu", "yanta"]), {})
    assert a == b
