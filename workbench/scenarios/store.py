"""The scenario store: saved what-ifs in one SQLite file, or on a PostgreSQL server for a team.

    >>> from workbench.scenarios import ScenarioStore, Scenario
    >>> store = ScenarioStore()                      # ~/.workbench/scenarios.sqlite
    >>> sid = store.save(Scenario.from_result("4 DCs", "network_design", inputs=spec_dict,
    ...                                       result=result, note="base case"))
    >>> store.list("network_design")                 # one row per scenario, headline KPIs as columns
    >>> store.load(sid).result                       # the typed result, as it was saved

Where it lives: ``ScenarioStore(url)`` takes any SQLAlchemy URL (``sqlite:///path`` or
``postgresql://user@host/db``); without one it reads the environment variable
``WORKBENCH_SCENARIOS`` (a URL, or a folder for the SQLite file), else uses
``$WORKBENCH_HOME/scenarios.sqlite`` (default ``~/.workbench``).

Safety:

* every save is one transaction (the scenario row, its KPIs and its tables): a crash or an
  error mid-save leaves the previous state exactly as it was;
* SQLite runs in WAL mode with a busy timeout, and writers take the write lock when their
  transaction begins, so several Voila kernels (or sweep workers) can save at once;
* the layout is versioned (table ``schema_version``); an older database is upgraded in one
  transaction when it is opened, a newer one is refused with a clear message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import re
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from . import codec
from .errors import ScenarioError, ScenarioExists, ScenarioNotFound

__all__ = ["Scenario", "ScenarioStore", "SCHEMA_VERSION", "default_url", "kpis_of"]

#: the layout this code writes; see ``_MIGRATIONS`` for how older layouts are upgraded
SCHEMA_VERSION = 2
MAX_NAME = 200
_PG_LOCK_KEY = 72_810_017  # advisory lock held while the layout is created or upgraded


# ---------------------------------------------------------------------------------------
# the scenario
# ---------------------------------------------------------------------------------------


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def kpis_of(result: Any) -> dict[str, float]:
    """The headline numbers of a result: its ``kpis()`` method or ``kpis`` mapping, else {}."""
    if result is None:
        return {}
    k = getattr(result, "kpis", None)
    if callable(k):
        k = k()
    if isinstance(k, Mapping):
        return {str(n): v for n, v in k.items()}
    return {}


def _clean_kpis(kpis: Mapping[str, Any]) -> dict[str, float]:
    out, bad = {}, []
    for name, value in kpis.items():
        if value is None:
            out[str(name)] = math.nan
            continue
        try:
            out[str(name)] = float(value)
        except (TypeError, ValueError):
            bad.append(f"{name}={value!r}")
    if bad:
        raise ScenarioError("KPIs must be numbers; these are not: " + ", ".join(bad))
    return out


@dataclass(frozen=True)
class Scenario:
    """One saved what-if: its name, app, inputs, results (typed result, tables, KPIs) and note.

    ``inputs`` are the user's choices as a JSON-able dict, including ``world_version`` (the
    content hash of the data the scenario ran on). ``result`` is the typed result object;
    ``tables`` holds its DataFrames by name (filled when a scenario is loaded). ``id``,
    ``created`` and ``updated`` are set by the store.
    """

    name: str
    app: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    result: Any = None
    kpis: Mapping[str, float] = field(default_factory=dict)
    note: str = ""
    world_version: str = ""
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    id: int | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    result_type: str = ""

    def __post_init__(self):
        if not self.world_version and isinstance(self.inputs, Mapping):
            wv = self.inputs.get("world_version")
            if wv:
                object.__setattr__(self, "world_version", str(wv))
        if not self.result_type and self.result is not None:
            t = type(self.result)
            object.__setattr__(self, "result_type", f"{t.__module__}:{t.__qualname__}")

    @classmethod
    def from_result(cls, name: str, app: str, *, inputs: Mapping[str, Any] | None = None, result: Any = None,
                    kpis: Mapping[str, float] | None = None, note: str = "",
                    world_version: str = "") -> "Scenario":
        """A scenario from a typed result; KPIs default to ``result.kpis()`` (or ``result.kpis``)."""
        return cls(name=name, app=app, inputs=dict(inputs or {}), result=result,
                   kpis=dict(kpis if kpis is not None else kpis_of(result)), note=note,
                   world_version=world_version)

    @classmethod
    def from_model(cls, model: Any, name: str, note: str = "") -> "Scenario":
        """A scenario from an app model (``app_name``, ``inputs()``, ``kpis()``, ``result``, ``world``)."""
        inputs = dict(model.inputs())
        world = getattr(model, "world", None)
        wv = inputs.get("world_version") or (getattr(world, "version", "") if world is not None else "")
        return cls(name=name, app=model.app_name, inputs=inputs, result=model.result,
                   kpis=dict(model.kpis() or {}), note=note, world_version=str(wv or ""))

    def replace(self, **changes: Any) -> "Scenario":
        return dataclasses.replace(self, **changes)

    def table(self, name: str) -> pd.DataFrame:
        """One result table by name (the field path in the result, e.g. ``flows``)."""
        try:
            return self.tables[name]
        except KeyError:
            have = ", ".join(self.tables) or "none"
            raise ScenarioError(f"scenario '{self.name}' has no table '{name}' (tables: {have})") from None


# ---------------------------------------------------------------------------------------
# layout: current tables (version 2) and the migrations from older layouts
# ---------------------------------------------------------------------------------------

_TS = sa.DateTime(timezone=True)

_meta = sa.MetaData()
scenarios_t = sa.Table(
    "scenarios", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app", sa.String(100), nullable=False),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("result", sa.Text),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("world_version", sa.String(64), nullable=False, server_default=""),
    sa.Column("result_type", sa.String(300), nullable=False, server_default=""),
    sa.Column("codec", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_at", _TS),
)
kpis_t = sa.Table(
    "scenario_kpis", _meta,
    sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("value", sa.Float),
)
tables_t = sa.Table(
    "scenario_tables", _meta,
    sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.String(300), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("n_cols", sa.Integer, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)

# version 1, the first layout: one row per scenario, KPIs and result tables inside JSON columns.
_meta_v1 = sa.MetaData()
_scenarios_v1 = sa.Table(
    "scenarios", _meta_v1,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app", sa.String(100), nullable=False),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("kpis", sa.Text, nullable=False),
    sa.Column("result", sa.Text),
    sa.Column("created_at", _TS, nullable=False),
)
_schema_version_t = sa.Table(
    "schema_version", _meta_v1,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", _TS, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
)


def _migrate_to_1(conn: Connection) -> None:
    """Create the first layout."""
    _meta_v1.create_all(conn)


def _migrate_to_2(conn: Connection) -> None:
    """KPIs and result tables get tables of their own (listing no longer parses every result),
    scenarios get a note, the World version, the result type and an update time, and names
    become unique per app (older duplicates are renamed 'name (2)', 'name (3)', ...)."""
    dialect = conn.dialect
    add = [("note", sa.Text(), "''"), ("world_version", sa.String(64), "''"),
           ("result_type", sa.String(300), "''"), ("codec", sa.Integer(), "1"), ("updated_at", _TS, None)]
    for name, type_, default in add:
        ddl = f"ALTER TABLE scenarios ADD COLUMN {name} {type_.compile(dialect=dialect)}"
        if default is not None:
            ddl += f" NOT NULL DEFAULT {default}"
        conn.exec_driver_sql(ddl)
    kpis_t.create(conn)
    tables_t.create(conn)
    old = sa.table("scenarios", sa.column("id"), sa.column("app"), sa.column("name"), sa.column("inputs"),
                   sa.column("kpis"), sa.column("result"), sa.column("created_at"))
    seen: dict[tuple[str, str], int] = {}
    rows = conn.execute(sa.select(old.c.id, old.c.app, old.c.name, old.c.inputs, old.c.kpis, old.c.result,
                                  old.c.created_at).order_by(old.c.id)).all()
    for row in rows:
        key = (row.app, row.name)
        name = row.name
        if key in seen:
            seen[key] += 1
            name = f"{row.name} ({seen[key]})"
        else:
            seen[key] = 1
        inputs = codec.loads(row.inputs) or {}
        world_version = str(inputs.get("world_version", "")) if isinstance(inputs, dict) else ""
        kpis = codec.loads(row.kpis) or {}
        kpi_rows = [{"scenario_id": row.id, "name": str(k), "position": i, "value": _float_or_none(v)}
                    for i, (k, v) in enumerate(kpis.items())]
        if kpi_rows:
            conn.execute(kpis_t.insert(), kpi_rows)
        blob = codec.loads(row.result)
        struct, result_type = None, ""
        if isinstance(blob, dict):
            struct = blob.get("structure")
            result_type = str(blob.get("type", ""))
            for i, (tname, payload) in enumerate((blob.get("tables") or {}).items()):
                conn.execute(tables_t.insert(), [{
                    "scenario_id": row.id, "name": tname, "position": i, "n_rows": int(payload.get("n", 0)),
                    "n_cols": len(payload.get("columns", [])), "data": codec.dumps(payload)}])
        conn.execute(sa.update(scenarios_t).where(scenarios_t.c.id == row.id).values(
            name=name, world_version=world_version, result_type=result_type,
            result=None if struct is None else codec.dumps(struct)))
    conn.exec_driver_sql("UPDATE scenarios SET updated_at = created_at WHERE updated_at IS NULL")
    conn.exec_driver_sql("ALTER TABLE scenarios DROP COLUMN kpis")
    conn.exec_driver_sql("CREATE UNIQUE INDEX ux_scenarios_app_name ON scenarios (app, name)")
    conn.exec_driver_sql("CREATE INDEX ix_scenarios_updated ON scenarios (updated_at)")


_MIGRATIONS = {
    1: _migrate_to_1,
    2: _migrate_to_2,
}


def _float_or_none(v: Any) -> float | None:
    """A KPI as stored: a float, infinity kept (a ratio over zero is a result), NaN as NULL."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def normalise_name(name: str) -> str:
    """A scenario name as saved and looked up: runs of white space become one space, ends trimmed."""
    return " ".join(str(name).split())


# ---------------------------------------------------------------------------------------
# the store
# ---------------------------------------------------------------------------------------


def default_url() -> str:
    """``WORKBENCH_SCENARIOS`` (a URL or a folder), else ``$WORKBENCH_HOME/scenarios.sqlite``."""
    env = os.environ.get("WORKBENCH_SCENARIOS", "").strip()
    if "://" in env:
        return env
    folder = Path(env) if env else Path(os.environ.get("WORKBENCH_HOME", Path.home() / ".workbench"))
    return _sqlite_url(folder / "scenarios.sqlite")


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def _normalise_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class ScenarioStore:
    """Saved scenarios in a SQLite file (default) or a PostgreSQL database.

    ``ScenarioStore()`` opens the default file; ``ScenarioStore(folder=path)`` the file
    ``scenarios.sqlite`` in ``path``; ``ScenarioStore(url)`` any SQLAlchemy URL. The layout is
    created or upgraded on open. Safe to use from several processes at once.
    """

    def __init__(self, url: str | os.PathLike | None = None, folder: str | os.PathLike | None = None, *,
                 busy_timeout_s: float = 30.0):
        if url is not None and folder is not None:
            raise ScenarioError("give either a database URL or a folder, not both")
        if url is None:
            url = _sqlite_url(Path(folder) / "scenarios.sqlite") if folder is not None else default_url()
        elif isinstance(url, os.PathLike) or "://" not in str(url):
            p = Path(url)
            url = _sqlite_url(p / "scenarios.sqlite" if p.is_dir() else p)
        self.url = sa.engine.make_url(_normalise_url(str(url)))
        self.busy_timeout_s = float(busy_timeout_s)
        self.dialect = self.url.get_backend_name()
        self.engine = self._make_engine()
        self._writer = self.engine.execution_options(wb_write=True)
        self._migrate()

    # -- connection set-up --------------------------------------------------------------
    def _make_engine(self) -> Engine:
        if self.dialect == "sqlite":
            db = self.url.database
            if db and db != ":memory:" and not db.startswith("file:"):
                path = Path(db)
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise ScenarioError(f"cannot create the folder {path.parent} for the scenario database "
                                        f"({exc.strerror}); set WORKBENCH_SCENARIOS to a writable folder") from None
            engine = sa.create_engine(self.url, connect_args={"timeout": self.busy_timeout_s})
            timeout_ms = int(self.busy_timeout_s * 1000)

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn, _record):
                dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
                cur = dbapi_conn.cursor()
                cur.execute(f"PRAGMA busy_timeout = {timeout_ms}")
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = FULL")
                cur.execute("PRAGMA foreign_keys = ON")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn):
                # writers take the write lock up front: no deadlock when two readers both try to write
                write = conn.get_execution_options().get("wb_write", False)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

            return engine
        if self.dialect == "postgresql":
            try:
                return sa.create_engine(self.url, pool_pre_ping=True)
            except ModuleNotFoundError as exc:
                raise ScenarioError(f"the PostgreSQL driver is missing ({exc.name}); install it with "
                                    "pip install 'psycopg[binary]'") from None
        return sa.create_engine(self.url, pool_pre_ping=True)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._errors("save to"):
            with self._writer.begin() as conn:
                yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._errors("read from"):
            with self.engine.connect() as conn:
                yield conn

    @contextlib.contextmanager
    def _errors(self, verb: str) -> Iterator[None]:
        try:
            yield
        except (ScenarioError, sa.exc.IntegrityError):
            raise  # integrity errors are name clashes; the caller turns them into ScenarioExists
        except sa.exc.OperationalError as exc:
            text = str(exc.orig) if exc.orig is not None else str(exc)
            if "locked" in text or "busy" in text:
                raise ScenarioError(f"the scenario database {self.location} stayed busy for more than "
                                    f"{self.busy_timeout_s:.0f} s (other apps are saving); try again") from None
            raise ScenarioError(f"could not {verb} the scenario database {self.location}: {text.strip()}") from None
        except sa.exc.DBAPIError as exc:
            text = str(exc.orig) if exc.orig is not None else str(exc)
            raise ScenarioError(f"could not {verb} the scenario database {self.location}: {text.strip()}") from None

    @property
    def location(self) -> str:
        """Where the scenarios live (password hidden)."""
        if self.dialect == "sqlite":
            return str(self.url.database)
        return self.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "ScenarioStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ScenarioStore({self.location!r})"

    # -- schema versions ----------------------------------------------------------------
    def schema_version(self) -> int:
        with self._read() as conn:
            return self._version(conn)

    @staticmethod
    def _version(conn: Connection) -> int:
        if not sa.inspect(conn).has_table("schema_version"):
            return 0
        v = conn.execute(sa.select(sa.func.max(_schema_version_t.c.version))).scalar()
        return int(v or 0)

    def _migrate(self) -> None:
        with self._read() as conn:
            current = self._version(conn)
        if current == SCHEMA_VERSION:
            return
        if current > SCHEMA_VERSION:
            raise ScenarioError(
                f"the scenario database {self.location} was written by a newer workbench (layout version "
                f"{current}; this one reads up to {SCHEMA_VERSION}): upgrade the workbench to open it")
        with self._write() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            current = self._version(conn)  # another process may have upgraded it meanwhile
            for version in range(current + 1, SCHEMA_VERSION + 1):
                _MIGRATIONS[version](conn)
                conn.execute(_schema_version_t.insert().values(
                    version=version, applied_at=self._ts(_utcnow()),
                    description=(_MIGRATIONS[version].__doc__ or "").strip().splitlines()[0]))

    # -- helpers -------------------------------------------------------------------------
    def _ts(self, t: dt.datetime) -> dt.datetime:
        if self.dialect == "sqlite":  # stored as text in UTC
            return t.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return t

    @staticmethod
    def _from_ts(t: Any) -> dt.datetime | None:
        if t is None:
            return None
        if isinstance(t, str):
            t = dt.datetime.fromisoformat(t)
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return t.astimezone(dt.timezone.utc)

    @staticmethod
    def _check_name(name: str) -> str:
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError("a scenario needs a name: type one (for example 'Base case, 4 DCs')")
        bad = _BAD_NAME_CHARS.search(name)
        if bad:
            raise ScenarioError(f"the scenario name holds a character that cannot be saved ({ascii(bad.group())} "
                                f"at position {bad.start() + 1}): retype the name without it")
        name = normalise_name(name)
        if len(name) > MAX_NAME:
            raise ScenarioError(f"the scenario name is {len(name)} characters long; keep it under {MAX_NAME}")
        return name

    def _row(self, conn: Connection, scenario_id: int) -> Any:
        row = conn.execute(sa.select(scenarios_t).where(scenarios_t.c.id == int(scenario_id))).first()
        if row is None:
            raise ScenarioNotFound(f"there is no scenario with id {scenario_id} in {self.location}; "
                                   "it may have been deleted (refresh the list)")
        return row

    def _id_by_name(self, conn: Connection, app: str, name: str) -> int | None:
        return conn.execute(sa.select(scenarios_t.c.id).where(scenarios_t.c.app == app,
                                                              scenarios_t.c.name == normalise_name(name))).scalar()

    def resolve(self, key: int | str, app: str | None = None) -> int:
        """The id of a scenario given its id, or its name (and app when names repeat across apps)."""
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            return int(key)
        if isinstance(key, Scenario):
            if key.id is None:
                raise ScenarioError(f"scenario '{key.name}' has not been saved yet")
            return key.id
        key = normalise_name(key)
        q = sa.select(scenarios_t.c.id, scenarios_t.c.app).where(scenarios_t.c.name == key)
        if app is not None:
            q = q.where(scenarios_t.c.app == app)
        with self._read() as conn:
            rows = conn.execute(q).all()
        if not rows:
            where = f" in {app}" if app else ""
            raise ScenarioNotFound(f"there is no scenario named '{key}'{where}")
        if len(rows) > 1:
            apps = ", ".join(sorted(r.app for r in rows))
            raise ScenarioError(f"several apps have a scenario named '{key}' ({apps}): say which app")
        return int(rows[0].id)

    # -- writing -------------------------------------------------------------------------
    def save(self, scenario: Scenario, *, overwrite: bool = False) -> int:
        """Save a scenario in one transaction and return its id.

        A new scenario (``id`` None) whose name its app already uses raises
        :class:`ScenarioExists` unless ``overwrite=True``, which replaces that scenario (keeping
        its id and creation time). A scenario with an ``id`` updates that scenario.
        """
        name = self._check_name(scenario.name)
        app = (scenario.app or "").strip()
        if not app:
            raise ScenarioError("a scenario needs the name of the app it belongs to (e.g. 'network_design')")
        # encode everything before the transaction: an unstorable value never touches the database
        inputs_json = codec.dumps(codec.encode_value(dict(scenario.inputs or {})))
        kpis = _clean_kpis(scenario.kpis or {})
        if scenario.result is not None:
            struct, tables = codec.encode(scenario.result)
        else:
            tables = dict(scenario.tables or {})
            struct = {k: {codec.TAG: "table", "ref": k} for k in tables} if tables else None
        table_rows = [{"name": tname, "position": i, "n_rows": int(df.shape[0]), "n_cols": int(df.shape[1]),
                       "data": codec.table_to_json(df)} for i, (tname, df) in enumerate(tables.items())]
        result_json = None if struct is None else codec.dumps(struct)
        values = dict(app=app, name=name, inputs=inputs_json, result=result_json, note=scenario.note or "",
                      world_version=scenario.world_version or "", result_type=scenario.result_type or "",
                      codec=codec.CODEC_VERSION)
        for attempt in range(5):
            try:
                return self._save_once(scenario.id, app, name, values, kpis, table_rows, overwrite)
            except sa.exc.IntegrityError:
                # another process saved the same name between our check and our insert (PostgreSQL;
                # SQLite writers are serialised): with overwrite, try again and replace theirs
                if not overwrite or scenario.id is not None or attempt == 4:
                    raise self._exists(app, name) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _save_once(self, sid: int | None, app: str, name: str, values: dict, kpis: Mapping[str, float],
                   table_rows: list[dict], overwrite: bool) -> int:
        now = self._ts(_utcnow())
        with self._write() as conn:
            target = sid
            if target is not None:
                self._row(conn, target)
                other = self._id_by_name(conn, app, name)
                if other is not None and other != target:
                    raise self._exists(app, name)
            else:
                existing = self._id_by_name(conn, app, name)
                if existing is not None:
                    if not overwrite:
                        raise self._exists(app, name)
                    target = existing
            if target is None:
                res = conn.execute(scenarios_t.insert().values(created_at=now, updated_at=now, **values))
                target = int(res.inserted_primary_key[0])
            else:
                conn.execute(sa.update(scenarios_t).where(scenarios_t.c.id == target).values(updated_at=now, **values))
                conn.execute(sa.delete(kpis_t).where(kpis_t.c.scenario_id == target))
                conn.execute(sa.delete(tables_t).where(tables_t.c.scenario_id == target))
            if kpis:
                conn.execute(kpis_t.insert(), [
                    {"scenario_id": target, "name": k, "position": i, "value": _float_or_none(v)}
                    for i, (k, v) in enumerate(kpis.items())])
            for row in table_rows:
                _insert_table(conn, target, row)
            return int(target)

    def _exists(self, app: str, name: str) -> ScenarioExists:
        return ScenarioExists(f"{app} already has a scenario named '{name}': choose another name, "
                              "or overwrite that scenario")

    def rename(self, key: int | str, new_name: str, *, app: str | None = None) -> None:
        """Give a scenario a new name (unique within its app)."""
        sid = self.resolve(key, app)
        new_name = self._check_name(new_name)
        row = None
        try:
            with self._write() as conn:
                row = self._row(conn, sid)
                other = self._id_by_name(conn, row.app, new_name)
                if other is not None and other != sid:
                    raise self._exists(row.app, new_name)
                conn.execute(sa.update(scenarios_t).where(scenarios_t.c.id == sid).values(
                    name=new_name, updated_at=self._ts(_utcnow())))
        except sa.exc.IntegrityError:
            raise self._exists(row.app if row is not None else "this app", new_name) from None

    def set_note(self, key: int | str, note: str, *, app: str | None = None) -> None:
        """Replace a scenario's author note."""
        sid = self.resolve(key, app)
        with self._write() as conn:
            self._row(conn, sid)
            conn.execute(sa.update(scenarios_t).where(scenarios_t.c.id == sid).values(
                note=note or "", updated_at=self._ts(_utcnow())))

    def duplicate(self, key: int | str, new_name: str | None = None, *, app: str | None = None) -> int:
        """Copy a scenario (inputs, results, KPIs, note) under a new name; returns the new id."""
        sid = self.resolve(key, app)
        row = None
        try:
            with self._write() as conn:
                row = self._row(conn, sid)
                if new_name is None:
                    new_name = f"{row.name} (copy)"
                    i = 2
                    while self._id_by_name(conn, row.app, new_name) is not None:
                        new_name = f"{row.name} (copy {i})"
                        i += 1
                new_name = self._check_name(new_name)
                if self._id_by_name(conn, row.app, new_name) is not None:
                    raise self._exists(row.app, new_name)
                now = self._ts(_utcnow())
                values = {c.name: getattr(row, c.name) for c in scenarios_t.columns if c.name != "id"}
                values.update(name=new_name, created_at=now, updated_at=now)
                new_id = int(conn.execute(scenarios_t.insert().values(**values)).inserted_primary_key[0])
                kp = conn.execute(sa.select(kpis_t).where(kpis_t.c.scenario_id == sid)).mappings().all()
                if kp:
                    conn.execute(kpis_t.insert(), [{**dict(r), "scenario_id": new_id} for r in kp])
                for r in conn.execute(sa.select(tables_t).where(tables_t.c.scenario_id == sid)).mappings():
                    _insert_table(conn, new_id, {**dict(r)})
                return new_id
        except sa.exc.IntegrityError:
            raise self._exists(row.app if row is not None else "this app", str(new_name)) from None

    def delete(self, key: int | str, *, app: str | None = None) -> None:
        """Delete a scenario with its KPIs and tables."""
        sid = self.resolve(key, app)
        with self._write() as conn:
            self._row(conn, sid)
            conn.execute(sa.delete(kpis_t).where(kpis_t.c.scenario_id == sid))
            conn.execute(sa.delete(tables_t).where(tables_t.c.scenario_id == sid))
            conn.execute(sa.delete(scenarios_t).where(scenarios_t.c.id == sid))

    # -- reading -------------------------------------------------------------------------
    def list(self, app: str | None = None) -> pd.DataFrame:
        """One row per scenario, newest first: id, name, app, note, world_version, created,
        updated, then one column per headline KPI."""
        base = ["id", "name", "app", "note", "world_version", "created", "updated"]
        q = sa.select(scenarios_t.c.id, scenarios_t.c.name, scenarios_t.c.app, scenarios_t.c.note,
                      scenarios_t.c.world_version, scenarios_t.c.created_at, scenarios_t.c.updated_at)
        kq = sa.select(kpis_t.c.scenario_id, kpis_t.c.name, kpis_t.c.position, kpis_t.c.value)
        if app is not None:
            q = q.where(scenarios_t.c.app == app)
            kq = kq.join(scenarios_t, scenarios_t.c.id == kpis_t.c.scenario_id).where(scenarios_t.c.app == app)
        with self._read() as conn:
            rows = conn.execute(q).all()
            krows = conn.execute(kq).all()
        df = pd.DataFrame([tuple(r) for r in rows], columns=base)
        if df.empty:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "id" else object) for c in base})
        df["created"] = [self._from_ts(t) for t in df["created"]]
        df["updated"] = [self._from_ts(t) for t in df["updated"]]
        df["created"] = pd.to_datetime(df["created"], utc=True)
        df["updated"] = pd.to_datetime(df["updated"], utc=True)
        if krows:
            k = pd.DataFrame([tuple(r) for r in krows], columns=["id", "kpi", "position", "value"])
            order = k.groupby("kpi")["position"].min().sort_values(kind="stable").index.tolist()
            wide = k.pivot(index="id", columns="kpi", values="value").reindex(columns=order).astype(float)
            wide.columns.name = None
            df = df.merge(wide, left_on="id", right_index=True, how="left")
        df = df.sort_values(["updated", "id"], ascending=[False, False], kind="stable").reset_index(drop=True)
        df["id"] = df["id"].astype("int64")
        return df

    def apps(self) -> dict[str, int]:
        """The apps that have saved scenarios, with how many each."""
        with self._read() as conn:
            rows = conn.execute(sa.select(scenarios_t.c.app, sa.func.count()).group_by(scenarios_t.c.app)
                                .order_by(scenarios_t.c.app)).all()
        return {r[0]: int(r[1]) for r in rows}

    def count(self, app: str | None = None) -> int:
        q = sa.select(sa.func.count()).select_from(scenarios_t)
        if app is not None:
            q = q.where(scenarios_t.c.app == app)
        with self._read() as conn:
            return int(conn.execute(q).scalar() or 0)

    def load(self, key: int | str, *, app: str | None = None, result: bool = True) -> Scenario:
        """A saved scenario with its inputs, KPIs, tables and (``result=True``) the typed result."""
        sid = self.resolve(key, app)
        with self._read() as conn:
            row = self._row(conn, sid)
            krows = conn.execute(sa.select(kpis_t.c.name, kpis_t.c.value).where(kpis_t.c.scenario_id == sid)
                                 .order_by(kpis_t.c.position)).all()
            trows = conn.execute(sa.select(tables_t.c.name, tables_t.c.data).where(tables_t.c.scenario_id == sid)
                                 .order_by(tables_t.c.position)).all()
        try:
            inputs = codec.decode_value(codec.loads(row.inputs)) or {}
            tables = {r.name: codec.table_from_json(r.data) for r in trows}
            value = None
            if result and row.result is not None:
                value = codec.decode(codec.loads(row.result), tables)
        except ScenarioError as exc:
            raise ScenarioError(f"scenario '{row.name}' (id {sid}) cannot be opened: {exc}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ScenarioError(f"scenario '{row.name}' (id {sid}) is damaged and cannot be opened "
                                f"({type(exc).__name__}: {exc})") from None
        kpis = {r.name: (math.nan if r.value is None else float(r.value)) for r in krows}
        sc = Scenario(name=row.name, app=row.app, inputs=inputs, result=value, kpis=kpis, note=row.note or "",
                      world_version=row.world_version or "", tables=tables, id=int(row.id),
                      created=self._from_ts(row.created_at), updated=self._from_ts(row.updated_at),
                      result_type=row.result_type or "")
        return sc

    def load_many(self, keys, *, app: str | None = None, result: bool = True) -> list[Scenario]:
        return [self.load(k, app=app, result=result) for k in keys]

    def kpi_frame(self, ids=None, app: str | None = None) -> pd.DataFrame:
        """KPIs in long form: id, name, kpi, value (all scenarios, or those ``ids``)."""
        q = (sa.select(scenarios_t.c.id, scenarios_t.c.name, kpis_t.c.name.label("kpi"), kpis_t.c.value)
             .join(kpis_t, kpis_t.c.scenario_id == scenarios_t.c.id).order_by(scenarios_t.c.id, kpis_t.c.position))
        if ids is not None:
            q = q.where(scenarios_t.c.id.in_([int(i) for i in ids]))
        if app is not None:
            q = q.where(scenarios_t.c.app == app)
        with self._read() as conn:
            rows = conn.execute(q).all()
        df = pd.DataFrame([tuple(r) for r in rows], columns=["id", "name", "kpi", "value"])
        df["value"] = df["value"].astype(float)
        return df


def _insert_table(conn: Connection, scenario_id: int, row: Mapping[str, Any]) -> None:
    """Insert one result table of a scenario (inside the caller's transaction)."""
    conn.execute(tables_t.insert().values(scenario_id=scenario_id, name=row["name"], position=row["position"],
                                          n_rows=row["n_rows"], n_cols=row["n_cols"], data=row["data"]))

