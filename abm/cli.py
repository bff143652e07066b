"""The `abm` command line."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from abm.config import ConfigError, load_config, resolve
from abm.store import OutputExists

app = typer.Typer(help="Agent-based microsimulation of urbanization in Chinese cities.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)

EXIT_BAD_INPUT = 2


class Engine(str, Enum):
    numba = "numba"
    mesa = "mesa"


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _load(config: Path, overrides: dict):
    if not config.is_file():
        _fail(f"config file {config} not found")
    try:
        cfg = load_config(config, overrides)
        return cfg, resolve(cfg, config.parent, str(config))
    except ConfigError as exc:
        _fail(str(exc))


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="run config (YAML)")],
    engine: Annotated[Optional[Engine], typer.Option(help="numba (fast, default) or mesa (reference)")] = None,
    households: Annotated[Optional[int], typer.Option(help="override the number of households (agents)")] = None,
    months: Annotated[Optional[int], typer.Option(help="override horizon_months")] = None,
    seed: Annotated[Optional[int], typer.Option(help="override the seed")] = None,
    out: Annotated[Optional[Path], typer.Option(help="output folder (default results/<name>/<timestamp>)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary")] = False,
) -> None:
    """Simulate a city from CONFIG and write indicators, households and a manifest."""
    overrides = {"households": households, "horizon_months": months, "seed": seed,
                 "engine": engine.value if engine else None}
    cfg, spec = _load(config, overrides)
    eng = cfg.engine
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out or Path("results") / cfg.name / stamp
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        _fail(f"output folder {target} already exists and is not empty; choose another --out")

    from abm.runner import simulate, summary, write_outputs

    if quiet:
        result = simulate(spec, eng)
    else:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("months"), TimeRemainingColumn(), console=err, transient=False) as bar:
            task = bar.add_task(f"{cfg.name} ({eng}, {cfg.households:,} households)", total=cfg.horizon_months)
            result = simulate(spec, eng, progress=lambda t: bar.update(task, completed=t))
    try:
        write_outputs(cfg, result, target, config.resolve())
    except OutputExists as exc:
        _fail(str(exc))
    if not quiet:
        table = Table(title=f"{cfg.name}: month {cfg.horizon_months}, real-city units (scale {result.world.scale:.1f})")
        frame = summary(result.world)
        table.add_column("indicator")
        for col in frame.columns:
            table.add_column(col, justify="right")
        for name, row in frame.iterrows():
            table.add_row(name, *(f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}" for v in row))
        console.print(table)
        console.print(f"compile {result.compile_seconds:.2f} s, init {result.init_seconds:.2f} s, "
                      f"steps {result.step_seconds:.2f} s "
                      f"({result.household_steps_per_second:,.0f} household-steps/s, {eng})")
    console.print(f"wrote {target}")


@app.command()
def validate(config: Annotated[Path, typer.Argument(help="run config (YAML)")]) -> None:
    """Check CONFIG without running it: every problem is listed; exit code 2 if any."""
    cfg, spec = _load(config, {})
    console.print(f"{config}: valid ({cfg.city}, {cfg.households:,} households, {cfg.horizon_months} months, "
                  f"policies: {', '.join(p.name for p in spec.policies)})")


@app.command()
def policies(
    name: Annotated[Optional[str], typer.Argument(help="show one policy only")] = None,
) -> None:
    """List the policies, with each parameter's default, range, unit and source."""
    from abm.policies import PolicyError, available, get

    try:
        chosen = {name: get(name)} if name else available()
    except PolicyError as exc:
        _fail(str(exc))
    for pname, cls in chosen.items():
        table = Table(title=f"{pname}: {cls.title}", title_justify="left", expand=False)
        for col in ("parameter", "default", "range", "unit", "source", "description"):
            table.add_column(col, overflow="fold")
        for p in cls.parameters:
            table.add_row(p.name, f"{p.default:g}", f"[{p.low:g}, {p.high:g}]", p.unit, p.source, p.description)
        console.print(table)
        console.print(f"phases: {', '.join(cls.phases)}\n")


@app.command()
def parameters() -> None:
    """List the behaviour parameters (what calibration estimates), with defaults, ranges, units and sources."""
    from abm.parameters import BEHAVIOUR

    table = Table(title="behaviour parameters (set in a config under `behaviour:`)", title_justify="left")
    for col in ("parameter", "default", "range", "unit", "source", "description"):
        table.add_column(col, overflow="fold")
    for p in BEHAVIOUR:
        table.add_row(p.name, f"{p.default:g}", f"[{p.low:g}, {p.high:g}]", p.unit, p.source, p.description)
    console.print(table)


if __name__ == "__main__":
    app()
