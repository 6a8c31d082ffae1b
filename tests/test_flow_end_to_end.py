"""The real nightly flow, through Prefect, against the mirror served over loopback."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.mirror.server import serve_mirror

MIRROR_SOURCES = ["minhang_mirror", "donghu_mirror"]
TABLES = ["core.reports", "core.budget_lines", "core.indicators", "core.dq_findings", "raw.documents"]


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}


@pytest.fixture(scope="module")
def demo_run(prefect_harness, tmp_path_factory):
    from flows.nightly import nightly

    home = tmp_path_factory.mktemp("govperf-home")
    with serve_mirror() as mirror:
        first = nightly(sources=MIRROR_SOURCES, base_url=mirror.base_url, home=str(home))
        before = _snapshot(home / "warehouse.duckdb")
        second = nightly(sources=MIRROR_SOURCES, base_url=mirror.base_url, home=str(home))
    return home, first, second, before


def _total_line(con, department: str) -> tuple:
    return con.execute(
        """SELECT b.adjusted, b.executed, b.rate FROM core.budget_lines b
           JOIN marts.report_catalog c USING (report_id)
           WHERE c.is_current AND c.department = ? AND b.line = 'total'""",
        [department],
    ).fetchone()


def test_the_warehouse_holds_the_five_seed_reports(demo_run):
    home, _first, _, _ = demo_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        departments = {
            r[0]
            for r in con.execute("SELECT department FROM marts.report_catalog WHERE is_current").fetchall()
        }
        assert departments == {
            "浦锦街道社区事务受理服务中心",
            "浦锦街道社区党群服务中心",
            "浦锦街道城市运行管理中心",
            "公园街道办事处",
            "地区工作办公室",
        }
        assert _total_line(con, "浦锦街道社区事务受理服务中心")[:2] == (82_368_000.0, 81_775_000.0)
        assert _total_line(con, "地区工作办公室")[:2] == (8_485_146.0, 7_255_205.14)


def test_seed_000_is_quarantined_for_its_project_rate(demo_run):
    home, _, _, _ = demo_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        issues = con.execute(
            """SELECT "check", severity, field, message FROM marts.dq_issues
               WHERE department = '浦锦街道社区事务受理服务中心' AND severity = 'error'"""
        ).fetchall()
        assert ("rate_matches_amounts", "error", "budget.project.rate") in {i[:3] for i in issues}
        assert any("92.77" in i[3] and "99.28" in i[3] for i in issues)
        in_marts = con.execute(
            "SELECT count(*) FROM marts.budget_execution WHERE department = '浦锦街道社区事务受理服务中心'"
        ).fetchone()[0]
        assert in_marts == 0  # quarantined reports stay out of the analysis marts
        summary = con.execute(
            "SELECT reports, quarantined_reports FROM marts.district_year_summary WHERE district = '闵行区' AND fiscal_year = 2023"
        ).fetchone()
        assert summary == (2, 1)


def test_skipped_pages_are_not_reports_and_every_document_is_listed(demo_run):
    home, first, _, _ = demo_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        titles = [r[0] for r in con.execute("SELECT title FROM raw.documents").fetchall()]
    assert titles and not any("决算" in t for t in titles)
    assert sum(s["documents"] for s in first["sources"]) == len(titles)


def test_a_second_run_changes_no_rows(demo_run):
    home, first, second, before = demo_run
    assert _snapshot(home / "warehouse.duckdb") == before
    assert sum(s["reports_new"] for s in second["sources"]) == 0
    # incremental: each column's walk stops at its first page of known reports, and the reports
    # it revisits there are unchanged (tests/test_incremental.py counts them exactly)
    assert (
        0
        < sum(s["reports_unchanged"] for s in second["sources"])
        <= sum(s["reports_new"] for s in first["sources"])
    )
    assert sum(s["bodies_downloaded"] for s in second["sources"]) == 0
