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
