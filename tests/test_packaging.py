"""Packaging rules: a pure domain package, and conda users get the same pins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import sync_env  # noqa: E402


def test_import_workbench_pulls_no_ui():
    """`import workbench` (and its planning modules) loads no ipywidgets, plotly or ipyleaflet."""
    code = (
        "import importlib, pkgutil, sys, workbench\n"
        "for m in pkgutil.walk_packages(workbench.__path__, 'workbench.'):\n"
        "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('ipywidgets', 'plotly', 'ipyleaflet', 'voila'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_app_code_never_imports_the_benchmark_libraries():
    """statsforecast is a benchmark/test extra: no module of workbench/ or widgets/ names it."""
    hits = [str(p.relative_to(ROOT)) for pkg in ("workbench", "widgets") for p in (ROOT / pkg).rglob("*.py")
            if "statsforecast" in p.read_text() and "import" in p.read_text()
            and any(line.strip().startswith(("import statsforecast", "from statsforecast"))
                    for line in p.read_text().splitlines())]
    assert hits == []


def test_environment_yml_in_sync():
    """environment.yml is exactly what scripts/sync_env.py writes from pyproject.toml and the pins."""
    assert (ROOT / "environment.yml").read_text() == sync_env.render()


def test_pins_satisfy_pyproject_ranges():
    """Every dependency is pinned in constraints.txt at a version its range in pyproject.toml allows."""
    from packaging.specifiers import SpecifierSet

    pins = sync_env.pins()
    for req in sync_env.requirements():
        name, _, spec = sync_env.split(req)
        version = pins.get(sync_env.canonical(name))
        assert version is not None, f"{name} is not pinned"
        assert version in SpecifierSet(spec), f"{name}=={version} is outside {spec}"


@pytest.mark.parametrize("name", ["jupyterlab", "ipywidgets", "voila", "pandas", "plotly", "ipyleaflet", "ortools",
                                  "statsmodels", "nbval"])
def test_design_packages_declared(name):
    """The packages the design card names are all dependencies."""
    names = {sync_env.canonical(sync_env.split(r)[0]) for r in sync_env.requirements()}
    assert name in names
