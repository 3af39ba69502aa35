"""App kernels forked from the kernel template (widgets.kernels): they run code like any kernel,
in the folder and environment the server gave them, can be interrupted, and never outlive the
process the server manages."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from jupyter_client import KernelManager

from widgets.kernels import KERNEL_NICE, SOCKET_ENV
from widgets.serve import ForkedKernelSpecs


def _run(kc, code: str, timeout: float = 60) -> tuple[str, dict]:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(msg["content"]["ename"])

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    return "".join(out), reply["content"]


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A kernel template process (imports every app module once)."""
    sock = tmp_path_factory.mktemp("template") / "t.sock"
    proc = subprocess.Popen([sys.executable, "-m", "widgets.kernels", "template", str(sock)])
    yield str(sock)
    proc.terminate()
    proc.wait(10)


def _start(template, cwd, **env):
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ForkedKernelSpecs())
    km.start_kernel(cwd=str(cwd), env={**os.environ, SOCKET_ENV: template, **env})
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=180)
    return km, kc


def test_forked_kernel_runs_in_the_servers_folder_and_environment(template, tmp_path):
    """The kernel is a fork of the template (apps already imported), in the folder and with the
    environment the server started it with, ``KERNEL_NICE`` below the server (so a kernel's work
    yields to the server's event loop, which serves every page); a shutdown ends it."""
    km, kc = _start(template, tmp_path, WORKBENCH_PROBE="from-the-server")
    try:
        assert km.kernel_spec.argv[1:4] == ["-m", "widgets.kernels", "launch"]
        out, reply = _run(kc, "import os, sys\n"
                              "print(os.getcwd(), os.environ['WORKBENCH_PROBE'], 'widgets.network_design' in sys.modules,"
                              " os.getpid(), os.nice(0))")
        assert reply["status"] == "ok"
        cwd, probe, preloaded, pid, nice = out.split()
        assert cwd == str(tmp_path) and probe == "from-the-server" and preloaded == "True"
        assert int(nice) == min(19, os.nice(0) + KERNEL_NICE)
        out, _ = _run(kc, "x = 6 * 7\nprint(x)")
        assert out.strip() == "42"
    finally:
        km.shutdown_kernel(now=False)
        kc.stop_channels()
    assert _gone(int(pid), 10)


def test_forked_kernel_can_be_interrupted_and_runs_subprocesses(template, tmp_path):
    """An interrupt (sent to the stub) reaches the kernel; the kernel waits for its own subprocesses."""
    km, kc = _start(template, tmp_path)
    try:
        out, reply = _run(kc, "import subprocess, sys\n"
                              "print(subprocess.run([sys.executable, '-c', 'print(5)'], capture_output=True, text=True)"
                              ".stdout.strip())")
        assert out.strip() == "5" and reply["status"] == "ok"
        msg_id = kc.execute("import time\ntime.sleep(60)")
        time.sleep(1.0)
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    finally:
        km.shutdown_kernel(now=True)
        kc.stop_channels()


def test_a_killed_stub_takes_its_kernel_with_it(template, tmp_path):
    """If the server kills the kernel's process (the stub) outright, the forked kernel ends too."""
    km, kc = _start(template, tmp_path)
    try:
        out, _ = _run(kc, "import os\nprint(os.getpid())")
        pid = int(out)
        km.provisioner.process.kill()
        assert _gone(pid, 10)
    finally:
        kc.stop_channels()
        km.cleanup_resources()


def test_without_a_template_the_stub_starts_a_usual_kernel(tmp_path):
    """No template socket: the stub says so and runs ipykernel_launcher itself (slower, never broken)."""
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ForkedKernelSpecs())
    env = {k: v for k, v in os.environ.items() if k != SOCKET_ENV}
    km.start_kernel(cwd=str(tmp_path), env=env)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=180)
        out, reply = _run(kc, "print(1 + 1)")
        assert out.strip() == "2"
    finally:
        km.shutdown_kernel(now=True)
        kc.stop_channels()


def test_a_kernel_ends_when_its_server_dies_without_shutting_it_down(template, tmp_path):
    """A server killed outright (no shutdown of its kernels) takes its forked kernels with it,
    as ipykernel's parent check does for kernels started the usual way."""
    pid_file = tmp_path / "kernel.pid"
    server = subprocess.Popen([sys.executable, "-c", f"""
import os, time
from jupyter_client import KernelManager
from widgets.serve import ForkedKernelSpecs
km = KernelManager(kernel_name="python3", kernel_spec_manager=ForkedKernelSpecs())
km.start_kernel(cwd={str(tmp_path)!r}, env={{**os.environ, {SOCKET_ENV!r}: {template!r}}})
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=180)
kc.execute_interactive("import os; open({str(pid_file)!r}, 'w').write(str(os.getpid()))", timeout=60)
time.sleep(600)
"""])
    try:
        deadline = time.monotonic() + 180
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        pid = int(pid_file.read_text())
        assert not _gone(pid, 0.5)
        server.kill()
        server.wait(10)
        assert _gone(pid, 10)
    finally:
        if server.poll() is None:
            server.kill()


def test_a_forked_kernel_answers_a_pages_request_for_every_widget_state_at_once(template, tmp_path):
    """The page asks for all widget states through the ``jupyter.widget.control`` comm; a kernel
    forked from the template (which imported ipywidgets before any kernel existed) has that comm
    target, as a usual kernel has, and answers with one message holding every widget."""
    import uuid

    km, kc = _start(template, tmp_path)
    try:
        out, reply = _run(kc, "import ipywidgets as W\nboxes = [W.IntSlider(value=i) for i in range(5)]\n"
                              "from comm import get_comm_manager\n"
                              "print(sorted(t for t in get_comm_manager().targets if t.startswith('jupyter.widget')))")
        assert reply["status"] == "ok"
        assert out.strip() == "['jupyter.widget', 'jupyter.widget.control']"
        comm_id = uuid.uuid4().hex
        kc.shell_channel.send(kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control",
                                                           "data": {}},
                                           metadata={"version": "1.0.0"}))  # the control protocol version pages send
        kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}))
        deadline = time.monotonic() + 60
        states = None
        while states is None and time.monotonic() < deadline:
            msg = kc.get_iopub_msg(timeout=30)
            # (ipykernel may also warn "No such comm" while the comm_open is still being handled:
            # the request is answered all the same)
            assert "No such comm target registered" not in msg["content"].get("text", ""), msg["content"]
            if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
                states = msg["content"]["data"]["states"]
        assert states is not None
        sliders = [s for s in states.values() if s["model_name"] == "IntSliderModel"]
        assert sorted(s["state"]["value"] for s in sliders) == [0, 1, 2, 3, 4]
    finally:
        km.shutdown_kernel(now=True)
        kc.stop_channels()


def test_the_template_reads_ahead_the_geography_of_the_saved_data_and_survives_bad_data(tmp_path, monkeypatch, capsys):
    """The template computes the geography under the saved customers for every kernel; saved data it
    cannot use leaves a line in the log and the template running, not a dead template."""
    from widgets import geography, kernels, world_store

    geography._features.cache_clear()
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    kernels._warm_caches()
    assert geography._features.cache_info().currsize == 1

    def broken():
        raise RuntimeError("disk gone")

    monkeypatch.setattr(world_store, "current_world", broken)
    kernels._warm_caches()
    assert "was not read ahead (RuntimeError: disk gone)" in capsys.readouterr().err
