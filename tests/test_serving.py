"""The serving pieces without a browser: building apps ahead of their page, the page's local
assets, the size of the preheated pool and the executor's waits for kernel messages."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from pathlib import Path

import pytest

import workbench
from widgets import serve, world_store


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """An empty WORKBENCH_HOME, and a preheated kernel's environment whose page is not asked for yet."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    monkeypatch.delenv("WORKBENCH_SCENARIOS", raising=False)
    monkeypatch.setattr(world_store, "_PAGE_REQUESTED", False)
    return tmp_path


def test_for_page_outside_a_preheated_kernel_just_builds(home, monkeypatch):
    """In JupyterLab, tests or a kernel started for a page, the app is built once, with no waiting."""
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setattr(world_store, "_wait_for_page", lambda: pytest.fail("waited for a page"))
    builds = []
    assert world_store.for_page(lambda: builds.append(1) or "app") == "app"
    assert builds == [1]


def test_for_page_builds_before_the_page_and_keeps_it_when_nothing_changed(home, monkeypatch):
    """A preheated kernel builds the app, waits for the page, and serves that same build."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    events = []
    monkeypatch.setattr(world_store, "_wait_for_page", lambda: events.append("page"))
    app = world_store.for_page(lambda: events.append("build") or object())
    assert events == ["build", "page"]
    assert app is not None


def test_for_page_rebuilds_when_data_is_loaded_while_waiting(home, monkeypatch):
    """Data loaded on Home while the preheated app waited makes it build again with that data."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    sample = workbench.load_sample()
    grown = dataclasses_replace_customers(sample)
    monkeypatch.setattr(world_store, "_wait_for_page", lambda: world_store.set_current_world(grown))
    demand = []
    world_store.for_page(lambda: demand.append(world_store.current_world().customers["annual_demand"].sum()))
    base = sample.customers["annual_demand"].sum()
    assert demand == [pytest.approx(base), pytest.approx(2 * base)]


def _save_scenario(name: str = "Plan B") -> None:
    from workbench.scenarios import Scenario, ScenarioStore

    store = ScenarioStore()
    try:
        store.save(Scenario.from_result(name, "network_design", inputs={"dc_count": 4}))
    finally:
        store.close()


def test_for_page_rebuilds_an_app_made_of_scenarios_when_one_is_saved_while_waiting(home, monkeypatch):
    """Compare and the Viewer are made of the saved scenarios: one saved while they waited builds them again."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(world_store, "_wait_for_page", _save_scenario)
    builds = []
    world_store.for_page(lambda: builds.append(1), scenarios="app")
    assert builds == [1, 1]


def test_for_page_reloads_the_scenario_list_when_one_is_saved_while_waiting(home, monkeypatch):
    """A planning app shows the saved scenarios only in its scenario bar: a scenario saved while it
    waited (or the sample scenarios seeded by Compare) reloads that list, not the whole app."""
    import ipywidgets as W

    from widgets.model import AppModel
    from widgets.scenario_bar import ScenarioBar

    class Model(AppModel):
        app_name = "network_design"

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(world_store, "_wait_for_page", lambda: _save_scenario("Plan C"))
    builds = []

    def build():
        builds.append(1)
        return W.VBox([W.HTML("title"), W.VBox([ScenarioBar(Model(workbench.load_sample()))])])

    app = world_store.for_page(build)
    assert builds == [1]
    bar = app.children[1].children[0]
    assert [label.split(" ·")[0] for label, _ in bar.choice.options] == ["Plan C"]


def test_for_page_rejects_an_unknown_scenarios_kind(home):
    with pytest.raises(ValueError, match="'list' or 'app'"):
        world_store.for_page(lambda: None, scenarios="tabs")


def dataclasses_replace_customers(world: workbench.World) -> workbench.World:
    import dataclasses

    customers = world.customers.assign(annual_demand=world.customers["annual_demand"] * 2)
    return dataclasses.replace(world, customers=customers)


def test_page_links_no_cdn():
    """The Font Awesome CDN links of Voila's page are dropped; local links stay."""
    html = ('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/'
            'all.min.css" type="text/css" />\n  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/'
            '@fortawesome/fontawesome-free@^5/css/v4-shims.min.css" type="text/css" />\n'
            '<script src="/voila/static/voila-style.js"></script>')
    assert serve.local_only(html) == '<script src="/voila/static/voila-style.js"></script>'


def test_the_pages_spinner_turns_in_steps():
    """The spinner of Voila's installed page template is served turning in eight steps (redrawn 4
    times a second, not 60): the page the server sends has the steps, not the smooth turn."""
    import jinja2
    from jupyter_core.paths import jupyter_path

    folders = [p for p in jupyter_path("voila", "templates", "base") if Path(p, "spinner.macro.html.j2").exists()]
    macro = jinja2.Environment(loader=jinja2.FileSystemLoader(folders[0])).get_template("spinner.macro.html.j2")
    css = macro.module.css()
    assert "rotation 2s infinite linear" in css  # Voila's own spinner (a new Voila may change it)
    served = serve.page_html(css)
    assert serve.SPINNER_STEPS_CSS in served and serve._SPINNER_CSS not in served


def test_preheated_kernels_counts_one_per_app(tmp_path):
    """The pool holds one kernel per notebook with the project's settings; none without preheating."""
    assert serve.preheated_kernels() == len(list(serve.NOTEBOOKS.glob("*.ipynb")))
    conf = json.loads((serve.NOTEBOOKS / "voila.json").read_text())
    conf["VoilaConfiguration"]["preheat_kernel"] = False
    (tmp_path / "voila.json").write_text(json.dumps(conf))
    (tmp_path / "a.ipynb").write_text("{}")
    assert serve.preheated_kernels(tmp_path / "voila.json") == 0


def test_project_settings_refuse_foreign_hosts_and_never_time_out_a_waiting_kernel():
    """voila.json keeps the Host check on, and sets no executor timeout: a preheated kernel's
    notebook waits for its page for as long as it takes (a timeout interrupted it after 300 s)."""
    conf = json.loads((serve.NOTEBOOKS / "voila.json").read_text())
    assert conf["Voila"]["tornado_settings"]["allow_remote_access"] is False
    assert "timeout" not in conf.get("VoilaExecutor", {})


def test_a_cells_output_is_waited_for_on_a_busy_server():
    """After a cell's reply, the server waits for the cell's output for minutes, not nbclient's 4 s:
    with pages opened together, an app's display arrived later than that, was dropped, and the
    page stayed without its app for good."""
    conf = json.loads((serve.NOTEBOOKS / "voila.json").read_text())
    assert conf["VoilaExecutor"]["iopub_timeout"] >= 120


class _LostWakeUpSocket:
    """A socket holding a message whose wake-up never comes: only a poll that ends finds it."""

    def __init__(self):
        self.polls = []

    async def poll(self, timeout_ms):
        self.polls.append(timeout_ms)
        await asyncio.sleep(timeout_ms / 1000)  # nobody wakes us; the timer ends the wait
        return 1                                # the poll at its end sees the message


class _Channel:
    def __init__(self):
        self.socket = _LostWakeUpSocket()
        self.asked = []

    async def get_msg(self, timeout=None):
        self.asked.append(timeout)
        return {"msg_type": "execute_reply"}


def _run(make_coro):
    """Run a coroutine on a loop of its own in another thread (the suite's browser tests leave an
    event loop running in the main thread, where ``asyncio.run`` refuses to start)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coro())).result()


def test_executor_wait_picks_up_a_message_whose_wake_up_was_lost(monkeypatch):
    """Waiting without end is done in short polls, so a message is read even if no wake-up comes."""
    monkeypatch.setattr(serve, "RECHECK_S", 0.05)
    channel = _Channel()
    get_msg = serve._rechecking(channel, "shell", "k1")
    msg = _run(lambda: asyncio.wait_for(get_msg(), timeout=5))
    assert msg == {"msg_type": "execute_reply"}
    assert channel.socket.polls == [50]
    # a wait with its own timeout is passed through unchanged
    _run(lambda: get_msg(timeout=2.0))
    assert channel.asked[-1] == 2.0


def test_page_websocket_hands_a_waiting_message_to_its_stream():
    """The page's kernel websocket checks its sockets: a message waiting unnoticed (its wake-up lost)
    is handed to the stream, a closed or idle stream is left alone, and it says when every stream
    is closed (the checks then stop)."""
    import zmq

    class Socket:
        def __init__(self, events):
            self.EVENTS = events

    class Stream:
        def __init__(self, events, closed=False):
            self.socket = Socket(events)
            self._closed = closed
            self.handled = 0

        def closed(self):
            return self._closed

        def receiving(self):
            return True

        def _handle_events(self, sock, events):
            self.handled += 1

    waiting, idle, gone = Stream(zmq.POLLIN | zmq.POLLOUT), Stream(zmq.POLLOUT), Stream(zmq.POLLIN, closed=True)
    assert serve.recheck_streams({"iopub": waiting, "shell": idle, "stdin": gone}, "k1") is True
    assert (waiting.handled, idle.handled, gone.handled) == (1, 0, 0)
    assert serve.recheck_streams({"stdin": gone}, "k1") is False


def test_a_kernel_whose_page_left_is_shut_down_by_the_server():
    """A kernel with no page connected is shut down (the page's own request can be lost as it
    closes); a kernel a page reconnected to, or one already gone, is left alone."""
    class Kernels:
        def __init__(self, connections):
            self._kernel_connections = dict(connections)
            self.shut = []

        def __contains__(self, kernel_id):
            return kernel_id in self._kernel_connections

        async def shutdown_kernel(self, kernel_id):
            self.shut.append(kernel_id)

    mkm = Kernels({"left": 0, "back": 1})
    for kernel_id in ("left", "back", "gone"):
        _run(lambda: serve._shut_down_if_left(mkm, kernel_id))
    assert mkm.shut == ["left"]


def test_a_page_gets_only_a_started_preheated_kernel():
    """A refill still waiting out its delay is not offered to a page (which would wait for it):
    the page starts its own kernel; a started kernel in the pool is handed out first."""

    class Base:
        def __init__(self, **kwargs):
            self._pools = {}

        def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
            pass

        async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
            return await self._pools[notebook_name].pop(0)

    async def scenario():
        km = serve._staggered(Base)()
        loop = asyncio.get_running_loop()
        waiting = loop.create_task(asyncio.sleep(60, result="refill"))
        started = loop.create_future()
        km._pools["network_design.ipynb"] = [waiting]
        assert km.get_pool_size("network_design.ipynb") == 0
        assert km.get_pool_size("unknown.ipynb") == 0
        started.set_result("started kernel")
        km._pools["network_design.ipynb"].append(started)
        assert km.get_pool_size("network_design.ipynb") == 1
        assert await km.get_rendered_notebook("network_design.ipynb") == "started kernel"
        assert km._pools["network_design.ipynb"] == [waiting]
        failed = loop.create_future()
        failed.set_exception(RuntimeError("kernel died"))
        km._pools["network_design.ipynb"].append(failed)
        assert km.get_pool_size("network_design.ipynb") == 0
        waiting.cancel()

    _run(scenario)


def test_extension_files_named_by_content_are_cacheable():
    """Voila serves the page's extension files with no_cache for all; ours lets the browser keep
    the ones whose URL carries their content hash (``?v=``), other handlers unchanged."""
    from jupyter_server.base.handlers import FileFindHandler

    ext = ("/voila/labextensions/(.*)", FileFindHandler, {"path": ["/x"], "no_cache_paths": ["/"]})
    other = ("/voila/files/(.*)", FileFindHandler, {"path": ["/y"], "no_cache_paths": ["/"]})
    assert serve._cacheable_labextensions(ext) == ("/voila/labextensions/(.*)", FileFindHandler,
                                                   {"path": ["/x"], "no_cache_paths": []})
    assert serve._cacheable_labextensions(other) == other
    assert serve._cacheable_labextensions(("/", object)) == ("/", object)


def test_page_websocket_reads_only_real_v1_headers():
    """A message of the older websocket protocol is not read as v1 (Voila's reader looped over an
    astronomically large offset count, wedging the server); real v1 messages are read as before."""
    import time

    from jupyter_server.services.kernels.connection.base import (serialize_binary_message,
                                                                 serialize_msg_to_ws_v1)

    header = {"msg_id": "1", "msg_type": "comm_msg", "session": "s", "username": "u", "date": "", "version": "5.3"}
    v1 = serialize_msg_to_ws_v1([json.dumps(p).encode() for p in (header, {}, {}, {"data": {}})], "iopub")
    assert serve.read_v1_header(v1) == header
    legacy = serialize_binary_message({"header": header, "parent_header": {}, "metadata": {}, "content": {},
                                       "channel": "iopub", "buffers": [memoryview(b"x" * 100)]})
    start = time.perf_counter()
    assert serve.read_v1_header(legacy) is None
    assert serve.read_v1_header(b"\xff" * 7) is None and serve.read_v1_header(b"\xff" * 64) is None
    assert time.perf_counter() - start < 0.1


def test_page_templates_are_compiled_once_for_every_page(monkeypatch):
    """Each page's (each preheated kernel's) new Voila exporter finds the page templates already
    compiled by an earlier one, and renders the same page."""
    import jinja2
    from voila.exporter import VoilaExporter
    from voila.paths import collect_template_paths

    serve.share_compiled_templates()
    compiled: list[str] = []
    compile_ = jinja2.Environment._compile

    def counting(self, source, filename):
        compiled.append(filename)
        return compile_(self, source, filename)

    monkeypatch.setattr(jinja2.Environment, "_compile", counting)
    paths = collect_template_paths(["voila", "nbconvert"], "lab")
    first = VoilaExporter(template_paths=paths, template_name="lab").environment.get_template("index.html.j2")
    n = len(compiled)
    second = VoilaExporter(template_paths=paths, template_name="lab").environment.get_template("index.html.j2")
    assert n > 0 and len(compiled) == n  # the second exporter compiled nothing
    assert first is not second and first.render is not None
