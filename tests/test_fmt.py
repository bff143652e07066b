"""Numbers for people: the shared formatter, the run summary's units and yearly flows, report helpers."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from abm.cli import app
from abm.fmt import html_table, number, percent

runner = CliRunner()


@pytest.mark.parametrize("value, kwargs, text", [
    (860848.0, {}, "860,848"),
    (1705.3, {}, "1,705"),
    (-1705.3, {}, "-1,705"),
    (999.96, {}, "1,000"),
    (162.5e6, {}, "162.5 M"),
    (6.005e9, {}, "6.005 bn"),
    (-3.521e9, {"sign": True}, "-3.521 bn"),
    (999_999.7, {}, "1 M"),
    (999_999_999.7, {}, "1 bn"),
    (0.61953, {}, "0.6195"),
    (0.000123456, {}, "0.0001235"),
    (426.2, {"sign": True}, "+426.2"),
    (-0.005831, {"sign": True}, "-0.005831"),
    (3.5, {}, "3.5"),
    (4, {}, "4"),
    (0.0, {}, "0"),
    (-0.0, {}, "0"),
    (0.0, {"sign": True}, "+0"),
    (2.274e-13, {}, "0"),  # float noise without a scale
    (2.274e-13, {"sign": True, "scale": 6.005e9}, "+0"),
    (-3e-4, {"sign": True, "scale": 6.005e9}, "+0"),  # below 1e-9 of a 6 bn sum: noise
    (-3e-4, {"sign": True}, "-0.0003"),  # the same value without the scale is real
    (float("nan"), {}, "n/a"),
    (None, {}, "n/a"),
    (np.float32(0.25), {}, "0.25"),
])
def test_number(value, kwargs, text):
    assert number(value, **kwargs) == text


def test_number_never_writes_scientific_notation():
    rng = np.random.default_rng(0)
    for v in np.concatenate([10.0 ** rng.uniform(-8, 12, 2000), -(10.0 ** rng.uniform(-8, 12, 2000))]):
        text = number(v, sign=True)
        assert "e" not in text.replace(" bn", ""), (v, text)
        assert float(text.replace(",", "").removesuffix(" bn").removesuffix(" M")) != 0, (v, text)


def test_percent():
    assert percent(0.934) == "93%" and percent(-0.26) == "-26%" and percent(float("nan")) == "n/a"


def test_html_table_formats_floats_signs_and_noise_by_row():
    t = pd.DataFrame({"name": ["a", "b"], "base": [6.005e9, 0.5], "effect": [2.274e-7, -0.25], "n": [4, 4]})
    page = html_table(t, {"name": "outcome", "base": "baseline", "effect": "effect", "n": "pairs"},
                      scale="baseline", signed=("effect",))
    assert "<th>outcome</th><th>baseline</th><th>effect</th><th>pairs</th>" in page
    assert "<td>6.005 bn</td><td>+0</td><td>4</td>" in page  # 2e-7 is noise next to 6 bn
    assert "<td>0.5</td><td>-0.25</td><td>4</td>" in page


# ---- the run summary -----------------------------------------------------------------------------

def test_run_summary_has_units_and_sums_flows_over_the_last_twelve_months(spec_factory):
    from abm.indicators import INDEX, KIND
    from abm.runner import simulate, summary, summary_months

    world = simulate(spec_factory(households=300, months=18)).world
    frame = summary(world)
    assert list(frame.columns) == ["unit", "migrant", "land_losing_farmer", "urban_poor", "all"]
    assert summary_months(world) == (7, 18)
    hist = np.asarray(world.history)
    for name, row in frame.iterrows():
        k = INDEX[name]
        if KIND[name] == "flow":
            assert row["unit"].endswith("/year"), name
            assert row["all"] == pytest.approx(hist[7:19, k, 3, 2].sum()), name
        else:
            assert "/year" not in row["unit"], name
            assert row["all"] == hist[18, k, 3, 2], name
    conversions = hist[7:19, INDEX["hukou_conversions"], 0, 2]
    assert frame.loc["hukou_conversions", "migrant"] == pytest.approx(conversions.sum())
    assert frame.loc["hukou_conversions", "unit"] == "households/year"
    # a run shorter than a year sums its flows over the whole run and says so in the unit
    short = summary(simulate(spec_factory(households=300, months=5)).world)
    assert short.loc["hukou_conversions", "unit"] == "households/5 months"


def test_the_run_table_shows_units_and_says_what_the_flows_cover(tmp_path):
    config = tmp_path / "small.yaml"
    config.write_text("name: small\ncity: changshu\nhouseholds: 300\nhorizon_months: 14\nseed: 5\n")
    result = runner.invoke(app, ["run", str(config), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "stocks and rates at month 14, flows summed over months 3-14" in result.output
    lines = result.output.splitlines()
    assert any("┃ unit" in line for line in lines)
    assert any("hukou_conversions" in line and "households/year" in line for line in lines)
    assert any("registration_rate" in line and "│ share" in line for line in lines)
    assert not any("e+0" in line or "e-0" in line for line in lines)


# ---- report helpers --------------------------------------------------------------------------------

def test_response_bands_of_shares_stay_within_0_and_1():
    from abm.sweep.report import bounds, fit_band

    x = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 2.0])
    y = np.array([0.80, 0.90, 0.93, 0.99, 0.97, 1.00])  # near 1: the unclipped band runs past it
    _, fit, low, high = fit_band(x, y)
    assert high.max() > 1.0  # so the clipping below is tested
    assert bounds("registration_rate") == (0.0, 1.0) and bounds("households") == (0.0, np.inf)
    grid, fit, low, high = fit_band(x, y, bounds("registration_rate"))
    for a in (fit, low, high):
        assert (a >= 0).all() and (a <= 1).all()
    _, _, low, _ = fit_band(x, 1 - y, bounds("registration_rate"))
    assert low.min() == 0.0
    _, _, low, _ = fit_band(x, np.array([5.0, 900.0, 0.0, 1200.0, 10.0, 40.0]), bounds("hukou_conversions"))
    assert low.min() == 0.0  # counts are never negative either
    assert fit_band(np.ones(4), y[:4]) is None  # x does not vary: no line


def test_log_axis_tick_labels_do_not_overlap():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from abm.calibration.report import plain_log_axis

    for lo, hi in [(0.002, 0.02), (0.001, 0.04), (0.0011, 0.0013), (1e-4, 10), (1e-6, 10)]:
        fig, ax = plt.subplots(figsize=(4.6, 3.2))
        x = np.geomspace(lo, hi, 50)
        ax.plot(x, 1 / x)
        ax.set_xscale("log")
        plain_log_axis(ax.xaxis, lo, hi)
        fig.canvas.draw()
        a, b = ax.get_xlim()
        shown = [t.label1 for t in ax.xaxis.get_major_ticks() if a <= t.get_loc() <= b and t.label1.get_text()]
        boxes = [label.get_window_extent() for label in shown]
        plt.close(fig)
        assert 2 <= len(boxes) <= 7, (lo, hi, [label.get_text() for label in shown])
        assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:])), (lo, hi)
        assert not any("e-0" in label.get_text() for label in shown)
