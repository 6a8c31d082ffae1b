"""Each seed document, in every format the mirror serves it, against its golden JSON, field by field.

tests/golden/<seed>.<format>.json is the contract JSON (minus file, sha256 and evidence; dq as
status and check names) the report SHOULD parse to, written from the documents, not from the
parser. A field the parser does not get right yet is listed in KNOWN_GAPS with its reason: the
test then asserts it is still wrong, so fixing the parser forces the gap's removal.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from expectations.extract_files import extract_files
from tests.corpus.compare import FieldResult, compare_full, matches

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SITE = ROOT / "flows" / "mirror" / "site"
TODAY = dt.date(2026, 11, 23)

# (golden file stem, field path pattern ('*' matches anything), why it is still wrong)
KNOWN_GAPS: list[tuple[str, str, str]] = [
    # the mirror serves this PDF as a scan (tests/mirror/scan.py), read by OCR
    ("001_99079b6c4dc218b5.pdf", "problems[1]", "OCR reads 疏 (in 疏漏) as 玻"),
]


def golden_inputs(seeds_dir: Path) -> dict[str, Path]:
    """Golden stem → the file it describes: the mirror's served copy, or the seed text itself."""
    manifest = json.loads((SITE / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, Path] = {}
    for doc in manifest["documents"]:
        if doc["role"] == "report" and doc["seed"]:  # corpus-built families: tests/corpus labels
            out[f"{doc['seed']}.{doc['format']}"] = SITE / doc["path"].lstrip("/")
    for seed in sorted(seeds_dir.glob("*.txt")):
        out[f"{seed.stem}.txt"] = seed
    return out


STEMS = sorted(p.name.removesuffix(".json") for p in GOLDEN.glob("*.json"))


@pytest.fixture(scope="module")
def printed(seeds_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every golden input through the real `govperf extract` path, once."""
    inputs = golden_inputs(seeds_dir)
    paths = [str(inputs[s]) for s in STEMS]
    objects = extract_files(paths, today=TODAY)
    by_file: dict[str, list[dict[str, Any]]] = {p: [] for p in paths}
    for o in objects:
        by_file[o["file"]].append(o)
    return {s: by_file[str(inputs[s])] for s in STEMS}


def test_every_served_seed_document_has_a_golden(seeds_dir: Path) -> None:
    assert sorted(golden_inputs(seeds_dir)) == STEMS


def gaps_for(stem: str) -> list[tuple[str, str]]:
    return [(pattern, why) for s, pattern, why in KNOWN_GAPS if s == stem]


def split_by_gaps(stem: str, results: list[FieldResult]) -> tuple[list[FieldResult], dict[str, list]]:
    """Results outside every known gap, and per gap pattern the results it covers."""
    gaps = gaps_for(stem)
    covered: dict[str, list[FieldResult]] = {p: [] for p, _ in gaps}
    rest: list[FieldResult] = []
    for r in results:
        hits = [p for p, _ in gaps if matches(r.path, p)]
        for p in hits:
            covered[p].append(r)
        if not hits:
            rest.append(r)
    return rest, covered


@pytest.mark.parametrize("stem", STEMS)
def test_golden(stem: str, printed: dict[str, list[dict[str, Any]]]) -> None:
    objects = printed[stem]
    assert len(objects) == 1, f"{stem}: expected one report, got {objects}"
    assert "error" not in objects[0], f"{stem}: rejected: {objects[0].get('error')}"
    expected = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    results = compare_full(expected, objects[0])
    rest, covered = split_by_gaps(stem, results)
    wrong = [r.describe() for r in rest if not r.ok]
    closed = [
        f"{pattern}: now right ({why}) — remove it from KNOWN_GAPS"
        for pattern, why in gaps_for(stem)
        if all(r.ok for r in covered[pattern])
    ]
    assert not wrong and not closed, f"{stem}:\n  " + "\n  ".join(wrong + closed)
