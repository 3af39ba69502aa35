"""Sweeps: a grid of what-ifs run in parallel, locally or on a Dask cluster, each stored as a scenario.

    >>> grid = {"dc_count": range(1, 11), "demand_growth": [-0.1, 0.0, 0.1], "transport_rate_factor": [0.8, 1.2]}
    >>> sweep = run_sweep(solve_spec, grid, base=spec, store=ScenarioStore(), app="network_design",
    ...                   name="DC count sweep", progress=True)
    >>> sweep.table        # one row per point: the grid values, the KPIs, seconds, status, scenario id

Each grid point ``p`` becomes ``dataclasses.replace(base, **p)`` (or ``{**base, **p}`` for a dict)
and is passed to ``fn``, a function that returns a result (with ``kpis()``) or a dict of KPIs.
``fn`` is sent to the workers with cloudpickle, so a function defined in a notebook works too.

Where it runs: ``executor='processes'`` (default) uses local worker processes;
``executor='dask'`` (the default when ``scheduler_address`` is given or the environment variable
``WORKBENCH_DASK_SCHEDULER`` is set) sends the points to that ``dask.distributed`` scheduler, so a
user who outgrows one machine points the same sweep at a cluster. ``executor='serial'`` runs in
this process. Results come back to this process and are saved here, so workers need no access
to the scenario database.

A point that fails (bad input, infeasible plan) does not stop the sweep: it is listed with its
message in ``SweepResult.failures``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import multiprocessing
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import cloudpickle
import numpy as np
import pandas as pd

from . import codec
from .errors import ScenarioError
from .store import Scenario, ScenarioStore, kpis_of

__all__ = ["run_sweep", "SweepResult", "SweepPoint", "grid_points", "point_label", "SCHEDULER_ENV"]

SCHEDULER_ENV = "WORKBENCH_DASK_SCHEDULER"
EXECUTORS = ("processes", "dask", "serial")


@dataclass(frozen=True)
class SweepPoint:
    """The outcome of one grid point."""

    index: int
    point: Mapping[str, Any]
    result: Any = None
    kpis: Mapping[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""
    scenario_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class SweepResult:
    """All points of a sweep: ``table`` (grid values, KPIs, seconds, status, scenario id),
    ``points`` (with the full results), how long it took and where it ran."""

    name: str
    grid: Mapping[str, tuple]
    points: tuple[SweepPoint, ...]
    table: pd.DataFrame = field(repr=False)
    seconds: float = 0.0
    executor: str = "processes"
    workers: int = 1

    @property
    def failures(self) -> tuple[SweepPoint, ...]:
        return tuple(p for p in self.points if not p.ok)

    @property
    def scenario_ids(self) -> list[int]:
        return [p.scenario_id for p in self.points if p.scenario_id is not None]

    @property
    def throughput(self) -> float:
        """Points per second over the whole sweep (wall clock)."""
        return len(self.points) / self.seconds if self.seconds > 0 else math.nan

    def best(self, kpi: str, *, minimize: bool = True) -> SweepPoint:
        """The successful point with the lowest (or highest) value of a KPI."""
        ok = [p for p in self.points if p.ok and kpi in p.kpis and not math.isnan(p.kpis[kpi])]
        if not ok:
            raise ScenarioError(f"no successful point of the sweep has the KPI '{kpi}'")
        return (min if minimize else max)(ok, key=lambda p: p.kpis[kpi])


def _grid_values(grid: Mapping[str, Iterable[Any]]) -> dict[str, tuple]:
    if not grid:
        raise ScenarioError("the sweep grid is empty: give at least one parameter and its values, "
                            "e.g. {'dc_count': [2, 3, 4]}")
    out = {}
    for k, v in grid.items():
        vals = tuple(v) if not isinstance(v, (str, bytes)) and hasattr(v, "__iter__") else (v,)
        if not vals:
            raise ScenarioError(f"the sweep parameter '{k}' has no values")
        out[str(k)] = vals
    return out


def grid_points(grid: Mapping[str, Iterable[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the first key varying slowest."""
    values = _grid_values(grid)
    keys = list(values)
    return [dict(zip(keys, combo)) for combo in itertools.product(*values.values())]


def point_label(point: Mapping[str, Any]) -> str:
    """``{'dc_count': 3, 'demand_growth': 0.1}`` -> 'dc_count=3, demand_growth=0.1'."""
    parts = []
    for k, v in point.items():
        if isinstance(v, (float, np.floating)):
            v = f"{float(v):g}"
        parts.append(f"{k}={v}")
    return ", ".join(parts)


def _apply(base: Any, point: Mapping[str, Any]) -> Any:
    if base is None:
        return dict(point)
    if dataclasses.is_dataclass(base) and not isinstance(base, type):
        names = {f.name for f in dataclasses.fields(base)}
        unknown = [k for k in point if k not in names]
        if unknown:
            raise ScenarioError(f"{type(base).__name__} has no field {', '.join(repr(u) for u in unknown)} "
                                f"to sweep over; its fields are {', '.join(sorted(names))}")
        return dataclasses.replace(base, **point)
    if isinstance(base, Mapping):
        return {**base, **point}
    raise ScenarioError(f"the sweep base must be a dataclass or a dict, not {type(base).__name__}")


def _run_point(fn_bytes: bytes, spec: Any, index: int) -> tuple[int, Any, dict, float, str]:
    """Run one point in a worker; never raises (the error travels back as text)."""
    start = time.perf_counter()
    try:
        fn = cloudpickle.loads(fn_bytes)
        out = fn(spec)
        kp = {str(k): float(v) for k, v in (out.items() if isinstance(out, Mapping) else kpis_of(out).items())}
        return index, out, kp, time.perf_counter() - start, ""
    except Exception as exc:  # the message goes into the sweep's failures
        from ..errors import WorkbenchError

        if isinstance(exc, WorkbenchError):
            msg = str(exc)
        else:
            last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
            where = f" (in {last[0].name}, {os.path.basename(last[0].filename)}:{last[0].lineno})" if last else ""
            msg = f"{type(exc).__name__}: {exc}{where}"
        return index, None, {}, time.perf_counter() - start, msg


def _inputs_of(spec: Any, point: Mapping[str, Any], sweep_name: str) -> dict[str, Any]:
    """The JSON-able part of a point's spec (tables and the World are summarised by version)."""
    if dataclasses.is_dataclass(spec) and not isinstance(spec, type):
        items = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)}
    elif isinstance(spec, Mapping):
        items = dict(spec)
    else:
        items = {}
    out: dict[str, Any] = {}
    for k, v in items.items():
        if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray)):
            continue
        if hasattr(v, "version") and hasattr(v, "tables"):  # a World
            out.setdefault("world_version", v.version)
            continue
        try:
            codec.encode_value(v)
        except ScenarioError:
            continue
        out[k] = v
    out["sweep"] = sweep_name
    out["sweep_point"] = dict(point)
    return out


def _world_version(spec: Any, result: Any) -> str:
    for obj in (spec, result):
        for name in ("world", "world_version"):
            v = getattr(obj, name, None) if not isinstance(obj, Mapping) else obj.get(name)
            if isinstance(v, str) and v:
                return v
            if v is not None and hasattr(v, "version"):
                return str(v.version)
    return ""


def run_sweep(fn: Callable[[Any], Any], grid: Mapping[str, Iterable[Any]], *, base: Any = None,
              executor: str | None = None, scheduler_address: str | None = None, client: Any = None,
              max_workers: int | None = None, progress: Callable[[int, int], None] | bool | None = None,
              store: ScenarioStore | None = None, app: str | None = None, name: str | None = None,
              note: str = "", keep_results: bool = True, overwrite: bool = True,
              connect_timeout: float = 20.0) -> SweepResult:
    """Run ``fn`` on every point of ``grid`` applied to ``base``; see the module docstring.

    ``progress``: a ``progress(done, total)`` callable, or True for a text progress bar.
    ``store``: save each successful point as a scenario of ``app`` named
    ``"<name> · <point>"`` (re-running a sweep of the same name replaces its scenarios unless
    ``overwrite=False``). ``client``: an existing ``dask.distributed.Client`` to use.
    """
    grid = _grid_values(grid)
    points = grid_points(grid)
    specs = [_apply(base, p) for p in points]  # every point is checked before anything runs
    total = len(points)
    env_address = os.environ.get(SCHEDULER_ENV, "").strip()
    if executor is None:
        executor = "dask" if (scheduler_address or client is not None or env_address) else "processes"
    if executor not in EXECUTORS:
        raise ScenarioError(f"unknown executor '{executor}': use one of {', '.join(EXECUTORS)}")
    if store is not None and not app:
        app = getattr(fn, "app_name", None) or "sweep"
    name = name or f"Sweep {time.strftime('%Y-%m-%d %H:%M:%S')}"
    try:
        fn_bytes = cloudpickle.dumps(fn)
    except Exception as exc:
        raise ScenarioError(f"the sweep function cannot be sent to worker processes ({type(exc).__name__}: {exc}); "
                            "define it at the top level of a module or notebook") from None

    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=name, unit="scenario")
    done = 0
    outcomes: dict[int, SweepPoint] = {}

    def _finish(index: int, result: Any, kp: dict, seconds: float, error: str) -> None:
        nonlocal done
        sid = None
        if store is not None and not error:
            label = f"{name} · {point_label(points[index])}"
            inputs = _inputs_of(specs[index], points[index], name)
            wv = inputs.get("world_version") or _world_version(specs[index], result)
            sc = Scenario(name=label, app=app, inputs=inputs, result=None if isinstance(result, Mapping) else result,
                          kpis=kp, note=note or f"Point {index + 1} of {total} of the sweep '{name}'",
                          world_version=str(wv or ""))
            try:
                sid = store.save(sc, overwrite=overwrite)
            except ScenarioError as exc:
                error = f"computed, but not saved: {exc}"
        outcomes[index] = SweepPoint(index=index, point=points[index], result=result if keep_results else None,
                                     kpis=kp, seconds=seconds, error=error, scenario_id=sid)
        done += 1
        if bar is not None:
            bar.update(1)
        elif callable(progress):
            progress(done, total)

    start = time.perf_counter()
    workers = 1
    try:
        if executor == "serial":
            for i, spec in enumerate(specs):
                _finish(*_run_point(fn_bytes, spec, i))
        elif executor == "processes":
            workers = max(1, min(max_workers or os.cpu_count() or 1, total))
            try:
                with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
                    futures = [pool.submit(_run_point, fn_bytes, spec, i) for i, spec in enumerate(specs)]
                    for fut in as_completed(futures):
                        _finish(*fut.result())
            except BrokenProcessPool:
                raise ScenarioError(f"a worker process died after {done} of {total} points (out of memory, or "
                                    "killed); run fewer points at once (max_workers=1) or on a Dask cluster") from None
        else:
            workers = _run_dask(fn_bytes, specs, _finish, client=client,
                                address=scheduler_address or env_address or None, timeout=connect_timeout)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    ordered = tuple(outcomes[i] for i in range(total))
    table = _table(ordered, list(grid))
    return SweepResult(name=name, grid=grid, points=ordered, table=table, seconds=seconds, executor=executor,
                       workers=workers)


def _mp_context():
    """forkserver (safe in a Jupyter kernel, which runs threads); fork when the main script cannot be
    re-imported by a fresh worker (code piped to python on stdin)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    methods = multiprocessing.get_all_start_methods()
    if path and not os.path.exists(path) and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # the fork server imports pandas, numpy and the workbench once; workers fork from it ready to run
        ctx.set_forkserver_preload(["workbench.scenarios.sweep"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_dask(fn_bytes: bytes, specs: Sequence[Any], finish: Callable, *, client: Any, address: str | None,
              timeout: float = 20.0) -> int:
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:  # pragma: no cover - dask is a dependency
        raise ScenarioError("Dask is not installed: pip install 'dask[distributed]'") from None
    own = client is None
    if own:
        if not address:
            raise ScenarioError("executor='dask' needs a scheduler address: pass scheduler_address='tcp://host:8786' "
                                f"or set {SCHEDULER_ENV}")
        try:
            client = Client(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as exc:
            raise ScenarioError(f"could not reach the Dask scheduler at {address} ({exc}); check the address "
                                "and that the scheduler is running, or run the sweep locally "
                                "(executor='processes')") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        fn_future = client.scatter(fn_bytes, broadcast=True)
        futures = [client.submit(_run_point, fn_future, spec, i, pure=False) for i, spec in enumerate(specs)]
        for fut in dask_completed(futures):
            finish(*fut.result())
            fut.release()
        return workers
    finally:
        if own:
            client.close()


def _table(points: Sequence[SweepPoint], keys: list[str]) -> pd.DataFrame:
    rows = []
    kpi_names: list[str] = []
    for p in points:
        for k in p.kpis:
            if k not in kpi_names:
                kpi_names.append(k)
    for p in points:
        row = {k: p.point.get(k) for k in keys}
        for k in kpi_names:
            row[k] = p.kpis.get(k, math.nan)
        row.update(seconds=p.seconds, status="ok" if p.ok else "failed", message=p.error,
                   scenario_id=p.scenario_id)
        rows.append(row)
    df = pd.DataFrame(rows, columns=keys + kpi_names + ["seconds", "status", "message", "scenario_id"])
    df["scenario_id"] = df["scenario_id"].astype("Int64")
    return df
