"""Real-browser tests of the Voila apps.

A Voila server (``python -m widgets.serve``, with ``notebooks/voila.json``) is started once per
session on a free localhost port, and Debian's chromium is driven headless through
playwright's Python API (``executable_path``; no browser is ever downloaded). Screenshots and
render timings are written to ``test-output/browser/``.

Use ``open_app(page, voila_url, "home")`` in a test; it returns the seconds to a fully rendered
app (the app's root element and every widget drawn).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


def chromium_path() -> str | None:
    for candidate in (os.environ.get("WORKBENCH_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class VoilaServer:
    """The Voila server of the session: its base URL and process."""

    url: str
    port: int
    proc: subprocess.Popen

    def kernels(self) -> dict[str, int]:
        """The server's running kernels: kernel id -> process id."""
        import psutil

        out = {}
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                m = re.search(r"kernel-([0-9a-f-]+)\.json", " ".join(p.cmdline()))
            except psutil.Error:
                continue
            if m:
                out[m.group(1)] = p.pid
        return out


@pytest.fixture(scope="session")
def voila_url(voila_server) -> str:
    """Base URL of the Voila server serving notebooks/."""
    return voila_server.url


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """A Voila server serving notebooks/ as ``make app`` does (started once, stopped at the end)."""
    port = _free_port()
    home = tmp_path_factory.mktemp("voila-home")
    env = {**os.environ, "WORKBENCH_HOME": str(home), "PYTHONUNBUFFERED": "1", "WORKBENCH_CACHE": "on"}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = open(OUTPUT / "voila.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "widgets.serve", f"--port={port}", "--Voila.ip=127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            log.flush()
            raise RuntimeError(f"Voila exited with {proc.returncode}; see {OUTPUT / 'voila.log'}:\n"
                               + (OUTPUT / "voila.log").read_text()[-3000:])
        try:
            urllib.request.urlopen(url + "/voila/tree", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("Voila did not answer within 120 s")
    yield VoilaServer(url, port, proc)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium through playwright (fails, never skips, when chromium is missing)."""
    exe = chromium_path()
    if exe is None:
        pytest.fail("chromium was not found at /usr/bin/chromium. Install Debian's package "
                    "(`sudo apt-get install chromium`) or set WORKBENCH_CHROMIUM to its path; "
                    "`.ci/run` installs it automatically.", pytrace=False)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_FLAGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture()
def page(browser, request):
    """A fresh page (own context) per test; a screenshot is saved when the test fails.

    The page is closed as a user closes a tab (running its ``beforeunload``), which frees its kernel.
    """
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    messages: list[str] = []
    pg.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    pg.console_errors = messages
    yield pg
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        try:
            pg.screenshot(path=str(OUTPUT / f"FAILED-{request.node.name}.png"), full_page=True)
        except Exception:
            pass
    if not pg.is_closed():
        with pg.expect_event("close"):
            pg.close(run_before_unload=True)
    context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def open_app(page, base_url: str, app: str, *, timeout_s: float = 120.0, wait_for: tuple[str, ...] = ()) -> float:
    """Open ``notebooks/<app>.ipynb`` in Voila; wait for the app root and ``wait_for`` selectors.

    Returns the seconds from navigation to a fully rendered app, and records it in
    ``test-output/browser/timings.csv``.
    """
    start = time.perf_counter()
    page.goto(f"{base_url}/voila/render/{app}.ipynb", wait_until="commit", timeout=timeout_s * 1000)
    # a page that never shows its app fails the test (it is not opened a second time)
    page.wait_for_selector(f".wb-app-{app}", timeout=timeout_s * 1000)
    for sel in wait_for:
        page.wait_for_selector(sel, state="attached", timeout=timeout_s * 1000)
    seconds = time.perf_counter() - start
    record_timing(app, "render", seconds)
    return seconds


def record_timing(app: str, what: str, seconds: float) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "timings.csv"
    new = not path.exists()
    with path.open("a", newline="") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(["app", "what", "seconds"])
        w.writerow([app, what, f"{seconds:.2f}"])
    print(f"[timing] {app} {what}: {seconds:.2f} s")


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
