"""The checks on the extraction work's labelled corpus (tests/corpus): correct reports, so a
finding there is a false alarm unless the extractor misread a field the check reads (the
label says what the document states; tests/corpus/FINDINGS.md lists those misreadings).

A finding is "explained" when its report differs from its label on a field its check reads;
an unexplained finding is a false alarm of the checks themselves and fails the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from expectations.current import empty_current
from expectations.runner import check_records
from flows.contract.report import ReportRecord
from tests.corpus.compare import compare_file, matches
from tests.corpus.run import FILES, extract_by_file, labels

# label paths (compare.matches globs) each check reads
CHECK_READS: dict[str, tuple[str, ...]] = {
    "required_fields": (
        "error.kind",
        "reports#",
        "*kind",
        "*fiscal_year",
        "*department",
        "*region.*",
        "*budget*",
    ),
    "fiscal_year_range": ("error.kind", "reports#", "*fiscal_year", "*published_date"),
    "rate_matches_amounts": ("error.kind", "reports#", "*budget*"),
    "parts_sum_to_total": ("error.kind", "reports#", "*budget*"),
    "adjustment_consistent": ("error.kind", "reports#", "*budget*"),
    "executed_within_budget": ("error.kind", "reports#", "*budget*"),
    "score_range": ("error.kind", "reports#", "*score.total", "*indicators*"),
    "score_matches_indicators": ("error.kind", "reports#", "*score.total", "*indicators*", "*budget*"),
    "period_matches_fiscal_year": ("error.kind", "reports#", "*fiscal_year"),
    "publisher_matches_region": ("error.kind", "reports#", "*publisher", "*region.*", "*department"),
    "duplicate_report": ("error.kind", "reports#", "*kind", "*fiscal_year", "*department", "*region.*"),
}


def _misread(label: dict[str, Any], printed: list[dict[str, Any]], index: int) -> list[str]:
    """Label paths this file's report `index` got wrong (file-level ones count for every report)."""
    wrong = [r.path for r in compare_file(label, printed) if not r.ok]
    return [
        p.removeprefix(f"[{index}].") for p in wrong if not p.startswith("[") or p.startswith(f"[{index}].")
    ]


@pytest.fixture(scope="module")
def classified() -> dict[str, list]:
    labelled = labels(FILES)
    printed = extract_by_file(list(labelled))
    explained: list[tuple[str, str, list[str]]] = []
    unexplained: list[tuple[str, str, str]] = []
    reports = 0
    for path, objects in printed.items():
        for i, obj in enumerate(o for o in objects if "error" not in o):
            reports += 1
            wrong = _misread(labelled[path], objects, i)
            for issue in obj["dq"]["issues"]:
                why = [w for w in wrong if any(matches(w, g) for g in CHECK_READS[issue["check"]])]
                if why:
                    explained.append((f"{path.name}#{i}", issue["check"], why))
                else:
                    unexplained.append((path.name, issue["check"], issue["message"]))
    return {"reports": [reports], "explained": explained, "unexplained": unexplained, "files": list(printed)}


def test_no_finding_on_a_correctly_read_report(classified, capsys):
    with capsys.disabled():
        explained = classified["explained"]
        print(
            f"\nextraction corpus: {classified['reports'][0]} reports; false alarms "
            f"{len(classified['unexplained'])}; {len(explained)} findings on "
            f"{len({r for r, _, _ in explained})} reports, all from misread fields"
        )
    assert classified["unexplained"] == []


def test_extraction_errors_do_surface_as_findings(classified):
    """Misreadings that break a rule are caught: the checks guard the parser too."""
    checks = {c for _, c, _ in classified["explained"]}
    assert "required_fields" in checks


def test_a_rate_read_onto_the_wrong_line_is_caught():
    """The parser once put d09's 总体执行率 on its 其他资金 line; had it stayed, the check catches it."""
    [record] = _records(FILES / "d09_gulou_ninghailu_2022.pdf")
    budget = record.report.budget
    assert budget["total"].rate == 96.07 and budget["other"].rate is None  # read right today
    budget["other"].rate, budget["other"].rate_text = budget["total"].rate, budget["total"].rate_text
    budget["total"].rate = budget["total"].rate_text = None
    check_records([record], current=empty_current())
    assert ("rate_matches_amounts", "budget.other.rate") in {(f.check, f.field) for f in record.findings}


def test_no_duplicate_among_the_corpus_units(classified):
    records = []
    for path in classified["files"]:
        if path.suffix in (".json",):
            continue
        records.extend(_records(path))
    check_records(records, current=empty_current())
    assert [r.report.file for r in records if any(f.check == "duplicate_report" for f in r.findings)] == []


def _records(path: Path) -> list[ReportRecord]:
    import hashlib

    from flows.reports.extract import safe_reports_from_bytes

    data = path.read_bytes()
    reports, _ = safe_reports_from_bytes(data, name=path.name, sha256=hashlib.sha256(data).hexdigest())
    return [ReportRecord(r, "corpus", f"https://corpus.example.gov.cn/{path.name}") for r in reports]
