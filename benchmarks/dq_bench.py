"""What the data-quality step costs: the GX suites and the same suites without GX (plain), the
duplicate check against a warehouse of current reports, and the Data Docs, for N reports
(copies of the dq corpus's clean reports, each made a distinct unit).

    .venv/bin/python benchmarks/dq_bench.py            # 1,000 and 10,000 reports
    .venv/bin/python benchmarks/dq_bench.py 50000
"""

from __future__ import annotations

import copy
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from expectations.current import empty_current  # noqa: E402
from expectations.derive import incoming_frame  # noqa: E402
from expectations.runner import _gx, check_records  # noqa: E402
from flows.contract.report import ReportRecord  # noqa: E402
from flows.reports.extract import reports_from_bytes  # noqa: E402

CLEAN = ROOT / "tests" / "dq_corpus" / "clean"


def templates() -> list[ReportRecord]:
    out = []
    for path in sorted(CLEAN.iterdir()):
        data = path.read_bytes()
        for r in reports_from_bytes(data, name=path.name, sha256=hashlib.sha256(data).hexdigest()):
            out.append(ReportRecord(r, "bench", f"https://bench.example.gov.cn/{path.name}"))
    return out


def many(n: int, base: list[ReportRecord]) -> list[ReportRecord]:
    out = []
    for i in range(n):
        rec = copy.deepcopy(base[i % len(base)])
        rec.report.department = f"{rec.report.department}{i}"
        rec.source_url = f"{rec.source_url}?copy={i}"
        out.append(rec)
    return out


def timed(label: str, fn) -> float:
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<48} {seconds:7.2f} s")
    return seconds


def main(sizes: list[int]) -> None:
    # the plain evaluator first, in a process that has not imported GX yet
    base = templates()
    timed(
        "plain, 1 report (what `govperf extract` pays)", lambda: check_records(many(1, base), engine="plain")
    )
    timed("import great_expectations", _gx)
    timed("GX, 1 report (context and suites included)", lambda: check_records(many(1, base), engine="gx"))
    for n in sizes:
        print(f"{n:,} reports")
        records = many(n, base)
        for engine in ("gx", "plain"):
            timed(f"single-report suites ({engine})", lambda r=records, e=engine: check_records(r, engine=e))
        stored = (
            incoming_frame(many(n, base))
            .drop("report_idx")
            .with_columns(pl.col("location") + "&stored", pl.col("report_id") + "s")
        )
        for engine in ("gx", "plain"):
            timed(
                f"suites + duplicates against {n:,} stored ({engine})",
                lambda r=records, s=stored, e=engine: check_records(r, current=s, engine=e),
            )
        with tempfile.TemporaryDirectory() as tmp:
            timed(
                "suites + duplicates + Data Docs (gx)",
                lambda r=records, d=Path(tmp) / "docs": check_records(r, current=empty_current(), docs_dir=d),
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000])
