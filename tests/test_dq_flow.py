"""Data quality through the real nightly flow (Prefect, the mirror over loopback, DuckDB): the
webhook a real receiver gets, the Data Docs, duplicates across documents, and the run-health
alerts when the site changes under it."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from flows.mirror.server import SITE_DIR, MirrorServer
from tests.bot_receivers import BotReceivers
from tests.test_alerts import Receiver

pytestmark = pytest.mark.integration  # real servers and real Prefect flow runs

SOURCES = ["minhang_mirror", "donghu_mirror"]
DONGHU = "dhq.nc.gov.cn/dhqrmzf"
REPORT_003 = f"{DONGHU}/bmczyjs07/202305/ebd0819170f051b188b3e8f300cc43a7.shtml"
# the same unit's report posted again in another street's column, one figure changed
COPY_003 = f"{DONGHU}/bmczyjs03/202303/0123456789abcdef0123456789abcdef.shtml"
MINHANG_LIST = "zwgk.shmh.gov.cn/mh-xxgk-cms/website/mh_xxgk/czzj_ysjxgl/index_1.html"
REPORT_002_ITEM = b'<li><a href="content/65f73354-9395-5a16-8681-c0d91f98f67e.htm"'


def _republish_003(site: Path) -> None:
    page = (site / REPORT_003).read_bytes()
    old, new = "编制数37个".encode("gb18030"), "编制数38个".encode("gb18030")
    assert page.count(old) == 1
    (site / COPY_003).write_bytes(page.replace(old, new))
    index = site / DONGHU / "bmczyjs03" / "index.shtml"
    item = (
        '<li><a href="./202303/0123456789abcdef0123456789abcdef.shtml" '
        'title="东湖区公园街道办事处2022年度部门整体支出绩效自评报告">东湖区公园街道办事处2022年度部门整体支出绩效自评报告</a>'
        "<span>2023-06-01</span></li>\n"
    )
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace('<ul class="list">\n', '<ul class="list">\n' + item, 1), encoding="utf-8")


def _break_the_sites(site: Path) -> None:
    """Donghu changes its list markup; Minhang takes one report down."""
    for page in (site / "dhq.nc.gov.cn").rglob("index*.shtml"):
        page.write_bytes(page.read_bytes().replace(b"<li", b"<div").replace(b"</li>", b"</div>"))
    listing = site / MINHANG_LIST
    lines = listing.read_bytes().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(REPORT_002_ITEM)]
    assert len(kept) == len(lines) - 1
    listing.write_bytes(b"".join(kept))


def _artifact_rows(key: str) -> list[dict]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        [latest] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return json.loads(latest.data) if isinstance(latest.data, str) else latest.data


BOT_MESSAGES: list = []  # what the chat bots received during the module's two runs


@pytest.fixture(scope="module")
def runs(prefect_harness, tmp_path_factory):
    from flows.nightly import nightly

    tmp = tmp_path_factory.mktemp("dq-flow")
    site, home = tmp / "site", tmp / "home"
    shutil.copytree(SITE_DIR, site)
    _republish_003(site)
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.MonkeyPatch.context() as mp, MirrorServer(site) as mirror, BotReceivers() as bots:
            mp.setenv("GOVPERF_ALERT_WEBHOOK", receiver.url)
            # the chat bots beside the webhook: DingTalk signed, e-mail-free (tests/test_notify.py has the rest)
            mp.setenv("GOVPERF_ALERT_URLS", f"{bots.urls()['dingtalk']} {bots.urls()['wecom']}")
            mp.setenv("GOVPERF_SITE_URL", "https://govperf.example.cn/site/")
            first = nightly(sources=SOURCES, base_url=mirror.base_url, home=str(home))
            first_table = _artifact_rows("govperf-new-findings")
            _break_the_sites(site)
            # a full walk: an incremental one stops at known pages and cannot tell a report is gone
            second = nightly(sources=SOURCES, base_url=mirror.base_url, home=str(home), full_refresh=True)
            second_table = _artifact_rows("govperf-new-findings")
    finally:
        receiver.shutdown()
        receiver.server_close()
    BOT_MESSAGES.append(bots.received)
    return home, first, second, receiver.posts, first_table, second_table


def test_each_run_posts_one_alert(runs):
    _, first, second, posts, _, _ = runs
    assert [p["run_id"] for p in posts] == [first["run_id"], second["run_id"]]


def test_each_run_with_findings_tells_the_chat_bots_and_links_the_report_site(runs):
    home, first, second, _, _, _ = runs
    [bots] = BOT_MESSAGES
    assert bots.refused == []
    texts = [m["markdown"]["text"] for m in bots.dingtalk]
    assert len(texts) == 2 and len(bots.wecom) == 2
    assert first["run_id"] in texts[0] and second["run_id"] in texts[1]
    assert "stated 92.77% but 7609.48/7664.88 = 99.28%" in texts[0] and "预算执行率92.77%" in texts[0]
    assert "https://govperf.example.cn/site/quality.html#report-" in texts[0]
    # the site the links point into was built by each run, into the data folder
    assert first["site"] == second["site"] == str(home / "site" / "index.html")
    assert "rate_matches_amounts" in (home / "site" / "quality.html").read_text(encoding="utf-8")


def test_the_first_alert_lists_new_errors_and_warnings_with_their_sources(runs):
    _, _, _, posts, _, _ = runs
    alert = posts[0]
    assert alert["status"] == "error"
    [error] = [e for e in alert["errors"] if e["check"] == "rate_matches_amounts"]
    assert error["department"] == "浦锦街道社区事务受理服务中心" and error["field"] == "budget.project.rate"
    assert error["source_url"].endswith(".pdf") and error["page_url"].endswith(".htm")
    assert error["source_url"].startswith("http://127.0.0.1:")
    assert "92.77%" in error["evidence"]
    warnings = {(w["check"], w["department"]) for w in alert["warnings"]}
    assert {
        ("period_matches_fiscal_year", "浦锦街道社区事务受理服务中心"),
        ("score_matches_indicators", "公园街道办事处"),
        ("publisher_matches_region", "公园街道办事处"),
        ("duplicate_report", "公园街道办事处"),
    } <= warnings
    assert alert["health"] == []


def test_two_postings_of_one_report_with_other_content_are_flagged(runs):
    home, _, _, posts, _, _ = runs
    [dup] = [w for w in posts[0]["warnings"] if w["check"] == "duplicate_report"]
    # the current version names the other posting's URL, read in the same run
    other = {REPORT_003, COPY_003} - {dup["source_url"].split("/", 3)[3]}
    assert other.pop() in dup["message"] and "this run" in dup["message"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute(
            """SELECT count(*) FROM core.dq_findings f JOIN core.reports r USING (report_id)
               WHERE f."check" = 'duplicate_report' AND r.department = '公园街道办事处'"""
        ).fetchone()[0]
    assert stored == 2  # each posting carries the finding; the later one is the current version


def test_data_docs_are_built_into_the_data_folder(runs):
    home, first, second, posts, _, _ = runs
    index = home / "docs" / "index.html"
    assert index.is_file() and second["docs"] == str(index) == posts[1]["docs"]
    run_pages = {
        p.relative_to(home / "docs").parts[2] for p in (home / "docs" / "validations").rglob("*.html")
    }
    # the second run's reports were all in the warehouse already: checked without GX, and the
    # Data Docs of the run that changed something stay
    assert run_pages == {first["run_id"]}


def test_the_table_artifact_lists_the_new_findings(runs):
    _, _, _, _, first_table, _ = runs
    checks = {row["check"] for row in first_table}
    assert {"rate_matches_amounts", "duplicate_report", "publisher_matches_region"} <= checks
    assert all(row["url"] for row in first_table if row["check"] == "rate_matches_amounts")


def test_a_changed_site_layout_and_a_report_taken_down_are_alerted(runs):
    _, _, second, posts, _, second_table = runs
    alert = posts[1]
    health = {(h["check"], h["source"], h["district"], h["fiscal_year"]): h for h in alert["health"]}
    assert set(health) == {
        ("source_yields_no_documents", "donghu_mirror", None, None),
        ("district_year_lost_reports", "minhang_mirror", "闵行区", 2023),
        ("district_year_lost_reports", "donghu_mirror", "东湖区", 2022),
    }
    assert health[("source_yields_no_documents", "donghu_mirror", None, None)]["severity"] == "error"
    lost = health[("district_year_lost_reports", "minhang_mirror", "闵行区", 2023)]
    assert "浦锦街道城市运行管理中心" in lost["message"] and "1 of the 3" in lost["message"]
    assert alert["status"] == "error" and second["health"] == alert["health"]
    assert {row["check"] for row in second_table} >= {
        "source_yields_no_documents",
        "district_year_lost_reports",
    }


def test_findings_already_alerted_are_not_alerted_again(runs):
    _, _, _, posts, _, _ = runs
    assert posts[1]["errors"] == [] and posts[1]["warnings"] == []
