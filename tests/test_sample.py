"""The sample generator is deterministic and matches the committed files."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from workbench.sample import black_friday, write_sample
from workbench.world import SAMPLE_DIR, TABLES

import datetime as dt


def test_regenerating_gives_identical_files(tmp_path):
    """Regenerating the sample with the default seed reproduces data/sample/ byte for byte."""
    out = write_sample(tmp_path / "sample")
    written = sorted(p.name for p in out.glob("*.csv"))
    assert written == sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
    # the US sample is in USD (no company table), names its channels after their roles (no
    # channels table) and has no sell-out table
    assert set(written) == {f"{name}.csv" for name in TABLES if name not in ("company", "channels", "channel_sales")}
    for name in written:
        assert filecmp.cmp(out / name, SAMPLE_DIR / name, shallow=False), f"{name} differs"


def test_regenerating_the_brazil_sample_gives_identical_files(tmp_path):
    """Regenerating the Brazil sample reproduces data/sample_brazil/ byte for byte (its channels
    table included: the outlets' Portuguese channel names and their roles)."""
    folder = SAMPLE_DIR.parent / "sample_brazil"
    out = write_sample(tmp_path / "brazil", country="brazil")
    written = sorted(p.name for p in out.glob("*.csv"))
    assert written == sorted(p.name for p in folder.glob("*.csv"))
    assert {"channels.csv", "company.csv"} <= set(written)
    for name in written:
        assert filecmp.cmp(out / name, folder / name, shallow=False), f"{name} differs"


def test_other_seed_differs(tmp_path):
    """Another seed gives another (still valid) world."""
    out = write_sample(tmp_path / "other", seed=7)
    assert not filecmp.cmp(out / "customers.csv", SAMPLE_DIR / "customers.csv", shallow=False)


@pytest.mark.parametrize("year,day", [(2023, dt.date(2023, 11, 24)), (2024, dt.date(2024, 11, 29)), (2025, dt.date(2025, 11, 28))])
def test_black_friday(year, day):
    """Black Friday is the day after the fourth Thursday of November."""
    assert black_friday(year) == day


def test_history_has_peaks_and_intermittency(sample_world):
    """Black Friday weeks lift demand; the display kits are intermittent."""
    h = sample_world.demand_history
    snk = h[(h.product_id == "SNK") & (h.region == "West")].set_index("ds").y
    bf = snk.loc["2024-11-25"]
    typical = snk.loc["2024-10-07":"2024-11-11"].median()
    assert bf > 1.4 * typical
    dsp = h[h.product_id == "DSP"]
    assert 0.5 < (dsp.y == 0).mean() < 0.9
    assert h.promotion.any()


def test_data_readme_dictionary_is_current():
    """data/README.md carries the dictionary generated from the schemas."""
    from workbench.schema import data_dictionary_markdown

    text = (Path(SAMPLE_DIR).parent / "README.md").read_text()
    assert data_dictionary_markdown() in text
