"""The labelled corpus (tests/corpus/files) through the real `govperf extract` path.

Bad files must get their error kind, good files must not be rejected and must yield as many
reports as they hold, and field accuracy must not fall below the floors measured here
(benchmarks/accuracy.py prints the numbers and every mismatch).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.make_corpus import all_docs
from tests.corpus.run import FILES, Scored, accuracy, extract_by_file, labels, score

LABELS = labels(FILES)
BAD = sorted(p.name for p, lab in LABELS.items() if "error" in lab)
GOOD = sorted(p.name for p, lab in LABELS.items() if "error" not in lab)

# Measured on 2026-11-23 (benchmarks/accuracy.py): corpus 97.96% of 3,140 labelled fields
# (doc 68.4, docx 100, html 100, pdf 99.60, txt 100, xls 100, xlsx 100).
# Floors sit about a point below, so a regression fails; parser work should raise them.
OVERALL_FLOOR = 97.0
FORMAT_FLOORS = {
    "doc": 67.0,
    "docx": 99.0,
    "html": 99.0,
    "pdf": 98.5,
    "txt": 99.0,
    "xls": 99.0,
    "xlsx": 99.0,
}
# bad files the extractor does not reject yet, with the reason; asserted still wrong
KNOWN_ACCEPTED: dict[str, str] = {}


@pytest.fixture(scope="module")
def printed() -> dict[Path, list[dict[str, Any]]]:
    return extract_by_file(list(LABELS))


@pytest.fixture(scope="module")
def scored(printed: dict[Path, list[dict[str, Any]]]) -> list[Scored]:
    return score(LABELS, printed)


def test_corpus_is_big_and_varied() -> None:
    formats = {p.suffix for p in LABELS}
    assert len(GOOD) >= 30 and len(BAD) >= 6
    assert formats >= {".html", ".pdf", ".docx", ".doc", ".xlsx", ".xls", ".txt"}
    kinds = {r["kind"] for p in GOOD for r in LABELS[FILES / p]["reports"]}
    assert kinds == {"department_overall", "project"}


def test_labels_are_what_the_generator_writes() -> None:
    """A label is never edited by hand: it comes from the same description as its document."""
    for doc in all_docs():
        label = {"file": doc.name, "format": doc.name.rsplit(".", 1)[1], "covers": doc.covers, **doc.label}
        committed = json.loads((FILES / f"{doc.name}.expected.json").read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(label, ensure_ascii=False)), doc.name
        assert (FILES / doc.name).stat().st_size > 0


@pytest.mark.parametrize("name", BAD)
def test_bad_file_gets_its_error_kind(name: str, printed: dict[Path, list[dict[str, Any]]]) -> None:
    objects = printed[FILES / name]
    want = LABELS[FILES / name]["error"]
    kinds = [o["error"]["kind"] for o in objects if "error" in o]
    if name in KNOWN_ACCEPTED:
        assert kinds != [want], f"{name} is now rejected as {want}: remove it from KNOWN_ACCEPTED"
        return
    assert len(objects) == 1 and kinds == [want], f"{name}: expected {want}, got {objects}"
    assert objects[0]["error"]["message"]


@pytest.mark.parametrize("name", GOOD)
def test_good_file_is_read(name: str, printed: dict[Path, list[dict[str, Any]]]) -> None:
    objects = printed[FILES / name]
    errors = [o["error"] for o in objects if "error" in o]
    assert not errors, f"{name} rejected: {errors}"
    assert len(objects) == len(LABELS[FILES / name]["reports"]), [o.get("project_name") for o in objects]


def test_field_accuracy_does_not_regress(scored: list[Scored]) -> None:
    by_format: dict[str, list[Scored]] = defaultdict(list)
    for s in scored:
        by_format[s.format].append(s)
    report = {fmt: round(100 * accuracy(rs), 2) for fmt, rs in sorted(by_format.items())}
    overall = 100 * accuracy(scored)
    low = {fmt: pct for fmt, pct in report.items() if pct < FORMAT_FLOORS[fmt]}
    assert overall >= OVERALL_FLOOR and not low, (
        f"corpus accuracy {overall:.2f}% (floor {OVERALL_FLOOR}), per format {report}, below floor: {low}; "
        "run benchmarks/accuracy.py for the mismatches"
    )
