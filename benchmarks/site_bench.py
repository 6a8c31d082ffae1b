"""What building the report site costs as the warehouse grows: N districts × 3 fiscal years ×
20 departments (one report each, 3 budget lines, 10 indicators, every 10th with a finding),
rendered from rows (the read from DuckDB is not timed here).

    .venv/bin/python benchmarks/site_bench.py           # 10 and 100 districts
    .venv/bin/python benchmarks/site_bench.py 300
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.report_site.build import render_site  # noqa: E402
from flows.report_site.data import SiteData  # noqa: E402

YEARS = (2021, 2022, 2023)
DEPARTMENTS = 20


def synthetic(districts: int, seed: int = 7) -> SiteData:
    rnd = random.Random(seed)
    d = SiteData()
    when = dt.datetime(2026, 6, 30, 2)
    for n in range(districts):
        district = f"第{n}区"
        for year in YEARS:
            total_adj = total_exe = 0.0
            rates = []
            for k in range(DEPARTMENTS):
                key = f"{district}/部门{k}"
                rid = f"{n:04d}{year}{k:03d}"
                adjusted = rnd.uniform(1e6, 1e8)
                rate = rnd.uniform(60, 100)
                executed = adjusted * rate / 100
                total_adj, total_exe = total_adj + adjusted, total_exe + executed
                rates.append(rate)
                d.reports.append(
                    dict(
                        report_id=rid,
                        kind="department_overall",
                        fiscal_year=year,
                        province="某省",
                        city="某市",
                        district=district,
                        street=None,
                        department=f"部门{k}",
                        department_key=key,
                        project_name=None,
                        title=f"{district}部门{k}{year}年度部门整体支出绩效自评报告",
                        source_url=f"https://example.gov.cn/{rid}.pdf",
                        page_url=None,
                        format="pdf",
                        published_date=None,
                        dq_status="pass",
                        quarantined=False,
                        version=1,
                        source="bench",
                        score_total=95,
                        score_grade="优",
                    )
                )
                d.department_years.append(
                    dict(
                        department_key=key,
                        department=f"部门{k}",
                        district=district,
                        street=None,
                        fiscal_year=year,
                        adjusted=adjusted,
                        executed=executed,
                        rate=rate,
                        adjusted_yoy_pct=None,
                        executed_yoy_pct=None,
                        rate_change_pp=rnd.uniform(-10, 10) if year > YEARS[0] else None,
                        previous_fiscal_year=year - 1 if year > YEARS[0] else None,
                        report_id=rid,
                    )
                )
                for line in ("total", "basic", "project"):
                    d.budget_lines.append(
                        dict(
                            report_id=rid,
                            fiscal_year=year,
                            district=district,
                            department_key=key,
                            kind="department_overall",
                            project_name=None,
                            line=line,
                            initial=adjusted,
                            adjustment=0.0,
                            adjusted=adjusted,
                            executed=executed,
                            rate_stated=rate,
                            rate_computed=rate,
                            rate_gap_pp=0.0,
                            evidence=f"{line}预算{adjusted:.0f}元，执行率{rate:.2f}%。",
                        )
                    )
                for i in range(10):
                    d.indicators.append(
                        dict(
                            report_id=rid,
                            fiscal_year=year,
                            district=district,
                            department=f"部门{k}",
                            department_key=key,
                            level1="产出指标",
                            level2="数量指标",
                            name=f"指标{i}",
                            weight=10,
                            score=9,
                            target="≥95%",
                            actual="93%",
                            target_value=95,
                            target_unit="%",
                            actual_value=93,
                            actual_unit="%",
                            met=rnd.random() > 0.8,
                            reason=None,
                            seq=i,
                            evidence=f"指标{i}\t≥95%\t93%\t9",
                        )
                    )
                if k % 10 == 0:
                    d.findings.append(
                        dict(
                            report_id=rid,
                            source_url=f"https://example.gov.cn/{rid}.pdf",
                            page_url=None,
                            district=district,
                            department=f"部门{k}",
                            department_key=key,
                            fiscal_year=year,
                            check="rate_matches_amounts",
                            severity="warning",
                            field="budget.total.rate",
                            message="stated 92.77% but …",
                            evidence="……预算执行率92.77%。",
                            detected_at=when,
                            dq_status="warn",
                            source="bench",
                        )
                    )
            d.district_years.append(
                dict(
                    province="某省",
                    city="某市",
                    district=district,
                    fiscal_year=year,
                    reports=DEPARTMENTS,
                    departments=DEPARTMENTS,
                    adjusted_total=total_adj,
                    executed_total=total_exe,
                    execution_rate=total_exe / total_adj * 100,
                    median_rate=sorted(rates)[len(rates) // 2],
                    min_rate=min(rates),
                    max_rate=max(rates),
                    quarantined_reports=0,
                    reports_in_totals=DEPARTMENTS,
                    project_reports=0,
                )
            )
    d.runs = [
        dict(
            run_id="bench",
            started=when,
            finished=when,
            source="bench",
            requests=0,
            not_modified=0,
            bodies_downloaded=0,
            reports_new=0,
            reports_changed=0,
            reports_unchanged=0,
            reports_quarantined=0,
            errors=0,
            documents=0,
            duration_s=0.0,
        )
    ]
    return d


def main(sizes: list[int]) -> None:
    print(
        "| districts | reports | pages | charts | seconds | of which district pages | department pages | site MB | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        data = synthetic(n)
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            built = render_site(data, Path(tmp) / "site")
            seconds = time.perf_counter() - started
            size = sum(p.stat().st_size for p in (Path(tmp) / "site").rglob("*") if p.is_file()) / 1e6
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"| {n} | {len(data.reports)} | {built.pages} | {built.charts} | {seconds:.1f} | "
            f"{built.page_seconds['districts']:.1f} | {built.page_seconds['departments']:.1f} | {size:.0f} | {rss:.0f} |"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 100])
