"""The corpus through the real `govperf extract` path, scored field by field against its labels.

Shared by tests/test_corpus.py and benchmarks/accuracy.py so both count the same fields.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from expectations.extract_files import extract_files
from tests.corpus.compare import FieldResult, compare_file

FILES = Path(__file__).resolve().parent / "files"
TODAY = dt.date(2026, 11, 23)


@dataclass(frozen=True, slots=True)
class Scored:
    file: str
    format: str
    result: FieldResult


def labels(folder: Path = FILES) -> dict[Path, dict[str, Any]]:
    """Document path → its label, for every <name>.expected.json beside a document."""
    out: dict[Path, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.expected.json")):
        out[folder / path.name.removesuffix(".expected.json")] = json.loads(path.read_text(encoding="utf-8"))
    return out


def extract_by_file(paths: list[Path], today: dt.date = TODAY) -> dict[Path, list[dict[str, Any]]]:
    """One extract_files call over all paths (as `govperf extract a b c` does); objects per file."""
    printed = extract_files([str(p) for p in paths], today=today)
    by_file: dict[Path, list[dict[str, Any]]] = defaultdict(list)
    for o in printed:
        by_file[Path(o["file"])].append(o)
    return {p: by_file.get(p, []) for p in paths}


def score(labelled: dict[Path, dict[str, Any]], printed: dict[Path, list[dict[str, Any]]]) -> list[Scored]:
    out: list[Scored] = []
    for path, label in labelled.items():
        fmt = label.get("format") or path.suffix.lstrip(".")
        out.extend(Scored(path.name, fmt, r) for r in compare_file(label, printed.get(path, [])))
    return out


def accuracy(results: list[Scored]) -> float:
    return sum(s.result.ok for s in results) / len(results) if results else 1.0
