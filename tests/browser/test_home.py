"""Home app in a real browser: KPI cards, the offline map, layer toggles and a bad upload."""

from __future__ import annotations

from .conftest import open_app, record_timing, screenshot

MARKERS = ".leaflet-overlay-pane path.leaflet-interactive"


def test_home_renders_cards_and_map(page, voila_url):
    """Home renders its KPI cards and a map with data layers, without tiles or a traceback."""
    seconds = open_app(page, voila_url, "home", wait_for=(".wb-card", ".leaflet-container", MARKERS))
    cards = page.locator(".wb-card")
    assert cards.count() == 8
    first = cards.first.text_content()
    assert "Customers" in first and "300" in first
    # customers (300) + sites (25) + plants (3), plus region outlines and graticule lines
    assert page.locator(MARKERS).count() >= 328
    assert page.locator(".leaflet-tile").count() == 0
    assert "Traceback" not in page.content()
    screenshot(page, "home")
    record_timing("home", "open to cards and map", seconds)  # a time, not a gate (open_app times out at 120 s)


def test_home_layer_toggle_and_bad_upload(page, voila_url):
    """Toggling a layer adds its markers; a bad upload shows the problems as messages."""
    open_app(page, voila_url, "home", wait_for=(MARKERS,))
    before = page.locator(MARKERS).count()
    page.get_by_text("Today's orders", exact=True).click()
    page.wait_for_function(f"document.querySelectorAll('{MARKERS}').length >= {before + 120}")
    assert page.locator(MARKERS).count() == before + 120

    bad = b"customer_id,name,region,lat,lon,population,annual_demand\nA1,Nowhere,West,95,-100,10,-5\n"
    import time

    start = time.perf_counter()
    # ipywidgets' upload button opens a file chooser from an input that is not in the page
    with page.expect_file_chooser() as chooser:
        page.locator(".wb-app-home .widget-upload").click()
    chooser.value.set_files(files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": bad}])
    alert = page.locator(".wb-alert")
    alert.wait_for(timeout=60_000)
    record_timing("home", "bad upload message", time.perf_counter() - start)
    text = alert.inner_text()
    assert "customers.csv, row 2, column 'lat'" in text
    assert "annual_demand is negative" in text
    assert "Traceback" not in page.content()
    screenshot(page, "home-bad-upload")


def test_uploaded_data_reaches_a_new_page(page, browser, voila_url):
    """Data loaded on Home is what the next page opens with, even from a preheated kernel."""
    open_app(page, voila_url, "home", wait_for=(MARKERS,))
    import workbench

    # one company: two customers, with the sample's candidate sites and products
    sample = workbench.load_sample()
    customers = (b"customer_id,name,region,lat,lon,population,annual_demand\n"
                 b"A,Denver,West,39.74,-104.99,715000,500000\nB,Boise,West,43.61,-116.2,235000,150000\n")
    files = [{"name": "customers.csv", "mimeType": "text/csv", "buffer": customers}] + [
        {"name": f"{table}.csv", "mimeType": "text/csv",
         "buffer": getattr(sample, table).to_csv(index=False).encode()} for table in ("sites", "products")]
    with page.expect_file_chooser() as chooser:
        page.locator(".wb-app-home .widget-upload").click()
    chooser.value.set_files(files=files)
    page.locator(".wb-note").wait_for(timeout=60_000)
    assert "Loaded customers.csv" in page.locator(".wb-note").inner_text()
    other = browser.new_page()
    try:
        open_app(other, voila_url, "home", wait_for=(".wb-card",))
        assert "2" == other.locator(".wb-card .wb-value").first.inner_text().strip()
    finally:
        page.get_by_text("Back to the sample").click()
        page.locator(".wb-card .wb-value").first.wait_for()
        page.wait_for_function("document.querySelector('.wb-card .wb-value').textContent.trim() === '300'")
        other.close()
