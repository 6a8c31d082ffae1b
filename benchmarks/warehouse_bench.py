"""Warehouse at scale: load N synthetic reports through the real path, then time a full scan of every mart.

    .venv/bin/python benchmarks/warehouse_bench.py [--reports 100000] [--dir DIR]

The reports go through records_to_frames and load_run exactly as a nightly run's do (one
run of N reports, then a second run revising 1% of them), so load time is measured too.
Each mart is timed two ways, best of 3 on a read-only connection like an analyst's:
`count(*)` over `SELECT *` (what the target names; DuckDB prunes columns it need not
compute) and `count(COLUMNS(*))`, which makes it compute every column.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from dbt_like_sql.load import load_run
from dbt_like_sql.publish import MARTS
from flows.contract.report import BudgetLine, Finding, Indicator, Region, Report, ReportRecord
from warehouse.frames import records_to_frames, runs_frame

DISTRICTS = [
    ("上海市", "上海市", d)
    for d in (
        "闵行区",
        "浦东新区",
        "徐汇区",
        "长宁区",
        "静安区",
        "普陀区",
        "虹口区",
        "杨浦区",
        "宝山区",
        "嘉定区",
    )
] + [
    ("江西省", "南昌市", d)
    for d in (
        "东湖区",
        "西湖区",
        "青云谱区",
        "青山湖区",
        "新建区",
        "红谷滩区",
        "南昌县",
        "进贤县",
        "安义县",
        "湾里区",
    )
]
YEARS = (2019, 2020, 2021, 2022, 2023)
TARGETS = [
    (">=95%", "{:.0f}%"),
    ("=9000份", "{:.0f}份"),
    (">=14次", "{:.0f}次"),
    ("<=5%", "{:.0f}%"),
    ("有效提升", "有效提升"),
    ("≥1场", "{:.0f}"),
    ("不低于90%", "{:.1f}%"),
    ("=100%", "{:.0f}%"),
    ("≤10天", "{:.0f}天"),
    (">=85%", "{:.0f}%"),
]


def synthetic_report(rng: random.Random, n: int, year: int, revision: int = 0) -> ReportRecord:
    province, city, district = DISTRICTS[n % len(DISTRICTS)]
    unit = n // len(DISTRICTS)
    project = n % 10 == 9
    adjusted = float(rng.randrange(1_000_000, 90_000_000))
    executed = round(adjusted * rng.uniform(0.7, 1.0), 2) + revision
    rate = round(executed / adjusted * 100, 2)
    indicators = []
    for i, (target, actual_fmt) in enumerate(TARGETS):
        actual = actual_fmt.format(rng.uniform(0, 100)) if "{" in actual_fmt else actual_fmt
        indicators.append(
            Indicator("产出指标", "数量指标", f"指标{i}", 10.0, target, actual, rng.choice([10.0, 8.0, 5.0]))
        )
    report = Report(
        file=f"r{n}-{year}.pdf",
        sha256=f"{n:08d}{year}{revision}",
        format="pdf",
        kind="project" if project else "department_overall",
        title="部门整体支出预算绩效自评报告",
        fiscal_year=year,
        region=Region(province, city, district, None),
        department=f"第{unit}单位",
        department_full=f"{city}{district}第{unit}单位",
        project_name=f"项目{unit}" if project else None,
        budget_unit="元",
        budget={
            "total": BudgetLine(adjusted=adjusted, executed=executed, rate=rate),
            "basic": BudgetLine(adjusted=adjusted * 0.3, executed=executed * 0.3, rate=rate),
            "project": BudgetLine(adjusted=adjusted * 0.7, executed=executed * 0.7, rate=rate),
        },
        indicators=indicators,
        score_total=float(rng.randrange(70, 100)),
    )
    findings = []
    if n % 37 == 0:
        findings.append(
            Finding(
                "rate_matches_amounts", "error", "budget.total.rate", "stated 99% but 90.00%", "执行率99%"
            )
        )
    if n % 11 == 0:
        findings.append(
            Finding("executed_within_budget", "warning", "budget.total.executed", "executed > adjusted")
        )
    return ReportRecord(
        report,
        "bench",
        f"https://example.gov.cn/{n}/{year}.pdf",
        None,
        f"{year + 1}-05-01T00:00:00Z",
        findings,
    )


def generate(count: int, seed: int = 7) -> list[ReportRecord]:
    rng = random.Random(seed)
    per_year = count // len(YEARS)
    return [synthetic_report(rng, n, year) for year in YEARS for n in range(per_year)]


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def time_query(con: duckdb.DuckDBPyConnection, sql: str, repeat: int = 3) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = con.execute(sql).fetchall()[0][0]
        times.append(time.perf_counter() - t0)
    return min(times), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="warehouse_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "warehouse.duckdb"
    for p in workdir.glob("warehouse.duckdb*"):
        p.unlink()

    records, t_gen = timed(generate, args.reports)
    frames, t_frames = timed(records_to_frames, records, "bench-1", datetime(2024, 6, 1), aliases={})
    frames["core.runs"] = runs_frame(
        [{"run_id": "bench-1", "source": "bench", "started": "2024-06-01T00:00:00"}]
    )
    stats, t_load = timed(load_run, db_path, frames, "bench-1")
    print(
        f"reports: {len(records):,}  budget lines: {frames['core.budget_lines'].height:,}  "
        f"indicators: {frames['core.indicators'].height:,}  findings: {frames['core.dq_findings'].height:,}"
    )
    print(
        f"generate {t_gen:.1f}s  records_to_frames {t_frames:.1f}s  load_run (merge+views+tests+swap) {t_load:.1f}s  "
        f"file {db_path.stat().st_size / 1e6:.0f} MB"
    )
    print(f"  first load: new {stats.reports_new:,}, quarantined {stats.reports_quarantined:,}")

    rng = random.Random(11)
    revised = [synthetic_report(rng, n, 2023, revision=1) for n in range(0, args.reports // len(YEARS), 100)]
    again = records[: len(records) // 10] + revised
    frames2, t_frames2 = timed(records_to_frames, again, "bench-2", datetime(2024, 6, 2), aliases={})
    stats2, t_load2 = timed(load_run, db_path, frames2, "bench-2")
    print(
        f"second run of {len(again):,} reports ({len(revised):,} revised): records_to_frames {t_frames2:.1f}s  "
        f"load_run {t_load2:.1f}s  → new {stats2.reports_new}, changed {stats2.reports_changed}, "
        f"unchanged {stats2.reports_unchanged:,}"
    )

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        print()
        print(f"{'mart':<24}{'rows':>12}{'count(*) s':>14}{'all columns s':>16}")
        results = []
        for mart in MARTS:
            t_star, rows = time_query(con, f"SELECT count(*) FROM (SELECT * FROM marts.{mart})")
            t_all, _ = time_query(
                con, f"SELECT count(*), count(COLUMNS(*)) FROM (SELECT * FROM marts.{mart})"
            )
            results.append((mart, rows, t_star, t_all))
            print(f"{mart:<24}{rows:>12,}{t_star:>14.3f}{t_all:>16.3f}")
    finally:
        con.close()
    slowest = max(results, key=lambda r: r[3])
    print(
        f"\nslowest full scan: {slowest[0]} {slowest[3]:.3f}s; median {statistics.median(r[3] for r in results):.3f}s"
    )
    print(f"warehouse left in {workdir}")


if __name__ == "__main__":
    main()
