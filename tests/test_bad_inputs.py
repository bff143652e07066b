"""Every command, driven with inputs a user can get wrong: exit code 2, one message naming the field or path,
no traceback, and nothing written. No case simulates: each must fail while its inputs are checked.

Tests run as root here, where a folder's mode bits do not stop a write; unwritable places are therefore a path
below a regular file, and paths in /proc and /sys, where nothing can be created by anyone.
"""

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abm.cli import app

runner = CliRunner()

RUN = "name: good\ncity: changshu\nhouseholds: 300\nhorizon_months: 6\nseed: 5\n"
BASE = "{city: changshu, households: 300, horizon_months: 6, seed: 5}"
SWEEP = f"name: sw\nbase: {BASE}\narms: {{a: [baseline], z: [baseline, zhengzhou]}}\n"
CAL = (f"name: cal\nbase: {BASE}\nparameters: {{behaviour.reg_const: {{low: -6, high: -2}}}}\n"
       "recovery: {truth: {behaviour.reg_const: -4}, targets: [{indicator: registration_rate, group: migrant, "
       "when: 6}]}\n")
PROFILE = ("name: p\nyear: 2009\nresidents: 1825000\nmigrants: 760000\nlocal_hukou: 1065000\n"
           "urban_share_of_local_hukou: 0.54\n")
LATIN1 = "name: caf\xe9\ncity: changshu\nhouseholds: 300\nhorizon_months: 6\nseed: 5\n".encode("latin-1")
# a user's city profile whose minimum wage is below the default unemployment benefit (1,046 yuan)
LOW_WAGE_CITY = ("name: low\nyear: 2009\nresidents: 1000000\nmigrants: 300000\nlocal_hukou: 700000\n"
                 "urban_share_of_local_hukou: 0.5\nminimum_wage: 600\n")
SWEEP_MANIFEST = {"kind": "sweep", "name": "sw", "baseline_arm": "a", "config": {"arms": {"a": {}, "z": {}}},
                  "base": {"horizon_months": 6}, "design": {"method": "none", "parameters": [], "points": [{}]}}


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A working folder with good configs and folders of every kind; the cwd, so default outputs land here."""
    (tmp_path / "good.yaml").write_text(RUN)
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    (tmp_path / "cal.yaml").write_text(CAL)
    (tmp_path / "afile.txt").write_text("not a folder\n")
    (tmp_path / "empty").mkdir()
    run = tmp_path / "runfolder"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"config": {}, "seed": 5, "engine": "numba"}))
    (run / "indicators.parquet").write_bytes(b"")
    cal = tmp_path / "calfolder"
    cal.mkdir()
    (cal / "manifest.json").write_text(json.dumps({"kind": "calibration", "name": "cal"}))
    for folder in (tmp_path / "sweepfolder", tmp_path / "sweeps" / "20260101-000000"):
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps(SWEEP_MANIFEST))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(root: Path) -> dict:
    """Every path under root with its size and modification time."""
    return {str(p.relative_to(root)): (p.is_dir(), p.stat().st_size if p.is_file() else 0, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


# (id, files to write first {name: text or bytes}, command line, texts the message must hold)
CASES = [
    # encodings and YAML
    ("run-latin1", {"l.yaml": LATIN1}, ["run", "l.yaml"], ["l.yaml", "not UTF-8", "byte 9"]),
    ("validate-latin1", {"l.yaml": LATIN1}, ["validate", "l.yaml"], ["l.yaml", "not UTF-8", "byte 9"]),
    ("sweep-latin1", {"l.yaml": LATIN1}, ["sweep", "l.yaml"], ["l.yaml", "not UTF-8", "byte 9"]),
    ("calibrate-latin1", {"l.yaml": LATIN1}, ["calibrate", "l.yaml"], ["l.yaml", "not UTF-8", "byte 9"]),
    ("sweep-base-latin1", {"l.yaml": LATIN1, "s.yaml": "name: s\nbase: l.yaml\narms: {a: [baseline]}\n"},
     ["sweep", "s.yaml"], ["base: cannot read run config 'l.yaml'", "not UTF-8"]),
    ("yaml-syntax-names-the-file", {"b.yaml": "name: x\ncity: [\n"}, ["run", "b.yaml"],
     ["b.yaml: not valid YAML", 'in "b.yaml", line 3']),
    ("yaml-duplicate-key", {"d.yaml": RUN + "seed: 6\n"}, ["validate", "d.yaml"], ["duplicate key 'seed'", "d.yaml"]),
    ("yaml-python-tag", {"p.yaml": "name: !!python/object/apply:os.system ['true']\n"}, ["run", "p.yaml"],
     ["p.yaml: not valid YAML"]),
    ("yaml-empty", {"e.yaml": ""}, ["validate", "e.yaml"], ["e.yaml: the file is empty"]),
    ("yaml-a-list", {"list.yaml": "- a\n- b\n"}, ["run", "list.yaml"], ["list.yaml", "expected a mapping"]),
    # paths of the wrong kind given as the config
    ("run-config-missing", {}, ["run", "nope.yaml"], ["nope.yaml", "not found"]),
    ("run-config-is-a-folder", {}, ["run", "empty"], ["empty is a folder, not a config file"]),
    ("validate-config-is-a-folder", {}, ["validate", "."], [". is a folder, not a config file"]),
    ("sweep-config-is-a-folder", {}, ["sweep", "empty"], ["empty is a folder, not a config file"]),
    ("calibrate-config-missing", {}, ["calibrate", "nope.yaml"], ["nope.yaml", "not found"]),
    ("run-given-a-sweep-config", {}, ["run", "sweep.yaml"], ["sweep.yaml is a sweep config", "abm sweep"]),
    ("sweep-given-a-calibration-config", {}, ["sweep", "cal.yaml"],
     ["cal.yaml is a calibration config", "abm calibrate"]),
    ("calibrate-given-a-run-config", {}, ["calibrate", "good.yaml"], ["good.yaml is a run config", "abm run"]),
    ("validate-unknown-kind", {"k.yaml": "name: x\ncolour: red\n"}, ["validate", "k.yaml"],
     ["cannot tell which kind of config", "colour", "a sweep config has base and arms"]),
    # types and values
    ("name-dot-dot", {"n.yaml": RUN.replace("name: good", "name: ..")}, ["run", "n.yaml"],
     ["name: a name may hold letters, digits, '.', '_' and '-'", "'..'"]),
    ("households-true", {"h.yaml": RUN.replace("households: 300", "households: true")}, ["validate", "h.yaml"],
     ["households: must be a whole number", "True"]),
    ("households-float", {"h.yaml": RUN.replace("households: 300", "households: 300.0")}, ["run", "h.yaml"],
     ["households: must be a whole number", "300.0"]),
    ("seed-string", {"s.yaml": RUN.replace("seed: 5", "seed: '5'")}, ["run", "s.yaml"],
     ["seed: must be a whole number", "'5'"]),
    ("behaviour-bool", {"b.yaml": RUN + "behaviour: {reg_const: yes}\n"}, ["validate", "b.yaml"],
     ["behaviour.reg_const: must be a number"]),
    ("four-stages-in-one-message", {"f.yaml": RUN.replace("households: 300", "households: 3")
                                    + "policies: [baseline, utopia, {zhengzhou: {wat: 1}}]\n"
                                    "precedence: {nonsense: zhengzhou}\n"},
     ["validate", "f.yaml"], ["households", "policies[1]: unknown policy 'utopia'",
                              "policies[2].zhengzhou.wat: unknown parameter", "precedence.nonsense: unknown rule"]),
    ("precedence-names-an-unused-policy", {"u.yaml": RUN + "policies: [yiwu]\nprecedence: {school_rule: kunshan}\n"},
     ["validate", "u.yaml"], ["precedence.school_rule: 'kunshan' is not one of this config's policies",
                              "its policies: baseline, yiwu"]),
    ("city-is-a-folder", {"c.yaml": RUN.replace("city: changshu", "city: empty")}, ["run", "c.yaml"],
     ["city:", "is a folder, not a city profile file"]),
    ("benefit-above-the-minimum-wage", {"low.yaml": LOW_WAGE_CITY, "c.yaml": RUN.replace("city: changshu", "city: low.yaml")},
     ["run", "c.yaml"], ["rules.unemployment_benefit is 1046 yuan/month", "minimum wage (minimum_wage, 600)",
                         "Order No. 258"]),
    ("benefit-below-the-dibao-line", {"low.yaml": LOW_WAGE_CITY + "rules: {unemployment_benefit: 300, "
                                                                   "dibao_line_urban: 400}\n",
                                      "c.yaml": RUN.replace("city: changshu", "city: low.yaml")},
     ["validate", "c.yaml"], ["rules.unemployment_benefit is 300 yuan/month",
                              "urban dibao line (rules.dibao_line_urban, 400)"]),
    ("profile-stock-unknown-tenure", {"p.yaml": PROFILE + "stock: {residents: {hostel: 1000}, "
                                                     "persons_per_household: {hostel: 1}}\n",
                                       "c.yaml": RUN.replace("city: changshu", "city: p.yaml")},
     ["validate", "c.yaml"], ["residents: unknown tenure(s) ['hostel']", "allowed ['compound', 'dormitory'"]),
    ("profile-stock-needs-persons-per-household", {"p.yaml": PROFILE + "stock: {residents: {dormitory: 1000}}\n",
                                                   "c.yaml": RUN.replace("city: changshu", "city: p.yaml")},
     ["run", "c.yaml"], ["persons_per_household.dormitory is needed to turn residents.dormitory into units"]),
    ("profile-stock-larger-than-the-migrants", {"p.yaml": PROFILE + "stock: {residents: {compound: 700000, "
                                                "dormitory: 500000}, persons_per_household: {compound: 1, "
                                                "dormitory: 1}, migrant_school_pupils: 800000}\n",
                                                "c.yaml": RUN.replace("city: changshu", "city: p.yaml")},
     ["validate", "c.yaml"], ["compounds and dormitories hold 1,200,000 households, more than the city's",
                              "migrant_school_pupils (800,000) is more than the 760,000 migrants"]),
    ("option-households", {}, ["run", "good.yaml", "--households", "3"],
     ["--households: 3 is out of range; allowed 10 .. 50,000,000"]),
    ("option-months", {}, ["run", "good.yaml", "--months", "0"], ["--months: 0 is out of range; allowed 1 .. 600"]),
    ("option-seed", {}, ["run", "good.yaml", "--seed", "-1"], ["--seed: -1 is out of range; allowed 0 .."]),
    # sweep and calibration configs: every stage at once, overrides named as such
    ("sweep-every-stage", {"s.yaml": "name: s\nbase: {city: changshu, households: true, horizon_months: 6, "
                                     "seed: 1}\noverrides: {colour: red}\narms: {a: [baseline, nowhere], 'b c': []}\n"
                                     "design: {parameters: {behaviour.nope: [1]}}\nreplicates: 0\n"},
     ["sweep", "s.yaml"], ["base.households: must be a whole number", "overrides.colour: unknown key",
                           "arms.a: policies[1]: unknown policy 'nowhere'", "arm names may hold",
                           "design.parameters.behaviour.nope: unknown behaviour parameter", "replicates"]),
    ("sweep-base-missing", {"s.yaml": "name: s\nbase: gone.yaml\narms: {a: [baseline]}\n"}, ["validate", "s.yaml"],
     ["read as a sweep config", "base: cannot read run config 'gone.yaml'"]),
    ("calibration-every-stage", {"c.yaml": f"name: c\nbase: {BASE}\noverrides: {{households: 1.5}}\n"
                                           "parameters: {behaviour.nope: {low: 0, high: 1}, "
                                           "kunshan.rent_share: {low: 0, high: 0.5}}\ntargets: empty\n"},
     ["calibrate", "c.yaml"], ["overrides.households: must be a whole number", "parameters.behaviour.nope",
                               "parameters.kunshan.rent_share: the base run has no policy 'kunshan'",
                               "targets: empty", "is a folder, not a targets file"]),
    ("calibration-targets-not-utf8", {"t.csv": b"indicator,group,when,observed\nh\xe9,migrant,1,0.5\n",
                                      "c.yaml": CAL.split("recovery")[0] + "targets: t.csv\n"},
     ["validate", "c.yaml"], ["targets: t.csv", "not UTF-8 text: byte 31 (line 2)"]),
    ("calibration-sampler-choices", {"c.yaml": CAL + "abc: {kernel: gaussian, parents: best, rounds: 100}\n"},
     ["calibrate", "c.yaml"], ["abc.kernel: Input should be 'silverman', 'olcm' or 'twice_covariance' (got 'gaussian')",
                               "abc.parents: Input should be 'within' or 'all' (got 'best')",
                               "abc.rounds: Input should be 'adaptive' or 'fixed' (got 100)"]),
    # output locations: checked before anything runs
    ("run-out-is-a-file", {}, ["run", "good.yaml", "--out", "afile.txt"], ["--out: afile.txt is a file"]),
    ("run-out-below-a-file", {}, ["run", "good.yaml", "--out", "afile.txt/out"],
     ["--out: afile.txt/out cannot be created: afile.txt is a file"]),
    ("run-out-in-proc", {}, ["run", "good.yaml", "--out", "/proc/abm-out"], ["--out: /proc/abm-out cannot be created"]),
    ("run-out-in-sys", {}, ["run", "good.yaml", "--out", "/sys/abm-out"], ["--out: /sys/abm-out cannot be created"]),
    ("run-out-not-empty", {}, ["run", "good.yaml", "--out", "runfolder"], ["--out: folder runfolder already exists"]),
    ("run-bad-config-and-bad-out-together", {"h.yaml": RUN.replace("seed: 5", "seed: -5")},
     ["run", "h.yaml", "--out", "afile.txt/x"], ["seed:", "--out: afile.txt/x cannot be created"]),
    ("sweep-out-is-a-file", {}, ["sweep", "sweep.yaml", "--out", "afile.txt"], ["--out: afile.txt is a file"]),
    ("sweep-out-in-proc", {}, ["sweep", "sweep.yaml", "--out", "/proc/abm-sweep"], ["--out: /proc/abm-sweep"]),
    ("sweep-out-used-without-resume", {}, ["sweep", "sweep.yaml", "--out", "calfolder"],
     ["--out: folder calfolder already exists", "--resume"]),
    ("calibrate-out-below-a-file", {}, ["calibrate", "cal.yaml", "--out", "afile.txt/cal"],
     ["--out: afile.txt/cal cannot be created: afile.txt is a file"]),
    ("calibrate-out-in-sys", {}, ["calibrate", "cal.yaml", "--out", "/sys/abm-cal"], ["--out: /sys/abm-cal"]),
    ("calibrate-resume-without-out", {}, ["calibrate", "cal.yaml", "--resume"], ["--resume: needs --out"]),
    # compare and report: folders of the wrong kind, outputs that cannot be written
    ("compare-run-folder", {}, ["compare", "runfolder"], ["runfolder is a run folder", "not a sweep folder"]),
    ("compare-calibration-folder", {}, ["compare", "calfolder"],
     ["calfolder is a calibration folder", "not a sweep folder"]),
    ("compare-empty-folder", {}, ["compare", "empty"], ["empty is an empty folder, not a sweep folder"]),
    ("compare-a-file", {}, ["compare", "afile.txt"], ["afile.txt is a file, not a sweep folder"]),
    ("compare-missing", {}, ["compare", "gone"], ["gone does not exist"]),
    ("compare-folder-of-sweeps", {}, ["compare", "sweeps"], ["sweeps holds sweep folders (20260101-000000)"]),
    ("compare-csv-missing-folder", {}, ["compare", "sweepfolder", "--csv", "missing/x.csv"],
     ["--csv: missing/x.csv cannot be written: folder missing does not exist"]),
    ("compare-csv-is-a-folder", {}, ["compare", "sweepfolder", "--csv", "empty"], ["--csv: empty is a folder"]),
    ("compare-csv-in-proc", {}, ["compare", "sweepfolder", "--csv", "/proc/abm.csv"], ["--csv: /proc/abm.csv"]),
    ("compare-unknown-baseline", {}, ["compare", "sweepfolder", "--baseline", "nowhere"],
     ["--baseline: baseline arm 'nowhere' is not in this sweep; arms: a, z"]),
    ("report-run-folder", {}, ["report", "runfolder"], ["runfolder is a run folder", "not a sweep folder"]),
    ("report-calibration-folder", {}, ["report", "calfolder"], ["calfolder is a calibration folder"]),
    ("report-out-below-a-file", {}, ["report", "sweepfolder", "--out", "afile.txt/r.html"],
     ["--out: afile.txt/r.html cannot be written: afile.txt is a file"]),
    ("report-out-is-a-folder", {}, ["report", "sweepfolder", "--out", "empty"], ["--out: empty is a folder"]),
    ("report-wrong-folder-and-bad-out", {}, ["report", "empty", "--out", "missing/r.html"],
     ["empty is an empty folder", "--out: missing/r.html cannot be written"]),
    # discover: every problem of the folder and the query at once (no case of interest: tests/test_discovery.py)
    ("discover-run-folder", {}, ["discover", "runfolder", "--outcome", "registration_rate", "--below", "0.5"],
     ["runfolder is a run folder", "not a sweep folder"]),
    ("discover-every-problem", {}, ["discover", "sweepfolder", "--outcome", "nope", "--group", "aliens", "--arm", "x",
                                    "--below", "1", "--above", "2", "--method", "svm"],
     ["--outcome: unknown indicator 'nope'; allowed: population,", "--group: unknown group 'aliens'; allowed: "
      "migrant, land_losing_farmer, urban_poor, all", "--arm: arm 'x' is not in this sweep; arms: a, z",
      "--below and --above: give one of them, not both", "--method: unknown method 'svm'; allowed: prim, cart",
      "no design parameter that varies"]),
    ("discover-nothing-asked", {}, ["discover", "sweepfolder"], ["--outcome: required", "--below V or --above V"]),
    ("discover-effect-of-the-baseline", {}, ["discover", "sweepfolder", "--outcome", "registration_rate", "--effect",
                                             "--above", "0.5"],
     ["--effect: needs --arm, an arm other than the baseline arm 'a'", "arms: z"]),
    ("discover-a-missing-folder-and-a-bad-query", {}, ["discover", "gone", "--group", "x", "--method", "tree"],
     ["gone does not exist", "--group: unknown group 'x'", "--method: unknown method 'tree'", "--outcome: required"]),
    # export
    ("export-calibration-folder", {}, ["export", "calfolder"], ["calfolder is a calibration folder"]),
    ("export-unknown-format-and-outcomes", {}, ["export", "sweepfolder", "--to", "csv", "--outcome", "nope",
                                                "--group", "x"],
     ["--to: unknown format 'csv'; allowed: ema", "--outcome: unknown indicator 'nope'", "--group: unknown group 'x'"]),
    ("export-out-below-a-file", {}, ["export", "sweepfolder", "--out", "afile.txt/e.tar.gz"],
     ["--out: afile.txt/e.tar.gz cannot be written: afile.txt is a file"]),
    ("export-out-is-a-folder-and-not-a-sweep", {}, ["export", "empty", "--out", "empty"],
     ["empty is an empty folder", "--out: empty is a folder"]),
]


@pytest.mark.parametrize("files, args, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_message_and_writes_nothing(place, files, args, expected):
    for name, content in files.items():
        (place / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    before = tree(place)
    result = runner.invoke(app, args)
    text = " ".join(result.output.split())  # rich folds long lines
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not an exception the CLI missed
    assert "Traceback" not in result.output
    assert text.count("error:") == 1, result.output
    for part in expected:
        assert part in text, (part, result.output)
    assert tree(place) == before, "something was written"
    assert not os.path.exists("/proc/abm-out") and not os.path.exists("/sys/abm-out")


def test_the_table_covers_every_command():
    assert len(CASES) >= 40
    assert {c[2][0] for c in CASES} == {"run", "validate", "sweep", "compare", "report", "calibrate", "discover",
                                        "export"}
