"""Run-health alerts (expectations/health.py): a source whose lists yield nothing, a district-year that
loses reports compared with a real warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dbt_like_sql.load import load_run
from expectations import health
from expectations.current import read_current_reports
from expectations.runner import check_records
from flows.crawl.archive import RawArchive
from flows.crawl.run import CrawlOutcome, crawl_source
from flows.mirror.server import MirrorServer
from flows.sources.model import select_sources
from tests.test_dq_corpus import CORPUS, TODAY, corpus_record
from warehouse.frames import records_to_frames

# three reports of one district and year (闵行区 2023 style: one district, several units)
WUHOU = CORPUS / "clean" / "c02_wuhou_street.html"
XIHU = CORPUS / "clean" / "c01_xihu_culture_bureau.txt"
NANSHAN = CORPUS / "clean" / "c07_nanshan_indicators.html"


def url(path: Path) -> str:
    return f"https://site.example.gov.cn/{path.name}"


def outcome(source: str, **kw) -> CrawlOutcome:
    now = dt.datetime(2026, 6, 30, 2, 0)
    return CrawlOutcome(source=source, started=now, finished=now, **kw)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("health") / "warehouse.duckdb"
    records = [corpus_record(p, url(p)) for p in (WUHOU, XIHU, NANSHAN)]
    for r in records:
        r.source = "site"
    check_records(records, TODAY)
    load_run(db, records_to_frames(records, "run1", dt.datetime(2026, 6, 30, 2)), "run1")
    return db


def rerun(*paths: Path) -> list:
    records = [corpus_record(p, url(p)) for p in paths]
    for r in records:
        r.source = "site"
    return records


def test_nothing_lost_when_the_run_finds_every_stored_report(warehouse):
    current = read_current_reports(warehouse)
    assert health.lost_reports(current, rerun(WUHOU, XIHU, NANSHAN), ["site"]) == []


def test_a_report_no_longer_found_is_alerted_with_its_district_year_and_link(warehouse):
    current = read_current_reports(warehouse)
    [alert] = health.lost_reports(current, rerun(XIHU, NANSHAN), ["site"])
    assert (alert.check, alert.severity, alert.source) == ("district_year_lost_reports", "warning", "site")
    assert (alert.district, alert.fiscal_year) == ("武侯区", 2022)
    assert "浆洗街街道办事处" in alert.message and "1 of the 1" in alert.message
    assert alert.urls == (url(WUHOU),)


def test_only_the_sources_that_ran_are_compared(warehouse):
    current = read_current_reports(warehouse)
    assert health.lost_reports(current, [], ["another_source"]) == []


def test_an_incremental_crawl_compares_only_the_documents_it_fetched_again(warehouse):
    current = read_current_reports(warehouse)
    # discovery stopped early: WUHOU's page was not looked at, so it is not lost
    assert (
        health.lost_reports(current, rerun(XIHU), ["site"], walked_in_full=[], fetched_urls=[url(XIHU)]) == []
    )
    # but a document fetched again that no longer yields its report is
    [alert] = health.lost_reports(
        current,
        rerun(XIHU),
        ["site"],
        walked_in_full=[],
        fetched_urls=[url(XIHU), url(NANSHAN)],
        rejected_urls=[url(NANSHAN)],
    )
    assert alert.district == "南山区" and "now rejected" in alert.message


def test_a_source_whose_lists_yield_no_document_is_an_error():
    alerts = health.empty_sources(
        [
            outcome("fine", list_pages=2, links=3, documents=[object()]),
            outcome("changed", list_pages=3, links=0),
            outcome(
                "down",
                list_pages=0,
                errors=[
                    {
                        "url": "https://down.example/list/index.html",
                        "kind": "connection",
                        "message": "refused",
                    }
                ],
            ),
            outcome(
                "unfetchable", list_pages=1, links=2, errors=[{"url": "u", "kind": "timeout", "message": ""}]
            ),
        ]
    )
    assert [(a.source, a.severity) for a in alerts] == [
        ("changed", "error"),
        ("down", "error"),
        ("unfetchable", "error"),
    ]
    changed, down, unfetchable = alerts
    assert "3 list page(s) fetched but no report link" in changed.message
    assert "no list page could be fetched" in down.message and "connection" in down.message
    assert down.urls == ("https://down.example/list/index.html",)
    assert "2 report link(s) found but no document could be fetched" in unfetchable.message


def test_a_site_whose_list_layout_changed_yields_no_documents(tmp_path):
    """A real crawl over loopback of a mirror copy whose list pages lost their items."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(MirrorServer().root, site)
    for page in (site / "dhq.nc.gov.cn").rglob("index*.shtml"):
        # the same links, in new markup the source file's "li a[href]" selector does not match
        page.write_bytes(page.read_bytes().replace(b"<li", b"<div").replace(b"</li>", b"</div>"))
    with MirrorServer(site) as mirror:
        [source] = select_sources(["donghu_mirror"], mirror.base_url)
        crawl = crawl_source(source, RawArchive(tmp_path / "raw"), full_refresh=True)
    assert crawl.documents == [] and crawl.list_pages > 0
    [alert] = health.empty_sources([crawl])
    assert alert.source == "donghu_mirror" and "no report link" in alert.message
