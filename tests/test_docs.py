"""The README documents what the code has."""

from pathlib import Path

from abm.config import RunConfig
from abm.indicators import INDICATORS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_indicator_is_defined_in_the_readme():
    for ind in INDICATORS:
        assert f"| `{ind.name}` | {ind.unit} | {ind.kind} | {ind.definition}" in README, ind.name


def test_every_config_field_is_in_the_reference():
    for field in RunConfig.model_fields:
        assert f"\n{field}:" in README, field


def test_every_sweep_field_is_in_the_readme():
    from abm.sweep.config import Design, SweepConfig

    for field in SweepConfig.model_fields:
        assert f"\n{field}:" in README, field
    for field in Design.model_fields:
        assert f"\n  {field}:" in README, field


def test_every_command_is_in_the_readme():
    from abm.cli import app

    for command in app.registered_commands:
        assert f"`abm {command.callback.__name__}" in README, command.callback.__name__


def test_every_calibration_field_is_in_the_readme():
    from abm.calibration.config import CalibrationConfig, Recovery, Sampler

    for field in CalibrationConfig.model_fields:
        assert f"\n{field}:" in README, field
    for model in (Recovery, Sampler):
        for field in model.model_fields:
            assert f"\n  {field}:" in README, field
