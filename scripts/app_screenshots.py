"""Screenshots of every app for the docs (``docs/img/<app>.png``), taken from a running Voila server.

    python -m widgets.serve --port 8866 &
    python scripts/app_screenshots.py http://127.0.0.1:8866 [app ...]

Each app is opened at 1440x1000 in headless chromium (Debian's ``/usr/bin/chromium``, driven by
playwright), waited for until its charts are drawn and its maps show geography (the same checks as
the browser tests), then photographed down to ``MAX_HEIGHT`` pixels.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from tests.browser.drawn import assert_charts_drawn, assert_map_geography  # noqa: E402

OUT = ROOT / "docs" / "img"
MAX_HEIGHT = 2200
#: app -> (charts, maps) to wait for
APPS = {"home": (0, 1), "network_design": (2, 1), "channel_strategy": (3, 3), "demand_forecasting": (2, 0),
        "route_planning": (0, 1), "scenario_compare": (2, 1), "scenario_viewer": (1, 0)}


def main(base: str, apps: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        for app in apps:
            charts, maps = APPS[app]
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{base}/voila/render/{app}.ipynb", wait_until="commit")
            page.wait_for_selector(f".wb-app-{app}", timeout=300_000)
            if app == "scenario_compare":  # the network design samples: a few KPIs, charts and maps
                page.wait_for_selector(".wb-compare-table", timeout=300_000)
                page.locator(".wb-app-scenario_compare .wb-controls select").first.select_option(
                    label="Network design")
                page.wait_for_function("document.querySelector('.wb-compare-table').innerText.includes('DCs open')",
                                       timeout=300_000)
            if charts:
                assert_charts_drawn(page, at_least=charts, timeout_ms=300_000)
            if maps:
                assert_map_geography(page, legend=False, timeout_ms=120_000)
            page.wait_for_timeout(1500)
            height = page.evaluate(f"document.querySelector('.wb-app-{app}').getBoundingClientRect().bottom")
            page.set_viewport_size({"width": 1440, "height": int(min(MAX_HEIGHT, max(1000, height + 24)))})
            page.wait_for_timeout(1500)
            path = OUT / f"{app}.png"
            page.screenshot(path=str(path))
            print(f"{app}: {path} ({time.perf_counter() - start:.0f} s)")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or list(APPS))
