"""The policy plug-in interface: parameters, composition, entry points."""

import numpy as np
import pytest

from abm.parameters import Param
from abm.policies import Policy, PolicyError, available, instantiate, registry, resolve_rules
from abm.runner import indicators_frame, simulate
from tests.conftest import make_spec


class DoNothing(Policy):
    name = "do_nothing"
    title = "A policy that changes nothing"
    parameters = (Param("strength", 1.0, "1", 0.0, 2.0, "unused"),)
    phases = ()


class OpenHukou(Policy):
    name = "open_hukou"
    title = "Hukou for every registered migrant"
    parameters = (Param("quota_share", 0.2, "per year", 0.0, 1.0, "annual quota"),)
    phases = ("registration",)

    def rules(self, current):
        return {"hukou_needs_owned": 0, "hukou_rented_ok": 1, "hukou_quota_share": self.values["quota_share"]}


@pytest.fixture
def plugins(monkeypatch):
    class EP:
        def __init__(self, name, cls):
            self.name, self._cls = name, cls

        def load(self):
            return self._cls

    eps = [EP("do_nothing", DoNothing), EP("open_hukou", OpenHukou)]
    monkeypatch.setattr(registry, "entry_points", lambda group: eps if group == "abm.policies" else [])


def test_entry_point_policies_are_found_and_listed(plugins):
    assert {"baseline", "do_nothing", "open_hukou"} <= set(available())
    from typer.testing import CliRunner

    from abm.cli import app
    out = CliRunner().invoke(app, ["policies", "open_hukou"]).output
    assert "quota_share" in out and "registration" in out


def test_a_policy_that_changes_nothing_gives_the_baseline(plugins):
    base = simulate(make_spec(households=500, months=14, seed=4))
    same = simulate(make_spec(households=500, months=14, seed=4, policies=["baseline", "do_nothing"]))
    assert indicators_frame(base.world).equals(indicators_frame(same.world))


def test_policies_apply_in_order_on_the_status_quo(plugins):
    pols = instantiate([{"open_hukou": {"quota_share": 0.3}}])
    assert [p.name for p in pols] == ["baseline", "open_hukou"]
    rules = resolve_rules(pols, {})
    assert rules["hukou_needs_owned"] == 0 and rules["hukou_quota_share"] == 0.3
    later = resolve_rules(instantiate(["open_hukou", {"baseline": {"hukou_quota_share": 0.01}}]), {})
    assert later["hukou_quota_share"] == 0.2  # baseline is the status quo underneath, whatever its place


def test_a_lever_moves_its_indicator_with_common_random_numbers(plugins):
    base = simulate(make_spec(households=1500, months=24, seed=8))
    opened = simulate(make_spec(households=1500, months=24, seed=8, policies=["open_hukou"]))
    conv = lambda r: np.asarray(r.world.history)[:, registry_index("hukou_conversions"), 0, 2].sum()  # noqa: E731
    assert conv(opened) > 2 * conv(base)


def registry_index(name):
    from abm.indicators import INDEX
    return INDEX[name]


def test_bad_parameters_name_policy_and_field():
    with pytest.raises(PolicyError, match=r"baseline\.school_rule: 9 is out of range"):
        instantiate([{"baseline": {"school_rule": 9}}])
    with pytest.raises(PolicyError, match=r"baseline\.hukou_pension_years: 1.5 must be a whole number"):
        instantiate([{"baseline": {"hukou_pension_years": 1.5}}])


class Undeclared(Policy):
    name = "undeclared"
    title = "Sets a schooling rule and has a city hook, but declares only registration"
    parameters = (Param("open", 0, "flag", 0, 1, "open schools", integer=True),)
    phases = ("registration",)

    def rules(self, current):
        return {"school_rule": 3} if self.values["open"] else {}

    def on_city(self, city):
        pass


def test_declared_phases_are_checked_against_what_a_policy_does(monkeypatch):
    from abm.policies.base import phase_problems

    for cls in registry.BUILTIN.values():
        assert phase_problems(cls) == [], cls.name
    problems = phase_problems(Undeclared)
    assert len(problems) == 2
    assert "sets school_rule (read in the schooling phase)" in problems[0]  # found at the parameter's bound
    assert "city hook" in problems[1]
    monkeypatch.setattr(registry, "entry_points", lambda group: [type("EP", (), {
        "name": "undeclared", "load": lambda self: Undeclared})()])
    with pytest.raises(PolicyError, match="undeclared"):
        instantiate(["undeclared"])


def test_a_city_hook_sees_only_the_narrow_city_interface():
    from abm.world import CityView, World

    city = CityView(World(make_spec("zhengzhou", households=200, months=1)))
    assert city.month == 1 and city.scale > 0 and city.public_claims().shape == city.districts.public_seats.shape
    for name in ("h", "n", "flows", "spec", "history", "market"):
        assert not hasattr(city, name), name
    before = city.districts.public_seats.sum()
    city.districts.public_seats[:] += 1  # adding capacity is what a hook may do
    assert city.districts.public_seats.sum() == before + city.districts.public_seats.size
