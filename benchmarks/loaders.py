"""Loader timings on odd inputs: wide headers (duplicate-column check must stay linear) and large
uploads in each format the loaders read.

    python -m benchmarks.loaders               # 1,000 / 10,000 / 30,000-column headers, sample uploads
    python -m benchmarks.loaders --columns 50000

Measured when written (2-core box under a load of 15): the 10,000-column header adds about
0.2 s to the upload (it blocked for 32 s with the quadratic duplicate check it replaced, and
took 12 s with pandas reading it column by column).
"""

from __future__ import annotations

import argparse
import tempfile
import time

import workbench
from workbench import DataError, load_files


def _upload(world, sep: str = ",", encoding: str = "utf-8") -> dict[str, bytes]:
    return {f"{n}.csv": getattr(world, n).to_csv(index=False, sep=sep).encode(encoding)
            for n in ("customers", "sites", "products", "demand_history", "outlets")}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--columns", type=int, nargs="*", default=[1_000, 10_000, 30_000])
    args = ap.parse_args(argv)
    us = workbench.load_sample()
    base = _upload(us)
    for n in args.columns:
        header = ",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" * n) + "\n"
        start = time.perf_counter()
        try:
            load_files({**base, "customers.csv": header.encode()})
        except DataError:
            pass
        print(f"header of {n:>6,} columns: {time.perf_counter() - start:6.2f} s")
    for label, files in (("comma, UTF-8", base), ("semicolon, Windows-1252", _upload(us, ";", "cp1252")),
                         ("tab, UTF-16", _upload(us, "\t", "utf-16"))):
        start = time.perf_counter()
        load_files(files)
        print(f"sample upload ({label}): {time.perf_counter() - start:6.2f} s")
    with tempfile.TemporaryDirectory() as d:
        start = time.perf_counter()
        path = us.to_excel(f"{d}/world.xlsx")
        workbench.load_world(path)
        print(f"Excel write + read of the sample: {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
