"""The scorecard: its metrics, the facts loader, the patterns' verdicts, and a small scorecard on Ray that
guards the share of rows within tolerance against tests/golden/scorecard_small.json."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from abm.cli import app
from abm.indicators import INDEX, N_INDICATORS
from abm.scorecard import facts as F
from abm.scorecard import patterns as P
from abm.scorecard.metrics import CityRuns, ard, mase, mase_table, score_rows, summarise
from abm.scorecard.run import Settings, SettingsError, city_runs, plan, scorecard
from experiments.refresh_scorecard import GOLDEN, SMALL, facts_checksums

FIXTURE = Path(__file__).parent / "fixtures" / "scorecard_external_facts.csv"
HEADER = ",".join(c for c in F.EXTERNAL_COLUMNS if c not in F.OPTIONAL_COLUMNS)
GOOD = 'changshu,2010,public_school_share,migrant,0.7,share,calibrate,0.1,NDRC,Changshu table,row 3,,,""'
runner = CliRunner()


# ---- metrics ----------------------------------------------------------------------------------------

def test_ard_and_mase_on_a_hand_computed_example():
    obs, sim = [100.0, 110.0, 120.0], [100.0, 105.0, 130.0]
    # |0|/100, 5/110, 10/120 -> mean 0.0429293
    assert ard(obs, sim) == pytest.approx((0 + 5 / 110 + 10 / 120) / 3)
    # later years: model errors 5 and 10 (mean 7.5); naive (holds 100) errors 10 and 20 (mean 15)
    assert mase(obs, sim) == pytest.approx(0.5)
    assert np.isnan(mase([100.0], [90.0])) and np.isnan(mase([5.0, 5.0], [4.0, 6.0]))
    assert ard([0.0, 2.0], [1.0, 3.0]) == pytest.approx(0.5)  # an observed 0 has no relative error


def _runs(year=2009, months=36, reps=3):
    """Histories of zeros with a migrant population of 1000 + 10 * month + replicate and 5 arrivals a month."""
    h = np.zeros((reps, months + 1, N_INDICATORS, 4, 3))
    for r in range(reps):
        h[r, :, INDEX["population"], 0, 2] = 1000 + 10 * np.arange(months + 1) + r
        h[r, :, INDEX["population"], 3, 2] = h[r, :, INDEX["population"], 0, 2]
    h[:, :, INDEX["arrivals"], 0, 2] = 5.0
    return CityRuns(year, 0.0, h, h + 0.0)


def _fact(year, indicator, observed, role="validate"):
    return {"site": "changshu", "year": year, "indicator": indicator, "group": "migrant", "observed": observed,
            "role": role, "tolerance": 0.1, "model": indicator, "model_group": "migrant", "why_not": ""}


def test_rows_are_scored_at_the_end_of_their_year_flows_summed_over_it():
    facts = pd.DataFrame([_fact(2010, "population", 1200.0), _fact(2011, "population", 1300.0),
                          _fact(2010, "arrivals", 100.0, "calibrate"), _fact(2009, "population", 1110.0)])
    table = score_rows(F.comparisons(facts, {"changshu": 2009}), {"changshu": _runs()})
    pop10, pop11, arr, pop09 = (table.iloc[k] for k in range(4))
    assert pop10["month"] == 24 and pop10["simulated"] == pytest.approx(1241.0)  # mean of 1240, 1241, 1242
    assert pop10["rel_error"] == pytest.approx(41 / 1200) and bool(pop10["met"])
    assert pop11["month"] == 36 and pop11["simulated"] == pytest.approx(1361.0) and bool(pop11["met"])
    assert arr["first_month"] == 13 and arr["simulated"] == pytest.approx(60.0) and not bool(arr["met"])
    assert pop09["status"] == "by construction"  # the profile pins its own year's migrants, whatever the file
    s = summarise(table, [])
    assert (s["compared"], s["within_tolerance"], s["by_construction"]) == (3, 2, 1)
    assert s["share_within_tolerance"] == pytest.approx(2 / 3)
    assert s["ard_validate"] == pytest.approx((41 / 1200 + 61 / 1300) / 2)
    series = mase_table(table)  # 2010-2011: model errors |1361 - 1300|; naive |1300 - 1200|
    assert len(series) == 1 and series.iloc[0]["mase"] == pytest.approx(61 / 100)


def test_a_growth_row_is_the_yearly_growth_between_the_ends_of_two_years():
    facts = pd.DataFrame([_fact(2011, "population", 0.1) | {"since": 2009},
                          _fact(2010, "population", 0.05) | {"since": 2006}])
    table = score_rows(F.comparisons(facts, {"changshu": 2009}), {"changshu": _runs()})
    grow, early = table.iloc[0], table.iloc[1]
    assert (grow["first_month"], grow["month"]) == (12, 36)  # the end of 2009 to the end of 2011
    # replicate r: (1360 + r) / (1120 + r) over two years
    expected = np.mean([((1360 + r) / (1120 + r)) ** 0.5 - 1 for r in range(3)])
    assert grow["simulated"] == pytest.approx(expected) and grow["status"] == "compared"
    assert early["status"] == "not comparable" and early["reason"].startswith("before the run starts")


def test_growth_rows_load_with_their_unit_and_a_bad_since_is_named(tmp_path):
    header = ",".join(F.EXTERNAL_COLUMNS)
    path = tmp_path / "growth.csv"
    path.write_text("\n".join([
        header,
        'changshu,2010,2020,resident_population,all,0.03,per_year,calibrate,0.3,Bureau,Census,table 1,,,',
        'changshu,2021,2020,resident_population,all,0.03,per_year,validate,0.3,Bureau,Census,table 1,,,',
        'changshu,2011,2020,resident_population,all,0.03,persons,validate,0.3,Bureau,Census,table 1,,,',
        'changshu,2012,2020,resident_population,all,-1.5,per_year,validate,0.3,Bureau,Census,table 1,,,',
    ]) + "\n", encoding="utf-8")
    with pytest.raises(F.FactsError) as exc:
        F.load_facts(None, path)
    text = str(exc.value)
    assert "row 3, column since: '2021' must be a whole year before 2020" in text
    assert "row 4, column unit: 'persons' does not match" in text and "per_year" in text
    assert "row 5, column value: -1.5 is a yearly growth rate" in text
    assert "row 2" not in text
    good = tmp_path / "good.csv"
    good.write_text("\n".join(path.read_text().splitlines()[:2]) + "\n", encoding="utf-8")
    facts = F.load_facts(None, good)
    assert facts.iloc[0]["since"] == 2010 and facts.iloc[0]["unit"] == "per_year"


def test_no_validate_row_is_a_calibration_target_and_external_targets_are_calibrate_rows():
    """Every target of every shipped calibration config, matched to the city's facts by year, growth span,
    model figure and group: none is a `validate` row; those citing external_facts are `calibrate` rows."""
    from abm.calibration.config import load_calibration
    from abm.city import load_profile

    facts = F.load_facts()
    configs = sorted((Path(F.CITIES_DIR).parent / "calibration").glob("*.yaml"))
    checked = 0
    for path in configs:
        cal = load_calibration(path)
        if cal.config.recovery is not None:
            continue  # targets made from the model itself
        city = cal.base.city
        y0 = load_profile(city).year
        for t in cal.targets.itertuples():
            year = y0 + t.step // 12 - 1
            since = y0 + t.since // 12 - 1 if t.since >= 0 else None
            same = facts[(facts["site"] == city) & (facts["year"] == year)
                         & (facts["model"] == t.indicator) & (facts["model_group"] == t.group)
                         & (facts["since"].isna() if since is None else facts["since"] == since)]
            assert not (same["role"] == "validate").any(), (path.name, t.indicator, year, same[["file", "row"]])
            if str(t.source).startswith("external_facts"):
                assert (same["role"] == "calibrate").any(), (path.name, t.indicator, year)
            checked += 1
    assert checked >= 10
    # a national validate row on a quantity Changshu's calibration fitted is flagged, not counted out of sample
    from abm.scorecard.run import fitted_quantities
    assert ("child_enrolment_rate", "migrant", 24, -1) in fitted_quantities("changshu")
    assert ("resident_population", "all", 144, 24) in fitted_quantities("zhengzhou")


# ---- facts --------------------------------------------------------------------------------------------

def test_seed_and_fixture_facts_load_and_every_row_is_listed(tmp_path):
    facts = F.load_facts(F.SEED_FILE, FIXTURE)
    assert (facts["file"] == FIXTURE.name).sum() == 3
    rows = F.comparisons(facts, {"changshu": 2009, "zhengzhou": 2009, "kunshan": 2009})
    by = {(r.file, r.site, r.year, r.indicator): r for r in rows.itertuples()}
    schools = by[(FIXTURE.name, "zhengzhou", 2011, "schools_started")]
    assert schools.status == "not comparable" and "schools" in schools.reason
    share = by[(FIXTURE.name, "changshu", 2010, "public_school_share")]
    assert share.status == "compared" and share.month == 24 and share.tolerance == 0.1
    assert by[("seed_facts.csv", "kunshan", 1999, "migrant_population")].reason.startswith("before the run starts")
    pinned = by[("seed_facts.csv", "changshu", 2009, "migrant_population")]
    assert pinned.status == "by construction" and (pinned.model, pinned.model_group) == ("population", "migrant")
    assert by[("seed_facts.csv", "zhengzhou", 2009, "resident_population")].status == "by construction"
    assert by[("seed_facts.csv", "national", 2009, "urban_population")].status == "not comparable"
    assert by[("seed_facts.csv", "shanghai", 2017, "migrant_share_of_residents")].reason.startswith("no model of")
    assert not (rows["site"] == "yiwu").any()  # cities not run are left out
    assert len(rows) == len(facts) - (facts["site"].isin(["yiwu", "yanta", "jinnan"])).sum()
    assert F.growth_band(facts)[:4] == (0.03, 0.05, 2001, 2016)


def test_a_bad_external_table_names_every_problem_by_row_and_column(tmp_path):
    bad = tmp_path / "external.csv"
    bad.write_text("\n".join([
        HEADER,
        GOOD,
        "Atlantis,20x0,public_school_share,kids,1.7,percent,guess,0,,, ,ftp://x,,",
        "yiwu,2015,wage_index,all,3,index,validate,0.1,Bureau,Yearbook,table 1,,,",
        "changshu,2010,migrant_share_of_residents,migrant,0.4,share,validate,0.1,Bureau,Yearbook,table 2,,,",
        GOOD,
    ]) + "\n", encoding="utf-8")
    with pytest.raises(F.FactsError) as exc:
        F.load_facts(None, bad)
    text = str(exc.value)
    for expected in ("row 3, column site", "row 3, column year", "row 3, column group", "row 3, column unit",
                     "row 3, column role", "row 3, column tolerance", "row 3, column publisher",
                     "row 3, column title", "row 3, column locator", "row 3, column url",
                     "row 4, column note", "row 5, column group", "row 6: the same figure"):
        assert expected in text, expected
    assert "row 2," not in text and "row 2:" not in text  # the good row has no problem
    missing = tmp_path / "missing.csv"
    missing.write_text("site,year,value\nchangshu,2010,1\n", encoding="utf-8")
    with pytest.raises(F.FactsError, match="missing column.*indicator"):
        F.load_facts(None, missing)


def test_the_horizon_reaches_the_latest_figure_and_the_growth_band():
    facts = F.load_facts(F.SEED_FILE, FIXTURE)
    plans, _ = plan(Settings(cities=("changshu", "yiwu"), replicates=2, households=100), facts)
    assert {p.city: p.horizon for p in plans} == {"changshu": 12 * 8, "yiwu": 36}  # end of 2016; three years
    later = pd.concat([facts, facts.iloc[[-3]].assign(year=2020, site="changshu")], ignore_index=True)
    plans, _ = plan(Settings(cities=("changshu",), replicates=2, households=100), later)
    assert plans[0].horizon == 12 * 12  # the end of 2020
    seeds = {t.arm: [] for t in plans[0].sweep.tasks}
    for t in plans[0].sweep.tasks:
        seeds[t.arm].append(t.seed)
    assert seeds["baseline"] == seeds["pilot"] == [1, 2]  # common random numbers
    assert plans[0].behaviour == plans[0].sweep.specs[("pilot", 0)].behaviour  # calibrated in both arms


# ---- patterns -------------------------------------------------------------------------------------------

def test_pattern_verdicts_on_constructed_numbers():
    falling = np.array([[100, 98, 95, 93], [100, 97, 96, 92], [100, 99, 94, 91.0]])
    assert P.yiwu_decline(falling, 2014, 0.03).passed is True
    assert P.yiwu_decline(falling[:, ::-1], 2014, 0.03).passed is False
    assert P.yiwu_decline(falling[:, :2], 2014, 0.03).passed is None  # the run is too short
    inside = {"a": (2009, 2016, np.array([0.02, 0.03])), "b": (2009, 2016, np.array([0.05, 0.06]))}
    assert P.migrant_growth(inside, 0.03, 0.05, 2001, 2016, "s").passed is True  # mean 4%
    assert P.migrant_growth({"a": inside["a"]}, 0.03, 0.05, 2001, 2016, "s").passed is False
    fewer = {"yanta": (np.array([0.10, 0.12, 0.11]), np.array([0.20, 0.21, 0.19]))}
    assert P.coproduction(fewer, {}).passed is True
    assert P.coproduction({"yanta": fewer["yanta"][::-1]}, {}).passed is False
    assert P.coproduction({}, {}).passed is None
    up = P.Expectation("registration_rate", "migrant", +1, "seed", "why")
    down = P.Expectation("urbanization_gap", "land_losing_farmer", -1, "seed", "why")
    effects = {("registration_rate", "migrant"): {"effect": 0.1, "ci_low": 0.05, "ci_high": 0.15, "baseline": 0.3,
                                                  "value": 0.4, "pairs": 3},
               ("urbanization_gap", "land_losing_farmer"): {"effect": -0.1, "ci_low": -0.2, "ci_high": 0.01,
                                                            "baseline": 0.5, "value": 0.4, "pairs": 3}}
    assert P.pilot("x", [up], effects).passed is True
    assert P.pilot("x", [up, down], effects).passed is False  # the interval of `down` reaches above zero
    assert P.pilot("x", [P.Expectation("departures", "migrant", +1, "s", "w")], effects).passed is False


def test_coproduction_share_matches_the_households(spec_factory):
    """Pattern c reads participation from coproduction_share by group; check it against the state."""
    from abm.runner import simulate

    spec = spec_factory("yanta", households=400, months=13, policies=("baseline", "yanta", "coproduction"))
    world = simulate(spec).world
    h, n, last = world.h, world.n, world.history[-1]
    active = h.status[:n] == 0
    for g in range(3):
        mine = active & (h.group[:n] == g)
        assert last[INDEX["coproduction_share"], g, 2] == pytest.approx(h.coproducing[:n][mine].mean(), rel=1e-9)


# ---- the command line and the regression guard ---------------------------------------------------------

def test_bad_input_exits_2_with_one_message_and_writes_nothing(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("a file")
    result = runner.invoke(app, ["scorecard", "--cities", "changshu,atlantis", "--replicates", "0",
                                 "--out", str(taken)])
    assert result.exit_code == 2
    assert result.output.count("error:") == 1
    for expected in ("'atlantis'", "--replicates must be 1 or more", "is a file"):
        assert expected in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    with pytest.raises(SettingsError, match="not empty"):
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "x").write_text("")
        scorecard(Settings(cities=("yiwu",)), tmp_path / "full")


@pytest.fixture(scope="module")
def small(tmp_path_factory, ray_address):
    out = tmp_path_factory.mktemp("scorecard") / "small"
    return scorecard(SMALL, out, workers=2)


def test_small_scorecard_keeps_its_share_within_tolerance(small):
    """Refresh with `python experiments/refresh_scorecard.py` only when the figures are meant to change."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["settings"] == {"cities": list(SMALL.cities), "replicates": SMALL.replicates,
                                  "households": SMALL.households}
    assert facts_checksums(SMALL) == golden["facts"], (
        "the facts files changed since tests/golden/scorecard_small.json was made; check the new scorecard and "
        "refresh it with `python experiments/refresh_scorecard.py`")
    assert small.summary["compared"] == golden["summary"]["compared"]
    if golden["summary"]["compared"]:
        share, before = small.summary["share_within_tolerance"], golden["summary"]["share_within_tolerance"]
        assert share >= before - 1e-12, f"share within tolerance fell from {before:.3f} to {share:.3f}"


def test_small_scorecard_writes_every_output_whole(small):
    out = small.out
    assert {"scorecard.parquet", "scorecard.csv", "report.html", "manifest.json", "runs"} == {
        p.name for p in out.iterdir()}
    assert not list(out.parent.glob(".*"))  # the working folder was renamed into place
    table = pd.read_parquet(out / "scorecard.parquet")
    assert len(table) == len(pd.read_csv(out / "scorecard.csv")) == small.summary["rows"]
    assert {"observed", "simulated", "sim_low", "sim_high", "rel_error", "tolerance", "met", "role", "source",
            "status", "reason"} <= set(table.columns)
    compared = table[table["status"] == "compared"]
    assert (compared["sim_low"] <= compared["simulated"]).all() and (compared["simulated"] <= compared["sim_high"]).all()
    assert (table.loc[table["status"] == "not comparable", "reason"] != "").all()
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["settings"]["replicates"] == SMALL.replicates and man["seeds"] == [1, 2, 3]
    assert len(man["facts"]["seed_facts"]["sha256"]) == 64 and "commit" in man["git"]
    assert {p["key"] for p in man["patterns"]} == {"a", "b", "c", "d-changshu", "d-yiwu"}
    assert man["patterns"][2]["verdict"] == "not checked"  # neither city runs co-production
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2 and 'class="sortable"' in page and "<script>" in page
    assert "http" not in page.split("<script>")[1]  # the sort script loads nothing


def test_small_scorecard_scores_other_facts_on_the_same_runs(small):
    facts = F.load_facts(F.SEED_FILE, FIXTURE)
    rows = F.comparisons(facts, {p.city: p.year for p in small.plans})
    table = score_rows(rows, city_runs(small.plans, small.out))
    fixture = table[table["file"] == FIXTURE.name].set_index("indicator")
    assert set(fixture.index) == {"public_school_share", "child_enrolment_rate"}  # zhengzhou was not run
    assert fixture.loc["child_enrolment_rate", "role"] == "validate"
    same = table[(table["file"] == "seed_facts.csv") & (table["indicator"] == "migrant_children_public_school_share")]
    assert fixture.loc["public_school_share", "simulated"] == pytest.approx(same["simulated"].iloc[0])
