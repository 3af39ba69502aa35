"""Serve every app in ``notebooks/`` with Voila, landing on Home.

    python -m widgets.serve                # http://127.0.0.1:8866
    python -m widgets.serve --port 9000

The settings (localhost only, kernel culling, preheated kernels, no tracebacks on the page) are
read from ``notebooks/voila.json``; command-line options override them.

What differs from a plain ``voila notebooks/``:

- an app page sets the ``_xsrf`` cookie, so that the shutdown request the page sends when it is
  closed or left is accepted and the page's kernel is freed at once (plain Voila sets the cookie
  only on ``/voila/tree``, and refuses the request with 403);
- the server never waits forever for a kernel's answer while it runs an app's notebook. On a busy
  machine the wake-up for a message arriving on a kernel client's socket is now and then lost
  (the ZeroMQ socket holds the kernel's ``execute_reply``, but the asyncio poll waiting for it is
  never woken): the page then hung at "Executing 2 of 3" with the kernel idle. The executor
  here waits for kernel messages in slices of ``RECHECK_S`` seconds, each ending with a real
  poll of the socket, so a message whose wake-up was lost is picked up within that time (the
  server log names the kernel in a warning). A cell that really runs too long still ends: the executor's
  timeout (``VoilaExecutor.timeout`` in ``voila.json``) shows a message on the page;
- an app page loads nothing from the internet: Voila's page links Font Awesome from a CDN, but
  its own bundled style (``voila-style.js``) already carries Font Awesome 5 and its v4 names, so
  the two CDN links are left out of the page;
- the preheated kernels (one per app, each building its app before a page asks for it) are first
  started in ``STARTUP_ORDER``, ``STAGGER_S`` seconds apart, Home first;
- every kernel is a fork of one process that has imported the apps already
  (:mod:`widgets.kernels`): a kernel is ready in milliseconds instead of 2-3 CPU-seconds, and the
  kernels share the imported code instead of each holding a copy.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from asyncio import ensure_future
from pathlib import Path

import jinja2
import voila.app
import voila.notebook_renderer
import voila.tornado.kernel_websocket_handler
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.utils import url_path_join
import zmq
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.web import RedirectHandler
from traitlets import Type
from voila.app import Voila
from voila.execute import VoilaExecutor
from voila.tornado.handler import TornadoVoilaHandler

from . import kernels

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
HOME = "home.ipynb"

#: the stylesheet links Voila's page template points at a CDN
_CDN_LINK = re.compile(r'<link[^>]*href="https://cdn\.jsdelivr\.net/npm/@fortawesome/[^"]*"[^>]*/?>\s*')


def local_only(html: str) -> str:
    """``html`` without the CDN stylesheet links of Voila's page template."""
    return _CDN_LINK.sub("", html)


#: the spinner Voila's page shows until the app is drawn turns smoothly, redrawing the page 60
#: times a second: 0.04 CPU-s a second in a browser without a GPU, which ten pages opening at once
#: on one machine take from the work of opening them. Turned in eight steps it is redrawn 4 times
#: a second (a fifth of that CPU) and still reads as working.
_SPINNER_CSS = "animation: rotation 2s infinite linear;"
SPINNER_STEPS_CSS = "animation: rotation 2s infinite steps(8);"


def page_html(html: str) -> str:
    """A chunk of Voila's page as the apps serve it: local assets only, the spinner in steps."""
    return local_only(html).replace(_SPINNER_CSS, SPINNER_STEPS_CSS)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled page templates kept in memory for the server's life (Jinja checks each
    against its source's checksum before using it)."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def share_compiled_templates() -> None:
    """Every page Voila renders (each preheated kernel's notebook) makes a new exporter with a new
    Jinja environment, which parsed and compiled the same page templates again: 0.17 CPU-s of the
    server's one event loop per page, a third of its work for a refill. The environments Voila's
    exporter makes now share one cache of the compiled templates (Jinja's ``bytecode_cache``; all
    of them render the same way: asynchronously, with the ``do`` extension)."""
    from voila.exporter import VoilaExporter

    if getattr(VoilaExporter, "_shares_compiled_templates", False):
        return
    create = VoilaExporter._create_environment
    cache = _CompiledTemplates()

    def _create_environment(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    VoilaExporter._create_environment = _create_environment
    VoilaExporter._shares_compiled_templates = True


#: seconds between real polls of a kernel client's socket while the server waits for a message
RECHECK_S = 1.0

log = logging.getLogger("widgets.serve")


def _rechecking(channel, name: str, kernel_id: str):
    """``channel.get_msg`` that, asked to wait without end, polls the socket every ``RECHECK_S``."""
    get_msg = channel.get_msg

    async def get_msg_rechecking(timeout: float | None = None):
        if timeout is not None:
            return await get_msg(timeout=timeout)
        while True:
            start = time.monotonic()
            ready = await channel.socket.poll(int(RECHECK_S * 1000))
            if ready:
                if time.monotonic() - start >= RECHECK_S:
                    # woken by the timer, not by the message: its wake-up was lost (or the server
                    # was too busy to notice it for a second)
                    log.warning("kernel %s: %s message picked up by the periodic check, not by its wake-up",
                                kernel_id, name)
                return await get_msg(timeout=RECHECK_S)

    return get_msg_rechecking


class AppExecutor(VoilaExecutor):
    """Voila's notebook executor whose waits for kernel messages cannot hang on a lost wake-up."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kernel_id = getattr(self.km, "kernel_id", "?")
        kc.shell_channel.get_msg = _rechecking(kc.shell_channel, "shell", kernel_id)
        kc.iopub_channel.get_msg = _rechecking(kc.iopub_channel, "iopub", kernel_id)
        return kc


#: the order in which the apps' preheated kernels are first started, ``STAGGER_S`` seconds apart, so
#: that Home is ready first instead of seven kernels sharing the cores at once
STARTUP_ORDER = ("home.ipynb", "network_design.ipynb", "channel_strategy.ipynb", "demand_forecasting.ipynb",
                 "route_planning.ipynb", "scenario_compare.ipynb", "scenario_viewer.ipynb")
STAGGER_S = 3.0


def _ready(task) -> bool:
    """True for a pool entry whose kernel has started (its notebook runs or has run)."""
    return task.done() and not task.cancelled() and task.exception() is None


def _staggered(kernel_manager_class):
    """``kernel_manager_class`` whose first filling of the preheated pools follows ``STARTUP_ORDER``,
    and whose pools give a page only a kernel that has started."""
    if not hasattr(kernel_manager_class, "fill_if_needed"):  # preheating is off
        return kernel_manager_class

    class StaggeredKernelManager(kernel_manager_class):
        _starting = False

        def __init__(self, **kwargs):
            self._starting = True
            try:
                super().__init__(**kwargs)
            finally:
                self._starting = False

        def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
            if self._starting and notebook_name is not None:
                rank = STARTUP_ORDER.index(notebook_name) if notebook_name in STARTUP_ORDER else len(STARTUP_ORDER)
                delay = rank * STAGGER_S
            return super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)

        def get_pool_size(self, notebook_name: str) -> int:
            """The kernels of the pool a page can have now. Voila counts the refills still waiting
            out ``fill_delay`` (or their start-up stagger) too, and gave such a refill to a page,
            which then waited for the delay, the kernel and the whole notebook (5-8 s when two
            viewers opened an app together). A page that finds no started kernel gets its own
            kernel at once, as without preheating; the refill stays in the pool."""
            return sum(1 for task in self._pools.get(notebook_name, ()) if _ready(task))

        async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
            pool = self._pools.get(notebook_name, [])
            pool.sort(key=lambda task: not _ready(task))  # Voila hands out the first entry: a started one
            return await super().get_rendered_notebook(notebook_name, *args, **kwargs)

    return StaggeredKernelManager


def preheated_kernels(config: Path = NOTEBOOKS / "voila.json") -> int:
    """How many preheated kernels wait for pages when no page is open (the pools in ``config``)."""
    conf = json.loads(config.read_text())
    if not conf.get("VoilaConfiguration", {}).get("preheat_kernel", False):
        return 0
    pools = conf.get("VoilaKernelManager", {}).get("kernel_pools_config", {})
    default = pools.get("default", {}).get("pool_size", conf["VoilaConfiguration"].get("default_pool_size", 0))
    return sum(pools.get(nb.name, {}).get("pool_size", default) for nb in config.parent.glob("*.ipynb"))


#: seconds after its last page disconnected that a kernel is shut down by the server
LEFT_KERNEL_S = 3.0


async def _shut_down_if_left(mkm, kernel_id: str) -> None:
    """Shut the kernel down if it still runs and no page is connected to it."""
    if kernel_id not in mkm or mkm._kernel_connections.get(kernel_id, 0) > 0:
        return
    log.info("kernel %s: its page left without shutting it down; shutting it down", kernel_id)
    try:
        await mkm.shutdown_kernel(kernel_id)
    except KeyError:  # shut down meanwhile (the page's own request arrived)
        pass


def recheck_streams(channels: dict, kernel_id: str) -> bool:
    """Hand each stream a message waiting unnoticed in its socket; whether any stream is open."""
    alive = False
    for name, stream in list(channels.items()):
        try:
            if stream.closed() or not stream.receiving():
                continue
            alive = True
            if stream.socket.EVENTS & zmq.POLLIN:
                log.warning("kernel %s: %s message for the page picked up by the periodic check, "
                            "not by its wake-up", kernel_id, name)
                stream._handle_events(stream.socket, 0)
        except zmq.ZMQError:  # closed under us: the page is gone
            continue
    return alive


class RecheckedChannels(ZMQChannelsWebsocketConnection):
    """The websocket between a page and its kernel, whose kernel sockets are polled every
    ``RECHECK_S`` / 2 seconds as well as on their wake-ups.

    The same lost wake-up as in :class:`AppExecutor` strikes here, on the server's sockets that
    relay a kernel's messages to its page: with eight pages of one app opened at once, the checks
    found 55 messages waiting in sockets whose streams had not been woken. Each check asks the
    socket whether a message is waiting and, if so, hands it to the stream as its wake-up would
    have. (Pages opened in such a burst can still stay without their app: see docs/DEPLOY.md.)
    """

    _checker: PeriodicCallback | None = None

    def create_stream(self):
        super().create_stream()
        if self._checker is None:
            self._checker = PeriodicCallback(self._recheck, RECHECK_S * 500)
            self._checker.start()

    def _recheck(self) -> None:
        if not recheck_streams(self.channels, self.kernel_id) and self._checker is not None:
            self._checker.stop()
            self._checker = None

    def disconnect(self):
        if self._checker is not None:
            self._checker.stop()
            self._checker = None
        result = super().disconnect()
        # The page is gone. It asks the server to shut its kernel down as it goes, but that
        # request is sent while the page closes and is now and then lost with it (1 page in 4
        # left its kernel running, with or without forked kernels). So the server shuts down a
        # kernel no page has been connected to for ``LEFT_KERNEL_S`` seconds itself.
        mkm = self.multi_kernel_manager
        kernel_id = self.kernel_id
        IOLoop.current().call_later(LEFT_KERNEL_S, lambda: ensure_future(_shut_down_if_left(mkm, kernel_id)))
        return result


class AppPageHandler(TornadoVoilaHandler):
    """Voila's page handler, setting the ``_xsrf`` cookie and serving local assets only."""

    async def prepare(self):
        await super().prepare()
        # Reading the token sets the cookie; the page's shutdown-on-leave request sends it back
        self.xsrf_token  # noqa: B018

    async def get_generator(self, path=None):
        async for html in super().get_generator(path=path):
            yield page_html(html)


class ForkedKernelSpecs(KernelSpecManager):
    """The Python kernel spec, started as a fork of the kernel template (:mod:`widgets.kernels`)."""

    def get_kernel_spec(self, kernel_name):
        spec = super().get_kernel_spec(kernel_name)
        if "ipykernel_launcher" in spec.argv:
            at = spec.argv.index("ipykernel_launcher")
            spec.argv = [sys.executable, "-m", "widgets.kernels", "launch", *spec.argv[at + 1:]]
        return spec


def start_kernel_template() -> subprocess.Popen | None:
    """Start the process every app kernel is forked from (``WORKBENCH_KERNEL_FORK=0`` turns it
    off: kernels then start the usual way). Its socket path goes to the kernels' stubs through
    ``WORKBENCH_KERNEL_TEMPLATE``."""
    if os.environ.get("WORKBENCH_KERNEL_FORK", "1") == "0" or not hasattr(os, "fork"):
        return None
    folder = tempfile.mkdtemp(prefix="workbench-kernels-")
    path = os.path.join(folder, "template.sock")
    proc = subprocess.Popen([sys.executable, "-m", "widgets.kernels", "template", path])
    os.environ[kernels.SOCKET_ENV] = path

    def stop():
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return proc


def _cacheable_labextensions(handler: tuple) -> tuple:
    """The page's extension files (``/voila/labextensions/``) cached by the browser when their URL
    names their content (``?v=<hash>``), as JupyterLab serves them; the rest is revalidated.

    Voila sends every one of them with ``Cache-Control: no-cache``, so a manager moving from app
    to app had 47 files checked again on every page."""
    pattern, cls, *rest = handler
    if pattern.endswith("/voila/labextensions/(.*)") and rest and isinstance(rest[0], dict):
        rest = [{**rest[0], "no_cache_paths": []}, *rest[1:]]
    return (pattern, cls, *rest)


def read_v1_header(ws_msg: bytes) -> dict | None:
    """The header of a kernel message in the websocket protocol v1, or None for anything else.

    Voila's page websocket reads every binary message it sends as v1 to find ``execute_input``
    messages, taking the first 8 bytes as the number of offsets. A binary message of the older
    protocol (a client that did not ask for v1: buffers behind a 4-byte count) makes that number
    astronomically large, and the server looped over it forever at full CPU, serving no page and
    ignoring SIGTERM. This reader checks the offsets fit the message first."""
    if len(ws_msg) < 8:
        return None
    n = int.from_bytes(ws_msg[:8], "little")
    if n < 3 or 8 * (n + 1) > len(ws_msg):
        return None
    offsets = [int.from_bytes(ws_msg[8 * (i + 1):8 * (i + 2)], "little") for i in range(n)]
    if offsets != sorted(offsets) or offsets[-1] > len(ws_msg):
        return None
    try:
        return json.loads(ws_msg[offsets[1]:offsets[2]].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


class WorkbenchVoila(Voila):
    """Voila serving the notebooks folder, with ``/`` redirecting to the Home app."""

    kernel_websocket_connection_class = Type(default_value=RecheckedChannels,
                                             klass=ZMQChannelsWebsocketConnection, config=True)

    def initialize(self, argv=None):
        # the renderer builds its executor from this module-level name (pages and preheated kernels)
        voila.notebook_renderer.VoilaExecutor = AppExecutor
        voila.tornado.kernel_websocket_handler.read_header_from_binary_message = read_v1_header
        share_compiled_templates()
        super().initialize(argv)

    def init_settings(self):
        if os.environ.get(kernels.SOCKET_ENV):
            self.voila_configuration.kernel_spec_manager_class = ForkedKernelSpecs
        factory = voila.app.voila_kernel_manager_factory
        voila.app.voila_kernel_manager_factory = lambda *a, **k: _staggered(factory(*a, **k))
        try:
            return super().init_settings()
        finally:
            voila.app.voila_kernel_manager_factory = factory

    def init_handlers(self):
        handlers = [(pattern, AppPageHandler if handler is TornadoVoilaHandler else handler, *rest)
                    for pattern, handler, *rest in super().init_handlers()]
        handlers = [_cacheable_labextensions(h) for h in handlers]
        home = url_path_join(self.server_url, "voila/render", HOME)
        return [(self.server_url, RedirectHandler, {"url": home, "permanent": False})] + handlers


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.chdir(NOTEBOOKS)  # voila.json is read from here, and the apps' root is here
    start_kernel_template()
    WorkbenchVoila.launch_instance(argv=argv)


if __name__ == "__main__":
    main()
