"""First run against second: requests, downloads and wall time of the nightly flow on an unchanged site.

    .venv/bin/python benchmarks/incremental_bench.py [--repeat 3]

Each repeat: a fresh data folder, one mirror server on loopback, then three runs of the real
Prefect flow (in this process, on Prefect's ephemeral API, started once beforehand): the
first (empty folder), the second (nothing changed: incremental), a third with full_refresh.
Prints the mirror's view of each run (requests, 200s, 304s) and its wall time; then what the
parse cache saves: extract+parse of every document from bytes against from the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from pathlib import Path

from flows.cli import MIRROR_SOURCES as SOURCES
from flows.crawl.archive import RawArchive
from flows.crawl.run import crawl_source
from flows.mirror.server import serve_mirror
from flows.nightly import nightly
from flows.reports.parse_cache import ParseCache
from flows.reports.stream import extract_documents
from flows.sources.model import select_sources

RUNS = ("first", "second", "full refresh")


def once() -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as home, serve_mirror() as mirror:
        for name in RUNS:
            mirror.reset_requests()
            t0 = time.perf_counter()
            summary = nightly(
                sources=SOURCES, base_url=mirror.base_url, home=home, full_refresh=name == "full refresh"
            )
            seconds = time.perf_counter() - t0
            statuses = Counter(s for _, _, s in mirror.requests)
            out[name] = {
                "seconds": seconds,
                "requests": len(mirror.requests),
                "200": statuses[200],
                "304": statuses[304],
                "bodies downloaded": sum(s["bodies_downloaded"] for s in summary["sources"]),
                "reports new": sum(s["reports_new"] for s in summary["sources"]),
                "reports unchanged": sum(s["reports_unchanged"] for s in summary["sources"]),
            }
    return out


def parse_cost(repeat: int) -> dict[str, float]:
    """Extract+parse of every mirror document (full-refresh set): from bytes, and from the parse cache."""
    with tempfile.TemporaryDirectory() as home, serve_mirror() as mirror:
        archive = RawArchive(Path(home) / "raw")
        docs = [
            d
            for s in select_sources(SOURCES, mirror.base_url)
            for d in crawl_source(s, archive, full_refresh=True).documents
        ]
        cache = ParseCache(Path(home) / "cache")
        extract_documents(docs, archive, cache=cache)  # fills the cache, warms the readers
        out: dict[str, list[float]] = {"parse (s)": [], "from cache (s)": []}
        for _ in range(repeat):
            t0 = time.perf_counter()
            extract_documents(docs, archive)
            out["parse (s)"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            extract_documents(docs, archive, cache=cache)
            out["from cache (s)"].append(time.perf_counter() - t0)
    return {"documents": len(docs), **{k: statistics.median(v) for k, v in out.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    # a warm-up run: the ephemeral Prefect server and the first imports (GX ~3 s) are not the flow's
    once()
    results = [once() for _ in range(args.repeat)]
    keys = list(results[0]["first"])
    print(f"{'':20}" + "".join(f"{r:>16}" for r in RUNS))
    for k in keys:
        cells = []
        for name in RUNS:
            values = [r[name][k] for r in results]
            cells.append(f"{statistics.median(values):>16.2f}" if k == "seconds" else f"{values[0]:>16.0f}")
        print(f"{k:20}" + "".join(cells))
    print(f"(median of {args.repeat} repeats for seconds; counts are the same every repeat)")
    cost = parse_cost(args.repeat)
    print(
        f"extract+parse of all {cost['documents']:.0f} documents: {cost['parse (s)']:.3f} s from bytes, "
        f"{cost['from cache (s)']:.3f} s from the parse cache"
    )


if __name__ == "__main__":
    main()
