"""A full crawl of the demo mirror's five sources over loopback (best of N), with the mirror's
sockets as they are (TCP_NODELAY) and, for comparison, with Nagle's algorithm left on: every
keep-alive response then waits ~40 ms for the client's delayed ACK.

    .venv/bin/python benchmarks/mirror_crawl_bench.py        # best of 3
    .venv/bin/python benchmarks/mirror_crawl_bench.py 5
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.cli import MIRROR_SOURCES  # noqa: E402
from flows.crawl.archive import RawArchive  # noqa: E402
from flows.crawl.run import crawl_source  # noqa: E402
from flows.mirror import server  # noqa: E402
from flows.sources.model import select_sources  # noqa: E402


def crawl_once(nodelay: bool) -> tuple[float, int]:
    """(seconds, requests) of one full crawl into a fresh archive."""
    server._Handler.disable_nagle_algorithm = nodelay
    with server.serve_mirror() as mirror, tempfile.TemporaryDirectory() as tmp:
        archive = RawArchive(Path(tmp) / "raw")
        started = time.perf_counter()
        crawls = [
            crawl_source(s, archive, full_refresh=True)
            for s in select_sources(MIRROR_SOURCES, mirror.base_url)
        ]
        return time.perf_counter() - started, sum(c.requests for c in crawls)


def main(n: int) -> None:
    print(f"demo mirror crawl, best of {n}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for label, nodelay in (("TCP_NODELAY (as served)", True), ("Nagle on (before)", False)):
        runs = [crawl_once(nodelay) for _ in range(n)]
        best = min(t for t, _ in runs)
        requests = runs[0][1]
        print(f"  {label:<26} {best:6.2f} s  {requests} requests  {1000 * best / requests:5.1f} ms/request")
    server._Handler.disable_nagle_algorithm = True


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
