"""The warehouse: frames, merge and versions, quarantine, marts, copy-and-swap under readers, 1.x files."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dbt_like_sql.load import load_run
from dbt_like_sql.project import DEFAULT_MODELS_DIR, ModelTestError
from dbt_like_sql.publish import MARTS, export_parquet
from flows.contract import keys as identity
from flows.contract.report import BudgetLine, Finding, Indicator, Region, Report, ReportRecord
from warehouse import db, keys, schema
from warehouse.frames import documents_frame, fetch_log_frame, records_to_frames, runs_frame
from warehouse.measures import parse_measure

T1 = datetime(2024, 5, 1, 2, 0)
T2 = datetime(2024, 5, 2, 2, 0)
T3 = datetime(2024, 5, 3, 2, 0)


def make_report(
    department: str = "地区工作办公室",
    year: int = 2023,
    *,
    district: str = "闵行区",
    adjusted: float | None = 1_000_000.0,
    executed: float | None = 900_000.0,
    rate: float | None = 90.0,
    indicators: list[Indicator] | None = None,
    file: str = "report.pdf",
    fmt: str = "pdf",
    kind: str = "department_overall",
    consolidated: bool = False,
    department_full: str | None = None,
) -> Report:
    province = city = "上海市"
    return Report(
        file=file,
        sha256=hashlib.sha256(f"{file}{department}{year}{executed}".encode()).hexdigest(),
        format=fmt,
        kind=kind,  # type: ignore[arg-type]
        title="部门整体支出预算绩效自评报告",
        fiscal_year=year,
        region=Region(province, city, district, None),
        department=department,
        department_full=department_full or f"{province}{district}{department}",
        consolidated=consolidated,
        budget_unit="元",
        budget={
            "total": BudgetLine(adjusted=adjusted, executed=executed, rate=rate),
            "basic": BudgetLine(adjusted=(adjusted or 0) * 0.4, executed=(executed or 0) * 0.4, rate=rate),
            "project": BudgetLine(adjusted=(adjusted or 0) * 0.6, executed=(executed or 0) * 0.6, rate=rate),
        },
        indicators=indicators
        if indicators is not None
        else [Indicator("产出指标", "数量指标", "课程材料数", 2.0, "=9000份", "9000份", 2.0)],
        evidence={"budget.total.executed": f"预算执行金额为{executed}元"},
    )


def make_record(
    report: Report,
    *,
    findings: list[Finding] | None = None,
    fetched_at: str = "2024-05-01T01:00:00Z",
    source: str = "minhang",
) -> ReportRecord:
    return ReportRecord(
        report,
        source=source,
        source_url=f"https://example.gov.cn/{report.department}/{report.fiscal_year}/{report.file}",
        page_url=f"https://example.gov.cn/{report.department}/{report.fiscal_year}.htm",
        fetched_at=fetched_at,
        findings=findings or [],
    )


RATE_ERROR = Finding(
    "rate_matches_amounts", "error", "budget.total.rate", "stated 95% but 90.00%", "执行率为95%"
)


def load(db_path: Path, records: list[ReportRecord], run_id: str, at: datetime = T1, **extra) -> object:
    frames = records_to_frames(records, run_id, at, aliases={})
    frames.update(extra)
    return load_run(db_path, frames, run_id)


def query(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_digest(db_path: Path) -> dict[str, list[tuple]]:
    """Every core/raw table's rows, sorted: equal digests mean no row changed."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {
            t.qualified: sorted(map(repr, con.execute(f"SELECT * FROM {t.qualified}").fetchall()))
            for t in schema.TABLES
        }
    finally:
        con.close()


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


# ---------------------------------------------------------------- identities


def test_department_key_unifies_prefix_and_consolidated_suffix() -> None:
    region = ("上海市", "上海市", "闵行区")
    a = identity.normalise_department("上海市闵行区地区工作办公室（汇总）", region)
    b = identity.normalise_department("地区工作办公室", region)
    c = identity.normalise_department("地区工作 办公室(汇总)", region)
    assert a == b == c == "地区工作办公室"  # and the 地区 of the name survives
    assert (
        identity.normalise_department("南昌市东湖区公园街道办事处", ("江西省", "南昌市", "东湖区"))
        == "公园街道办事处"
    )
    scope = identity.department_scope(*region)
    assert keys.department_key(scope, a, {}) == "闵行区/地区工作办公室"
    # the same name in two districts is two departments
    assert keys.department_key("东湖区", a, {}) != keys.department_key(scope, a, {})
    assert (
        keys.department_key(scope, "社会建设办公室", {("闵行区", "社会建设办公室"): a})
        == "闵行区/地区工作办公室"
    )


def test_alias_file_chains_and_bad_rows(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text(
        "district,alias,canonical\n闵行区,甲办公室,乙办公室\n闵行区,乙办公室,丙办公室（汇总）\n",
        encoding="utf-8",
    )
    m = keys.alias_map(keys.read_aliases(p))
    assert m[("闵行区", "甲办公室")] == "丙办公室" and m[("闵行区", "乙办公室")] == "丙办公室"
    p.write_text("district,alias,canonical\n闵行区,,乙\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"a\.csv:2"):
        keys.read_aliases(p)


def test_same_report_from_pdf_and_docx_has_one_id() -> None:
    pdf = make_report(file="a.pdf", fmt="pdf")
    docx = replace(
        make_report(file="a.docx", fmt="docx"), evidence={"budget.total.executed": "other sentence"}
    )
    assert pdf.sha256 != docx.sha256
    assert identity.content_hash(pdf) == identity.content_hash(docx)
    assert identity.report_key(pdf) == identity.report_key(docx)
    revised = make_report(executed=950_000.0)
    assert identity.report_key(revised) == identity.report_key(pdf)
    assert identity.content_hash(revised) != identity.content_hash(pdf)
    # a unit's consolidated report and its own report for the same year are two reports
    assert identity.report_key(make_report(consolidated=True)) != identity.report_key(pdf)
    frames = records_to_frames([make_record(pdf), make_record(docx)], "r1", T1, aliases={})
    assert frames["core.reports"].height == 1
    assert frames["core.budget_lines"].height == 3


@pytest.mark.parametrize(
    ("text", "op", "value", "unit"),
    [
        (">=95%", ">=", 95.0, "%"),
        ("≥1场", ">=", 1.0, "场"),
        ("≧ 3 个", ">=", 3.0, "个"),
        ("=9000份", "=", 9000.0, "份"),
        ("<=5%", "<=", 5.0, "%"),
        ("≤10次", "<=", 10.0, "次"),
        ("≦2本", "<=", 2.0, "本"),
        ("不低于90%", ">=", 90.0, "%"),
        ("不少于1,200人次", ">=", 1200.0, "人次"),
        ("不超过5万元", "<=", 5.0, "万元"),
        ("不高于3%", "<=", 3.0, "%"),
        ("95%以上", ">=", 95.0, "%"),
        ("10天以内", "<=", 10.0, "天"),
        ("＞＝３个", ">=", 3.0, "个"),
        ("100%", None, 100.0, "%"),
        ("0", None, 0.0, None),
        ("有效提升", None, None, None),
        ("按计划完成全年工作任务", None, None, None),
        (None, None, None, None),
    ],
)
def test_parse_measure(text: str | None, op: str | None, value: float | None, unit: str | None) -> None:
    m = parse_measure(text)
    assert (m.op, m.value, m.unit) == (op, value, unit)


# ---------------------------------------------------------------- merge semantics


def test_reload_of_same_input_changes_no_row(wh: Path) -> None:
    records = [
        make_record(make_report("地区工作办公室")),
        make_record(make_report("财政局"), findings=[RATE_ERROR]),
    ]
    docs = documents_frame(
        [
            {
                "sha256": "ab",
                "source": "minhang",
                "url": "https://x/a.pdf",
                "status": "parsed",
                "fetched_at": "2024-05-01T01:00:00Z",
            }
        ]
    )
    log = fetch_log_frame(
        [
            {
                "url": "https://x/a.pdf",
                "status": 200,
                "sha256": "ab",
                "bytes": 10,
                "fetched_at": "2024-05-01T01:00:00+00:00",
                "source": "minhang",
            }
        ]
    )
    runs = runs_frame(
        [
            {
                "run_id": "r1",
                "source": "minhang",
                "started": "2024-05-01T01:00:00Z",
                "finished": "2024-05-01T01:05:00Z",
                "requests": 5,
            }
        ]
    )
    extra = {"raw.documents": docs, "raw.fetch_log": log, "core.runs": runs}
    first = load(wh, records, "r1", **extra)
    assert first.reports_new == 2 and first.inserted > 0
    before = table_digest(wh)
    again = load(wh, records, "r1", **extra)
    assert table_digest(wh) == before
    assert again.inserted == again.updated == again.deleted == 0
    assert again.reports_new == 0 and again.reports_unchanged == 2
    # the run's row still says what the run did, not what the repeat did
    assert query(
        wh, "SELECT reports_new, reports_unchanged, reports_quarantined, requests FROM core.runs"
    ) == [(2, 0, 1, 5)]
    # a later run with the same documents changes nothing but adds its own run row
    later = load(wh, records, "r2", T2)
    digest = table_digest(wh)
    assert {k: v for k, v in digest.items() if k != "core.runs"} == {
        k: v for k, v in before.items() if k != "core.runs"
    }
    assert later.reports_unchanged == 2 and later.reports_quarantined == 1
    assert query(wh, "SELECT reports_new, reports_unchanged FROM marts.run_history WHERE run_id = 'r2'") == [
        (0, 2)
    ]


def test_revised_report_supersedes_and_stays_queryable(wh: Path) -> None:
    load(wh, [make_record(make_report(executed=900_000.0, rate=90.0))], "r1", T1)
    stats = load(
        wh,
        [make_record(make_report(executed=950_000.0, rate=95.0), fetched_at="2024-05-02T01:00:00Z")],
        "r2",
        T2,
    )
    assert stats.reports_changed == 1 and stats.reports_new == 0
    rows = query(wh, "SELECT version, is_current, superseded_at FROM marts.report_catalog ORDER BY version")
    assert rows == [(1, False, T2), (2, True, None)]
    assert query(wh, "SELECT executed FROM marts.budget_execution WHERE line = 'total'") == [(950_000.0,)]
    # the old version's lines are still there for whoever asks for them
    assert query(wh, "SELECT count(*) FROM core.budget_lines") == [(6,)]


def test_two_versions_in_one_run_are_numbered_by_fetch_time(wh: Path) -> None:
    old = make_record(make_report(executed=800_000.0, rate=80.0), fetched_at="2024-05-01T01:00:00Z")
    new = make_record(make_report(executed=850_000.0, rate=85.0), fetched_at="2024-05-01T03:00:00Z")
    load(wh, [new, old], "r1")
    assert query(
        wh,
        "SELECT version, is_current, (SELECT executed FROM core.budget_lines b WHERE b.report_id = r.report_id AND line = 'total') FROM core.reports r ORDER BY version",
    ) == [
        (1, False, 800_000.0),
        (2, True, 850_000.0),
    ]


def test_quarantined_report_only_in_dq_views(wh: Path) -> None:
    good = make_record(make_report("财政局", adjusted=100.0, executed=50.0, rate=50.0))
    bad = make_record(
        make_report("地区工作办公室", adjusted=300.0, executed=270.0, rate=95.0), findings=[RATE_ERROR]
    )
    load(wh, [good, bad], "r1")
    bad_id = query(wh, "SELECT report_id FROM core.reports WHERE dq_status = 'fail'")[0][0]
    assert query(wh, "SELECT count(*) FROM marts.budget_execution WHERE report_id = ?", [bad_id]) == [(0,)]
    assert query(wh, "SELECT count(*) FROM marts.indicator_results WHERE report_id = ?", [bad_id]) == [(0,)]
    assert query(
        wh,
        "SELECT reports, adjusted_total, executed_total, quarantined_reports FROM marts.district_year_summary",
    ) == [(1, 100.0, 50.0, 1)]
    assert query(
        wh, "SELECT dq_status, is_current FROM marts.report_catalog WHERE report_id = ?", [bad_id]
    ) == [("fail", True)]
    issue = query(
        wh, 'SELECT "check", severity, field, message, evidence, department, source_url FROM marts.dq_issues'
    )
    assert issue == [
        (
            "rate_matches_amounts",
            "error",
            "budget.total.rate",
            RATE_ERROR.message,
            RATE_ERROR.evidence,
            "地区工作办公室",
            bad.source_url,
        )
    ]
    assert query(wh, "SELECT report_id, error_count, error_summary FROM marts.quarantine") == [
        (bad_id, 1, f"rate_matches_amounts: {RATE_ERROR.message}")
    ]


def test_findings_keep_first_detection_and_follow_the_checks(wh: Path) -> None:
    report = make_report()
    warn = Finding("executed_within_budget", "warning", "budget.total.executed", "executed > adjusted")
    load(wh, [make_record(report, findings=[warn])], "r1", T1)
    reworded = replace(warn, message="executed 10 > adjusted 9")
    other = Finding("period_matches_fiscal_year", "warning", "period", "截至2022年")
    stats = load(wh, [make_record(report, findings=[reworded, other])], "r2", T2)
    assert stats.tables["core.dq_findings"].updated == 1 and stats.tables["core.dq_findings"].inserted == 1
    rows = query(wh, 'SELECT "check", message, detected_at, run_id FROM core.dq_findings ORDER BY "check"')
    assert rows == [
        ("executed_within_budget", reworded.message, T1, "r1"),
        ("period_matches_fiscal_year", other.message, T2, "r2"),
    ]
    # a newer check finds an error in an unchanged report: its verdict changes, no new version
    stats = load(wh, [make_record(report, findings=[RATE_ERROR])], "r3", T3)
    assert stats.tables["core.dq_findings"].deleted == 2
    assert query(wh, "SELECT version, dq_status FROM core.reports") == [(1, "fail")]
    assert query(wh, "SELECT count(*) FROM marts.budget_execution") == [(0,)]


def test_documents_fetch_log_and_runs_merge_by_key(wh: Path) -> None:
    doc = {
        "sha256": "ab",
        "source": "minhang",
        "url": "https://x/a.pdf",
        "status": "rejected",
        "error_kind": "corrupt",
        "fetched_at": "2024-05-01T01:00:00Z",
    }
    entry = {
        "url": "https://x/a.pdf",
        "status": 200,
        "etag": '"e1"',
        "sha256": "ab",
        "bytes": 10,
        "content_type": "application/pdf",
        "elapsed_ms": 12.5,
        "fetched_at": "2024-05-01T01:00:00Z",
        "source": "minhang",
        "error": None,
    }
    run = {"run_id": "r1", "source": "minhang", "started": "2024-05-01T01:00:00Z", "requests": 1}
    frames = {
        "raw.documents": documents_frame([doc]),
        "raw.fetch_log": fetch_log_frame([entry, entry]),
        "core.runs": runs_frame([run]),
    }
    s1 = load_run(wh, frames, "r1")
    assert (
        s1.tables["raw.documents"].inserted,
        s1.tables["raw.fetch_log"].inserted,
        s1.tables["core.runs"].inserted,
    ) == (1, 1, 1)
    frames = {
        "documents": documents_frame([{**doc, "status": "parsed", "error_kind": None, "reports": 1}]),
        "fetch_log": fetch_log_frame([entry, {**entry, "status": 304, "fetched_at": "2024-05-02T01:00:00Z"}]),
        "runs": runs_frame([{**run, "finished": "2024-05-01T01:10:00Z", "requests": 2}]),
    }
    s2 = load_run(wh, frames, "r1")
    assert (
        s2.tables["raw.documents"].updated,
        s2.tables["raw.fetch_log"].inserted,
        s2.tables["core.runs"].updated,
    ) == (1, 1, 1)
    assert query(wh, "SELECT status, error_kind, reports FROM raw.documents") == [("parsed", None, 1)]
    assert query(wh, "SELECT status FROM raw.fetch_log ORDER BY fetched_at") == [(200,), (304,)]
    assert query(wh, "SELECT requests, duration_s FROM marts.run_history") == [(2, 600.0)]
    with pytest.raises(ValueError, match="no table"):
        load_run(wh, {"core.nope": pl.DataFrame()}, "r1")


# ---------------------------------------------------------------- marts


def test_execution_rate_is_ratio_of_sums_and_ranks(wh: Path) -> None:
    load(
        wh,
        [
            make_record(make_report("财政局", adjusted=100.0, executed=50.0, rate=50.0)),
            make_record(make_report("教育局", adjusted=300.0, executed=290.0, rate=96.67)),
            make_record(
                make_report("公园街道办事处", district="东湖区", adjusted=200.0, executed=190.0, rate=95.0)
            ),
        ],
        "r1",
    )
    rows = query(
        wh,
        "SELECT district, reports, departments, adjusted_total, executed_total, execution_rate, median_rate, min_rate, max_rate FROM marts.district_year_summary ORDER BY district",
    )
    east, minhang = rows
    assert minhang[:5] == ("闵行区", 2, 2, 400.0, 340.0)
    assert minhang[5] == pytest.approx(85.0)  # not (50 + 96.67) / 2
    assert minhang[6] == pytest.approx((50.0 + 290 / 3) / 2) and minhang[7] == pytest.approx(50.0)
    assert east[5] == pytest.approx(95.0)
    assert query(
        wh,
        "SELECT district, execution_rank, districts_ranked FROM marts.district_rank ORDER BY execution_rank",
    ) == [("东湖区", 1, 2), ("闵行区", 2, 2)]


def test_budget_execution_rates(wh: Path) -> None:
    report = make_report(adjusted=None, executed=900.0, rate=91.0)
    report.budget["total"] = BudgetLine(initial=1000.0, adjusted=None, executed=900.0, rate=91.0)
    report.budget["fiscal"] = BudgetLine(adjusted=0.0, executed=0.0, rate=0.0)
    load(wh, [make_record(report)], "r1")
    rows = dict(
        (r[0], r[1:])
        for r in query(wh, "SELECT line, rate_stated, rate_computed, rate_gap_pp FROM marts.budget_execution")
    )
    assert rows["total"][1] == pytest.approx(90.0) and rows["total"][2] == pytest.approx(
        1.0
    )  # /initial without adjusted
    assert rows["fiscal"][1:] == (None, None)  # 0 budget: no rate rather than inf


def test_department_trend_unifies_spellings_and_computes_yoy(wh: Path) -> None:
    y2021 = make_report(
        "地区工作办公室（汇总）",
        2021,
        adjusted=100.0,
        executed=80.0,
        rate=80.0,
        consolidated=True,
        department_full="上海市闵行区地区工作办公室（汇总）",
    )
    y2023 = make_report("地区工作办公室", 2023, adjusted=150.0, executed=135.0, rate=90.0)
    load(wh, [make_record(y2021), make_record(y2023)], "r1")
    rows = query(
        wh,
        "SELECT department_key, fiscal_year, adjusted, executed, rate, adjusted_yoy_pct, executed_yoy_pct, rate_change_pp, previous_fiscal_year FROM marts.department_trend ORDER BY fiscal_year",
    )
    assert [r[0] for r in rows] == ["闵行区/地区工作办公室"] * 2
    assert rows[0][5:] == (None, None, None, None)
    _, year, adjusted, executed, rate, adj_yoy, exe_yoy, rate_pp, prev = rows[1]
    assert (year, adjusted, executed, prev) == (2023, 150.0, 135.0, 2021)
    assert rate == pytest.approx(90.0) and rate_pp == pytest.approx(10.0)  # 135/150 against 80/100
    assert adj_yoy == pytest.approx(50.0) and exe_yoy == pytest.approx(68.75)


def test_consolidated_and_own_report_of_a_year_counted_once(wh: Path) -> None:
    own = make_report("地区工作办公室", 2023, adjusted=100.0, executed=90.0)
    both = make_report("地区工作办公室", 2023, adjusted=160.0, executed=150.0, consolidated=True)
    load(wh, [make_record(own), make_record(both)], "r1")
    assert query(wh, "SELECT count(*) FROM core.reports WHERE is_current") == [
        (2,)
    ]  # two reports, not two versions
    assert query(wh, "SELECT adjusted, executed FROM marts.department_trend") == [(160.0, 150.0)]
    assert query(wh, "SELECT reports, adjusted_total FROM marts.district_year_summary") == [(2, 160.0)]


def test_indicator_met_examples(wh: Path) -> None:
    cases = [
        (">=95%", "96%", True),
        ("=9000份", "9000份", True),
        (">=14次", "4次", False),
        ("<=5%", "3%", True),
        ("有效提升", "有效提升", None),
        ("≥1场", "0", False),
        ("不低于90%", "89.5%", False),
        ("=700人", "1600人次", None),  # different units: not comparable
        ("100%", "100%", True),
        (">=85%", ">=85%", True),
        ("11月", "10月", True),  # a bare time is a deadline
        ("4季度", "4季度", True),
        ("2季度", "3季度", False),
        ("2季度", "未开展", None),
    ]
    indicators = [
        Indicator("产出指标", "数量指标", f"i{n}", 4.0, t, a, 3.0) for n, (t, a, _) in enumerate(cases)
    ]
    load(wh, [make_record(make_report(indicators=indicators))], "r1")
    got = dict(query(wh, "SELECT name, met FROM marts.indicator_results"))
    assert got == {f"i{n}": want for n, (_, _, want) in enumerate(cases)}
    assert query(wh, "SELECT DISTINCT score_ratio FROM marts.indicator_results") == [(0.75,)]


def test_alias_file_merges_renamed_unit_and_rebuild_applies_edits(tmp_path: Path, wh: Path) -> None:
    import shutil

    from dbt_like_sql.build import run_models

    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    old = make_report("社会建设办公室", 2022, adjusted=100.0, executed=90.0)
    new = make_report("地区工作办公室", 2023, adjusted=110.0, executed=99.0)
    load_run(
        wh,
        records_to_frames([make_record(old), make_record(new)], "r1", T1, aliases={}),
        "r1",
        models_dir=models,
    )
    assert len(query(wh, "SELECT DISTINCT department_key FROM marts.department_trend")) == 2
    (models / "seeds" / "department_aliases.csv").write_text(
        "district,alias,canonical\n闵行区,社会建设办公室,地区工作办公室\n", encoding="utf-8"
    )
    run_models(wh, models)
    assert query(wh, "SELECT DISTINCT department_key FROM marts.department_trend") == [
        ("闵行区/地区工作办公室",)
    ]
    assert query(wh, "SELECT alias, canonical FROM core.department_aliases") == [
        ("社会建设办公室", "地区工作办公室")
    ]
    # frames computed with the same aliases agree with what the build derived
    frames = records_to_frames(
        [make_record(old)],
        "r2",
        T2,
        aliases=keys.alias_map(keys.read_aliases(models / "seeds" / "department_aliases.csv")),
    )
    assert frames["core.reports"]["department_key"].to_list() == ["闵行区/地区工作办公室"]


# ---------------------------------------------------------------- atomicity and readers


def _file_digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_failure_mid_load_leaves_previous_warehouse(wh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load(wh, [make_record(make_report())], "r1")
    before = _file_digest(wh)

    def boom(*a, **k):
        raise RuntimeError("crash after merge")

    monkeypatch.setattr("dbt_like_sql.load.build", boom)
    with pytest.raises(RuntimeError, match="crash after merge"):
        load(wh, [make_record(make_report("财政局"))], "r2")
    assert _file_digest(wh) == before
    assert not list(wh.parent.glob("*.building*"))
    assert query(wh, "SELECT count(*) FROM core.reports") == [(1,)]


def test_failing_sql_test_aborts_the_swap(wh: Path, tmp_path: Path) -> None:
    import shutil

    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    load_run(
        wh, records_to_frames([make_record(make_report())], "r1", T1, aliases={}), "r1", models_dir=models
    )
    before = _file_digest(wh)
    (models / "tests" / "no_finance_bureau.sql").write_text(
        "SELECT * FROM core.reports WHERE department = '财政局'"
    )
    with pytest.raises(ModelTestError, match="no_finance_bureau"):
        load_run(
            wh,
            records_to_frames([make_record(make_report("财政局"))], "r2", T2, aliases={}),
            "r2",
            models_dir=models,
        )
    assert _file_digest(wh) == before


def test_second_builder_waits_for_the_lock(wh: Path) -> None:
    load(wh, [make_record(make_report())], "r1")
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with db.build_lock(wh):
            held.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    try:
        with pytest.raises(db.WarehouseBusyError, match="another run"):
            load_run(
                wh,
                records_to_frames([make_record(make_report())], "r2", T2, aliases={}),
                "r2",
                lock_timeout=0.3,
            )
    finally:
        release.set()
        t.join()


_HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "SELECT (SELECT count(*) FROM core.reports), (SELECT count(*) FROM marts.budget_execution)"
    print(list(con.execute(q).fetchall()[0]), flush=True)
    sys.stdin.readline()
    print(list(con.execute(q).fetchall()[0]), flush=True)
    """
)

_POLLER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    q = "SELECT (SELECT count(*) FROM core.reports), (SELECT count(*) FROM marts.budget_execution)"
    seen, errors, n = {}, [], 0
    while not os.path.exists(stop) or n < 3:
        try:
            con = duckdb.connect(path, read_only=True)
            pair = tuple(con.execute(q).fetchall()[0])
            con.close()
            seen[str(pair)] = seen.get(str(pair), 0) + 1
        except Exception as e:
            errors.append(repr(e))
        n += 1
        if n == 1:
            print("polling", flush=True)
    print(json.dumps({"seen": seen, "errors": errors, "polls": n}), flush=True)
    """
)


def test_readers_never_block_or_see_a_mix_during_a_load(wh: Path, tmp_path: Path) -> None:
    load(wh, [make_record(make_report(f"单位{i}")) for i in range(20)], "r1")
    old = [20, 60]
    stop = tmp_path / "stop"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(wh)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    poller = subprocess.Popen(
        [sys.executable, "-c", _POLLER, str(wh), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert json.loads(holder.stdout.readline()) == old
        assert poller.stdout.readline().strip() == "polling"
        stats = load(wh, [make_record(make_report(f"单位{i}")) for i in range(1500)], "r2", T2)
        assert stats.reports_new == 1480
        new = [1500, 4500]
        time.sleep(0.3)  # let the poller open the new file a few times
        stop.touch()
        report = json.loads(poller.communicate(timeout=60)[0])
        # the open read-only connection still answers, from the file as it was
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert json.loads(holder.stdout.readline()) == old
    finally:
        for p in (holder, poller):
            if p.poll() is None:
                p.kill()
            p.wait()
    assert report["errors"] == []
    assert set(report["seen"]) <= {str(tuple(old)), str(tuple(new))}
    assert str(tuple(old)) in report["seen"] and str(tuple(new)) in report["seen"]
    assert query(wh, "SELECT count(*), (SELECT count(*) FROM marts.budget_execution) FROM core.reports") == [
        tuple(new)
    ]


# ---------------------------------------------------------------- what analysts open


def _two_year_warehouse(wh: Path) -> None:
    records = [
        make_record(
            make_report(
                "地区工作办公室（汇总）",
                2021,
                adjusted=100.0,
                executed=80.0,
                rate=80.0,
                consolidated=True,
                indicators=[Indicator("产出指标", "数量指标", "培训次数", 1.0, ">=14次", "4次", 0.0)],
            )
        ),
        make_record(make_report("地区工作办公室", 2022, adjusted=120.0, executed=0.0, rate=0.0)),
        make_record(make_report("财政局", 2022, adjusted=0.0, executed=0.0, rate=0.0), findings=[RATE_ERROR]),
    ]
    load(
        wh,
        records,
        "r1",
        runs=runs_frame([{"run_id": "r1", "source": "minhang", "started": T1, "finished": T2}]),
    )


def test_comments_are_in_the_catalog(wh: Path) -> None:
    _two_year_warehouse(wh)
    comments = dict(
        ((s, t, c), comment)
        for s, t, c, comment in query(
            wh, "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()"
        )
    )
    assert (
        comments[("core", "reports", "fiscal_year")] == "Year evaluated (not the year published). [评价年度]"
    )
    assert "预算执行率（按金额计算）" in comments[("marts", "budget_execution", "rate_computed")]
    # inherited from the core column of the same name
    assert (
        comments[("marts", "report_catalog", "fiscal_year")] == comments[("core", "reports", "fiscal_year")]
    )
    undocumented = [k for k, v in comments.items() if k[0] == "marts" and not v]
    assert undocumented == []
    views = dict(query(wh, "SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'marts'"))
    assert views["district_year_summary"].startswith("One row per district and fiscal year")
    assert (
        query(wh, "SELECT comment FROM duckdb_tables() WHERE table_name = 'reports'")[0][0]
        == schema.REPORTS.description
    )


def test_views_answer_under_another_alias(wh: Path) -> None:
    _two_year_warehouse(wh)
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{wh}' AS analyst (READ_ONLY)")
        for mart in MARTS:
            con.execute(f"SELECT count(*), count(COLUMNS(*)) FROM analyst.marts.{mart}").fetchall()
    finally:
        con.close()
    assert not [
        s for (s,) in query(wh, "SELECT sql FROM duckdb_views() WHERE NOT internal") if db.BUILD_ALIAS in s
    ]


def _duckdb_1x() -> Path | None:
    spec = importlib.util.find_spec("duckdb_cli")
    if spec is None or not spec.origin:
        return None
    binary = Path(spec.origin).parent / "duckdb"
    return binary if binary.exists() else None


@pytest.mark.skipif(_duckdb_1x() is None, reason="duckdb-cli (DuckDB 1.5) is not installed")
def test_every_mart_answers_in_duckdb_1x(wh: Path) -> None:
    _two_year_warehouse(wh)
    binary = _duckdb_1x()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1."), version
    con = duckdb.connect(str(wh), read_only=True)
    try:
        expected = {
            m: con.execute(f"SELECT x::VARCHAR FROM (SELECT * FROM marts.{m}) AS x ORDER BY 1").fetchall()
            for m in MARTS
        }
    finally:
        con.close()
    for mart in MARTS:
        sql = f"SELECT x::VARCHAR AS row FROM (SELECT * FROM marts.{mart}) AS x ORDER BY 1"
        out = subprocess.run(
            [binary, "-readonly", "-json", str(wh), "-c", sql], capture_output=True, text=True
        )
        assert out.returncode == 0, f"{mart}: {out.stderr}"
        rows = [r["row"] for r in json.loads(out.stdout or "[]")]
        assert rows == [r[0] for r in expected[mart]], mart
    assert expected["budget_execution"] and expected["dq_issues"] and expected["department_trend"]


def test_export_parquet_writes_every_mart(wh: Path, tmp_path: Path) -> None:
    _two_year_warehouse(wh)
    written = export_parquet(wh, tmp_path / "out")
    assert sorted(p.stem for p in written) == sorted(MARTS)
    con = duckdb.connect()
    try:
        n = con.execute(
            f"SELECT count(*) FROM read_parquet('{tmp_path / 'out' / 'budget_execution.parquet'}')"
        ).fetchall()
    finally:
        con.close()
    assert n == query(wh, "SELECT count(*) FROM marts.budget_execution")
    with pytest.raises(FileNotFoundError):
        export_parquet(tmp_path / "missing.duckdb", tmp_path / "out2")


def test_older_file_gains_new_declared_columns(wh: Path) -> None:
    con = db.attach(wh)
    try:
        con.execute("CREATE SCHEMA core")
        con.execute("CREATE TABLE core.reports (report_id VARCHAR PRIMARY KEY)")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    load(wh, [make_record(make_report())], "r1")
    cols = [
        c
        for (c,) in query(
            wh,
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'reports' AND schema_name = 'core'",
        )
    ]
    assert set(schema.REPORTS.column_names) <= set(cols)
    assert query(wh, "SELECT count(*) FROM marts.report_catalog") == [(1,)]


def test_file_is_written_in_1x_storage(wh: Path) -> None:
    load(wh, [make_record(make_report())], "r1")
    load(wh, [make_record(make_report("财政局"))], "r2")  # a rebuild of an existing file keeps the format
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{wh}' AS w (READ_ONLY)")
        version = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'w'"
        ).fetchall()
    finally:
        con.close()
    # DuckDB 2.0's default would be v2.0.0+, which 1.x cannot open
    assert version == [("v1.4.0+",)]


_READ_WRITE_HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    print("open", flush=True)
    sys.stdin.readline()
    """
)


def test_file_held_read_write_elsewhere_is_not_swapped(wh: Path) -> None:
    load(wh, [make_record(make_report())], "r1")
    before = _file_digest(wh)
    holder = subprocess.Popen(
        [sys.executable, "-c", _READ_WRITE_HOLDER, str(wh)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(db.WarehouseBusyError, match="open read-write in another process"):
            load(wh, [make_record(make_report("财政局"))], "r2", T2)
    finally:
        holder.communicate("\n", timeout=30)
    assert _file_digest(wh) == before
    load(wh, [make_record(make_report("财政局"))], "r2", T2)  # once it is closed, the run goes through
    assert query(wh, "SELECT count(*) FROM core.reports") == [(2,)]


def test_log_of_a_crashed_read_write_session_is_folded_in(wh: Path) -> None:
    load(wh, [make_record(make_report())], "r1")
    crash = textwrap.dedent(
        """
        import os, sys, duckdb
        con = duckdb.connect(sys.argv[1])
        con.execute("SET checkpoint_threshold = '1GB'")
        con.execute("CREATE TABLE main.analyst_notes AS SELECT 'kept' AS note")
        os._exit(0)  # no checkpoint: the change is only in the .wal
        """
    )
    subprocess.run([sys.executable, "-c", crash, str(wh)], check=True, timeout=60)
    assert wh.with_name(wh.name + ".wal").exists()
    load(wh, [make_record(make_report("财政局"))], "r2", T2)
    assert not wh.with_name(wh.name + ".wal").exists()
    assert query(wh, "SELECT note, (SELECT count(*) FROM core.reports) FROM main.analyst_notes") == [
        ("kept", 2)
    ]
