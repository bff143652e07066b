"""Parameter designs and sweep-config validation."""

import numpy as np
import pytest
from typer.testing import CliRunner

from abm.cli import app
from abm.config import ConfigError
from abm.sweep import design
from abm.sweep.config import parse_sweep

BASE = {"city": "zhengzhou", "households": 300, "horizon_months": 6, "seed": 1}


def sweep(**kw):
    data = {"name": "t", "base": BASE, "arms": {"baseline": ["baseline"], "zz": ["baseline", "zhengzhou"]}} | kw
    return parse_sweep(data)


def test_grid_expands_lists_and_holds_scalars():
    points = design.grid({"a": [1, 2, 3], "b": [10, 20]}, {"c": 5.0})
    assert len(points) == 6
    assert {(p["a"], p["b"]) for p in points} == {(a, b) for a in (1, 2, 3) for b in (10, 20)}
    assert all(p["c"] == 5.0 for p in points)
    assert points[0] == {"c": 5.0, "a": 1.0, "b": 10.0} and points[1]["b"] == 20.0  # first factor slowest


def test_lhs_is_stratified_within_ranges_and_deterministic():
    ranges = {"x": (0.0, 1.0), "y": (-4.0, -2.0)}
    pts = design.lhs(ranges, {}, 20, seed=3)
    for name, (lo, hi) in ranges.items():
        v = np.array([p[name] for p in pts])
        assert ((v >= lo) & (v <= hi)).all()
        bins = np.floor((v - lo) / (hi - lo) * 20).astype(int)
        assert sorted(bins) == list(range(20))  # one point in each of the 20 strata
    assert pts == design.lhs(ranges, {}, 20, seed=3)
    assert pts != design.lhs(ranges, {}, 20, seed=4)


def test_integer_parameters_are_rounded():
    pts = design.lhs({"n": (7.0, 9.0)}, {}, 30, seed=1, integer={"n"})
    assert {p["n"] for p in pts} <= {7.0, 8.0, 9.0}


def test_sobol_follows_the_saltelli_layout():
    ranges = {"x": (0.0, 1.0), "y": (10.0, 20.0), "z": (-1.0, 1.0)}
    pts = design.sobol(ranges, {"h": 2.0}, 8, seed=0)
    d = 3
    assert len(pts) == design.sobol_size(8, d) == 40
    names = list(ranges)
    for j in range(8):
        block = [[p[n] for n in names] for p in pts[j * (d + 2):(j + 1) * (d + 2)]]
        a, b = block[0], block[-1]
        for i in range(d):
            ab = block[1 + i]
            assert ab[i] == b[i] and all(ab[k] == a[k] for k in range(d) if k != i)
    assert all(p["h"] == 2.0 for p in pts)


def test_sweep_seeds_give_common_random_numbers():
    sw = sweep(design={"method": "grid", "parameters": {"behaviour.reg_const": [-4.5, -3.5]}}, replicates=3,
               seed=50)
    assert len(sw.tasks) == 2 * 2 * 3
    for t in sw.tasks:
        assert t.seed == 50 + t.replicate
    assert len({t.run_id for t in sw.tasks}) == len(sw.tasks)
    spec = sw.spec_for(next(t for t in sw.tasks if t.arm == "zz" and t.point == 1 and t.replicate == 2))
    assert spec.seed == 52 and spec.behaviour["reg_const"] == -3.5
    assert [p.name for p in spec.policies] == ["baseline", "zhengzhou"]


def test_policy_levers_reach_only_arms_with_the_policy():
    sw = sweep(design={"method": "lhs", "samples": 4, "parameters": {"zhengzhou.build_share": {"low": 0.2,
                                                                                              "high": 0.8}}})
    for t in sw.tasks:
        spec = sw.spec_for(t)
        zz = [p for p in spec.policies if p.name == "zhengzhou"]
        if t.arm == "zz":
            assert zz[0].values["build_share"] == pytest.approx(t.params["zhengzhou.build_share"])
        else:
            assert not zz


@pytest.mark.parametrize("design_cfg, expected", [
    ({"parameters": {"behaviour.nonsense": [1]}}, "design.parameters.behaviour.nonsense: unknown behaviour"),
    ({"parameters": {"behaviour.reg_const": [-40]}}, "out of range; allowed [-10, 5]"),
    ({"parameters": {"kunshan.compound_share": [0.1]}}, "no arm has policy 'kunshan'"),
    ({"parameters": {"zhengzhou.nope": [1]}}, "unknown lever of zhengzhou"),
    ({"method": "lhs", "samples": 4, "parameters": {"behaviour.reg_const": [-4, -3]}}, "take {low, high} ranges"),
    ({"method": "lhs", "parameters": {"behaviour.reg_const": {"low": -4, "high": -3}}}, "need `samples`"),
    ({"method": "sobol", "samples": 6, "parameters": {"behaviour.reg_const": {"low": -4, "high": -3}}},
     "power of two"),
    ({"method": "lhs", "samples": 4, "parameters": {"behaviour.reg_const": {"low": -3, "high": -4}}},
     "must be below high"),
])
def test_bad_designs_are_named(design_cfg, expected):
    with pytest.raises(ConfigError) as exc:
        sweep(design=design_cfg)
    assert expected in str(exc.value)


def test_bad_sweep_fields_are_all_listed(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nbase: {city: zhengzhou, households: 300, horizon_months: 6, seed: 1}\n"
                    "arms: {baseline: [baseline], 'x y': [baseline]}\nreplicates: 0\ncolour: red\n")
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    out = result.output
    assert "replicates" in out and "arm names may hold" in out
    assert "colour: unknown key; allowed keys: name, base, overrides, arms" in out
    assert not (tmp_path / "o").exists()


def test_bad_arm_policy_and_base_are_named():
    with pytest.raises(ConfigError, match=r"arms\.zz: policies\[1\]: unknown policy 'nowhere'"):
        parse_sweep({"name": "t", "base": BASE, "arms": {"zz": ["baseline", "nowhere"]}})
    with pytest.raises(ConfigError, match=r"base\.horizon_months"):
        parse_sweep({"name": "t", "base": BASE | {"horizon_months": 0}, "arms": {"a": ["baseline"]}})
    with pytest.raises(ConfigError, match="baseline_arm 'zz' is not an arm"):
        parse_sweep({"name": "t", "base": BASE, "arms": {"a": ["baseline"]}, "baseline_arm": "zz"})
