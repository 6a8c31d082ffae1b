"""The corpus of deliberately broken reports, and the clean one: every break caught by exactly
its check, no false alarm on a correct report.

Each file is read and parsed as the pipeline does, given a URL as a crawled document would
have one, and the whole corpus is checked as one run (so the duplicate pair meets).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from pathlib import Path

import pytest

from expectations.current import empty_current
from expectations.runner import check_records
from flows.contract.report import ReportRecord
from flows.reports.extract import reports_from_bytes

CORPUS = Path(__file__).parent / "dq_corpus"
TODAY = dt.date(2026, 6, 30)  # fixed, so "2031 is in the future" stays true and nothing else moves
EXPECTED: dict[str, dict[str, str]] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))[
    "broken"
]
CLEAN = sorted((CORPUS / "clean").iterdir())
BROKEN = sorted((CORPUS / "broken").iterdir())


def corpus_record(path: Path, url: str | None = None) -> ReportRecord:
    data = path.read_bytes()
    reports = reports_from_bytes(data, name=path.name, sha256=hashlib.sha256(data).hexdigest(), today=TODAY)
    assert len(reports) == 1, f"{path.name}: {len(reports)} reports"
    return ReportRecord(reports[0], "corpus", url or f"https://corpus.example.gov.cn/{path.name}")


@pytest.fixture(scope="module")
def checked() -> dict[str, ReportRecord]:
    paths = CLEAN + BROKEN
    records = [corpus_record(p) for p in paths]
    check_records(records, TODAY, current=empty_current())
    return {p.name: r for p, r in zip(paths, records, strict=True)}


def confusion(checked: dict[str, ReportRecord]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(false positives, false negatives) as (file, check:field) pairs."""
    fp, fn = [], []
    for name, rec in checked.items():
        want = {f"{EXPECTED[name]['check']}:{EXPECTED[name]['field']}"} if name in EXPECTED else set()
        got = {f"{f.check}:{f.field}" for f in rec.findings}
        fp += [(name, x) for x in sorted(got - want)]
        fn += [(name, x) for x in sorted(want - got)]
    return fp, fn


def test_the_manifest_names_every_broken_report_and_only_those():
    assert sorted(EXPECTED) == [p.name for p in BROKEN]
    assert len(CLEAN) >= 10


def test_every_contract_check_is_exercised_by_the_corpus():
    from expectations.suites import RULES

    assert {e["check"] for e in EXPECTED.values()} == set(RULES)


def test_every_broken_report_is_caught_by_exactly_its_check(checked):
    fp, fn = confusion(checked)
    broken_fp = [x for x in fp if x[0] in EXPECTED]
    assert fn == [], f"missed: {fn}"
    assert broken_fp == [], f"raised besides the intended check: {broken_fp}"
    for name in EXPECTED:
        rec = checked[name]
        expected_status = "fail" if rec.findings[0].severity == "error" else "warn"
        assert rec.report.dq["status"] == expected_status == rec.dq_status


def test_the_clean_corpus_raises_no_false_alarm(checked):
    noisy = {p.name: [(f.check, f.field, f.message) for f in checked[p.name].findings] for p in CLEAN}
    assert {k: v for k, v in noisy.items() if v} == {}
    assert all(checked[p.name].report.dq == {"status": "pass", "issues": []} for p in CLEAN)


def test_false_positive_and_false_negative_counts(checked, capsys):
    fp, fn = confusion(checked)
    with capsys.disabled():
        print(
            f"\ndq corpus: {len(CLEAN)} clean + {len(BROKEN)} broken reports; "
            f"false positives {len(fp)}, false negatives {len(fn)}"
        )
    assert (len(fp), len(fn)) == (0, 0)


def test_findings_quote_the_numbers_and_the_sentence(checked):
    rate = checked["b02_rate_wrong.html"].findings[0]
    assert "95.12" in rate.message and "90.00" in rate.message
    assert rate.evidence and "95.12%" in rate.evidence
    over = checked["b05_indicator_over_weight.html"].findings[0]
    assert "居民满意度" in over.message and "12" in over.message
    assert over.evidence and "居民满意度" in over.evidence
    dup = checked["b13_duplicate_second.html"].findings[0]
    assert "b12_duplicate_first.txt" in dup.message and "this run" in dup.message
    assert "1739" in dup.message and "1764" in dup.message  # total executed, 万元 in yuan


def test_each_check_alone_on_a_broken_report_leaves_the_others_passing(checked):
    """A broken report's other checks ran and passed: its report is otherwise sound."""
    for name, spec in EXPECTED.items():
        assert [f.check for f in checked[name].findings] == [spec["check"]], name
