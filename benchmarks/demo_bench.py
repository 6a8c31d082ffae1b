"""Time the demo end to end and per step; print documents per second.

    .venv/bin/python benchmarks/demo_bench.py [--repeat 3]

Steps run as plain functions (no Prefect) against the mirror over loopback, into a fresh
data folder each time; then one full run through the Prefect flow for the end-to-end time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from dbt_like_sql.load import load_warehouse
from expectations.runner import check_records
from flows.cli import MIRROR_SOURCES as SOURCES
from flows.crawl.archive import RawArchive
from flows.crawl.run import crawl_source
from flows.mirror.server import serve_mirror
from flows.nightly import new_run_id
from flows.reports.extract import Extracted
from flows.reports.stream import extract_documents
from flows.sources.model import select_sources


def steps_once(base_url: str, home: Path) -> dict[str, float]:
    archive = RawArchive(home / "raw")
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    crawls = [crawl_source(s, archive) for s in select_sources(SOURCES, base_url)]
    t["discover+fetch"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    extracted = Extracted()
    for c in crawls:
        part = extract_documents(c.documents, archive)
        extracted.records += part.records
        extracted.rejected += part.rejected
        extracted.yields.update(part.yields)
    t["extract+parse"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    check_records(extracted.records, engine="gx")  # as the nightly, which builds Data Docs
    t["validate (GX, incl. import)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_warehouse(home / "warehouse.duckdb", new_run_id(), crawls, extracted, archive)
    t["load+build views"] = time.perf_counter() - t0
    t["documents"] = sum(len(c.documents) for c in crawls)
    t["reports"] = len(extracted.records)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs = []
    with serve_mirror() as mirror:
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(steps_once(mirror.base_url, Path(tmp)))
        from flows.nightly import nightly

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            nightly(sources=SOURCES, base_url=mirror.base_url, home=tmp)
            flow_seconds = time.perf_counter() - t0
    docs = runs[0]["documents"]
    print(f"documents per run: {docs:.0f}, reports: {runs[0]['reports']:.0f}")
    print(f"{'step':32} {'median s':>9} {'docs/s':>9}")
    total = 0.0
    for step in [k for k in runs[0] if k not in ("documents", "reports")]:
        m = statistics.median(r[step] for r in runs)
        total += m
        print(f"{step:32} {m:9.3f} {docs / m if m else float('inf'):9.1f}")
    print(f"{'all steps (no Prefect)':32} {total:9.3f} {docs / total:9.1f}")
    print(f"{'Prefect flow end to end':32} {flow_seconds:9.3f} {docs / flow_seconds:9.1f}")


if __name__ == "__main__":
    main()
