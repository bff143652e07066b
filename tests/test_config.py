from pathlib import Path

import numpy as np
import pytest

from abm.config import (ConfigError, check_data, config_kind, load_config, load_run, out_file_problem,
                        out_folder_problem, parse_config, resolve)

GOOD = {"name": "t", "city": "zhengzhou", "households": 100, "horizon_months": 12, "seed": 1}


def problems(data):
    with pytest.raises(ConfigError) as exc:
        resolve(parse_config(data))
    return exc.value.problems


def test_a_good_config_resolves_with_baseline_first():
    spec = resolve(parse_config(GOOD | {"policies": [{"baseline": {"hukou_quota_share": 0.01}}]}))
    assert spec.policies[0].name == "baseline"
    assert spec.rules["hukou_quota_share"] == 0.01


def test_every_bad_field_is_named_in_one_error():
    probs = problems(GOOD | {"horizon_months": -3, "colour": "red", "seed": -1})
    text = "\n".join(probs)
    assert len(probs) == 3
    assert "horizon_months: -3 is out of range; allowed 1 .. 600" in text
    assert "colour: unknown key" in text and "allowed keys" in text
    assert "seed" in text


def test_missing_required_fields_are_listed():
    probs = problems({"name": "x"})
    assert {p.split(":")[0] for p in probs} == {"city", "households", "horizon_months", "seed"}


def test_unknown_policy_and_bad_policy_parameters():
    probs = problems(GOOD | {"policies": ["nope", {"baseline": {"hukou_quota_share": 7, "wat": 1}}]})
    text = "\n".join(probs)
    assert "policies[0]: unknown policy 'nope'" in text and "available: baseline" in text
    assert "policies[1].baseline.hukou_quota_share: 7 is out of range; allowed [0, 1]" in text
    assert "policies[1].baseline.wat: unknown parameter" in text


def test_behaviour_parameters_are_checked_by_name_and_range():
    text = "\n".join(problems(GOOD | {"behaviour": {"sep_formal": 3.0, "nonsense": 1.0}}))
    assert "sep_formal: 3.0 is out of range" in text
    assert "nonsense: unknown behaviour parameter" in text


def test_unknown_city(tmp_path):
    text = "\n".join(problems(GOOD | {"city": "atlantis"}))
    assert "city: city 'atlantis' is neither a built-in profile" in text


def test_duplicate_keys_and_python_tags_are_rejected(tmp_path):
    dup = tmp_path / "dup.yaml"
    dup.write_text("name: a\nname: b\ncity: yiwu\nhouseholds: 10\nhorizon_months: 1\nseed: 1\n")
    with pytest.raises(ConfigError, match="duplicate key 'name'"):
        load_config(dup)
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: !!python/object/apply:os.system ['echo hi']\ncity: yiwu\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(evil)


def test_a_user_city_profile_by_path_is_validated(tmp_path):
    prof = tmp_path / "mycity.yaml"
    prof.write_text("name: mycity\nyear: 2010\nresidents: 1000000\nmigrants: 400000\nlocal_hukou: 600000\n"
                    "urban_share_of_local_hukou: 0.5\nrules: {land_requisition_rate: 3}\n")
    cfg = tmp_path / "run.yaml"
    cfg.write_text("name: r\ncity: mycity.yaml\nhouseholds: 100\nhorizon_months: 2\nseed: 1\n")
    with pytest.raises(ConfigError, match="city: .* rules: land_requisition_rate: 3.0 is out of range"):
        resolve(load_config(cfg), tmp_path)
    prof.write_text(prof.read_text().replace("rules: {land_requisition_rate: 3}\n", ""))
    spec = resolve(load_config(cfg), tmp_path)
    assert spec.profile.name == "mycity"


def all_problems(data, overrides=None):
    with pytest.raises(ConfigError) as exc:
        check_data(data, "c.yaml", None, overrides, {"households": "--households"})
    return exc.value.problems


def test_schema_city_policies_levers_and_precedence_are_checked_in_one_pass():
    probs = all_problems(GOOD | {"households": 3, "city": "atlantis",
                                 "policies": ["baseline", "utopia", {"zhengzhou": {"wat": 1}}],
                                 "precedence": {"nonsense": "zhengzhou"}})
    assert [p.split(":")[0] for p in probs] == ["households", "city", "policies[1]", "policies[2].zhengzhou.wat",
                                                "precedence.nonsense"]
    assert "households: 3 is out of range; allowed 10 .. 50,000,000" in probs


def test_an_override_is_named_by_its_option_not_by_the_file():
    assert all_problems(GOOD, {"households": 3}) == ["--households: 3 is out of range; allowed 10 .. 50,000,000"]


@pytest.mark.parametrize("value", [True, 300.0, 300.5, "300", None])
def test_counts_months_and_seeds_are_whole_numbers_written_as_integers(value):
    for key in ("households", "horizon_months", "seed", "start_month"):
        probs = all_problems(GOOD | {"households": 300, key: value})
        assert len(probs) == 1 and probs[0].startswith(f"{key}: must be a whole number"), probs


def test_integers_from_numpy_are_counts_too():
    cfg, spec = check_data(GOOD | {"households": np.int64(300), "seed": np.uint64(2**62 + 1)}, "c", None)
    assert spec.households == 300 and type(spec.seed) is int and spec.seed == 2**62 + 1


def test_behaviour_values_are_numbers_not_flags():
    assert all_problems(GOOD | {"behaviour": {"reg_const": True}}) == ["behaviour.reg_const: must be a number "
                                                                       "(got True)"]


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a/b", "", "-x", "café", "x" * 101])
def test_names_that_could_escape_or_hide_the_output_folder_are_refused_in_words(name):
    probs = all_problems(GOOD | {"name": name})
    assert len(probs) == 1 and "letters, digits, '.', '_' and '-', starting with a letter or digit" in probs[0]
    assert "^" not in probs[0]  # no regex


def test_a_name_with_dots_inside_is_fine():
    assert check_data(GOOD | {"name": "run-1.v2_b"}, "c", None)[0].name == "run-1.v2_b"


def test_precedence_must_name_a_policy_the_config_uses():
    probs = all_problems(GOOD | {"policies": ["yiwu"], "precedence": {"school_rule": "kunshan"}})
    assert probs == ["precedence.school_rule: 'kunshan' is not one of this config's policies; "
                     "its policies: baseline, yiwu"]


def test_files_that_are_not_utf8_or_not_yaml_name_the_file_and_the_place(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: ok\ncity: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin.yaml: not UTF-8 text: byte 18 \(line 2\) is 0xe9"):
        load_run(latin)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n")
    with pytest.raises(ConfigError) as exc:
        load_run(broken)
    assert f'in "{broken}", line 2' in str(exc.value) and "<unicode string>" not in str(exc.value)
    with pytest.raises(ConfigError, match="is a folder, not a config file"):
        load_run(tmp_path)


def test_the_kind_of_a_config_is_read_from_its_keys():
    assert config_kind({"name": "x", "base": "a.yaml", "arms": {}}) == ("sweep", "arms")
    assert config_kind({"name": "x", "parameters": {}, "recovery": {}})[0] == "calibration"
    assert config_kind({"name": "x", "city": "yiwu"})[0] == "run"
    kind, why = config_kind({"name": "x"})
    assert kind is None and "a sweep config has base and arms" in why
    assert config_kind({"arms": {}, "parameters": {}})[0] is None


def test_output_locations_are_tried_not_guessed(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    assert out_folder_problem(tmp_path / "new" / "deeper") is None
    assert "afile is a file" in out_folder_problem(afile)
    assert "cannot be created: " + str(afile) + " is a file" in out_folder_problem(afile / "out")
    assert "already exists and is not empty" in out_folder_problem(tmp_path / "full")
    assert out_folder_problem(tmp_path / "full", resume=True) is None
    for virtual in ("/proc/abm-test", "/sys/abm-test"):
        assert "cannot be created: nothing can be written in" in out_folder_problem(Path(virtual))
        assert "nothing can be written in" in out_file_problem(Path(virtual), "--csv")
    assert "folder " + str(tmp_path / "nope") + " does not exist" in out_file_problem(tmp_path / "nope" / "x.csv",
                                                                                      "--csv")
    assert "is a folder" in out_file_problem(tmp_path, "--csv")
    assert out_file_problem(afile, "--csv") is None  # replaced atomically
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "full"]  # the probes left nothing


def test_a_sweep_config_lists_every_stage_and_names_overrides_as_such():
    from abm.sweep.config import parse_sweep

    with pytest.raises(ConfigError) as exc:
        parse_sweep({"name": "s", "base": GOOD | {"households": True, "precedence": {"school_rule": "kunshan"}},
                     "overrides": {"colour": "red", "horizon_months": 0},
                     "arms": {"a": ["baseline", "nowhere"], "k": ["yiwu", "kunshan"], "b c": ["baseline"]},
                     "design": {"parameters": {"behaviour.nope": [1.0], "yiwu.points_skill": [5, 500]}},
                     "replicates": 0})
    text = "\n".join(exc.value.problems)
    for part in ("base.households: must be a whole number", "overrides.colour: unknown key",
                 "overrides.horizon_months: 0 is out of range", "replicates: 0 is out of range",
                 "arm names may hold letters, digits, '_' and '-' only: 'b c'",
                 "design.parameters.behaviour.nope: unknown behaviour parameter",
                 "design.parameters.yiwu.points_skill: 500", "arms.a: policies[1]: unknown policy 'nowhere'"):
        assert part in text, part
    assert "base.colour" not in text


def test_a_calibration_config_lists_every_stage(tmp_path):
    from abm.calibration.config import load_calibration

    path = tmp_path / "c.yaml"
    path.write_text("name: c\nbase: {city: atlantis, households: 100, horizon_months: 12, seed: 1, "
                    "policies: [baseline, utopia]}\noverrides: {seed: -2}\n"
                    "parameters: {behaviour.reg_const: {low: -60, high: -2}, behaviour.hazard_migrant: "
                    "{low: true, high: 0.1}}\ntargets: missing.csv\nabc: {particles: 5}\n")
    with pytest.raises(ConfigError) as exc:
        load_calibration(path)
    text = "\n".join(exc.value.problems)
    for part in ("parameters.behaviour.hazard_migrant.low: must be a number", "abc.particles: 5 is out of range",
                 "overrides.seed: -2 is out of range", "base.city: city 'atlantis'",
                 "base.policies[1]: unknown policy 'utopia'",
                 "parameters.behaviour.reg_const: prior bound -60.0 is out of range",
                 "targets: missing.csv, targets file"):
        assert part in text, part
