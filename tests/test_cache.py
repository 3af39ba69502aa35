"""The result cache: what it keeps, how it is keyed, and the network design app reusing its results."""

from __future__ import annotations

import dataclasses
import os
import pickle
import time

import pytest

import workbench
from workbench import cache as cache_mod
from workbench.cache import ResultCache, code_stamp, default_cache


def test_put_get_and_keys_follow_every_part(tmp_path):
    c = ResultCache(tmp_path)
    k1 = c.key("network_design", "v1", "annual", (1, 2.5, None))
    assert c.get(k1) is None
    assert c.put(k1, {"total": 12.5})
    assert c.get(k1) == {"total": 12.5}
    assert c.key("network_design", "v1", "annual", (1, 2.5, None)) == k1          # stable
    assert c.key("network_design", "v2", "annual", (1, 2.5, None)) != k1          # another World
    assert c.key("network_design", "v1", "annual", (1, 2.5000001, None)) != k1     # another value
    assert ResultCache(tmp_path).get(k1) == {"total": 12.5}                          # another process's view


def test_the_code_stamp_enters_the_key(tmp_path, monkeypatch):
    c = ResultCache(tmp_path)
    k = c.key("x")
    assert len(code_stamp()) == 64
    monkeypatch.setattr(cache_mod, "code_stamp", lambda: "another version of the code")
    assert c.key("x") != k


def test_a_damaged_entry_is_dropped_and_computed_again(tmp_path, caplog):
    c = ResultCache(tmp_path)
    k = c.key("x")
    c.put(k, [1, 2, 3])
    path = c._path(k)
    path.write_bytes(b"not a pickle")
    with caplog.at_level("WARNING", logger="workbench.cache"):
        assert c.get(k) is None
    assert not path.exists()
    assert "unreadable" in caplog.text


def test_a_refused_write_is_logged_and_returns_false(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache's folder should be")
    c = ResultCache(blocker)
    with caplog.at_level("WARNING", logger="workbench.cache"):
        assert c.put(c.key("x"), 1) is False
    assert "not kept" in caplog.text


def test_prune_removes_the_least_recently_used_first(tmp_path):
    c = ResultCache(tmp_path, max_bytes=10**9)
    keys = [c.key(i) for i in range(4)]
    for i, k in enumerate(keys):
        c.put(k, b"x" * 1000)
        os.utime(c._path(k), (time.time() - 100 + i, time.time() - 100 + i))
    assert c.get(keys[0]) is not None       # used now: the newest
    size = c._path(keys[0]).stat().st_size
    c.max_bytes = 2 * size
    assert c.prune() == 2
    assert c.get(keys[0]) is not None and c.get(keys[3]) is not None
    assert c.get(keys[1]) is None and c.get(keys[2]) is None
    assert c.size_bytes() == 2 * size


def test_default_cache_follows_workbench_home_and_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    monkeypatch.setenv("WORKBENCH_CACHE", "on")
    assert default_cache().folder == tmp_path / "cache"
    monkeypatch.setenv("WORKBENCH_CACHE", "off")
    assert default_cache() is None


# -- the network design app -------------------------------------------------------------------

@pytest.fixture()
def cached(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    monkeypatch.setenv("WORKBENCH_CACHE", "on")
    return tmp_path / "cache"


def test_a_second_kernel_shows_the_design_and_curve_without_solving(cached, monkeypatch, sample_world):
    from widgets import network_design as nd

    first = nd.NetworkDesignModel(sample_world)
    sweep = first.compute_tradeoff(background=False)
    assert first.result is not None and sweep is not None
    assert ResultCache(cached).entries()

    def no_solve(*a, **k):
        raise AssertionError("solved again although the same design is in the cache")

    monkeypatch.setattr(nd.FacilityProblem, "solve", no_solve)
    monkeypatch.setattr(nd, "sweep_dc_count", no_solve)
    # a new model (another kernel) on an equal World loaded anew: same content, another object
    second = nd.NetworkDesignModel(workbench.load_sample())
    assert second.problems == []
    assert second.result.total_cost == pytest.approx(first.result.total_cost, rel=0, abs=0)
    assert list(second.result.sites.query("open").site_id) == list(first.result.sites.query("open").site_id)
    assert "solved before" in second.status
    assert second.check_ok
    curve = second.compute_tradeoff(background=False)
    assert curve is not None
    assert curve.table.equals(sweep.table)
    assert second.sweep is curve


def test_other_choices_or_data_are_solved_not_taken_from_the_cache(cached, sample_world):
    from widgets import network_design as nd

    first = nd.NetworkDesignModel(sample_world)
    solves = []
    original = nd.FacilityProblem.solve

    def counting(self, *a, **k):
        solves.append(self.spec.dc_count)
        return original(self, *a, **k)

    nd.FacilityProblem.solve = counting
    try:
        other = nd.NetworkDesignModel(sample_world, dc_count=first.result.dc_count + 1)
        grown = dataclasses.replace(sample_world, customers=sample_world.customers.assign(
            annual_demand=sample_world.customers["annual_demand"] * 1.5), version="")
        third = nd.NetworkDesignModel(grown)
    finally:
        nd.FacilityProblem.solve = original
    assert solves == [first.result.dc_count + 1, None]
    assert other.result.dc_count == first.result.dc_count + 1
    assert third.result.total_demand == pytest.approx(1.5 * first.result.total_demand)


def test_a_cached_result_survives_pickling_whole(cached, sample_world):
    from widgets import network_design as nd

    m = nd.NetworkDesignModel(sample_world)
    back = pickle.loads(pickle.dumps(m.result))
    assert back.flows.equals(m.result.flows)
    assert back.spec == m.result.spec
