"""`govperf sources suggest URL`: the family recognised, a TOML that loads, and what it finds,
against the mirror's families over real HTTP."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from flows.crawl.discover import discover_links
from flows.crawl.http import make_client
from flows.crawl.suggest import suggest
from flows.mirror.server import MirrorServer
from flows.sources.model import Source, load_sources

GOVPERF = str(Path(sys.executable).parent / "govperf")


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer() as server:
        yield server


def _titles(source: Source) -> list[str]:
    with make_client(source) as client:
        return sorted(link.title for link in discover_links(source, client).links)


@pytest.mark.parametrize(
    ("path", "kind", "ours", "mode"),
    [
        (
            "/zwgk.shmh.gov.cn/mh-xxgk-cms/website/mh_xxgk/czzj_ysjxgl/index.html",
            "static",
            "minhang_mirror",
            "attachments",
        ),
        ("/dhq.nc.gov.cn/dhqrmzf/bmczyjs07/index.shtml", "static", None, "inline"),
        ("/www.szns.gov.cn/xxgk/qzfxxgkml/czxx/jxpj/index.html", "script", "nanshan_mirror", "attachments"),
        ("/www.hzxh.gov.cn/col/col1229476/index.html", "dataproxy", None, "attachments"),
        ("/www.tjhp.gov.cn/api/zwgk/list?channelId=jxzp&page=1&size=2", "json", None, None),
    ],
)
def test_suggest_recognises_each_family_and_its_toml_loads(
    mirror: MirrorServer, path: str, kind: str, ours: str | None, mode: str | None
) -> None:
    found = suggest(mirror.url(path))
    assert found.source.kind == kind
    # the printed file is a valid source file, equal to the suggestion
    again = Source.model_validate(tomllib.loads(found.toml()))
    assert again == found.source
    assert (found.pages and all(links for _, links in found.pages)) or kind == "script"
    if mode:
        assert found.source.detail.mode == mode
    if ours:  # over the whole column, the suggestion finds what the hand-written file does
        fast = {"requests_per_second": 200.0}
        mine = found.source.model_copy(update={"politeness": found.source.politeness.model_copy(update=fast)})
        theirs = load_sources()[ours].rebased(mirror.base_url)
        theirs = theirs.model_copy(update={"politeness": theirs.politeness.model_copy(update=fast)})
        assert _titles(mine) == _titles(theirs)


def test_suggest_for_a_hanweb_column_reads_its_ids(mirror: MirrorServer) -> None:
    found = suggest(mirror.url("/www.hzxh.gov.cn/col/col1229476/index.html"))
    api = found.source.api
    assert api is not None and api.method == "POST"
    assert api.params["unitid"] == "5678" and api.params["columnid"] == "{column}"
    assert api.url == "/www.hzxh.gov.cn/module/web/jpage/dataproxy.jsp"
    titles = [t for _, links in found.pages for _, t in links]
    assert "灵隐街道2022年度部门整体支出绩效自评表" in titles


def test_suggest_for_a_json_api_names_its_fields(mirror: MirrorServer) -> None:
    found = suggest(mirror.url("/www.tjhp.gov.cn/api/zwgk/list?channelId=jxzp&page=1&size=2"))
    api = found.source.api
    assert api is not None
    assert (api.records_path, api.title_field, api.url_field, api.date_field) == (
        "data.list",
        "title",
        "url",
        "publishDate",
    )
    assert (api.page_param, api.page_size_param, api.page_size, api.total_pages_path) == (
        "page",
        "size",
        2,
        "data.pages",
    )
    assert api.params == {"channelId": "jxzp"}
    assert len(found.pages) == 2  # it walked to the second page


def test_suggest_recognises_vsb(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "xxgk").mkdir(parents=True)
    items = "".join(
        f"<li><a href='../info/1001/{i}.htm'>第{i}街道2023年度部门整体支出绩效自评报告</a></li>"
        for i in range(3)
    )
    (site / "xxgk" / "czyjs.htm").write_text(
        f"<ul class='list'>{items}</ul><span class='p_t'>1/1</span>", encoding="utf-8"
    )
    with MirrorServer(site) as server:
        found = suggest(server.url("/xxgk/czyjs.htm"))
    assert found.source.kind == "vsb" and found.source.links.url_pattern == r"/info/\d+/\d+\.htm$"


def test_the_command_prints_a_source_file(mirror: MirrorServer) -> None:
    url = mirror.url("/www.szns.gov.cn/xxgk/qzfxxgkml/czxx/jxpj/index.html")
    done = subprocess.run([GOVPERF, "sources", "suggest", url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'kind = "script"' in done.stdout and "family: script" in done.stderr
    assert tomllib.loads(done.stdout)["kind"] == "script"
    bad = subprocess.run(
        [GOVPERF, "sources", "suggest", "ftp://x"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and "not an http(s) URL" in bad.stderr
