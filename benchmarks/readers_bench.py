"""Every core: extract+parse throughput with 1 reader process against N, on the same documents.

    .venv/bin/python benchmarks/readers_bench.py [--documents 400] [--readers 1 2] [--site DIR]

The documents are those of the scale bench's generated site (benchmarks/scale_site.py, mixed
formats, distinct content; built here if missing), put into a raw archive and read by
flows.reports.stream.extract_documents: the run's own path (a budget worker process per
reader, results spilled and read back), no cache. Each reader count is timed after one warm-up
pass; printed: documents/s, and the speed-up over one reader (the target: ≥1.8× on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import scale_site  # noqa: E402
from flows.crawl.archive import RawArchive  # noqa: E402
from flows.crawl.model import FetchedDocument  # noqa: E402
from flows.documents.budget import _pool  # noqa: E402
from flows.reports.stream import extract_documents  # noqa: E402


def documents(site: Path, n: int, archive: RawArchive) -> list[FetchedDocument]:
    files = sorted(p for p in site.rglob("files/*") if p.is_file())
    inline = sorted(p for p in site.rglob("content/*.html") if b"<table" in p.read_bytes()[:200_000])
    picked = (files + inline)[:n]
    out = []
    for path in picked:
        sha, stored = archive.put(path.read_bytes())
        fmt = path.suffix.lstrip(".")
        out.append(
            FetchedDocument("bench", f"http://bench/{path.name}", f"http://bench/{path.name}", path.stem, sha,
                            str(stored), fmt, "2026-12-01T00:00:00")
        )  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=400)
    ap.add_argument("--readers", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--site", type=Path, default=Path(tempfile.gettempdir()) / "govperf-scale" / "readers")
    a = ap.parse_args()
    scale_site.build(a.site, a.documents, 2, base_url="http://127.0.0.1:1")
    with tempfile.TemporaryDirectory() as tmp:
        archive = RawArchive(Path(tmp) / "raw")
        docs = documents(a.site / "site", a.documents, archive)
        print(f"{len(docs)} documents: " + ", ".join(
            f"{f} {sum(d.format == f for d in docs)}" for f in sorted({d.format for d in docs})))  # fmt: skip
        base = None
        for readers in a.readers:
            _pool.close()
            extract_documents(docs[: 4 * readers], archive, workers=readers)  # start and warm the readers
            t, cpu = time.perf_counter(), time.process_time()
            out = extract_documents(docs, archive, workers=readers)
            seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
            rate = len(docs) / seconds
            base = base or rate
            print(f"readers={readers}: {seconds:.1f} s, {rate:.1f} documents/s, {rate / base:.2f}× one reader, "
                  f"{len(out.records)} reports, {len(out.rejected)} rejected, the run's own process {cpu:.1f} s CPU")  # fmt: skip


if __name__ == "__main__":
    main()
