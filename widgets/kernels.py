"""App kernels forked from one process that has already imported everything.

Every page Voila serves has its own kernel. Started the usual way (``python -m ipykernel_launcher``),
each kernel spends 2-3 CPU-seconds starting Python and importing pandas, plotly, ipywidgets,
ipyleaflet, OR-Tools and the apps before it can build its page, and holds its own copy of all
that code (about 150 MB). On a 2-core machine ten viewers opening an app at once queue behind ten
such starts. So ``widgets.serve`` starts one **template** process that imports the apps' modules
once, and every kernel is a ``fork()`` of it: ready in a few milliseconds, sharing the imported
code with the template and with every other kernel (copy-on-write) instead of holding a copy.

How a kernel is started:

* Voila's kernel spec runs ``python -m widgets.kernels launch -f <connection file>`` (a *stub*:
  standard library only, starts in about 30 ms). The stub sends its arguments, environment,
  working directory and standard streams (as file descriptors) to the template over a Unix socket.
* The template forks; the child takes the stub's environment, folder and streams and runs
  ``IPKernelApp`` on the connection file, exactly as ``ipykernel_launcher`` would.
* The stub stays as the kernel's process for the server: it passes on every signal it gets
  (interrupt, terminate) to the kernel and exits when the kernel exits; the kernel exits when the
  stub is gone (killed by the server), so no kernel outlives its stub; and the stub ends its
  kernel when the server itself is gone (killed before it could shut its kernels down), as
  ipykernel's own parent check does for a kernel started the usual way.

The template is single-threaded when it forks (imports only; no event loop, no ZeroMQ context,
nothing built from the user's data, which may change while it waits). If the template is not
there (``WORKBENCH_KERNEL_TEMPLATE`` unset, or its socket never appears), the stub runs the usual
``ipykernel_launcher`` itself and says so in the server log: slower, never broken.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import time

#: environment variable holding the template's socket path (set by ``widgets.serve``)
SOCKET_ENV = "WORKBENCH_KERNEL_TEMPLATE"
#: modules the template imports (everything an app's notebook imports, and what they import)
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipywidgets", "plotly.graph_objects", "plotly.io",
           "ipyleaflet", "anywidget", "widgets.home", "widgets.network_design", "widgets.channel_strategy",
           "widgets.demand_forecasting", "widgets.route_planning", "widgets.compare", "widgets.viewer")
#: how many of ``PRELOAD`` (what Home's page needs) are imported before the template listens
FIRST = 8
#: how much lower than the server the kernels run (``nice``): the server's one event loop serves
#: every page, so the kernels' work (a preheated kernel running its notebook for the next visitor,
#: another viewer's solve) yields to it. ``WORKBENCH_KERNEL_NICE=0`` keeps them level.
KERNEL_NICE = 10
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
WAIT_FOR_TEMPLATE_S = 90.0


def _send(sock: socket.socket, payload: dict, fds: list[int] = ()) -> None:
    data = json.dumps(payload).encode()
    msg = struct.pack("!I", len(data)) + data
    if fds:
        socket.send_fds(sock, [msg], list(fds))
    else:
        sock.sendall(msg)


def _recv(sock: socket.socket, max_fds: int = 0) -> tuple[dict, list[int]]:
    msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, max_fds) if max_fds else (sock.recv(1 << 20), [], 0, None)
    if len(msg) < 4:
        raise ConnectionError("kernel template: short message")
    size = struct.unpack("!I", msg[:4])[0]
    data = msg[4:]
    while len(data) < size:
        more = sock.recv(size - len(data))
        if not more:
            raise ConnectionError("kernel template: connection closed mid-message")
        data += more
    return json.loads(data), list(fds)


# -- the stub: the kernel's process as the server sees it --------------------------------------

def lower_priority() -> int:
    """Run this process (and what it forks) ``WORKBENCH_KERNEL_NICE`` (default ``KERNEL_NICE``)
    lower than the server; returns the niceness it has now."""
    try:
        step = int(os.environ.get("WORKBENCH_KERNEL_NICE", KERNEL_NICE))
    except ValueError:
        step = KERNEL_NICE
    return os.nice(max(0, step)) if hasattr(os, "nice") else 0


def launch(argv: list[str]) -> int:
    """Have the template fork a kernel for ``argv`` (ipykernel's arguments); wait for it to end."""
    path = os.environ.get(SOCKET_ENV)
    sock = _connect(path) if path else None
    if sock is None:
        print(f"[widgets.kernels] no kernel template at {path or '(unset)'}: starting a kernel the usual way",
              file=sys.stderr, flush=True)
        lower_priority()
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    with sock:
        _send(sock, {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd(), "stub": os.getpid()}, [0, 1, 2])
        reply, _ = _recv(sock)
    pid = int(reply["pid"])

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for s in FORWARDED:
        signal.signal(s, forward)
    server = os.getppid()
    while _alive(pid):
        if os.getppid() != server:  # the server died without shutting this kernel down
            _end(pid)
            return 1
        time.sleep(0.2)
    return 0


def _end(pid: int, grace: float = 5.0) -> None:
    """Terminate ``pid``, and kill it if it is still there after ``grace`` seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _connect(path: str) -> socket.socket | None:
    deadline = time.monotonic() + WAIT_FOR_TEMPLATE_S
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)  # the template is still importing (server start)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (an exited process its parent has not reaped yet counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


# -- the template ------------------------------------------------------------------------------

def template(path: str) -> None:
    """Import the apps' modules, then fork a kernel for each stub that connects to ``path``.

    The template listens as soon as Home's modules are in (``FIRST`` of ``PRELOAD``), so the first
    page after a start does not wait for every app's imports; it imports the rest one module at a
    time while no stub is waiting. A kernel forked before a module is in imports it itself."""
    import gc
    import importlib

    started = time.perf_counter()
    lower_priority()  # every kernel is forked from here: they run as low as the template
    todo = list(PRELOAD)
    for name in todo[:FIRST]:
        importlib.import_module(name)
    del todo[:FIRST]
    gc.collect()
    gc.freeze()  # keep the imported objects out of the children's collections (pages stay shared)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they exit
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path + ".tmp")
    os.rename(path + ".tmp", path)  # the socket appears only when it is ready
    server.listen(64)
    print(f"[widgets.kernels] kernel template ready in {time.perf_counter() - started:.1f} s "
          f"(pid {os.getpid()}, {path})", file=sys.stderr, flush=True)
    parent = os.getppid()
    while True:
        server.settimeout(0.0 if todo else 2.0)
        try:
            conn, _ = server.accept()
        except (socket.timeout, BlockingIOError):
            if os.getppid() != parent:  # the server is gone
                return
            if todo:  # nobody waiting: import the next module
                importlib.import_module(todo.pop(0))
                if not todo:
                    _warm_caches()
                    print(f"[widgets.kernels] every app module imported in {time.perf_counter() - started:.1f} s",
                          file=sys.stderr, flush=True)
                gc.collect()
                gc.freeze()
            continue
        conn.setblocking(True)
        with conn:
            try:
                request, fds = _recv(conn, max_fds=3)
            except (OSError, ValueError) as exc:
                print(f"[widgets.kernels] bad request: {exc}", file=sys.stderr, flush=True)
                continue
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                _kernel(request, fds)  # never returns
            for fd in fds:
                os.close(fd)
            _send(conn, {"pid": pid})


def _warm_caches() -> None:
    """Read once what every map needs and never changes, the sample company (every app opens it,
    or compares the loaded data with it), and the geography under the company's customers (the
    view of Home, Network design and Channel strategy): shared with every kernel instead of
    0.3 s each in every kernel."""
    import workbench
    from widgets import geography
    from widgets.world_store import current_world

    geography._data()
    geography._cities()
    geography._indexed("countries")
    geography._indexed("regions")
    workbench.load_sample()
    try:  # the saved data is the user's: a problem in it is the apps' to report, not the template's
        customers = current_world().customers
        if len(customers):
            geography.geography_features(geography.bounds_of(customers.lat, customers.lon))
    except Exception as exc:
        print(f"[widgets.kernels] the geography of the saved data was not read ahead ({type(exc).__name__}: "
              f"{exc}); each kernel reads it when its map is drawn", file=sys.stderr, flush=True)


def _kernel(request: dict, fds: list[int]) -> None:
    """In the forked child: become the stub's kernel."""
    code = 1
    try:
        os.setsid()
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel waits for its own subprocesses
        sys.argv = [sys.executable, *request["argv"]]
        _watch_stub(int(request["stub"]))
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(request["argv"])
        _register_comm_targets()
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # the kernel failed: say why in the server log
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _register_comm_targets() -> None:
    """Do what importing ipywidgets does in a running kernel: register its comm targets.

    The template imported ipywidgets before any kernel existed, so its import-time registration
    found no kernel and did nothing. Without the ``jupyter.widget.control`` target a page cannot
    ask for every widget's state in one message; it falls back to one request per widget (449
    requests and 1,347 replies, 3.5 MB, for the channel strategy app).
    """
    if "ipywidgets" in sys.modules:
        import ipywidgets

        ipywidgets.register_comm_target()


def _watch_stub(stub: int) -> None:
    """End this kernel when its stub is gone (the server killed it)."""
    import threading

    def watch():
        while _alive(stub):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="stub-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["launch"]:
        sys.exit(launch(argv[1:]))
    if argv[:1] == ["template"] and len(argv) == 2:
        template(argv[1])
        return
    sys.exit("usage: python -m widgets.kernels launch -f CONNECTION_FILE | template SOCKET_PATH")


if __name__ == "__main__":
    main()
