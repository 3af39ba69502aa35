"""Shared test set-up: every test run works in its own workspace, never the user's ~/.workbench."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCHMARKS = ROOT.parent / "shared" / "benchmarks"

# Set before any app or notebook kernel starts, so kernels launched by nbval inherit it.
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="workbench-test-home-"))
# Every test solves for itself; the result cache is tested on its own (test_cache.py) and the
# served apps in the browser suite run with it, as users get them.
os.environ.setdefault("WORKBENCH_CACHE", "off")


@pytest.fixture(scope="session")
def sample_world():
    """The sample company (loaded once; World tables are copies per load_sample call)."""
    import workbench

    return workbench.load_sample()


@pytest.fixture()
def fresh_home(tmp_path, monkeypatch):
    """An empty workspace for tests that save the user's current world."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
