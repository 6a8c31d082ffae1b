"""OCR speed and accuracy: scanned copies of the golden PDFs against their golden JSON.

    .venv/bin/python benchmarks/ocr_bench.py [--dpi 150] [--only 004] [--mismatches] [--seed 7]

Each golden PDF the mirror serves is turned into a scan (tests.mirror.scan: pages rendered at
--dpi, turned up to 1.2°, grey noise, a red stamp on the last page, saved as an image-only PDF),
then read with an empty OCR cache (pages per second, wall and CPU, tesseract included), then
run through `govperf extract`'s path and compared with the golden JSON field by field. A
"wrong amount" is a number printed where the golden has another number or none: the one error
a scan must never cause (a number OCR is unsure of is left null instead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus.compare import compare_full, is_wrong_amount  # noqa: E402

SITE = ROOT / "flows" / "mirror" / "site"
GOLDEN = ROOT / "tests" / "golden"
TODAY = dt.date(2026, 11, 23)


def golden_pdfs() -> dict[str, Path]:
    """Golden stem (`004_e0794d83f7dd1d9f.pdf`) → the PDF the mirror serves for it."""
    manifest = json.loads((SITE / "manifest.json").read_text(encoding="utf-8"))
    out = {}
    for d in manifest["documents"]:
        stem = f"{d['seed']}.pdf"
        if d["role"] == "report" and d["format"] == "pdf" and (GOLDEN / f"{stem}.json").exists():
            out[stem] = SITE / d["path"].lstrip("/")
    return dict(sorted(out.items()))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--only", help="golden stems starting with this")
    parser.add_argument("--mismatches", action="store_true", help="print every wrong field")
    parser.add_argument(
        "--seed", type=int, default=0, help="noise seed of the first document (+1 per document)"
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    os.environ["GOVPERF_HOME"] = str(work / "home")  # an empty OCR cache: every page is read
    import pypdfium2 as pdfium

    from expectations.extract_files import extract_files
    from flows.documents.read import read_document
    from tests.mirror.scan import scanned_pdf

    pdfs = {s: p for s, p in golden_pdfs().items() if not args.only or s.startswith(args.only)}
    scans: dict[str, Path] = {}
    for i, (stem, pdf) in enumerate(pdfs.items()):
        scans[stem] = work / f"scanned_{stem}"
        scans[stem].write_bytes(scanned_pdf(pdf.read_bytes(), dpi=args.dpi, seed=args.seed + i))

    total_pages = total_wall = total_cpu = 0.0
    fields = right = wrong_amounts = 0
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(
        f"{'document':34} {'pages':>5} {'wall s':>7} {'cpu s':>7} {'pages/s':>8} {'fields':>7} {'exact':>6} {'%':>6} wrong amounts"
    )
    for stem, path in scans.items():
        data = path.read_bytes()
        pages = len(pdfium.PdfDocument(data))
        cpu0, wall0 = _cpu(), time.perf_counter()
        read_document(data, path.name)
        wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
        printed = [o for o in extract_files([str(path)], today=TODAY) if "error" not in o]
        expected = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
        results = compare_full(expected, printed[0]) if len(printed) == 1 else []
        ok = sum(r.ok for r in results)
        wrong = [r for r in results if is_wrong_amount(r)]
        n = len(results) or len(compare_full(expected, expected))
        print(
            f"{stem:34} {pages:5d} {wall:7.1f} {cpu:7.1f} {pages / wall:8.2f} {n:7d} {ok:6d} "
            f"{100 * ok / n:6.1f} {len(wrong)}"
        )
        if args.mismatches:
            for r in results:
                if not r.ok:
                    print(f"    {'WRONG AMOUNT ' if is_wrong_amount(r) else ''}{r.describe()}"[:220])
        total_pages += pages
        total_wall += wall
        total_cpu += cpu
        fields += n
        right += ok
        wrong_amounts += len(wrong)
    print(
        f"{'all':34} {int(total_pages):5d} {total_wall:7.1f} {total_cpu:7.1f} {total_pages / total_wall:8.2f} "
        f"{fields:7d} {right:6d} {100 * right / fields:6.1f} {wrong_amounts}"
    )
    print(
        f"CPU per page: {total_cpu / total_pages:.2f} s (a 10-page report: {10 * total_cpu / total_pages:.0f} s on one core)"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
