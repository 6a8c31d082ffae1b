"""The plain evaluator (expectations/plain.py) finds what GX finds: same check, field, message,
evidence and severity, in the same order, per report.

On every document the other tests read (the extraction corpus, the demo mirror, the seeds, the
dq corpus) and on deliberately broken copies of them, checked as one run against a warehouse
holding other versions of some of them (so duplicates meet); and, expectation by expectation,
on small frames that exercise what the suites do not use yet (mostly, strictness, row
conditions, NaN). A twin that answers differently fails here (test_a_wrong_twin_is_caught).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from expectations import plain
from expectations.derive import CURRENT_SCHEMA, incoming_frame
from expectations.plain import PlainRun, UnsupportedExpectation, unexpected_rows
from expectations.runner import SuiteRun, check_records, choose_engine
from expectations.suites import load_suite_dicts
from flows.contract.report import ReportRecord
from flows.documents.model import ExtractError
from flows.mirror.server import SITE_DIR
from flows.reports.extract import reports_from_bytes
from tests.mirror.build import DEFAULT_SEEDS

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 6, 30)


def _documents() -> list[Path]:
    corpus = sorted(p for p in (ROOT / "tests" / "corpus" / "files").iterdir() if ".expected" not in p.name)
    manifest = json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))
    mirror = [SITE_DIR / d["path"].lstrip("/") for d in manifest["documents"] if not d.get("scanned")]
    seeds = sorted(DEFAULT_SEEDS.glob("*.txt")) if DEFAULT_SEEDS.is_dir() else []
    dq = sorted((ROOT / "tests" / "dq_corpus" / "clean").iterdir()) + sorted(
        (ROOT / "tests" / "dq_corpus" / "broken").iterdir()
    )
    return corpus + mirror + seeds + dq


def _read(path: Path) -> list[ReportRecord]:
    data = path.read_bytes()
    try:
        reports = reports_from_bytes(
            data, name=path.name, sha256=hashlib.sha256(data).hexdigest(), today=TODAY
        )
    except ExtractError:
        return []  # the corpus holds unreadable files on purpose: they have no report to check
    return [
        ReportRecord(r, "parity", f"https://parity.example.gov.cn/{path.name}#{i}")
        for i, r in enumerate(reports)
    ]


def _broken(records: list[ReportRecord]) -> list[ReportRecord]:
    """Copies of correct reports, each with one kind of damage the checks are there for."""
    out = []

    def variant(rec: ReportRecord, tag: str, damage) -> None:
        new = copy.deepcopy(rec)
        new.source_url = f"{rec.source_url}?{tag}"
        damage(new.report)
        out.append(new)

    def scale(r, f=1.13):  # mutated numbers: every executed figure off by 13 %
        for line in r.budget.values():
            line.executed = None if line.executed is None else line.executed * f

    def rate(r):  # rates that disagree with their figures
        for line in r.budget.values():
            if line.rate is not None:
                line.rate += 4.5

    def future(r):
        r.fiscal_year = TODAY.year + 3

    def past(r):
        r.fiscal_year = 2003
        r.published_date = "2001-05-01"

    def blanks(r):
        r.department, r.kind, r.region.district = None, None, None

    def scores(r):
        r.score_total = 130.0 if r.score_total is None else r.score_total + 40
        for i in r.indicators:
            i.score = None if i.score is None else i.score + 50

    def nan(r):  # NaN is missing to pandas (GX's view) but a value to polars
        r.score_total = float("nan")
        for line in r.budget.values():
            line.rate = float("nan") if line.rate is not None else None

    def period(r):
        r.period_years = [*r.period_years, 1999]

    with_budget = [r for r in records if r.report.budget.get("total")]
    for n, rec in enumerate(with_budget[:40]):
        for tag, damage in (("scale", scale), ("rate", rate), ("future", future), ("past", past)):
            variant(rec, f"{tag}{n}", damage)
    for n, rec in enumerate(records[:25]):
        for tag, damage in (("blanks", blanks), ("scores", scores), ("nan", nan), ("period", period)):
            variant(rec, f"{tag}{n}", damage)
    for n, rec in enumerate(records[:10]):
        variant(rec, f"copy{n}", lambda r: None)  # identical content under a second URL: no duplicate
    return out


def _stored(records: list[ReportRecord]) -> pl.DataFrame:
    """A warehouse whose current rows are other versions (other totals) of some of the reports."""
    rows = []
    for rec in records[:30]:
        other = copy.deepcopy(rec)
        other.source_url = f"{rec.source_url}?stored"
        total = other.report.budget.get("total")
        if total is not None and total.executed is not None:
            total.executed += 12345.0
        other.report.score_total = (other.report.score_total or 0) + 1
        rows.append(other)
    return incoming_frame(rows).drop("report_idx").select(list(CURRENT_SCHEMA))


def _findings(records: list[ReportRecord]) -> list[list[tuple[Any, ...]]]:
    return [[(f.check, f.severity, f.field, f.message, f.evidence) for f in r.findings] for r in records]


@pytest.fixture(scope="module")
def run_records() -> list[ReportRecord]:
    records = [rec for path in _documents() for rec in _read(path)]
    assert len(records) > 80
    return records + _broken(records)


@pytest.fixture(scope="module")
def by_gx(run_records) -> tuple[pl.DataFrame, list[ReportRecord]]:
    stored = _stored(run_records)
    records = copy.deepcopy(run_records)
    check_records(records, TODAY, current=stored, engine="gx")
    return stored, records


def _by_plain(run_records, stored) -> list[ReportRecord]:
    records = copy.deepcopy(run_records)
    check_records(records, TODAY, current=stored, engine="plain")
    return records


def test_gx_and_plain_find_the_same_on_every_document_and_every_break(run_records, by_gx):
    stored, gx_records = by_gx
    plain_records = _by_plain(run_records, stored)
    gx, pl_ = _findings(gx_records), _findings(plain_records)
    differ = [
        (r.report.file, r.source_url, g, p) for r, g, p in zip(run_records, gx, pl_, strict=True) if g != p
    ]
    assert differ == []
    assert [r.report.dq for r in gx_records] == [r.report.dq for r in plain_records]
    # the comparison means something only if every check fired somewhere
    fired = {f[0] for found in gx for f in found}
    assert fired == {e["meta"]["check"] for s in load_suite_dicts().values() for e in s["expectations"]}


def test_the_corpus_comparison_catches_a_wrong_twin(run_records, by_gx, monkeypatch):
    """A uniqueness twin that keeps a value's first row (pandas' default, not GX's) misses the
    incoming half of every duplicate pair: the comparison above would fail."""

    def first_kept(values: list[Any], kw: dict[str, Any]) -> list[bool]:
        seen: set[Any] = set()
        out = []
        for v in values:
            out.append(v in seen)
            seen.add(v)
        return out

    monkeypatch.setitem(plain.EVALUATORS, "expect_column_values_to_be_unique", (set(), False, first_kept))
    stored, gx_records = by_gx
    assert _findings(_by_plain(run_records, stored)) != _findings(gx_records)


# ── expectation by expectation, beyond what the suites use today ───────────────────────────

FRAME = pl.DataFrame(
    {
        "row": [0, 1, 2, 3, 4, 5, 6, 7],
        "x": [1.0, 5.0, None, float("nan"), 10.0, 10.0, -3.0, 7.5],
        "flag": [True, False, None, True, False, True, None, True],
        "name": ["a", "b", "b", None, "c", "a", None, "d"],
        "group": [1, 1, 2, 2, None, 3, 3, 3],
    }
)


def _expectation(kind: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {"id": "score_range.score_total"}}


CASES = [
    _expectation("expect_column_values_to_not_be_null", column="x"),
    _expectation("expect_column_values_to_not_be_null", column="name", mostly=0.5),
    _expectation("expect_column_values_to_be_in_set", column="flag", value_set=[True]),
    _expectation("expect_column_values_to_be_in_set", column="name", value_set=["a", "c"], mostly=0.1),
    _expectation("expect_column_values_to_be_between", column="x", min_value=1, max_value=10),
    _expectation(
        "expect_column_values_to_be_between",
        column="x",
        min_value=1,
        max_value=10,
        strict_min=True,
        strict_max=True,
    ),
    _expectation("expect_column_values_to_be_between", column="x", max_value={"$PARAMETER": "max_year"}),
    _expectation("expect_column_values_to_be_between", column="group", min_value=2),
    _expectation("expect_column_values_to_be_unique", column="name"),
    _expectation("expect_column_values_to_be_unique", column="x"),
    _expectation(
        "expect_column_values_to_be_unique",
        column="name",
        row_condition={"type": "comparison", "column": {"name": "group"}, "operator": "!=", "parameter": 2},
        condition_parser="great_expectations",
    ),
    _expectation(
        "expect_column_values_to_be_in_set",
        column="flag",
        value_set=[True],
        row_condition={"type": "comparison", "column": {"name": "group"}, "operator": "!=", "parameter": 1},
        condition_parser="great_expectations",
    ),
    _expectation(
        "expect_column_values_to_not_be_null",
        column="name",
        row_condition={
            "type": "or",
            "conditions": [
                {"type": "nullity", "column": {"name": "group"}, "is_null": True},
                {"type": "comparison", "column": {"name": "group"}, "operator": "IN", "parameter": [3]},
            ],
        },
        condition_parser="great_expectations",
    ),
    _expectation(
        "expect_column_values_to_be_between",
        column="x",
        min_value=6,
        row_condition={
            "type": "and",
            "conditions": [
                {"type": "comparison", "column": {"name": "name"}, "operator": "NOT_IN", "parameter": ["a"]},
                {"type": "nullity", "column": {"name": "flag"}, "is_null": False},
            ],
        },
        condition_parser="great_expectations",
    ),
    _expectation(
        "expect_column_values_to_not_be_null",
        column="x",
        row_condition={
            "type": "comparison",
            "column": {"name": "name"},
            "operator": "NOT_IN",
            "parameter": ["a"],
        },
        condition_parser="great_expectations",
    ),
]


def _one_suite(expectation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"reports": {"name": "reports", "expectations": [expectation]}}


def _rows(run, expectation: dict[str, Any], frame: pl.DataFrame) -> list[int]:
    from expectations import runner

    # the tiny frame is keyed by its `row` column, as warehouse_reports is
    keys = runner._KEYS["reports"]
    runner._KEYS["reports"] = ["row"]
    try:
        found = run.validate("reports", frame)
    finally:
        runner._KEYS["reports"] = keys
    return [r["row"] for _, rows in found for r in rows]


@pytest.fixture(scope="module")
def gx_answers() -> list[list[int]]:
    return [_rows(SuiteRun(max_year=6, suites=_one_suite(e)), e, FRAME) for e in CASES]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_each_twin_answers_as_gx_does(case, gx_answers):
    e = CASES[case]
    assert _rows(PlainRun(max_year=6, suites=_one_suite(e)), e, FRAME) == gx_answers[case]


def test_the_cases_are_not_all_trivial(gx_answers):
    assert all(gx_answers)
    assert any(len(rows) >= 2 for rows in gx_answers)


def test_a_wrong_twin_is_caught(gx_answers, monkeypatch):
    """A twin that forgets GX skips nulls in a set check answers differently, and the comparison says so."""
    own, _, _ = plain.EVALUATORS["expect_column_values_to_be_in_set"]
    monkeypatch.setitem(
        plain.EVALUATORS,
        "expect_column_values_to_be_in_set",
        (own, True, lambda values, kw: [v not in kw["value_set"] for v in values]),
    )
    wrong = [_rows(PlainRun(max_year=6, suites=_one_suite(e)), e, FRAME) for e in CASES]
    assert wrong != gx_answers


def test_an_unknown_expectation_type_is_refused_by_name():
    with pytest.raises(UnsupportedExpectation, match="expect_column_values_to_match_regex"):
        unexpected_rows(
            _expectation("expect_column_values_to_match_regex", column="name", regex="a"),
            FRAME.to_dicts(),
            {},
        )


@pytest.mark.parametrize(
    "expectation",
    [
        _expectation(
            "expect_column_values_to_be_in_set",
            column="name",
            value_set=["a"],
            parse_strings_as_datetimes=True,
        ),
        _expectation(
            "expect_column_values_to_be_in_set",
            column="name",
            value_set=["a"],
            row_condition="group > 2",
            condition_parser="pandas",
        ),
        _expectation("expect_column_values_to_be_between", column="x", max_value={"$PARAMETER": "nope"}),
    ],
)
def test_what_the_twins_cannot_do_is_refused(expectation):
    with pytest.raises(UnsupportedExpectation):
        unexpected_rows(expectation, FRAME.to_dicts(), {"max_year": 2026})


def test_every_expectation_the_suites_use_has_a_twin():
    used = {e["type"] for s in load_suite_dicts().values() for e in s["expectations"]}
    assert used <= set(plain.EVALUATORS)


def test_the_engine_rule():
    assert choose_engine(1) == "plain"
    assert choose_engine(3, docs_dir=Path("docs")) == "gx"
    assert choose_engine(100_000) == "gx"
    assert choose_engine(100_000, docs_dir=Path("docs"), unchanged=True) == "plain"


def test_plain_builds_no_data_docs(tmp_path, run_records):
    records = copy.deepcopy(run_records[:3])
    assert check_records(records, TODAY, docs_dir=tmp_path / "docs", engine="plain") is None
    assert not (tmp_path / "docs").exists()


def test_a_night_with_nothing_new_validates_without_gx(run_records):
    from expectations.run_checks import all_unchanged, run_engine

    records = copy.deepcopy(run_records[:5])
    stored = incoming_frame(records).drop("report_idx").select(list(CURRENT_SCHEMA))
    assert all_unchanged(records, stored)
    assert run_engine(records, stored, Path("docs")) == "plain"
    records[2].report.score_total = (records[2].report.score_total or 0) + 7  # a revised report
    assert not all_unchanged(records, stored)
    assert run_engine(records, stored, Path("docs")) == "gx"
    assert not all_unchanged(records, None)  # the warehouse could not be read: nothing is known


def test_check_run_on_a_night_with_nothing_new(seed_home, seeds_dir, tmp_path):
    """engine="auto" on the seeds' warehouse, fed the same seeds again: findings as GX gives
    them, and no Data Docs (the last run's stay)."""
    import sys

    from expectations.run_checks import check_run
    from flows.reports.extract import Extracted
    from tests.seed_warehouse import TODAY as SEED_DAY
    from tests.seed_warehouse import seed_records

    db = seed_home / "warehouse.duckdb"
    by_gx, by_plain = seed_records(seeds_dir), seed_records(seeds_dir)
    check_run([], Extracted(records=by_gx), db, tmp_path / "gx-docs", "gx-run", SEED_DAY, engine="gx")
    gx_loaded = "great_expectations" in sys.modules
    check_run([], Extracted(records=by_plain), db, tmp_path / "docs", "plain-run", SEED_DAY, engine="auto")
    assert gx_loaded and (tmp_path / "gx-docs" / "index.html").is_file()
    assert not (tmp_path / "docs").exists()
    assert _findings(by_plain) == _findings(by_gx) and any(_findings(by_gx))
