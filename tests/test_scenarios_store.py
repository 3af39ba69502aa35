"""The scenario store on SQLite and on a real PostgreSQL server: round trips, names, atomic saves
(an injected failure and a killed process), concurrent saves from several processes, and schema upgrades.

PostgreSQL tests read the server's URL from ``WORKBENCH_TEST_POSTGRES_URL`` (start one with
``scripts/postgres.sh``). Without it they are skipped with the reason, except under ``CI=true``
where they fail: CI must test PostgreSQL.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.scenarios import (SCHEMA_VERSION, Scenario, ScenarioError, ScenarioExists, ScenarioNotFound,
                                 ScenarioStore, codec, default_url)
from workbench.scenarios import store as store_mod

from .test_scenarios_codec import PlanResult, sample_result

PG_ENV = "WORKBENCH_TEST_POSTGRES_URL"
MP = multiprocessing.get_context("spawn")


# ---------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------


def postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        msg = (f"{PG_ENV} is not set, so the PostgreSQL store tests cannot run. Start a server with "
               f"`export {PG_ENV}=\"$(scripts/postgres.sh | tail -n 1)\"` (installs Debian's postgresql "
               "when missing).")
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return url


@pytest.fixture()
def pg_url():
    """A fresh, empty PostgreSQL database on the test server (dropped afterwards)."""
    admin = sa.engine.make_url(store_mod._normalise_url(postgres_admin_url()))
    name = f"wb_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        pytest.fail(f"the PostgreSQL server at {admin.render_as_string(hide_password=True)} is not reachable "
                    f"({exc.orig}); start it with scripts/postgres.sh", pytrace=False)
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    """A fresh database URL: a SQLite file, or a new database on the PostgreSQL test server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture()
def store(url):
    """A store on a fresh database."""
    s = ScenarioStore(url)
    yield s
    s.close()


def plan(name="Base case", cost=100.0, app="network_design", note="", world="w-1") -> Scenario:
    r = sample_result()
    r = PlanResult(**{**{f: getattr(r, f) for f in r.__dataclass_fields__ if f != "status"}, "total_cost": cost})
    return Scenario.from_result(name, app, inputs={"dc_count": 4, "growth": 0.1, "regions": ["West", "East"],
                                                   "world_version": world}, result=r, note=note)


# ---------------------------------------------------------------------------------------
# round trips and housekeeping
# ---------------------------------------------------------------------------------------


def test_save_list_load_roundtrip(store):
    """A saved scenario lists with its headline KPIs and reopens with the same inputs, tables, result type and note."""
    sid = store.save(plan(note="client's base network"))
    listed = store.list()
    assert listed.loc[0, "id"] == sid and listed.loc[0, "name"] == "Base case"
    assert listed.loc[0, "total_cost"] == pytest.approx(100.0) and listed.loc[0, "open_sites"] == 2.0
    assert listed.loc[0, "world_version"] == "w-1"
    sc = store.load(sid)
    assert sc.name == "Base case" and sc.app == "network_design" and sc.note == "client's base network"
    assert sc.inputs == {"dc_count": 4, "growth": 0.1, "regions": ["West", "East"], "world_version": "w-1"}
    assert type(sc.result) is PlanResult and sc.result.total_cost == 100.0
    pd.testing.assert_frame_equal(sc.result.flows, sample_result().flows)
    pd.testing.assert_frame_equal(sc.table("flows"), sample_result().flows)
    assert sc.kpis == {"total_cost": 100.0, "open_sites": 2.0}
    assert sc.created is not None and sc.created.tzinfo is not None and sc.updated >= sc.created
    assert store.load("Base case", app="network_design").id == sid


def test_rename_duplicate_delete(store):
    """Rename keeps content, duplicate copies everything under '(copy)', delete removes the scenario and its rows."""
    sid = store.save(plan())
    store.rename(sid, "  Four   DCs ")
    assert store.load(sid).name == "Four DCs"
    copy = store.duplicate(sid)
    copy2 = store.duplicate(sid)
    names = set(store.list()["name"])
    assert names == {"Four DCs", "Four DCs (copy)", "Four DCs (copy 2)"}
    dup = store.load(copy)
    assert dup.kpis == store.load(sid).kpis
    pd.testing.assert_frame_equal(dup.result.flows, sample_result().flows)
    store.delete(sid)
    assert store.count() == 2
    with pytest.raises(ScenarioNotFound, match=f"no scenario with id {sid}"):
        store.load(sid)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM scenario_tables WHERE scenario_id = :i"), {"i": sid}).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM scenario_kpis WHERE scenario_id = :i"), {"i": sid}).scalar() == 0
    store.set_note(copy2, "kept for the board")
    assert store.load(copy2).note == "kept for the board"


def test_names_are_unique_per_app_and_overwrite_keeps_id(store):
    """Saving a taken name raises with a fix; overwrite replaces content but keeps the id and creation time."""
    sid = store.save(plan(cost=100.0))
    with pytest.raises(ScenarioExists, match="network_design already has a scenario named 'Base case'"):
        store.save(plan(cost=200.0))
    other_app = store.save(plan(app="route_planning"))  # same name, other app: fine
    assert other_app != sid
    created = store.load(sid).created
    again = store.save(plan(cost=300.0), overwrite=True)
    assert again == sid
    sc = store.load(sid)
    assert sc.kpis["total_cost"] == 300.0 and sc.created == created and sc.updated > created
    with pytest.raises(ScenarioError, match="needs a name"):
        store.save(plan(name="   "))
    with pytest.raises(ScenarioError, match="several apps have a scenario named 'Base case'"):
        store.load("Base case")
    with pytest.raises(ScenarioExists):
        store.rename(other_app, "Base case") if False else store.rename(store.save(plan(name="B")), "Base case")


def test_list_by_app_newest_first_and_empty(store):
    """``list(app)`` filters by app, newest first, with KPI columns only of that app; an empty store lists nothing."""
    assert store.list().empty and list(store.list().columns)[:3] == ["id", "name", "app"]
    a = store.save(plan("A"))
    store.save(Scenario(name="Routes", app="route_planning", kpis={"vehicles": 7.0}))
    b = store.save(plan("B"))
    nd = store.list("network_design")
    assert list(nd["id"]) == [b, a]
    assert "vehicles" not in nd.columns
    assert store.list()["vehicles"].notna().sum() == 1
    assert store.apps() == {"network_design": 2, "route_planning": 1}


# ---------------------------------------------------------------------------------------
# atomic writes
# ---------------------------------------------------------------------------------------


def test_failure_between_table_inserts_leaves_previous_state(store, monkeypatch):
    """An error after the first table of a save rolls the whole save back: the old version stays intact."""
    sid = store.save(plan(cost=100.0))
    before = store.load(sid)
    calls = {"n": 0}
    real = store_mod._insert_table

    def failing(conn, scenario_id, row):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk pulled out between table inserts")
        real(conn, scenario_id, row)

    monkeypatch.setattr(store_mod, "_insert_table", failing)
    with pytest.raises(RuntimeError, match="disk pulled out"):
        store.save(plan(cost=999.0), overwrite=True)
    calls["n"] = 0
    with pytest.raises(RuntimeError):
        store.save(plan(name="Never saved"))
    monkeypatch.setattr(store_mod, "_insert_table", real)
    assert store.count() == 1
    after = store.load(sid)
    assert after.kpis == before.kpis == {"total_cost": 100.0, "open_sites": 2.0}
    assert after.updated == before.updated
    assert set(after.tables) == set(before.tables)
    pd.testing.assert_frame_equal(after.result.flows, before.result.flows)


def _slow_saver(url: str, marker: str) -> None:
    """Child process: overwrite 'Base case' but stall after the first table insert (the parent kills us)."""
    from workbench.scenarios import store as sm

    real = sm._insert_table

    def stalling(conn, scenario_id, row):
        real(conn, scenario_id, row)
        Path(marker).write_text("inside the transaction")
        time.sleep(120)

    sm._insert_table = stalling
    sm.ScenarioStore(url).save(plan(cost=555.0), overwrite=True)


def test_killed_process_mid_save_leaves_previous_state(url, tmp_path):
    """A process killed (SIGKILL) in the middle of a save leaves the previous version, and the store stays writable."""
    store = ScenarioStore(url)
    sid = store.save(plan(cost=100.0))
    marker = tmp_path / "marker"
    proc = MP.Process(target=_slow_saver, args=(url, str(marker)))
    proc.start()
    deadline = time.time() + 90
    while not marker.exists() and proc.is_alive() and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the child never reached the middle of its save"
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    store.close()
    store = ScenarioStore(url)
    assert store.count() == 1
    sc = store.load(sid)
    assert sc.kpis["total_cost"] == 100.0
    assert set(sc.tables) == {"flows", "breakdown.by_site", "weekly"}
    new = store.save(plan(name="After the crash", cost=1.0))  # the write lock was released
    assert store.load(new).kpis["total_cost"] == 1.0
    if url.startswith("sqlite"):
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    store.close()


# ---------------------------------------------------------------------------------------
# concurrency
# ---------------------------------------------------------------------------------------

WORKERS = 4
PER_WORKER = 6


def _rows(worker: int, i: int) -> pd.DataFrame:
    return pd.DataFrame({"worker": worker, "i": i, "x": np.arange(40, dtype="int64") * (worker + 1) + i})


def _saver(url: str, worker: int, go, results) -> None:
    """Child process: open the store (possibly creating it) and save PER_WORKER scenarios as fast as possible."""
    errors = []
    go.wait(120)
    try:
        store = ScenarioStore(url)
        for i in range(PER_WORKER):
            df = _rows(worker, i)
            store.save(Scenario(name=f"worker {worker} #{i}", app="concurrency", inputs={"worker": worker, "i": i},
                                tables={"rows": df}, kpis={"worker": worker, "i": i, "sum": float(df["x"].sum())}))
            # and everyone overwrites one shared name: the survivor must be one consistent version
            store.save(Scenario(name="shared", app="concurrency", inputs={"worker": worker, "i": i},
                                tables={"rows": df}, kpis={"worker": worker, "i": i, "sum": float(df["x"].sum())}),
                       overwrite=True)
    except Exception as exc:  # reported to the parent
        errors.append(f"{type(exc).__name__}: {exc}")
    results.put((worker, errors))


def test_concurrent_saves_from_several_processes(url):
    """Several processes create the store and save at once: every scenario is there, with its own content."""
    go = MP.Event()
    results = MP.Queue()
    procs = [MP.Process(target=_saver, args=(url, w, go, results)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    time.sleep(1.0)
    go.set()
    outcomes = dict(results.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(60)
    assert all(not errs for errs in outcomes.values()), outcomes
    store = ScenarioStore(url)
    assert store.schema_version() == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar() == SCHEMA_VERSION
    listed = store.list("concurrency")
    assert len(listed) == WORKERS * PER_WORKER + 1
    for w in range(WORKERS):
        for i in range(PER_WORKER):
            sc = store.load(f"worker {w} #{i}", app="concurrency")
            assert sc.inputs == {"worker": w, "i": i}
            pd.testing.assert_frame_equal(sc.table("rows"), _rows(w, i))
            assert sc.kpis == {"worker": w, "i": i, "sum": float(_rows(w, i)["x"].sum())}
    shared = store.load("shared", app="concurrency")
    w, i = shared.inputs["worker"], shared.inputs["i"]
    assert shared.kpis == {"worker": w, "i": i, "sum": float(_rows(w, i)["x"].sum())}
    pd.testing.assert_frame_equal(shared.table("rows"), _rows(w, i))
    store.close()


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    """The default SQLite file uses WAL (readers never block writers) and waits for a busy writer."""
    store = ScenarioStore(folder=tmp_path)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "scenarios.sqlite").exists()


def test_busy_database_gives_a_readable_message(tmp_path):
    """A writer that holds the lock longer than the timeout makes a save fail with a message, not a traceback."""
    path = tmp_path / "scenarios.sqlite"
    ScenarioStore(folder=tmp_path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        quick = ScenarioStore(folder=tmp_path, busy_timeout_s=0.3)
        with pytest.raises(ScenarioError, match="stayed busy for more than 0 s|stayed busy"):
            quick.save(Scenario(name="x", app="a"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert quick.save(Scenario(name="x", app="a")) > 0


# ---------------------------------------------------------------------------------------
# where the store lives
# ---------------------------------------------------------------------------------------


def test_default_location_follows_environment(tmp_path, monkeypatch):
    """WORKBENCH_SCENARIOS takes a folder or a URL; otherwise the file lives in WORKBENCH_HOME."""
    monkeypatch.delenv("WORKBENCH_SCENARIOS", raising=False)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    assert default_url() == f"sqlite:///{(tmp_path / 'home' / 'scenarios.sqlite').resolve()}"
    monkeypatch.setenv("WORKBENCH_SCENARIOS", str(tmp_path / "team"))
    s = ScenarioStore()
    assert s.location == str((tmp_path / "team" / "scenarios.sqlite").resolve())
    monkeypatch.setenv("WORKBENCH_SCENARIOS", "postgresql://u:secret@db.example:5432/plans")
    assert default_url() == "postgresql://u:secret@db.example:5432/plans"
    assert store_mod._normalise_url(default_url()).startswith("postgresql+psycopg://")


def test_unwritable_folder_is_reported(tmp_path):
    """A folder that cannot be created gives a ScenarioError naming it and the fix."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ScenarioError, match="set WORKBENCH_SCENARIOS to a writable folder"):
        ScenarioStore(folder=blocker / "sub")


# ---------------------------------------------------------------------------------------
# schema versions
# ---------------------------------------------------------------------------------------

V1_DDL = """
CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL,
                             description TEXT DEFAULT '' NOT NULL);
CREATE TABLE scenarios (id INTEGER NOT NULL PRIMARY KEY, app VARCHAR(100) NOT NULL, name VARCHAR(200) NOT NULL,
                        inputs TEXT NOT NULL, kpis TEXT NOT NULL, result TEXT, created_at DATETIME NOT NULL);
INSERT INTO schema_version VALUES (1, '2026-06-01 09:00:00.000000', 'Create the first layout.');
"""


def make_v1_file(path: Path) -> None:
    """A database as the first layout wrote it: KPIs and tables inside JSON columns, duplicate names allowed."""
    con = sqlite3.connect(path)
    con.executescript(V1_DDL)
    struct, tables = codec.encode(sample_result())
    blob = {"type": "tests.test_scenarios_codec:PlanResult", "structure": struct,
            "tables": {k: json.loads(codec.table_to_json(v)) for k, v in tables.items()}}
    rows = [
        (1, "network_design", "Base", {"dc_count": 3, "world_version": "abc123"}, {"total_cost": 10.0, "service": 0.9}, blob),
        (2, "network_design", "Base", {"dc_count": 5, "world_version": "abc123"}, {"total_cost": 12.0, "service": 0.95}, None),
        (3, "route_planning", "Monday", {"vehicles": 4}, {"distance_km": 812.5}, None),
    ]
    for sid, app, name, inputs, kpis, result in rows:
        con.execute("INSERT INTO scenarios VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (sid, app, name, json.dumps(inputs), json.dumps(kpis),
                     None if result is None else json.dumps(result), f"2026-06-0{sid} 10:00:00.000000"))
    con.commit()
    con.close()


def test_upgrade_from_a_version_1_file(tmp_path):
    """Scenarios saved by the first layout open after the upgrade: KPIs, tables, result and unique names."""
    path = tmp_path / "scenarios.sqlite"
    make_v1_file(path)
    store = ScenarioStore(folder=tmp_path)
    assert store.schema_version() == SCHEMA_VERSION == 2
    listed = store.list().sort_values("id")
    assert list(listed["name"]) == ["Base", "Base (2)", "Monday"]
    assert list(listed["total_cost"].iloc[:2]) == [10.0, 12.0] and listed["distance_km"].iloc[2] == 812.5
    first = store.load(1)
    assert type(first.result) is PlanResult
    pd.testing.assert_frame_equal(first.result.flows, sample_result().flows)
    assert first.world_version == "abc123" and first.note == ""
    assert first.created.isoformat().startswith("2026-06-01T10:00:00")
    assert store.load(2).result is None and store.load(2).kpis == {"total_cost": 12.0, "service": 0.95}
    with pytest.raises(ScenarioExists):
        store.save(Scenario(name="Base", app="network_design"))
    new = store.save(Scenario(name="After upgrade", app="network_design", kpis={"total_cost": 1.0}))
    assert store.load(new).kpis == {"total_cost": 1.0}
    con = sqlite3.connect(path)
    cols = {r[1] for r in con.execute("PRAGMA table_info(scenarios)")}
    assert "kpis" not in cols and {"note", "world_version", "updated_at"} <= cols
    assert [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version")] == [1, 2]
    con.close()


def test_failed_upgrade_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    """An upgrade that fails half-way is rolled back: the file is still a readable version 1 database."""
    path = tmp_path / "scenarios.sqlite"
    make_v1_file(path)
    real = store_mod._MIGRATIONS[2]

    def half(conn):
        real(conn)
        raise RuntimeError("power cut during the upgrade")

    monkeypatch.setitem(store_mod._MIGRATIONS, 2, half)
    with pytest.raises(RuntimeError, match="power cut"):
        ScenarioStore(folder=tmp_path)
    con = sqlite3.connect(path)
    assert [r[0] for r in con.execute("SELECT version FROM schema_version")] == [1]
    cols = {r[1] for r in con.execute("PRAGMA table_info(scenarios)")}
    assert "kpis" in cols and "note" not in cols
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "scenario_kpis" not in tables
    con.close()
    monkeypatch.setitem(store_mod._MIGRATIONS, 2, real)
    assert ScenarioStore(folder=tmp_path).count() == 3


def test_newer_database_is_refused_with_upgrade_message(tmp_path):
    """A database written by a newer workbench is not touched; the message says to upgrade."""
    ScenarioStore(folder=tmp_path).close()
    con = sqlite3.connect(tmp_path / "scenarios.sqlite")
    con.execute("INSERT INTO schema_version VALUES (99, '2030-01-01 00:00:00', 'future')")
    con.commit()
    con.close()
    with pytest.raises(ScenarioError, match=r"newer workbench \(layout version 99; this one reads up to 2\)"):
        ScenarioStore(folder=tmp_path)


@pytest.mark.postgres
def test_upgrade_from_version_1_on_postgresql(pg_url):
    """The same upgrade runs on a PostgreSQL team server: rows moved, names made unique, KPIs listed."""
    engine = sa.create_engine(pg_url)
    struct, tables = codec.encode(sample_result())
    blob = {"type": "tests.test_scenarios_codec:PlanResult", "structure": struct,
            "tables": {k: json.loads(codec.table_to_json(v)) for k, v in tables.items()}}
    with engine.begin() as conn:
        store_mod._migrate_to_1(conn)
        conn.execute(store_mod._schema_version_t.insert().values(version=1, applied_at=pd.Timestamp("2026-06-01", tz="UTC"),
                                                                 description="first layout"))
        for name, kpis, result in [("Base", {"total_cost": 10.0}, blob), ("Base", {"total_cost": 12.0}, None)]:
            conn.execute(store_mod._scenarios_v1.insert().values(
                app="network_design", name=name, inputs=json.dumps({"world_version": "abc"}), kpis=json.dumps(kpis),
                result=None if result is None else json.dumps(result), created_at=pd.Timestamp("2026-06-02", tz="UTC")))
    engine.dispose()
    store = ScenarioStore(pg_url)
    assert store.schema_version() == 2
    listed = store.list().sort_values("id")
    assert list(listed["name"]) == ["Base", "Base (2)"] and list(listed["total_cost"]) == [10.0, 12.0]
    first = store.load("Base", app="network_design")
    assert type(first.result) is PlanResult and first.world_version == "abc"
    pd.testing.assert_frame_equal(first.result.flows, sample_result().flows)
    store.close()


# -- the scenario store -------------------------------------------------------------------

def test_kpi_infinity_round_trips(store):
    """A KPI of infinity is stored and read back as infinity (NaN stays NaN)."""
    import math

    from workbench.scenarios import Scenario

    sid = store.save(Scenario.from_result("inf", "network_design", kpis={"a": float("inf"), "b": float("-inf"),
                                                                          "c": float("nan"), "d": 1.5}))
    k = store.load(sid).kpis
    assert k["a"] == math.inf and k["b"] == -math.inf and math.isnan(k["c"]) and k["d"] == 1.5
    assert store.kpi_frame([sid]).set_index("kpi")["value"]["a"] == math.inf


def test_names_saved_and_looked_up_alike(store):
    """Save normalises white space in names, and so does every lookup."""
    from workbench.scenarios import Scenario

    sid = store.save(Scenario.from_result("  Base   case ", "network_design", kpis={"a": 1.0}))
    assert store.load(sid).name == "Base case"
    assert store.resolve("Base case") == sid and store.resolve(" Base\tcase  ") == sid
    assert store.load("Base  case").id == sid


def test_lone_surrogate_in_a_name_is_a_clear_error(store):
    """A name with a lone surrogate (pasted from a broken source) is a ScenarioError, not UnicodeEncodeError."""
    from workbench.scenarios import Scenario, ScenarioError

    with pytest.raises(ScenarioError, match="cannot be saved"):
        store.save(Scenario.from_result("bad \ud800 name", "network_design", kpis={"a": 1.0}))
