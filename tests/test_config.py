import pytest

from abm.config import ConfigError, load_config, parse_config, resolve

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
    assert "horizon_months" in text and "greater than or equal to 1" in text
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
