"""The report site: built from a real warehouse of the five seed reports, opened in Debian's
chromium with the network off (one browser start for every page)."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from flows.report_site.build import build_site, render_site, slug
from flows.report_site.data import SiteData
from tests.seed_warehouse import RUN
from tests.site_browser import visit_site

SEED_000_FINDING = "stated 92.77% but 7609.48/7664.88 = 99.28%"
SEED_000_EVIDENCE = "项目支出7664.88万元，执行金额7609.48万元，预算执行率92.77%。"


@pytest.fixture(scope="module")
def home(seed_home) -> Path:
    """The seed data folder as a run leaves it: warehouse, GX Data Docs, and now the report site."""
    build_site(
        seed_home / "warehouse.duckdb", seed_home / "site", docs_index=seed_home / "docs" / "index.html"
    )
    return seed_home


@pytest.fixture(scope="module")
def visit(home):
    shots = home / "screenshots"
    return visit_site(
        home / "site",
        screenshots={"index.html": shots / "overview.png", "quality.html": shots / "data-quality.png"},
        widths=(1280, 390),
        also=(home / "docs",),
    )


def test_every_page_loads_offline_with_no_failed_request(home, visit):
    site = home / "site"
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    # overview, execution, indicators, data quality; 2 districts; one page per department_key
    assert {"index.html", "execution.html", "indicators.html", "quality.html"} <= pages
    assert len([p for p in pages if p.startswith("districts/")]) == 2
    assert len([p for p in pages if p.startswith("departments/")]) == 5
    docs = {f"docs/{p.relative_to(home / 'docs').as_posix()}" for p in (home / "docs").rglob("*.html")}
    assert set(visit.pages) == pages | {f"{p}@390" for p in pages} | docs
    assert all(v.status_ok for v in visit.pages.values())
    assert visit.failed == [] and visit.outside == [] and visit.console_errors == []


def test_every_chart_is_drawn(visit):
    expected = {"index.html": 1, "execution.html": 2, "indicators.html": 1, "quality.html": 2}
    for path, n in expected.items():
        assert len(visit.pages[path].charts) == n, path
    charts = [c for v in visit.pages.values() for c in v.charts]
    assert len(charts) >= 8
    for c in charts:
        assert c["width"] > 50 and c["height"] > 30 and c["marks"] > 0, c


def test_seed_000_finding_and_its_evidence_are_on_the_data_quality_page(visit):
    text = visit.pages["quality.html"].text
    assert SEED_000_FINDING in text and "rate_matches_amounts" in text
    assert SEED_000_EVIDENCE in text
    assert "https://seeds.example.gov.cn/000_397b2cfd6bebb201.txt" in text


def test_department_page_has_its_years_lines_and_evidence(home, visit):
    page = visit.pages[f"departments/{slug('闵行区/地区工作办公室')}.html"].text
    assert "2021" in page and "85.50%" in page  # the year's rate
    assert "source document" in page and "seeds.example.gov.cn" in page
    assert "部门整体预算总额(元)" in page  # the table row the total line was read from


def test_chinese_text_is_drawn_with_a_cjk_font(visit):
    # the overview's heading is mostly Chinese: a CJK font drew its glyphs (no boxes, no fallback guess)
    fonts = visit.pages["index.html"].heading_fonts
    assert any(f in ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC") for f in fonts), fonts


def test_pages_fit_a_phone_width(visit):
    # at 390 px nothing pushes the page sideways (wide tables and charts scroll inside their own box)
    wide = {p: v.overflow for p, v in visit.pages.items() if v.overflow > 0}
    assert wide == {}


def test_gx_data_docs_open_offline_and_point_at_the_data_quality_page(home, visit):
    # the suites' pages are there, filled (their tables are HTML now, not JavaScript's work)
    index = visit.pages["docs/index.html"].text
    # one row per suite validated in the run (bootstrap-table used to draw these from a script)
    assert index.count(RUN) >= 3 and "govperf-budget_lines" in index and "govperf-reports" in index
    pages = [p for p in visit.pages if p.startswith("docs/validations/")]
    assert len(pages) >= 3
    for p in pages:
        assert "data-quality page" in visit.pages[p].text
    html = (home / "docs" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in html and 'href="../site/quality.html"' in html


def test_screenshots_are_written_under_the_data_folder(home, visit):
    for name in ("overview.png", "data-quality.png"):
        png = home / "screenshots" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_hostile_text_is_escaped_and_only_http_links_are_links(tmp_path):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    finding = {
        "report_id": "r1",
        "source_url": "javascript:alert(3)",
        "page_url": "http://x.example/p?a=1&b=<2>",
        "district": evil,
        "department": evil,
        "department_key": evil,
        "fiscal_year": 2023,
        "check": "rate_matches_amounts",
        "severity": "error",
        "field": evil,
        "message": evil,
        "evidence": evil,
        "detected_at": dt.datetime(2026, 6, 30),
        "dq_status": "fail",
        "source": evil,
    }
    report = {
        "report_id": "r1",
        "kind": "department_overall",
        "fiscal_year": 2023,
        "province": None,
        "city": None,
        "district": evil,
        "street": None,
        "department": evil,
        "department_key": evil,
        "project_name": None,
        "title": evil,
        "source_url": "javascript:alert(3)",
        "page_url": None,
        "format": "html",
        "published_date": None,
        "dq_status": "fail",
        "quarantined": True,
        "version": 1,
        "source": evil,
        "score_total": None,
        "score_grade": None,
    }
    quarantine = {
        k: report[k]
        for k in (
            "report_id",
            "kind",
            "fiscal_year",
            "district",
            "street",
            "department",
            "department_key",
            "project_name",
            "title",
            "source_url",
            "page_url",
            "format",
        )
    }
    quarantine |= {
        "error_count": 1,
        "warning_count": 0,
        "error_summary": evil,
        "page_url": finding["page_url"],
    }
    data = SiteData(reports=[report], findings=[finding], quarantine=[quarantine])
    built = render_site(data, tmp_path / "site")
    html = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert built.pages == 6  # four main pages, one district, one department
    assert (
        "<script" not in html and "<img" not in html and "javascript:" not in re.sub(r">[^<]*<", "><", html)
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="http://x.example/p?a=1&amp;b=&lt;2&gt;"' in html


def test_govperf_report_rebuilds_the_site_whole_and_says_where(seed_home, tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    out = tmp_path / "published"
    for _ in range(2):  # the second build replaces the first in one swap
        done = runner.invoke(app, ["report", "--home", str(seed_home), "--out", str(out)])
        assert done.exit_code == 0, done.output
    assert f"report site: {out / 'index.html'}" in done.output.replace("\n", "")
    assert "11 pages, 8 charts" in done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published"]  # no half-built or old copy left
    missing = runner.invoke(app, ["report", "--home", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "no warehouse" in missing.output


def test_charts_drawn_before_are_taken_from_the_chart_cache(seed_home, tmp_path, monkeypatch):
    from flows.report_site import charts

    db, cache = seed_home / "warehouse.duckdb", tmp_path / "charts"
    first = build_site(db, tmp_path / "a", chart_cache=cache)
    drawn = sorted(p.name for p in cache.glob("*.svg"))
    assert first.charts > 0 and 0 < len(drawn) <= first.charts
    (cache / "stale.svg").write_text("<svg/>")  # a chart no build asks for any more

    def no_drawing():
        raise AssertionError("a chart was drawn again")

    monkeypatch.setattr(charts, "_vlc", no_drawing)
    second = build_site(db, tmp_path / "b", chart_cache=cache)
    assert second.charts == first.charts
    assert (tmp_path / "a" / "index.html").read_text().count("<svg") == (
        tmp_path / "b" / "index.html"
    ).read_text().count("<svg")
    assert sorted(p.name for p in cache.glob("*.svg")) == drawn


def test_a_night_that_changed_no_report_rewrites_only_the_latest_runs_pages(seed_home, tmp_path):
    from flows.report_site.build import refresh_run_pages

    db, site = seed_home / "warehouse.duckdb", tmp_path / "site"
    refresh_run_pages(db, site)  # no site yet: built whole
    pages = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    assert len(pages) > 5
    time.sleep(0.05)
    alert = {"check": "source_yields_no_documents", "severity": "error", "source": "xihu",
             "district": None, "fiscal_year": None, "message": "列表页没有找到任何报告链接"}  # fmt: skip
    built = refresh_run_pages(db, site, health=[alert])
    rewritten = {p for p, mtime in pages.items() if p.stat().st_mtime_ns != mtime}
    assert rewritten == {site / "index.html", site / "quality.html"} and built.pages == 2
    assert "列表页没有找到任何报告链接" in (site / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no work folder left
