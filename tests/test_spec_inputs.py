"""Specification edge cases: wrong types and non-finite numbers are specification errors that
name the field, never a TypeError or a solver that runs out of time."""

from __future__ import annotations

import pytest

from workbench.errors import SpecificationError
from workbench.network import NetworkSpec


@pytest.mark.parametrize("kw,match", [
    (dict(dc_count=2.5), "dc_count must be a whole number, got 2.5"),
    (dict(dc_count="3"), "dc_count must be a whole number, got '3'"),
    (dict(max_dcs=True), "max_dcs must be a whole number"),
    (dict(outbound_rate=float("inf")), "outbound_rate must be a finite number, got inf"),
    (dict(inbound_rate=float("nan")), "inbound_rate must be a finite number"),
    (dict(service_radius_km="100"), "service_radius_km must be a number"),
])
def test_network_spec_types(kw, match):
    """dc_count=2.5 or '3', outbound_rate=inf: a SpecificationError naming the field."""
    with pytest.raises(SpecificationError, match=match):
        NetworkSpec(**kw)


def test_network_spec_accepts_whole_floats():
    """A whole float count (from a slider or a spreadsheet) is the integer it is."""
    spec = NetworkSpec(dc_count=3.0, outbound_rate=1)
    assert spec.dc_count == 3 and isinstance(spec.dc_count, int) and spec.outbound_rate == 1.0
