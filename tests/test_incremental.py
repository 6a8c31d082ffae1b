"""Incremental runs through the real flow, against a copy of the mirror served on loopback: a run
fetches only what changed, pagination stops at known pages, --full-refresh walks everything,
and marts.run_history / `govperf runs` record each run's counts."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from flows.cli import MIRROR_SOURCES
from flows.contract.report import BudgetLine, Indicator, Report
from flows.crawl.archive import RawArchive
from flows.crawl.model import FetchedDocument
from flows.mirror.server import SITE_DIR, MirrorServer
from flows.reports import parse_cache
from flows.reports.stream import extract_documents

pytestmark = pytest.mark.integration  # real servers and real Prefect flow runs

MINHANG_LIST = "/zwgk.shmh.gov.cn/mh-xxgk-cms/website/mh_xxgk/czzj_ysjxgl/index.html"
# a report on Minhang's first list page that run 1 does not see yet
LATE_PAGE = "content/a57f0888-0ed8-55c9-ad6b-b420f58b2dbd.htm"
ROBOTS = "/robots.txt"
# a data proxy is asked by POST, which has no conditional form: its first page is always a 200
XIHU_PROXY = "/www.hzxh.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage=2"
COUNTS = (
    "requests",
    "not_modified",
    "bodies_downloaded",
    "reports_new",
    "reports_changed",
    "reports_unchanged",
    "reports_quarantined",
    "errors",
)


def _hide_link(site: Path, list_path: str, href: str) -> str:
    """Remove the list item linking href from a list page; returns the page as it was."""
    page = site / list_path.lstrip("/")
    original = page.read_text(encoding="utf-8")
    kept = [line for line in original.splitlines(keepends=True) if f'href="{href}"' not in line]
    assert len(kept) == len(original.splitlines()) - 1
    page.write_text("".join(kept), encoding="utf-8")
    return original


def _by_status(requests: list[tuple[str, str, int]]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for _method, path, status in requests:
        out.setdefault(status, set()).add(path)
    return out


def _run_history(db: Path, run_id: str) -> dict[str, dict[str, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            f"SELECT source, {', '.join(COUNTS)} FROM marts.run_history WHERE run_id = ?", [run_id]
        ).fetchall()
    return {r[0]: dict(zip(COUNTS, r[1:], strict=True)) for r in rows}


@pytest.fixture(scope="module")
def runs(prefect_harness, tmp_path_factory):
    """Four runs on one data folder: a site missing one report, the full site, the same site
    again, and a full refresh. Returns per run (summary, mirror requests)."""
    from flows.nightly import nightly

    site = tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(SITE_DIR, site)
    home = tmp_path_factory.mktemp("govperf-home")
    original = _hide_link(site, MINHANG_LIST, LATE_PAGE)
    out = []
    with MirrorServer(site) as mirror:
        for step in ("partial", "full", "unchanged", "full_refresh"):
            if step == "full":
                (site / MINHANG_LIST.lstrip("/")).write_text(original, encoding="utf-8")
            mirror.reset_requests()
            summary = nightly(
                sources=MIRROR_SOURCES,
                base_url=mirror.base_url,
                home=str(home),
                full_refresh=step == "full_refresh",
            )
            out.append((summary, list(mirror.requests)))
    return home, out


def test_a_new_report_on_the_first_page_is_fetched_and_pagination_stops_at_known_pages(runs):
    home, out = runs
    (_, first_requests), (second, second_requests) = out[0], out[1]
    first_200 = _by_status(first_requests)[200]
    got = _by_status(second_requests)
    new_bodies = got[200] - {ROBOTS, MINHANG_LIST, XIHU_PROXY}
    # the changed list page and the new report's page and files are all it downloaded
    assert any(p.endswith(LATE_PAGE) for p in new_bodies)
    assert new_bodies and not new_bodies & first_200
    # page 2 still held an unseen link (run 1 stopped nowhere); page 2 is all known: page 3 is not asked for
    minhang_lists = {p for _, p, _ in second_requests if "/czzj_ysjxgl/index" in p}
    assert minhang_lists == {MINHANG_LIST, MINHANG_LIST.replace("index.html", "index_1.html")}
    history = _run_history(home / "warehouse.duckdb", second["run_id"])
    assert history["minhang_mirror"]["reports_new"] == 1
    # document bodies: report pages and their files (list pages are not counted)
    assert history["minhang_mirror"]["bodies_downloaded"] == len(new_bodies)


def test_a_second_run_on_an_unchanged_site_downloads_no_body(runs):
    _home, out = runs
    third, requests = out[2]
    statuses = Counter(s for _, _, s in requests)
    # robots.txt (once per source) and the data proxy's POST are the only 200s; everything else is a 304
    assert _by_status(requests)[200] == {ROBOTS, XIHU_PROXY}
    assert statuses[200] == len(MIRROR_SOURCES) + 1
    assert statuses[304] == len(requests) - len(MIRROR_SOURCES) - 1
    # Minhang: its first list page holds only known reports, so its pages 2 and 3 are not walked
    assert {p for _, p, _ in requests if "/czzj_ysjxgl/index" in p} == {MINHANG_LIST}
    assert sum(s["bodies_downloaded"] for s in third["sources"]) == 0


def test_run_history_holds_the_second_runs_counts(runs):
    home, out = runs
    third, requests = out[2]
    history = _run_history(home / "warehouse.duckdb", third["run_id"])
    assert history == {
        # robots + list page 1 + 2 report pages + their 3 files; all but robots answered 304
        "minhang_mirror": {
            "requests": 7,
            "not_modified": 6,
            "bodies_downloaded": 0,
            "reports_new": 0,
            "reports_changed": 0,
            "reports_unchanged": 2,
            "reports_quarantined": 1,  # seed 000, on the first page
            "errors": 0,
        },
        # robots + two columns' first pages + one report page
        "donghu_mirror": {
            "requests": 4,
            "not_modified": 3,
            "bodies_downloaded": 0,
            "reports_new": 0,
            "reports_changed": 0,
            "reports_unchanged": 1,
            "reports_quarantined": 0,
            "errors": 0,
        },
        # robots + list page 1 (no report on it) + page 2, named by its script + the report page
        # + its PDF; the _wap twin listed beside the report is not asked for
        "nanshan_mirror": {
            "requests": 5,
            "not_modified": 4,
            "bodies_downloaded": 0,
            "reports_new": 0,
            "reports_changed": 0,
            "reports_unchanged": 1,
            "reports_quarantined": 0,
            "errors": 0,
        },
        # robots + the proxy's first page (POST, 200) + 2 report pages + their 2 files: the
        # self-evaluation form (downfile.jsp) and the 部门决算 with its two project forms
        "xihu_mirror": {
            "requests": 6,
            "not_modified": 4,
            "bodies_downloaded": 0,
            "reports_new": 0,
            "reports_changed": 0,
            "reports_unchanged": 3,
            "reports_quarantined": 0,
            "errors": 0,
        },
        # robots + API page 1 + its one report page + the download; page 2 (the 2019 report) is
        # not asked for: page 1's reports are all known
        "heping_mirror": {
            "requests": 4,
            "not_modified": 3,
            "bodies_downloaded": 0,
            "reports_new": 0,
            "reports_changed": 0,
            "reports_unchanged": 1,
            "reports_quarantined": 0,
            "errors": 0,
        },
    }
    # what the run counted is what the site saw
    assert sum(h["requests"] for h in history.values()) == len(requests)
    assert sum(h["not_modified"] for h in history.values()) == Counter(s for _, _, s in requests)[304]
    # the same numbers through the command an operator runs
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "govperf"), "runs", "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    row = next(line for line in shown.stdout.splitlines() if third["run_id"] in line and "minhang" in line)
    cells = [c.strip() for c in row.strip("│ \n").split("│")]
    assert cells[4:] == ["7", "6", "0", "0", "0", "2", "1", "0"]


def test_full_refresh_walks_every_page_and_downloads_everything_again(runs):
    home, out = runs
    full, requests = out[3]
    assert all(s == 200 for _, _, s in requests)
    lists = {p for _, p, _ in requests if "/czzj_ysjxgl/index" in p}
    assert len(lists) == 3  # Minhang's three list pages
    history = _run_history(home / "warehouse.duckdb", full["run_id"])
    assert sum(h["reports_unchanged"] for h in history.values()) == 11
    assert sum(h["reports_new"] + h["reports_changed"] for h in history.values()) == 0
    assert sum(h["not_modified"] for h in history.values()) == 0


def test_unchanged_documents_come_from_the_parse_cache(runs):
    home, _out = runs
    archive = RawArchive(home / "raw")
    docs = []
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for sha, source, url, page_url, title, fmt in con.execute(
            "SELECT sha256, source, url, page_url, title, format FROM raw.documents ORDER BY url"
        ).fetchall():
            docs.append(FetchedDocument(source, url, page_url, title, sha, str(archive.path(sha)), fmt, ""))
    fresh = extract_documents(docs, archive)
    cache = parse_cache.ParseCache(home / "cache" / "parse-test")
    first = extract_documents(docs, archive, cache=cache)
    assert cache.hits == 0
    again = extract_documents(docs, archive, cache=cache)
    assert cache.hits == len(docs) - len(fresh.rejected)
    as_dicts = [[dataclasses.asdict(r.report) for r in e.records] for e in (fresh, first, again)]
    assert as_dicts[0] == as_dicts[1] == as_dicts[2] and as_dicts[0]
    # other parser code: no hit
    other = parse_cache.ParseCache(home / "cache" / "parse-test", fingerprint="0" * 64)
    extract_documents(docs, archive, cache=other)
    assert other.hits == 0


def test_a_report_survives_the_parse_cache_exactly():
    report = Report(file="a.pdf", sha256="0" * 64, format="pdf", fiscal_year=2023, department="某单位")
    report.budget["total"] = BudgetLine(adjusted=1.5, executed=1.0, rate=66.67, decimals={"adjusted": 2})
    report.indicators.append(Indicator("产出指标", "数量指标", "完成数", weight=10.0, score=9.5))
    (back,) = [parse_cache.report_from_dict(d) for d in parse_cache._round_trips([report])]
    assert back == report


def test_the_code_fingerprint_follows_the_parser_source(tmp_path):
    flows_copy = tmp_path / "flows"
    flows_dir = Path(parse_cache.__file__).parents[1]
    for d in parse_cache._CODE_DIRS:
        shutil.copytree(flows_dir / d, flows_copy / d)
    for f in parse_cache._CODE_FILES:
        (flows_copy / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(flows_dir / f, flows_copy / f)
    before = parse_cache.code_fingerprint(flows_copy)
    assert before == parse_cache.code_fingerprint(flows_copy)
    with (flows_copy / "reports" / "budget.py").open("a") as f:
        f.write("\n# a change\n")
    assert parse_cache.code_fingerprint(flows_copy) != before
