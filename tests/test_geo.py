"""Great-circle distances, circuity and travel times."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import SpecificationError
from workbench.geo import (
    EARTH_RADIUS_KM,
    GreatCircleSource,
    distance_matrix_km,
    haversine_km,
    travel_time_matrix_h,
)


def test_quarter_meridian():
    """Equator to pole is a quarter of the circumference."""
    assert haversine_km(0, 0, 90, 0) == pytest.approx(np.pi / 2 * EARTH_RADIUS_KM, rel=1e-12)
    assert haversine_km(0, 0, 0, 90) == pytest.approx(np.pi / 2 * EARTH_RADIUS_KM, rel=1e-12)


@pytest.mark.parametrize("a,b,km", [
    ((51.5074, -0.1278), (48.8566, 2.3522), 344.0),      # London - Paris, as the crow flies
    ((40.7128, -74.0060), (34.0522, -118.2437), 3944.0),  # New York - Los Angeles
    ((41.8781, -87.6298), (33.7490, -84.3880), 944.0),    # Chicago - Atlanta
])
def test_known_city_pairs(a, b, km):
    """Published straight-line distances between cities, within 0.5%."""
    assert haversine_km(*a, *b) == pytest.approx(km, rel=0.005)


def test_matrix_shape_symmetry_and_circuity():
    """The matrix is origins x destinations, symmetric for one set, scaled by circuity."""
    pts = pd.DataFrame({"lat": [40.71, 34.05, 41.88], "lon": [-74.01, -118.24, -87.63]})
    d = distance_matrix_km(pts)
    assert d.shape == (3, 3) and np.allclose(d, d.T) and np.allclose(np.diag(d), 0)
    d2 = distance_matrix_km(pts, pts.iloc[:2], circuity=1.2)
    assert d2.shape == (3, 2)
    assert np.allclose(d2, 1.2 * d[:, :2])


def test_travel_time_and_source():
    """Travel time is distance over speed; the source returns both matrices."""
    assert travel_time_matrix_h(np.array([[120.0]]), speed_kmh=60)[0, 0] == pytest.approx(2.0)
    km, h = GreatCircleSource(circuity=1.0, speed_kmh=50).matrices([[0, 0]], [[0, 1]])
    assert km[0, 0] == pytest.approx(111.195, rel=1e-4) and h[0, 0] == pytest.approx(km[0, 0] / 50)


def test_bad_parameters():
    """Non-positive circuity or speed is refused with a message."""
    with pytest.raises(SpecificationError, match="circuity factor must be positive"):
        distance_matrix_km([[0, 0]], circuity=0)
    with pytest.raises(SpecificationError, match="average speed must be positive"):
        travel_time_matrix_h(np.ones((1, 1)), speed_kmh=0)


def test_vectorised_matrix_matches_pairwise_distances():
    """A 1,000 x 100 matrix equals the pairwise distances, entry by entry (its speed is in
    benchmarks/timings.py)."""
    rng = np.random.default_rng(0)
    a = np.c_[rng.uniform(25, 49, 1000), rng.uniform(-124, -67, 1000)]
    b = a[:100]
    m = distance_matrix_km(a, b)
    assert m.shape == (1000, 100)
    for i, j in [(0, 0), (5, 17), (999, 99), (500, 3)]:
        assert m[i, j] == pytest.approx(distance_matrix_km(a[i:i + 1], b[j:j + 1])[0, 0])
    assert np.allclose(np.diag(m[:100]), 0.0)
