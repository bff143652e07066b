"""The `abm` command line."""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from abm.builtin import locate
from abm.config import ConfigError, config_kind, load_run, out_file_problem, out_folder_problem
from abm.fmt import number, percent
from abm.store import OutputExists, atomic_file

app = typer.Typer(help="Agent-based microsimulation of urbanization in Chinese cities.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
# wide tables stay whole when the output goes to a file or a pipe (rich would wrap them at 80 columns)
console = Console() if sys.stdout.isatty() else Console(width=160)
err = Console(stderr=True)

EXIT_BAD_INPUT = 2
EXIT_RUNS_FAILED = 1


Address = Annotated[Optional[str], typer.Option(help="join a running Ray cluster, e.g. auto or HOST:6379")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="no progress display")]


def _interrupted(command: str) -> None:
    """Ctrl-C: what finished is on disk; say how to finish the rest."""
    err.print(f"[yellow]interrupted:[/] what finished is saved; `{command}` finishes the rest", highlight=False)
    raise typer.Exit(130)


def _out_problems(out: Optional[Path], resume: bool, kind: str) -> tuple:
    """What is wrong with --out (and --resume), found before the config is even read."""
    if resume and out is None:
        return (f"--resume: needs --out, the {kind.removesuffix('s')} folder to finish",)
    return (out_folder_problem(out, "--out", resume),) if out is not None else ()


def _folder(out: Optional[Path], resume: bool, kind: str, name: str) -> Path:
    """The output folder: --out (already checked), else results/<kind>/<name>/<time>, checked here."""
    if out is not None:
        return out
    target = Path("results") / kind / name / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if problem := out_folder_problem(target, "output folder", resume):
        _fail(problem)
    return target


def _compiling() -> None:
    """Say so before a warm-up that compiles the kernels, which takes a minute with no progress to show."""
    from abm.runner import compile_notice

    if note := compile_notice():
        err.print(note, highlight=False)


class Engine(str, Enum):
    numba = "numba"
    mesa = "mesa"


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _fail_all(source: str, problems: list[str]) -> None:
    """Every problem found before anything ran, in one message."""
    if len(problems) == 1 and problems[0].startswith(source):
        _fail(problems[0])
    _fail(str(ConfigError(source, problems)))


COMMAND = {"run": "abm run", "sweep": "abm sweep", "calibration": "abm calibrate"}


def _checked(config: Path, kind: str, load, extra: tuple = (), label: Optional[str] = None):
    """`load(config)` with the problems `extra` (the output location's) reported in the same message; a config
    of another kind is named as such."""
    from abm.yamlio import YamlError, load_yaml

    problems = [p for p in extra if p]
    try:
        found, keys = config_kind(load_yaml(config, "config file"))
    except YamlError as exc:
        _fail_all(str(config), [str(exc), *problems])
    if found is not None and found != kind:
        _fail(f"{config} is a {found} config (it has {keys}), not a {kind} config; use `{COMMAND[found]} {config}`")
    try:
        result = load(config)
    except ConfigError as exc:
        _fail_all(label or str(config), [*exc.problems, *problems])
    if problems:
        _fail_all(label or str(config), problems)
    return result


def _load(config: Path, overrides: dict, out: Optional[Path] = None):
    extra = (out_folder_problem(out),) if out is not None else ()
    return _checked(config, "run", lambda path: load_run(path, overrides), extra)


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="run config (YAML file) or built-in name, e.g. quickstart, "
                                                "scenarios/kunshan")],
    engine: Annotated[Optional[Engine], typer.Option(help="numba (fast, default) or mesa (reference)")] = None,
    households: Annotated[Optional[int], typer.Option(help="override the number of households (agents)")] = None,
    months: Annotated[Optional[int], typer.Option(help="override horizon_months")] = None,
    seed: Annotated[Optional[int], typer.Option(help="override the seed")] = None,
    out: Annotated[Optional[Path], typer.Option(help="output folder (default results/<name>/<timestamp>)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or summary")] = False,
) -> None:
    """Simulate a city from CONFIG and write indicators, households and a manifest."""
    config = locate(config)
    overrides = {"households": households, "horizon_months": months, "seed": seed,
                 "engine": engine.value if engine else None}
    cfg, spec = _load(config, overrides, out)
    eng = cfg.engine
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out or Path("results") / cfg.name / stamp
    if out is None and (problem := out_folder_problem(target, "output folder")):
        _fail(problem)

    from abm.runner import pyramid_summary, simulate, summary, summary_months, write_outputs

    _compiling()
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
    except OSError as exc:  # checked before the run, so only what changed since (a full disk, say)
        _fail(f"cannot write {target}: {exc.strerror or exc}")
    if not quiet:
        first, last = summary_months(result.world)
        frame = summary(result.world)
        flows = f"month {last}" if first == last else f"months {first}-{last}"
        table = Table(title=f"{cfg.name}: stocks and rates at month {last}, flows summed over {flows}; "
                            f"real-city units (scale {result.world.scale:.1f})", title_justify="left")
        table.add_column("indicator")
        table.add_column("unit")
        for col in frame.columns[1:]:
            table.add_column(col, justify="right")
        for name, row in frame.iterrows():
            table.add_row(name, row["unit"], *(number(v) for v in row.iloc[1:]))
        console.print(table)
        ages = pyramid_summary(result.world)
        pyramid = Table(title="persons by age and sex, every group (pyramid.parquet has five-year bands by group)",
                        title_justify="left")
        pyramid.add_column("age")
        for col in ages.columns:
            pyramid.add_column(col, justify="right")
        for band, row in ages.iterrows():
            pyramid.add_row(band, *(number(v) for v in row))
        console.print(pyramid)
        console.print(f"compile {result.compile_seconds:.2f} s, init {result.init_seconds:.2f} s, "
                      f"steps {result.step_seconds:.2f} s "
                      f"({result.household_steps_per_second:,.0f} household-steps/s, {eng})")
    console.print(f"wrote {target}")


@app.command()
def sweep(
    config: Annotated[Path, typer.Argument(help="sweep config (YAML file) or built-in name, e.g. sweeps/smoke")],
    out: Annotated[Optional[Path], typer.Option(help="sweep folder (default results/sweeps/<name>/<time>)")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="runs at once (default: every CPU of Ray)")] = None,
    address: Address = None,
    resume: Annotated[bool, typer.Option("--resume", help="finish the sweep in --out: run only what is missing")
                      ] = False,
    quiet: Quiet = False,
) -> None:
    """Run every arm, design point and replicate of CONFIG on Ray; write a Parquet results store."""
    config = locate(config)
    from abm.sweep.config import load_sweep

    sw = _checked(config, "sweep", load_sweep, _out_problems(out, resume, "sweeps"))
    target = _folder(out, resume, "sweeps", sw.config.name)
    from abm.sweep.execute import run_sweep

    inject = {"fail": [r for r in os.environ.get("ABM_SWEEP_FAIL", "").split(",") if r]}  # testing hook
    bar = None if quiet else Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("runs, {task.fields[failed]} failed"), TimeRemainingColumn(),
                                      console=err)
    state = {"task": None, "failed": 0}

    def progress(rec: Optional[dict], done: int, total: int) -> None:
        if bar is not None and state["task"] is None:  # the folder is ready: show the bar from here on
            bar.start()
            state["task"] = bar.add_task(sw.config.name, total=total, completed=done, failed=0)
        if rec is not None and rec["status"] != "ok":
            state["failed"] += 1
            err.print(f"[red]run {rec['run_id']} failed:[/] {rec['error']}", highlight=False)
        if bar is not None:
            bar.update(state["task"], completed=done, failed=state["failed"])

    _compiling()
    try:
        outcome = run_sweep(sw, target, workers=workers, address=address, resume=resume, progress=progress,
                            inject=inject)
    except OutputExists as exc:
        _fail(str(exc))
    except ConnectionError as exc:
        _fail(f"--address {address}: cannot join the Ray cluster: {exc}")
    except OSError as exc:  # the folder was checked first, so only what changed since (a full disk, say)
        _fail(f"cannot write in {target}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        _interrupted(f"abm sweep {config} --out {target} --resume")
    finally:
        if bar is not None:
            bar.stop()
    ran = len(outcome.ok) + len(outcome.failed)
    console.print(f"{sw.config.name}: {_count(len(outcome.ok), 'run')} ok, {len(outcome.failed)} failed"
                  + (f", {outcome.skipped} already done" if outcome.skipped else "")
                  + (f" ({_count(ran, 'run')} in {outcome.seconds:.1f} s on {_count(outcome.workers, 'worker')})"
                     if ran else ""))
    console.print(f"wrote {target}")
    if outcome.failed:
        err.print(f"[bold red]error:[/] {len(outcome.failed)} run(s) failed: {', '.join(sorted(outcome.failed))}; "
                  f"their errors are in {target / 'failed'}; `abm sweep ... --out {target} --resume` reruns them")
        raise typer.Exit(EXIT_RUNS_FAILED)


@app.command()
def compare(
    folder: Annotated[Path, typer.Argument(help="sweep folder")],
    baseline: Annotated[Optional[str], typer.Option(help="arm to measure effects against (default: the sweep's)")
                        ] = None,
    csv: Annotated[Optional[Path], typer.Option(help="also write the table to this CSV file")] = None,
) -> None:
    """Paired effect of each arm against the baseline arm at the horizon, with 95% intervals: on households,
    then on the public purse (the net fiscal cost, the city's and each fund's, per person, the budget lines)."""
    import pandas as pd

    from abm.sweep.compare import panels

    manifest = _sweep_folder(folder, (out_file_problem(csv, "--csv") if csv is not None else None,), baseline)
    try:
        table, fiscal = panels(folder, baseline)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    if table.empty:
        _fail(f"{folder}: no arm besides the baseline has finished runs")
    base_arm = baseline or manifest["baseline_arm"]
    for what, rows in (("effect", table), ("fiscal cost", fiscal)):
        out = Table(title=f"{what} against {base_arm} at the horizon: mean paired difference and 95% interval "
                          f"over {_pairs(rows)} paired runs (flows per year)", title_justify="left")
        for col in ("outcome", "arm", base_arm, "arm value", "effect [95% interval]", "CRN var. cut"):
            out.add_column(col, justify="left" if col in ("outcome", "arm") else "right", overflow="fold",
                           min_width=24 if col == "outcome" else None)
        for r in rows.itertuples():
            out.add_row(f"{r.indicator} · {r.group} ({r.unit})", r.arm, number(r.baseline), number(r.value),
                        f"{number(r.effect, True, r.baseline)} [{number(r.ci_low, True, r.baseline)}, "
                        f"{number(r.ci_high, True, r.baseline)}]", percent(r.variance_reduction))
        console.print(out)
    table = pd.concat([table.assign(panel="households"), fiscal.assign(panel="fiscal")], ignore_index=True)
    if csv is not None:
        try:
            with atomic_file(csv) as tmp:
                table.to_csv(tmp, index=False)
        except OSError as exc:  # checked before, so only what changed since
            _fail(f"--csv: cannot write {csv}: {exc.strerror or exc}")
        console.print(f"wrote {csv}")


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="sweep folder")],
    out: Annotated[Optional[Path], typer.Option(help="HTML file to write (default FOLDER/report.html)")] = None,
) -> None:
    """A self-contained HTML report of a sweep: effects, trajectories, breakdowns, design responses."""
    from abm.sweep.report import build_report

    # the default report.html lies in FOLDER, so it is checked only once FOLDER is known to be a sweep folder
    _sweep_folder(folder, (out_file_problem(out, "--out") if out is not None else None,))
    if out is None and (problem := out_file_problem(folder / "report.html", "report")):
        _fail(problem)
    try:
        path = build_report(folder, out)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    except OSError as exc:  # checked before, so only what changed since
        _fail(f"cannot write the report: {exc.strerror or exc}")
    console.print(f"wrote {path}")


@app.command()
def discover(
    folder: Annotated[Path, typer.Argument(help="sweep folder (with a design: grid, lhs or sobol)")],
    outcome: Annotated[Optional[str], typer.Option(help="indicator judged at the horizon, e.g. public_school_share")
                       ] = None,
    group: Annotated[str, typer.Option(help="migrant, land_losing_farmer, urban_poor or all")] = "all",
    below: Annotated[Optional[float], typer.Option(help="cases of interest: the outcome below this value")] = None,
    above: Annotated[Optional[float], typer.Option(help="cases of interest: the outcome above this value")] = None,
    arm: Annotated[Optional[str], typer.Option(help="arm whose runs are judged (default: the baseline arm)")] = None,
    effect: Annotated[bool, typer.Option("--effect", help="judge the arm's paired difference from the baseline "
                                                          "arm (same design point and seed)")] = False,
    method: Annotated[str, typer.Option(help="prim (EMA workbench) or cart (scikit-learn)")] = "prim",
) -> None:
    """Scenario discovery: the boxes of design-parameter values where an outcome falls below (or rises above) a
    value; writes FOLDER/discovery/<query>.csv and .json, which `abm report` shows."""
    from abm.sweep import discover as sd

    q = sd.Query(outcome=outcome, group=group, below=below, above=above, arm=arm, effect=effect, method=method)
    manifest, problems = sd.check(folder, q)
    if problems:
        _fail_all(str(folder), problems)
    try:
        found = sd.discover(folder, manifest, q)
    except (FileNotFoundError, ValueError) as exc:
        _fail(f"{folder}: {exc}")
    for line in sd.summary_lines(found):
        console.print(line, highlight=False)
    if found.box["limits"]:
        box = Table(title=f"chosen box {found.box['box']}", title_justify="left")
        for col in ("restriction", "design range", "quasi-p", ""):
            box.add_column(col, overflow="fold")
        for row in sd.limit_rows(found.box):
            box.add_row(*row)
        console.print(box)
    try:
        path = sd.write(folder, manifest, found)
    except OSError as exc:  # checked before, so only what changed since
        _fail(f"cannot write the discovery table: {exc.strerror or exc}")
    console.print(f"wrote {path} (every box) and {path.with_suffix('.json').name}; `abm report {folder}` shows it")


@app.command()
def export(
    folder: Annotated[Path, typer.Argument(help="sweep folder")],
    to: Annotated[str, typer.Option("--to", help="format: ema (EMA workbench's load_results)")] = "ema",
    out: Annotated[Optional[Path], typer.Option(help="file to write (default FOLDER/ema.tar.gz)")] = None,
    outcome: Annotated[Optional[list[str]], typer.Option(help="indicator to export, repeatable (default: the "
                                                              "headline outcomes of `abm compare`)")] = None,
    group: Annotated[Optional[list[str]], typer.Option(help="group of the indicators, repeatable (default: all)")
                     ] = None,
    series: Annotated[bool, typer.Option("--series", help="also each outcome's monthly values, and TIME")] = False,
) -> None:
    """Write a sweep as EMA workbench's experiments and outcomes: a .tar.gz that its load_results reads."""
    from abm.sweep import export as sx

    dest, chosen, problems = sx.check(folder, to, out, outcome or [], group or [])
    if problems:
        _fail_all(str(folder), problems)
    try:
        path, runs = sx.save_ema(folder, dest, chosen, series)
    except FileNotFoundError as exc:
        _fail(str(exc))
    except OSError as exc:  # checked before, so only what changed since
        _fail(f"cannot write {dest}: {exc.strerror or exc}")
    console.print(f"wrote {path}: {_count(runs, 'run')} x {_count(len(chosen), 'outcome')}"
                  + (" with their monthly series" if series else "") + "; ema_workbench.load_results reads it")


def _sweep_folder(folder: Path, extra: tuple = (), baseline: Optional[str] = None) -> dict:
    """The manifest of the sweep folder FOLDER; what is wrong with it, --baseline and `extra` (the output
    file's problems) in one message."""
    from abm.sweep.store import read_manifest

    problems, manifest = [p for p in extra if p], None
    try:
        manifest = read_manifest(folder)
    except FileNotFoundError as exc:
        problems.insert(0, str(exc))
    if manifest is not None and baseline is not None and baseline not in manifest["config"]["arms"]:
        problems.append(f"--baseline: baseline arm {baseline!r} is not in this sweep; arms: "
                        f"{', '.join(manifest['config']['arms'])}")
    if problems:
        _fail_all(str(folder), problems)
    return manifest


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _pairs(table) -> str:
    counts = sorted(set(table["pairs"]))
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"


@app.command()
def calibrate(
    config: Annotated[Path, typer.Argument(help="calibration config (YAML file) or built-in name, e.g. "
                                                "calibration/recovery")],
    out: Annotated[Optional[Path], typer.Option(help="output folder (default results/calibration/<name>/<time>)")
                   ] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="evaluations at once (default: every CPU of Ray)")
                       ] = None,
    address: Address = None,
    resume: Annotated[bool, typer.Option("--resume", help="finish the calibration in --out")] = False,
    quiet: Quiet = False,
) -> None:
    """Fit behaviour parameters and policy levers to target marginals by ABC-SMC on Ray."""
    config = locate(config)
    from abm.calibration.config import load_calibration

    cal = _checked(config, "calibration", load_calibration, _out_problems(out, resume, "calibration"))
    target = _folder(out, resume, "calibration", cal.config.name)
    from abm.calibration.run import calibrate as run_calibration

    bar = None if quiet else Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                      TextColumn("{task.completed} evaluations"), console=err)
    tasks: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if bar is None:
            return
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total or None)
        bar.update(tasks[stage], completed=done)

    _compiling()
    try:
        if bar is not None:
            bar.start()
        result = run_calibration(cal, target, workers=workers, address=address, resume=resume, progress=progress)
    except OutputExists as exc:
        _fail(str(exc))
    except ConnectionError as exc:
        _fail(f"--address {address}: cannot join the Ray cluster: {exc}")
    except OSError as exc:  # the folder was checked first, so only what changed since (a full disk, say)
        _fail(f"cannot write in {target}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        _interrupted(f"abm calibrate {config} --out {target} --resume")
    finally:
        if bar is not None:
            bar.stop()
    table = Table(title=f"{cal.config.name}: posterior median and 95% interval ({result.stopped})",
                  title_justify="left")
    for col in ("parameter", "estimate", "95% interval", "prior", "true"):
        table.add_column(col, justify="left" if col == "parameter" else "right", no_wrap=True)
    for name, p in result.summary["parameters"].items():
        table.add_row(name, number(p["estimate"]), f"[{number(p['ci_low'])}, {number(p['ci_high'])}]",
                      f"[{number(p['prior_low'])}, {number(p['prior_high'])}]",
                      "" if "true" not in p else f"{number(p['true'])} ({'inside' if p['true_inside'] else 'OUTSIDE'})")
    console.print(table)
    s = result.summary
    console.print(f"{s['evaluations']:,} evaluations, {result.seconds:.0f} s "
                  f"({s['evaluations_per_second'] or 0:.1f} evaluations/s this session)")
    console.print(f"wrote {target}")


@app.command()
def validate(config: Annotated[Path, typer.Argument(help="run, sweep or calibration config (YAML file) or "
                                                          "built-in name")]) -> None:
    """Check CONFIG without running it: tells which kind of config it read (run, sweep or calibration, by its
    keys), and lists every problem; exit code 2 if any."""
    config = locate(config)
    from abm.yamlio import YamlError, load_yaml

    try:
        kind, keys = config_kind(load_yaml(config, "config file"))
    except YamlError as exc:
        _fail(str(exc))
    if kind is None:
        _fail(f"{config}: cannot tell which kind of config this is: {keys}")
    label = f"{config} (read as a {kind} config: it has {keys})"
    if kind == "run":
        cfg, spec = _checked(config, kind, lambda path: load_run(path), label=label)
        console.print(f"{config}: a valid run config ({cfg.city}, {cfg.households:,} households, "
                      f"{cfg.horizon_months} months, policies: {', '.join(p.name for p in spec.policies)})")
    elif kind == "sweep":
        from abm.sweep.config import load_sweep

        sw = _checked(config, kind, load_sweep, label=label)
        console.print(f"{config}: a valid sweep config ({sw.base.city}, {sw.base.households:,} households, "
                      f"{sw.base.horizon_months} months; {_count(len(sw.config.arms), 'arm')} x "
                      f"{_count(len(sw.points), 'design point')} x {_count(sw.config.replicates, 'replicate')} = "
                      f"{_count(len(sw.tasks), 'run')})")
    else:
        from abm.calibration.config import load_calibration

        cal = _checked(config, kind, load_calibration, label=label)
        targets = (f"{_count(len(cal.targets), 'target')} from {cal.config.targets}" if cal.targets is not None
                   else f"{_count(len(cal.config.recovery.targets), 'recovery target')}")
        console.print(f"{config}: a valid calibration config ({cal.base.city}, {cal.base.households:,} households, "
                      f"{cal.base.horizon_months} months; {_count(len(cal.names), 'parameter')}, {targets})")


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


@app.command()
def scorecard(
    cities: Annotated[Optional[str], typer.Option(help="cities, comma-separated (default: every built-in city)")
                      ] = None,
    replicates: Annotated[int, typer.Option(help="replicates per arm; replicate r has one seed in both arms")] = 5,
    households: Annotated[int, typer.Option(help="households (agents) per run")] = 20_000,
    out: Annotated[Optional[Path], typer.Option(help="output folder (default results/scorecard/<time>)")] = None,
    workers: Annotated[Optional[int], typer.Option(help="runs at once (default: every CPU of Ray)")] = None,
    address: Address = None,
    facts: Annotated[Optional[Path], typer.Option(
        help="external facts table (default configs/cities/external_facts.csv, if there is one)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="finish a scorecard stopped before it wrote --out")
                      ] = False,
    quiet: Quiet = False,
) -> None:
    """Hold every city's status quo and pilot, over replicates on Ray, to the facts and the seeds' patterns."""
    from abm.city import BUILTIN_CITIES
    from abm.scorecard.facts import EXTERNAL_FILE
    from abm.scorecard.run import RunsFailed, Settings, SettingsError
    from abm.scorecard.run import scorecard as run_scorecard

    if resume and out is None:
        _fail("--resume needs --out: the folder of the scorecard to finish")
    names = tuple(c.strip() for c in cities.split(",")) if cities else BUILTIN_CITIES
    target = out or Path("results") / "scorecard" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    settings = Settings(cities=names, replicates=replicates, households=households,
                        external_facts=facts if facts is not None else EXTERNAL_FILE)
    bar = None if quiet else Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("runs, {task.fields[failed]} failed"), TimeRemainingColumn(),
                                      console=err)
    state = {"task": None, "failed": 0}

    def on_plan(plans) -> None:  # the settings and facts are valid and the folder is ready
        _compiling()
        if bar is not None:
            bar.start()
            state["task"] = bar.add_task(f"scorecard ({len(plans)} cities)", failed=0,
                                         total=sum(len(p.sweep.tasks) for p in plans))

    def progress(rec: Optional[dict], done: int, total: int) -> None:
        if rec is not None and rec["status"] != "ok":
            state["failed"] += 1
            err.print(f"[red]run {rec['run_id']} failed:[/] {rec['error']}", highlight=False)
        if bar is not None and state["task"] is not None:
            bar.update(state["task"], completed=done, failed=state["failed"])

    again = (f"abm scorecard --cities {','.join(names)} --replicates {replicates} --households {households}"
             + (f" --facts {facts}" if facts is not None else "") + f" --out {target} --resume")
    try:
        result = run_scorecard(settings, target, workers=workers, address=address, resume=resume,
                               progress=progress, on_plan=on_plan)
    except (SettingsError, ConfigError) as exc:
        _fail(str(exc))
    except RunsFailed as exc:
        err.print(f"[bold red]error:[/] {exc}; their errors are in {exc.work}/runs/<city>/failed; "
                  f"`{again}` runs them again", highlight=False)
        raise typer.Exit(EXIT_RUNS_FAILED)
    except KeyboardInterrupt:
        _interrupted(again)
    finally:
        if bar is not None:
            bar.stop()
    s = result.summary
    share = "n/a" if s["share_within_tolerance"] != s["share_within_tolerance"] else f"{s['share_within_tolerance']:.0%}"
    ard = ("n/a (no validate rows)" if not s["validate_rows"]
           else f"{s['ard_validate']:.3f} ({s['validate_rows']} rows out of sample)")
    console.print(f"{s['rows']} rows: {s['compared']} compared, {s['by_construction']} held by construction, "
                  f"{s['not_comparable']} not comparable; within tolerance: {share} "
                  f"({s['within_tolerance']} of {s['compared']}); ARD of the validate rows: {ard}; MASE: "
                  + ("n/a" if not s["mase_series"] else f"{s['mase_mean']:.3f} ({s['mase_series']} series)"),
                  highlight=False)
    table = Table(title=f"patterns: {s['patterns_passed']} passed of {s['patterns_checked']} checked",
                  title_justify="left")
    for col in ("pattern", "verdict", "numbers"):
        table.add_column(col, overflow="fold")
    for p in result.patterns:
        colour = {"pass": "green", "fail": "red"}.get(p.verdict, "yellow")
        table.add_row(f"{p.key}: {p.name}", f"[{colour}]{p.verdict}[/]", p.detail)
    console.print(table)
    console.print(f"wrote {result.out} in {result.seconds:.0f} s (report.html, scorecard.parquet, scorecard.csv, "
                  "manifest.json)")


if __name__ == "__main__":
    app()
