"""The site families districts run, each driven through real HTTP on a local mirror server:
list kinds (static, script, VSB, JSON API GET/POST, Hanweb data proxy) to their last page and
stopping at known pages, every kind of attachment link and download endpoint, mobile twins,
and 部门决算 documents whose self-evaluation parts are the reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from flows.crawl.archive import RawArchive
from flows.crawl.check import check_source
from flows.crawl.discover import discover_links
from flows.crawl.fetch import fetch_documents
from flows.crawl.http import make_client
from flows.crawl.run import crawl_source
from flows.documents.model import Document, ExtractError, Paragraph, Table
from flows.documents.sections import self_evaluation_parts
from flows.mirror.server import SITE_DIR, MirrorServer
from flows.reports.extract import reports_from_bytes
from flows.reports.stream import extract_documents
from flows.sources.model import Source, load_sources

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"
FAST = {"requests_per_second": 200.0, "backoff_base_seconds": 0.01, "max_retries": 0}
MANIFEST = json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))
FAMILIES = {"nanshan_mirror": "nanshan", "xihu_mirror": "xihu", "heping_mirror": "heping"}


def _fast(source: Source) -> Source:
    return source.model_copy(update={"politeness": source.politeness.model_copy(update=FAST)})


def _mirror_source(name: str, base_url: str) -> Source:
    return _fast(load_sources()[name].rebased(base_url))


def _source(base_url: str, **fields: Any) -> Source:
    data: dict[str, Any] = {
        "name": "t",
        "title": "t",
        "region": {"province": "浙江省", "city": "杭州市", "district": "西湖区"},
        "base_url": base_url,
        "politeness": {"requests_per_second": 200.0, "backoff_base_seconds": 0.01, "max_retries": 0},
        "allow_private_addresses": True,  # the test sites listen on loopback
    }
    data.update(fields)
    return Source.model_validate(data)


def _write_site(root: Path, files: dict[str, bytes | str], endpoints: dict[str, Any] | None = None) -> Path:
    for path, body in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    (root / "manifest.json").write_text(
        json.dumps({"files": {}, "endpoints": endpoints or {}}), encoding="utf-8"
    )
    return root


def _reports_of(site: str) -> set[str]:
    return {d["detail_page"] for d in MANIFEST["documents"] if d["site"] == site and d["role"] == "report"}


def _paths(urls: list[str], base: str) -> set[str]:
    return {u.removeprefix(base) for u in urls}


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer() as server:
        yield server


# ── the mirror's three new families, to their last page ───────────────────────────────


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_each_mirror_family_is_walked_to_its_last_page(mirror: MirrorServer, name: str) -> None:
    source = _mirror_source(name, mirror.base_url)
    mirror.reset_requests()
    with make_client(source) as client:
        found = discover_links(source, client)
    assert found.errors == []
    assert found.pages_seen == 2  # every family's list runs to a second page
    assert _paths([link.url for link in found.links], mirror.base_url) == _reports_of(FAMILIES[name])
    methods = {(m, p.split("?")[0]) for m, p, _ in mirror.requests}
    if name == "xihu_mirror":  # both pages asked of the data proxy by POST, records 1-2 and 3-4
        posts = sorted(p for m, p, _ in mirror.requests if m == "POST")
        assert posts == [
            "/www.hzxh.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage=2",
            "/www.hzxh.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2",
        ]
    elif name == "heping_mirror":
        pages = sorted(p for m, p, _ in mirror.requests if "/api/" in p)
        assert pages == [
            "/www.tjhp.gov.cn/api/zwgk/list?channelId=jxzp&page=1&size=2",
            "/www.tjhp.gov.cn/api/zwgk/list?channelId=jxzp&page=2&size=2",
        ]
    else:  # the script named index_1.html; the page itself links no next page
        assert ("GET", "/www.szns.gov.cn/xxgk/qzfxxgkml/czxx/jxpj/index_1.html") in methods
        assert found.twins == 1  # the report's _wap twin was listed beside it and dropped


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_each_mirror_family_yields_its_reports_and_a_second_crawl_downloads_nothing(
    mirror: MirrorServer, tmp_path: Path, name: str
) -> None:
    source = _mirror_source(name, mirror.base_url)
    archive = RawArchive(tmp_path / "raw")
    first = crawl_source(source, archive)
    assert first.errors == []
    docs = [d for d in MANIFEST["documents"] if d["site"] == FAMILIES[name] and d["role"] == "report"]
    got = _paths([d.url for d in first.documents], mirror.base_url)
    assert got == {d.get("url", d["path"]) for d in docs}
    extracted = extract_documents(first.documents, archive)
    assert extracted.rejected == []
    assert len(extracted.records) == sum(d["reports"] for d in docs)
    assert {(r.report.department, r.report.fiscal_year) for r in extracted.records} == {
        (d["unit"], d["fiscal_year"]) for d in docs
    }
    # incremental: the first list page holds only known reports, so the walk stops there,
    # and every page and file is revalidated with a 304
    known = {u for d in first.documents for u in (d.url, d.page_url)}
    mirror.reset_requests()
    second = crawl_source(source, RawArchive(tmp_path / "raw"), known_urls=known)
    # (南山's first page lists no report, so its second page is walked again)
    assert second.bodies_downloaded == 0 and second.list_pages == (2 if name == "nanshan_mirror" else 1)
    statuses = {(p.split("?")[0], s) for _, p, s in mirror.requests}
    assert all(s == 304 for p, s in statuses if p != "/robots.txt" and not p.endswith("dataproxy.jsp"))


def test_sources_check_reads_every_kind(mirror: MirrorServer) -> None:
    for name in ("minhang_mirror", "donghu_mirror", *FAMILIES):
        results = check_source(_mirror_source(name, mirror.base_url))
        assert results and all(h.ok and h.items > 0 for h in results), (name, results)
        # 南山's first page lists only news and a budget: it parses, with no report yet
        assert (sum(h.links for h in results) > 0) == (name != "nanshan_mirror"), (name, results)
        assert all(h.pagination for h in results), (name, results)


def test_real_family_files_rebased_onto_the_mirror_find_the_same_reports(mirror: MirrorServer) -> None:
    for real, ours in (("nanshan", "nanshan_mirror"), ("xihu", "xihu_mirror"), ("heping", "heping_mirror")):
        source = load_sources()[real]
        host = source.allowed_hosts[0]
        rebased = _fast(source.rebased(f"{mirror.base_url}/{host}"))
        if rebased.api is not None:  # the real endpoint is at the host's root; the mirror's under /host
            rebased = rebased.model_copy(
                update={
                    "api": rebased.api.model_copy(update={"page_size": load_sources()[ours].api.page_size})
                }
            )
        with make_client(rebased) as client:
            got = discover_links(rebased, client)
            want = discover_links(_mirror_source(ours, mirror.base_url), client)
        assert got.errors == [], real
        assert sorted(link.url for link in got.links) == sorted(link.url for link in want.links), real


# ── list kinds on small sites of their own ────────────────────────────────────────────


def _items(n: int, start: int = 0, href: str = "../info/1001/{i}.htm") -> str:
    return "\n".join(
        f'<li><a href="{href.format(i=i)}">第{i}号单位2023年度部门整体支出绩效自评报告</a><span>2024-06-01</span></li>'
        for i in range(start, start + n)
    )


def test_vsb_list_follows_its_numbered_pages_down_and_stops_at_known_ones(tmp_path: Path) -> None:
    pager = '<span class="p_t">共6条</span><span class="p_t">{k}/3</span>'
    files = {
        "/xxgk/czyjs.htm": f"<ul class='list'>{_items(2, 0)}</ul>"
        + '<span class="p_next p_fun"><a href="czyjs/2.htm">下页</a></span>'
        + pager.format(k=1),
        # the second page has no 下页 link: the pager's 2/3 and the numbering name page 3 (1.htm)
        "/xxgk/czyjs/2.htm": f"<ul class='list'>{_items(2, 2, '../../info/1001/{i}.htm')}</ul>"
        + pager.format(k=2),
        "/xxgk/czyjs/1.htm": f"<ul class='list'>{_items(2, 4, '../../info/1001/{i}.htm')}</ul>"
        + pager.format(k=3),
    }
    with MirrorServer(_write_site(tmp_path / "site", files)) as server:
        source = _source(
            server.base_url,
            kind="vsb",
            list_pages=["/xxgk/czyjs.htm"],
            links={"url_pattern": r"/info/\d+/\d+\.htm$"},
        )
        with make_client(source) as client:
            found = discover_links(source, client)
            assert found.errors == [] and found.pages_seen == 3
            assert [link.url.rsplit("/", 1)[1] for link in found.links] == [f"{i}.htm" for i in range(6)]
            server.reset_requests()
            again = discover_links(source, client, known_urls={link.url for link in found.links[:2]})
        assert again.pages_seen == 1
        assert [p for _, p, _ in server.requests if p != "/robots.txt"] == ["/xxgk/czyjs.htm"]


@pytest.mark.parametrize(
    "script",
    [
        'createPageHTML(3, 0, "index", "shtml");',
        "var countPage = 3//共多少页",
        "var totalPage = 3;",
        "pageCount: '3',",
    ],
)
def test_script_pagination_reads_the_page_count_from_the_script(tmp_path: Path, script: str) -> None:
    files = {
        f"/col/{name}": f"<ul>{_items(2, 2 * k, './202406/t20240601_{i}.html')}</ul><script>{script}</script>"
        for k, name in enumerate(("index.shtml", "index_1.shtml", "index_2.shtml", "index_3.shtml"))
    }
    with MirrorServer(_write_site(tmp_path / "site", files)) as server:
        extra = {} if "createPageHTML" in script else {"pagination": {"pattern": "index_{n}.shtml"}}
        source = _source(
            server.base_url,
            kind="script",
            list_pages=["/col/index.shtml"],
            links={"url_pattern": r"/t\d{8}_\d+\.html$"},
            **extra,
        )
        with make_client(source) as client:
            found = discover_links(source, client)
    # three pages stated: the fourth, which exists, is not asked for
    assert found.pages_seen == 3 and len(found.links) == 6
    assert all("/col/index_3.shtml" not in p for _, p, _ in server.requests)


def test_static_list_starts_at_index_html_and_follows_its_next_link(tmp_path: Path) -> None:
    files = {
        "/col/index.html": f"<ul>{_items(1, 0, 'a{i}.html')}</ul><a href='index_1.html'>下一页</a>",
        "/col/index_1.html": f"<ul>{_items(1, 1, 'a{i}.html')}</ul><a href='index_2.html'>下一页</a>",
        "/col/index_2.html": f"<ul>{_items(1, 2, 'a{i}.html')}</ul>",
    }
    with MirrorServer(_write_site(tmp_path / "site", files)) as server:
        source = _source(server.base_url, list_pages=["/col/index.html"])
        with make_client(source) as client:
            found = discover_links(source, client)
    assert found.pages_seen == 3 and [link.url.rsplit("/", 1)[1] for link in found.links] == [
        "a0.html",
        "a1.html",
        "a2.html",
    ]


def _json_records(n: int) -> list[dict[str, str]]:
    return [
        {
            "docTitle": f"第{i}号单位2023年度部门整体支出绩效自评报告",
            "link": f"/art/{i}.html",
            "pubDate": "2024-06-01",
        }
        for i in range(n)
    ] + [{"docTitle": "第九号单位2023年度部门决算", "link": "/art/99.html", "pubDate": "2024-06-01"}]


@pytest.mark.parametrize("body", ["form", "json"])
def test_json_api_by_post_reads_records_by_field_name_to_the_last_page(tmp_path: Path, body: str) -> None:
    endpoint = {
        "kind": "json_list",
        "post": True,
        "column_param": "channel",
        "page_param": "pageNo",
        "size_param": "pageSize",
        "columns": {"88": {"records": _json_records(5)}},
    }
    site = _write_site(
        tmp_path / "site", {"/col/88/index.html": "<div id='list'></div>"}, {"/api/search": endpoint}
    )
    with MirrorServer(site) as server:
        source = _source(
            server.base_url,
            kind="json",
            list_pages=["/col/88/index.html"],
            api={
                "url": "/api/search",
                "method": "POST",
                "body": body,
                "column_pattern": r"/col/(\d+)/",
                "params": {"channel": "{column}"},
                "page_param": "pageNo",
                "page_size_param": "pageSize",
                "page_size": 2,
                "records_path": "data.list",
                "title_field": "docTitle",
                "url_field": "link",
                "date_field": "pubDate",
                "total_records_path": "data.total",
            },
        )
        with make_client(source) as client:
            found = discover_links(source, client)
    assert found.errors == [] and found.pages_seen == 3  # 6 records, 2 a page
    assert sorted(link.url.rsplit("/", 1)[1] for link in found.links) == [f"{i}.html" for i in range(5)]
    assert sum(1 for m, _, _ in server.requests if m == "POST") == 3


def test_a_json_api_that_answers_something_else_is_a_clear_error(tmp_path: Path) -> None:
    site = _write_site(tmp_path / "site", {"/api/list.json": json.dumps({"data": {"list": "oops"}})})
    with MirrorServer(site) as server:
        source = _source(
            server.base_url,
            kind="json",
            list_pages=["/col/index.html"],
            api={"url": "/api/list.json", "records_path": "data.list"},
        )
        with make_client(source) as client:
            found = discover_links(source, client)
        (health,) = check_source(source)
    assert [e.kind for e in found.errors] == ["bad_list"]
    assert "data.list is a str" in found.errors[0].message
    assert not health.ok and "bad_list" in (health.error or "")


def test_a_source_file_with_a_wrong_kind_setup_fails_by_name(tmp_path: Path) -> None:
    from flows.sources.model import SourceError, load_source

    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "bad"\ntitle = "x"\nbase_url = "https://x.gov.cn"\nlist_pages = ["/a"]\nkind = "json"\n'
        '[region]\nprovince = "a"\ncity = "b"\ndistrict = "c"\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"(?s)bad\.toml.*needs an \[api\] table"):
        load_source(path)


# ── attachments of every kind ─────────────────────────────────────────────────────────

DOCX = (CORPUS / "d10_heping_quanyechang_2023.docx").read_bytes()
XLSX = (CORPUS / "d03_xihu_lingyin_2022.xlsx").read_bytes()
PDF = (CORPUS / "d01_nanshan_yuehai_2023.pdf").read_bytes()
PDF2 = (CORPUS / "p10_xihu_lingyin_juesuan_2022.pdf").read_bytes()
DOC = (CORPUS / "p09_nanshan_yuehai_2024.doc").read_bytes()


def _attachment_site(root: Path) -> Path:
    detail = (
        "<html><head><meta charset='utf-8'><title>附件</title></head><body><h1>绩效自评</h1>"
        "<iframe src='/pdfjs/web/viewer.html?file=%2Ffiles%2Fa.pdf' width='100%'></iframe>"
        "<embed src='/files/b.doc' type='application/msword'>"
        "<object data='/files/c.pdf20240128183610173.pdf' type='application/pdf'></object>"
        "<button onclick=\"window.open('/files/d.xlsx')\">查看</button>"
        "<p><a href='/download?id=7&amp;siteId=2'>下载附件</a></p>"
        "<p><a href='/DownLoad.aspx?id=8'>点击下载</a></p>"
        "<p><a href='/files/c.pdf20240128183610173.pdf'>某单位2023年度绩效自评报告.pdf20240128183610173.pdf</a></p>"
        "<p><a href='/files/policy.pdf'>政策解读</a></p>"
        "</body></html>"
    )
    files = {
        "/col/index.html": "<ul><li><a href='/art/1.html'>某街道2023年度部门整体支出绩效自评报告</a></li></ul>",
        "/art/1.html": detail,
        "/files/a.pdf": PDF,
        "/files/b.doc": DOC,
        "/files/c.pdf20240128183610173.pdf": PDF2,
        "/files/d.xlsx": XLSX,
        "/files/policy.pdf": PDF,
        "/store/x.bin": DOCX,
        "/store/y.bin": XLSX,
    }
    endpoints = {
        "/download": {
            "kind": "download",
            "files": {
                "7": {"path": "/store/x.bin", "filename": "劝业场街道2023年度部门整体支出绩效自评报告.docx"}
            },
        },
        "/DownLoad.aspx": {
            "kind": "download",
            "files": {
                "8": {
                    "path": "/store/y.bin",
                    "filename": "灵隐街道2022年度绩效自评表.xlsx",
                    "name_encoding": "gbk",
                }
            },
        },
    }
    return _write_site(root, files, endpoints)


def test_attachments_from_viewers_embeds_scripts_and_download_endpoints_are_fetched_and_typed(
    tmp_path: Path,
) -> None:
    with MirrorServer(_attachment_site(tmp_path / "site")) as server:
        source = _source(
            server.base_url,
            list_pages=["/col/index.html"],
            detail={
                "mode": "attachments",
                "download_patterns": [r"/download\?id=\d+", r"/DownLoad\.aspx\?id=\d+"],
                "attachment_exclude": ["政策解读"],
            },
        )
        archive = RawArchive(tmp_path / "raw")
        with make_client(source) as client:
            found = discover_links(source, client)
            fetched = fetch_documents(found.links, source, archive, client)
    assert fetched.errors == []
    got = {d.url.removeprefix(server.base_url): (d.format, d.title) for d in fetched.documents}
    page_title = "绩效自评"  # the page's heading
    assert got == {
        "/files/a.pdf": ("pdf", page_title),
        "/files/b.doc": ("doc", page_title),
        "/files/c.pdf20240128183610173.pdf": ("pdf", "某单位2023年度绩效自评报告"),
        "/files/d.xlsx": ("xlsx", page_title),
        # no type in the URL: the bytes say docx/xlsx, the name comes from Content-Disposition
        "/download?id=7&siteId=2": ("docx", "劝业场街道2023年度部门整体支出绩效自评报告"),
        "/DownLoad.aspx?id=8": ("xlsx", "灵隐街道2022年度绩效自评表"),
    }
    # the viewer itself is never fetched, only its file; the excluded policy file is skipped
    assert not any("viewer.html" in p or "policy" in p for _, p, _ in server.requests)
    # the extension-less bodies are what the site stored
    by_url = {d.url.removeprefix(server.base_url): d for d in fetched.documents}
    assert archive.read(by_url["/download?id=7&siteId=2"].sha256) == DOCX


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("attachment; filename*=UTF-8''" + quote("自评报告.docx"), "自评报告.docx"),
        ('attachment; filename="' + quote("自评报告.pdf") + '"', "自评报告.pdf"),
        ("attachment; filename=report.xls", "report.xls"),
    ],
)
def test_content_disposition_names(header: str, name: str) -> None:
    from flows.crawl.filetype import disposition_filename

    assert disposition_filename(httpx.Headers({"content-disposition": header})) == name


def test_gbk_and_utf8_raw_names_in_content_disposition() -> None:
    from flows.crawl.filetype import disposition_filename

    for enc in ("gbk", "utf-8"):
        raw = httpx.Headers(
            [(b"Content-Disposition", b'attachment; filename="' + "绩效自评表.xls".encode(enc) + b'"')]
        )
        assert disposition_filename(raw) == "绩效自评表.xls"


# ── mobile twins ──────────────────────────────────────────────────────────────────────


def test_mobile_twins_count_once_and_a_twin_alone_is_kept(tmp_path: Path) -> None:
    title = "某街道2023年度部门整体支出绩效自评报告"
    lis = "".join(
        f"<li><a href='{h}'>{title}{n}</a></li>"
        for n, h in enumerate(
            [
                "t20230904_1_wap.html",
                "t20230904_1.html",
                "t20230905_2.html",
                "t20230905_2_wap.html",
                "t20230906_3_wap.html",
            ]
        )
    )
    page = "<html><body>{}</body></html>"
    files = {"/col/index.html": f"<ul>{lis}</ul>"}
    for name in ("t20230904_1", "t20230905_2", "t20230906_3"):
        files[f"/col/{name}.html"] = page.format(f"<p>{title}</p>")
        files[f"/col/{name}_wap.html"] = page.format(f"<p>{title}</p>")
    with MirrorServer(_write_site(tmp_path / "site", files)) as server:
        source = _source(server.base_url, list_pages=["/col/index.html"], detail={"mode": "inline"})
        with make_client(source) as client:
            found = discover_links(source, client)
            fetched = fetch_documents(found.links, source, RawArchive(tmp_path / "raw"), client)
    names = [link.url.rsplit("/", 1)[1] for link in found.links]
    assert names == ["t20230904_1.html", "t20230905_2.html", "t20230906_3_wap.html"] and found.twins == 2
    assert len(fetched.documents) == 3
    assert not any(
        p.endswith(("t20230904_1_wap.html", "t20230905_2_wap.html")) for _, p, _ in server.requests
    )


# ── 部门决算 documents ────────────────────────────────────────────────────────────────


def test_the_mirror_final_account_yields_only_its_two_project_forms(
    mirror: MirrorServer, tmp_path: Path
) -> None:
    source = _mirror_source("xihu_mirror", mirror.base_url)
    archive = RawArchive(tmp_path / "raw")
    crawl = crawl_source(source, archive)
    (final,) = [d for d in crawl.documents if d.sections == "self_evaluation"]
    assert final.title == "杭州市西湖区灵隐街道办事处2022年度部门决算" and final.format == "pdf"
    extracted = extract_documents([final], archive)
    assert sorted(r.report.project_name for r in extracted.records) == [
        "灵隐街道居家养老服务项目",
        "灵隐街道景区周边环境提升项目",
    ]
    assert all(r.report.kind == "project" for r in extracted.records)


def test_a_source_that_does_not_opt_in_skips_final_accounts(mirror: MirrorServer) -> None:
    source = _mirror_source("xihu_mirror", mirror.base_url)
    source = source.model_copy(update={"links": source.links.model_copy(update={"final_accounts": ()})})
    with make_client(source) as client:
        found = discover_links(source, client)
    assert [link.title for link in found.links] == ["灵隐街道2022年度部门整体支出绩效自评表"]


def _final_account(with_self_evaluation: bool) -> Document:
    seed = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "003_adbddcb1adb3e59f.txt"
    blocks: list[Paragraph | Table] = [
        Paragraph("东湖区公园街道办事处2022年度部门决算"),
        Paragraph("第一部分 部门概况"),
        Paragraph("公园街道办事处是东湖区人民政府的派出机关。"),
        Paragraph("第二部分 2022年度部门决算表"),
        Paragraph("公开表1 收入支出决算总表"),
        Table((("项目", "决算数"), ("本年收入合计", "3568.21"), ("本年支出合计", "3541.87"))),
    ]
    if with_self_evaluation:
        blocks.append(Paragraph("第三部分 2022年度部门整体支出绩效自评情况"))
        lines = [ln for ln in seed.read_text(encoding="utf-8").splitlines() if ln.strip() and "|" not in ln]
        blocks += [Paragraph(ln) for ln in lines]
    blocks += [Paragraph("第四部分 名词解释"), Paragraph("一、财政拨款收入：指本级财政当年拨付的资金。")]
    return Document("juesuan.txt", "txt", blocks)


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "shared" / "seeds").is_dir(), reason="needs the seed reports"
)
def test_a_final_accounts_self_evaluation_section_is_cut_out_as_a_report() -> None:
    doc = _final_account(with_self_evaluation=True)
    (part,) = self_evaluation_parts(doc)
    text = part.text()
    assert text.startswith("东湖区公园街道办事处2022年度部门决算\n第三部分 2022年度部门整体支出绩效自评情况")
    assert "收入支出决算总表" not in text and "名词解释" not in text and "3568.21" not in text
    body = "\n".join(b.text if isinstance(b, Paragraph) else "" for b in doc.blocks).encode("utf-8")
    (report,) = reports_from_bytes(body, name="juesuan.txt", sha256="x", sections="self_evaluation")
    assert report.department == "公园街道办事处" and report.fiscal_year == 2022
    # read whole, the same bytes would mix the 决算's own figures in; without its part, no report
    plain = "\n".join(b.text for b in _final_account(False).blocks if isinstance(b, Paragraph)).encode(
        "utf-8"
    )
    with pytest.raises(ExtractError) as err:
        reports_from_bytes(plain, name="plain.txt", sha256="y", sections="self_evaluation")
    assert err.value.kind == "not_a_report" and "no self-evaluation part" in err.value.message


def test_an_api_that_ignores_its_page_parameter_is_not_walked_to_max_pages(tmp_path: Path) -> None:
    answer = {"data": {"list": _json_records(3)}}
    site = _write_site(tmp_path / "site", {"/api/list.json": json.dumps(answer, ensure_ascii=False)})
    with MirrorServer(site) as server:
        source = _source(
            server.base_url,
            kind="json",
            list_pages=["/col/index.html"],
            api={"url": "/api/list.json", "title_field": "docTitle", "url_field": "link"},
            pagination={"max_pages": 20},
        )
        with make_client(source) as client:
            found = discover_links(source, client)
    # page 2 answered page 1's records again: the walk ends there
    assert found.pages_seen == 2 and len(found.links) == 3 and found.errors == []
