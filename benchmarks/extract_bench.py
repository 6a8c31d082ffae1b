"""Extraction speed: CPU ms per document per format (read + parse, one core) beside the raw floor, and a 10-page PDF.

    .venv/bin/python benchmarks/extract_bench.py [--min-seconds 0.5]

Measures flows.documents.read_document + flows.reports.parse.parse_reports (the extract and
parse steps; the data-quality checks are timed by the demo benchmark) on
  - every document the demo mirror serves (reports and distractors),
  - every report of the labelled corpus (tests/corpus/files),
  - a 10-page report PDF: the mirror's seed 004 (ruled indicator table over five pages) and a
    generated 10-page prose report.
Times are CPU time (this process and the converters it runs), not wall clock: the machine may
be shared. Each document is read repeatedly until --min-seconds of CPU have passed (at least 3
times) and its median is used. Beside each format stands its raw floor, the least a plain
script pays to get the text out (floors.py) and the ratio to it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from floors import FLOORS, cpu_seconds  # noqa: E402

from flows.documents import read_document  # noqa: E402
from flows.documents.model import ExtractError  # noqa: E402
from flows.reports.parse import parse_reports  # noqa: E402

SITE = ROOT / "flows" / "mirror" / "site"
CORPUS = ROOT / "tests" / "corpus" / "files"


def extract_once(data: bytes, name: str) -> int:
    """Read and parse one document; the number of reports (0 when it is not a report)."""
    try:
        doc = read_document(data, name)
        return len(parse_reports(doc, file=name, sha256="0" * 64))
    except ExtractError:
        return 0


def median_seconds(run: Callable[[], object], min_seconds: float) -> float:
    """Median CPU seconds of one call of `run`."""
    times: list[float] = []
    started = cpu_seconds()
    while len(times) < 3 or cpu_seconds() - started < min_seconds:
        t0 = cpu_seconds()
        run()
        times.append(cpu_seconds() - t0)
    return statistics.median(times)


def scanned(data: bytes, name: str) -> bool:
    try:
        return "ocr_pages" in read_document(data, name).meta
    except ExtractError:
        return False


def mirror_documents() -> list[tuple[str, Path]]:
    manifest = json.loads((SITE / "manifest.json").read_text(encoding="utf-8"))
    return [(d["format"], SITE / d["path"].lstrip("/")) for d in manifest["documents"]]


def corpus_documents() -> list[tuple[str, Path]]:
    out = []
    for label in sorted(CORPUS.glob("*.expected.json")):
        meta = json.loads(label.read_text(encoding="utf-8"))
        if "error" not in meta:
            out.append((meta["format"], CORPUS / meta["file"]))
    return out


def rate_table(title: str, docs: list[tuple[str, Path]], min_seconds: float) -> list[str]:
    by_format: dict[str, list[float]] = defaultdict(list)
    floors: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, int] = defaultdict(int)
    for fmt, path in docs:
        data = path.read_bytes()
        if fmt == "pdf" and scanned(data, path.name):
            fmt = "pdf+ocr"  # pages read by OCR: no text floor to compare with
        by_format[fmt].append(median_seconds(lambda d=data, n=path.name: extract_once(d, n), min_seconds))
        if fmt in FLOORS:
            floors[fmt].append(median_seconds(lambda d=data, f=FLOORS[fmt]: f(d), min_seconds / 4))
        sizes[fmt] += len(data)
    lines = [
        title,
        f"  {'format':<8}{'docs':>6}{'KB':>8}{'ms/doc':>10}{'docs/s':>10}{'floor ms':>10}{'ratio':>8}",
    ]
    total_docs = total_time = 0.0
    for fmt in sorted(by_format):
        ts = by_format[fmt]
        total_docs += len(ts)
        total_time += sum(ts)
        ms = 1000 * sum(ts) / len(ts)
        floor = 1000 * sum(floors[fmt]) / len(ts) if fmt in floors else None
        against = f"{floor:>10.2f}{ms / floor:>7.1f}x" if floor else f"{'-':>10}{'-':>8}"
        lines.append(
            f"  {fmt:<8}{len(ts):>6}{sizes[fmt] // 1024:>8}{ms:>10.1f}{len(ts) / sum(ts):>10.1f}{against}"
        )
    lines.append(
        f"  {'all':<8}{int(total_docs):>6}{'':>8}{1000 * total_time / total_docs:>10.1f}{total_docs / total_time:>10.1f}"
    )
    return lines


def ten_page_prose_pdf() -> bytes:
    """A 10-page 部门整体 report: long work paragraphs, the budget and indicator tables."""
    from tests.corpus import pools
    from tests.corpus.make_corpus import Dept, U, budget, dept_report
    from tests.corpus.writers import write_pdf

    d = Dept(U["yuehai"], 2023, budget((1523.4, 1498.62, 1490.1), (3210.5, 3506.28, 3311.77)), toc=True,
             budget_style="table:adjusted", pool=pools.STREET, narrative=125, problems=5, measures=5)  # fmt: skip
    blocks, _ = dept_report(d)
    return write_pdf(blocks, running_header="深圳市南山区粤海街道办事处2023年度部门整体支出绩效自评报告")


def page_count(data: bytes) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(data))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-seconds", type=float, default=0.5, help="time spent per document (default 0.5)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the claim is per core
    # warm up: lazy imports of every reader and the gazetteer are not per-document costs
    for fmt, path in mirror_documents()[:1] + corpus_documents():
        extract_once(path.read_bytes(), path.name)
        if fmt in FLOORS:
            FLOORS[fmt](path.read_bytes())

    out = rate_table("mirror (every served document)", mirror_documents(), args.min_seconds)
    out += rate_table("corpus (tests/corpus/files, reports)", corpus_documents(), args.min_seconds)
    seed004 = next(p for f, p in mirror_documents() if f == "pdf" and "20220930" in str(p))
    prose = ten_page_prose_pdf()
    out.append("10-page PDF reports (read + parse, median CPU; floor: pypdfium2 text of every page)")
    for label, data, name in (
        ("seed 004 (mirror, tables over 5 pages)", seed004.read_bytes(), seed004.name),
        ("generated prose report", prose, "prose10.pdf"),
    ):
        ms = 1000 * median_seconds(lambda d=data, n=name: extract_once(d, n), max(args.min_seconds, 1.0))
        floor = 1000 * median_seconds(lambda d=data: FLOORS["pdf"](d), args.min_seconds)
        out.append(
            f"  {label:<42}{page_count(data):>3} pages{ms:>9.1f} ms  floor{floor:>7.1f} ms{ms / floor:>6.1f}x"
        )
    print("\n".join(out))


if __name__ == "__main__":
    main()
