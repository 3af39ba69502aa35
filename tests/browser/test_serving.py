"""How the server treats pages: a left page frees its kernel, nothing is fetched from the internet,
and a page asked for under a foreign Host name is refused."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlparse

from .conftest import open_app

MARKERS = ".leaflet-overlay-pane path.leaflet-interactive"


def _page_kernel(page) -> str:
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def _wait(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_leaving_a_page_frees_its_kernel(browser, voila_server):
    """Closing or navigating away from an app shuts its kernel down; the preheated pool remains."""
    before = len(voila_server.kernels())
    for app, leave in (("route_planning", "close"), ("home", "navigate"), ("demand_forecasting", "close")):
        context = browser.new_context()
        page = context.new_page()
        open_app(page, voila_server.url, app, wait_for=(".wb-card, .wb-solve",))
        kernel = _page_kernel(page)
        assert kernel in voila_server.kernels()
        if leave == "close":
            with page.expect_event("close"):
                page.close(run_before_unload=True)
        else:
            page.goto("about:blank")
        # well before the idle culler (10 minutes) could have done it
        assert _wait(lambda: kernel not in voila_server.kernels(), 10.0), f"{app}: kernel {kernel} still running"
        context.close()
    # the pages left nothing behind: once the pools have refilled, no more kernels than before
    assert _wait(lambda: len(voila_server.kernels()) <= before, 180.0), (len(voila_server.kernels()), before)


def test_page_load_stays_on_this_machine(page, voila_url):
    """No request of an app page leaves 127.0.0.1, and the button icons come from the local style."""
    outside: list[str] = []

    def route(r):
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    open_app(page, voila_url, "home", wait_for=(MARKERS, ".wb-app-home .widget-button i.fa"))
    page.wait_for_load_state("networkidle")
    assert outside == []
    # the icon font is Voila's bundled Font Awesome, loaded from this server
    page.wait_for_function("document.fonts.check('900 16px \"Font Awesome 5 Free\"')", timeout=30_000)
    family = page.eval_on_selector(".wb-app-home .widget-button i.fa", "e => getComputedStyle(e).fontFamily")
    assert "Font Awesome" in family


def _status(port: int, path: str, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        resp = conn.getresponse()
        resp.read(1)
        return resp.status
    finally:
        conn.close()


def test_foreign_host_is_refused(voila_server):
    """A foreign Host header (DNS rebinding) gets 403 for pages and kernels; localhost names work."""
    port = voila_server.port
    kernels_before = set(voila_server.kernels())
    for path in ("/voila/render/home.ipynb", "/voila/tree", "/api/kernels/0f8d3b2e-0000-4000-8000-000000000000"):
        assert _status(port, path, f"rebind.example.com:{port}") == 403, path
        assert _status(port, path, "rebind.example.com") == 403, path
    assert set(voila_server.kernels()) <= kernels_before  # the refused page started no kernel
    assert _status(port, "/voila/tree", f"localhost:{port}") == 200
    assert _status(port, "/voila/tree", f"127.0.0.1:{port}") == 200
