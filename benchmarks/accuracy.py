"""Field-level accuracy of `govperf extract` on the golden seed documents and the labelled corpus.

    .venv/bin/python benchmarks/accuracy.py [--no-mismatches] [--json OUT]

Runs the real extract path (expectations.extract_files.extract_files: read, parse, checks) on
  - every seed document in every format the mirror serves, plus the seed texts, compared with
    tests/golden/*.json on every field (dq status and check names included);
  - every document of tests/corpus/files, compared with its <name>.expected.json on the fields
    it labels (bad files on their error kind).
Prints fields compared / exact / % per format, overall, and each mismatch.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus.compare import FieldResult, compare_full  # noqa: E402
from tests.corpus.run import FILES, Scored, accuracy, extract_by_file, labels, score  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
SITE = ROOT / "flows" / "mirror" / "site"
GOLDEN = ROOT / "tests" / "golden"


def golden_inputs() -> dict[Path, Path]:
    """Golden file → the document it describes."""
    manifest = json.loads((SITE / "manifest.json").read_text(encoding="utf-8"))
    served = {
        f"{d['seed']}.{d['format']}": SITE / d["path"].lstrip("/")
        for d in manifest["documents"]
        if d["role"] == "report"
    }
    served.update({f"{p.stem}.txt": p for p in SEEDS.glob("*.txt")})
    return {g: served[g.name.removesuffix(".json")] for g in sorted(GOLDEN.glob("*.json"))}


def score_golden(printed: dict[Path, list[dict]]) -> list[Scored]:
    out: list[Scored] = []
    for golden, doc in golden_inputs().items():
        expected = json.loads(golden.read_text(encoding="utf-8"))
        objects = [o for o in printed[doc] if "error" not in o]
        if len(objects) != 1:
            out.append(Scored(doc.name, expected["format"], FieldResult("reports#", 1, len(objects), False)))
            continue
        out.extend(Scored(doc.name, expected["format"], r) for r in compare_full(expected, objects[0]))
    return out


def table(title: str, results: list[Scored]) -> list[str]:
    by_format: dict[str, list[Scored]] = defaultdict(list)
    for s in results:
        by_format[s.format].append(s)
    files = lambda rs: len({s.file for s in rs})  # noqa: E731
    lines = [title, f"  {'format':<8}{'files':>6}{'fields':>8}{'exact':>8}{'%':>8}"]
    for fmt in sorted(by_format):
        rs = by_format[fmt]
        ok = sum(s.result.ok for s in rs)
        lines.append(f"  {fmt:<8}{files(rs):>6}{len(rs):>8}{ok:>8}{100 * ok / len(rs):>8.2f}")
    ok = sum(s.result.ok for s in results)
    lines.append(f"  {'all':<8}{files(results):>6}{len(results):>8}{ok:>8}{100 * accuracy(results):>8.2f}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-mismatches", action="store_true", help="print the tables only")
    ap.add_argument("--json", type=Path, help="also write the numbers and mismatches as JSON")
    args = ap.parse_args()

    gold = golden_inputs()
    corpus = labels(FILES)
    paths = list(dict.fromkeys([*gold.values(), *corpus]))
    printed = extract_by_file(paths)
    g = score_golden(printed)
    c = score(corpus, printed)

    out = table("golden (seed documents, every field)", g)
    out += table("corpus (tests/corpus/files, labelled fields)", c)
    out.append(f"overall: {sum(s.result.ok for s in g + c)}/{len(g + c)} = {100 * accuracy(g + c):.2f}%")
    print("\n".join(out))
    if not args.no_mismatches:
        print("\nmismatches (file, field: expected, got):")
        for s in g + c:
            if not s.result.ok:
                print(f"  {s.file}  {s.result.describe()}")
    if args.json:
        data = {
            "golden": 100 * accuracy(g),
            "corpus": 100 * accuracy(c),
            "overall": 100 * accuracy(g + c),
            "mismatches": [
                {"file": s.file, "field": s.result.path, "expected": s.result.expected, "got": s.result.got}
                for s in g + c
                if not s.result.ok
            ],
        }
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
