"""The demo mirror: renderers, the committed site, and the server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import openpyxl
import pdfplumber
import pypdfium2
import pytest
from selectolax.lexbor import LexborHTMLParser

from flows.documents.charset import decode_html
from flows.mirror.server import MirrorServer, serve_mirror
from tests.mirror.build import DEFAULT_SEEDS, SITE_DIR, build, split_meta_header
from tests.mirror.render import SheetSpec, parse_seed, render_docx, render_pdf, render_xlsx
from tests.mirror.seed import SeedParagraph, logical_rows, vertical_merges

SEED_IDS = {
    "000_397b2cfd6bebb201",
    "001_99079b6c4dc218b5",
    "002_3bbc2b41b728a9a3",
    "003_adbddcb1adb3e59f",
    "004_e0794d83f7dd1d9f",
}
needs_seeds = pytest.mark.skipif(not DEFAULT_SEEDS.is_dir(), reason=f"seed folder {DEFAULT_SEEDS} not here")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with serve_mirror() as server:
        yield server


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def _seed(seed_id: str) -> str:
    return (DEFAULT_SEEDS / f"{seed_id}.txt").read_text(encoding="utf-8")


def _docs(manifest: dict, **where: object) -> list[dict]:
    return [d for d in manifest["documents"] if all(d.get(k) == v for k, v in where.items())]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ── the seed parser ─────────────────────────────────────────────────────────────────────


@needs_seeds
def test_parse_seed_keeps_every_line_and_the_page_cut_sentence() -> None:
    text = _seed("000_397b2cfd6bebb201")
    doc = parse_seed(text)
    assert not doc.tables
    assert [p.text for p in doc.paragraphs] == [line for line in text.split("\n") if line.strip()]
    cut = [i for i, b in enumerate(doc.blocks) if b.page_break_before]
    assert cut, "the sentence the original PDF cut over a page must be marked"
    before, after = doc.blocks[cut[0] - 1], doc.blocks[cut[0]]
    assert isinstance(before, SeedParagraph) and isinstance(after, SeedParagraph) and after.continues
    assert before.text.endswith("239.18") and after.text == "万元。"


@needs_seeds
def test_parse_seed_tables_of_004() -> None:
    doc = parse_seed(_seed("004_e0794d83f7dd1d9f"))
    kinds = [t.kind for t in doc.tables]
    assert kinds == ["toc", "grid", "grid"]
    budget, indicators = doc.tables[1], doc.tables[2]
    assert budget.rows[0] == ("内容", "全年预算数", "全年执行数", "执行率")
    assert budget.page_breaks  # the blank line inside it: a page break in the original
    assert indicators.width == 9 and all(len(r) == 9 for r in indicators.rows)
    # rows whose export dropped an empty cell get it back where no text lands in a blank column
    by_name = {r[4]: r for r in indicators.rows}
    assert by_name["创新社会治理加强社会建设推进会"][:4] == ("产出指标", "", "数量指标", "")
    assert by_name["推进会开展及时性"][:4] == ("", "", "时效指标", "")
    assert by_name["结转结余率"][:4] == ("", "", "部门结转结余资金管理", "")
    # the reason cut over a page is one cell again in the logical table
    logical = {r[4]: r for r in logical_rows(indicators)}
    assert logical["创新社会治理加强社会建设推进会"][7].endswith("未召开推进会。")
    assert len(logical_rows(indicators)) == len(indicators.rows) - 2
    spans = vertical_merges(logical_rows(indicators))
    assert (0, 1, 13) in spans  # 投入管理指标 over its 13 rows


def test_split_meta_header_restores_the_dropped_empty_value() -> None:
    text = "索引号: | X-1 | 主题分类: | 综合 |\n文件编号: | 有效性: | 有效 | |\n正文第一段。"
    rows, rest = split_meta_header(text)
    assert rows == (("索引号:", "X-1", "主题分类:", "综合"), ("文件编号:", "", "有效性:", "有效"))
    assert rest == "正文第一段。"


# ── renderers ──────────────────────────────────────────────────────────────────────────


@needs_seeds
def test_docx_merges_level_cells_and_rejoins_cut_paragraphs() -> None:
    import docx

    data = render_docx(parse_seed(_seed("004_e0794d83f7dd1d9f")), title="t")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert xml.count('w:vMerge w:val="restart"') >= 10
    table = docx.Document(io.BytesIO(data)).tables[-1]
    assert table.cell(0, 0).text == "一级指标"
    # a merged cell is one cell: its rows share it
    assert table.cell(1, 0)._tc is table.cell(5, 0)._tc
    assert table.cell(1, 0).text == "投入管理指标"
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "目录" in texts  # a page break before a heading is not a cut sentence: nothing joined

    paras = [
        p.text
        for p in docx.Document(io.BytesIO(render_docx(parse_seed(_seed("000_397b2cfd6bebb201"))))).paragraphs
    ]
    assert any(p.endswith("239.18万元。") for p in paras)
    assert "万元。" not in paras


def test_office_files_are_byte_stable() -> None:
    doc = parse_seed("标题\n一级指标\t二级指标\t三级指标\t得分\n产出指标\t数量指标\t甲\t1\n\t\t乙\t2\n")
    sheet = [SheetSpec("s", "标题", doc.tables[0], "单位：元")]
    assert render_xlsx(sheet) == render_xlsx(sheet)
    assert render_docx(doc) == render_docx(doc)
    assert render_pdf(doc, "页眉") == render_pdf(doc, "页眉")


def test_pdf_of_a_long_table_repeats_its_header_on_the_next_page() -> None:
    rows = "\n".join(f"第{i}项\t{'很长的说明文字' * 6}\t{i}" for i in range(80))
    doc = parse_seed(f"报告\n一、情况\n指标名称\t说明\t得分\n{rows}\n")
    pdf = pdfplumber.open(io.BytesIO(render_pdf(doc, "某单位2023年度部门整体支出绩效自评报告")))
    assert len(pdf.pages) > 2
    first, second = pdf.pages[0].extract_tables(), pdf.pages[1].extract_tables()
    assert first and second
    assert second[0][0] == ["指标名称", "说明", "得分"]
    assert second[0][1][0].startswith("第")


# ── the committed site ───────────────────────────────────────────────────────────────────


def test_manifest_lists_every_seed_and_format(manifest: dict) -> None:
    reports = [d for d in _docs(manifest, role="report") if d["seed"]]
    assert {d["seed"] for d in reports} == SEED_IDS
    assert {d["format"] for d in reports} == {"pdf", "docx", "xlsx", "html"}
    assert {d["seed"] for d in reports if d["format"] == "pdf"} >= SEED_IDS - {"003_adbddcb1adb3e59f"}
    assert _docs(manifest, role="distractor")
    for d in manifest["documents"]:
        assert d["path"] in manifest["files"], d["path"]
    # the three corpus-built families serve their reports in every format the sites use
    corpus = [d for d in _docs(manifest, role="report") if not d["seed"]]
    assert {d["site"] for d in corpus} == {"nanshan", "xihu", "heping"}
    assert {d["format"] for d in corpus} == {"pdf", "docx", "xlsx", "html"}
    assert sum(d["reports"] for d in corpus) == 6


def test_site_is_small(manifest: dict) -> None:
    size = sum(p.stat().st_size for p in SITE_DIR.rglob("*") if p.is_file())
    assert size < 2 * 1024 * 1024
    on_disk = {"/" + p.relative_to(SITE_DIR).as_posix() for p in SITE_DIR.rglob("*") if p.is_file()}
    assert on_disk == set(manifest["files"]) | {"/manifest.json"}


@needs_seeds
def test_rebuild_gives_the_committed_bytes(tmp_path: Path) -> None:
    out = build(DEFAULT_SEEDS, tmp_path / "site")
    fresh = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(SITE_DIR).as_posix(): p.read_bytes() for p in SITE_DIR.rglob("*") if p.is_file()
    }
    assert fresh.keys() == committed.keys()
    changed = [k for k in fresh if fresh[k] != committed[k]]
    assert not changed, f"rebuild differs from the committed site: {changed}"


# ── over HTTP ────────────────────────────────────────────────────────────────────────────


def _list_items(html: str) -> list[tuple[str, str, str]]:
    """(href, title attribute, shown text) of each list item."""
    tree = LexborHTMLParser(html)
    return [
        (a.attributes["href"] or "", a.attributes.get("title") or "", a.text())
        for a in tree.css("ul.list li a[href]")
    ]


def _next_page(html: str) -> str | None:
    for a in LexborHTMLParser(html).css("div.page a"):
        if a.text().strip() == "下一页":
            return a.attributes["href"]
    return None


def _crawl(client: httpx.Client, first: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    pages, items, url = [], [], first
    while url:
        r = client.get(url)
        assert r.status_code == 200, url
        pages.append(url)
        items += [(urljoin(url, h), t, s) for h, t, s in _list_items(r.text)]
        nxt = _next_page(r.text)
        url = urljoin(url, nxt) if nxt else None
    return pages, items


def test_minhang_list_paginates_newest_first(
    mirror: MirrorServer, client: httpx.Client, manifest: dict
) -> None:
    list_pages = manifest["sites"]["minhang"]["list_pages"]
    pages, items = _crawl(client, mirror.url(list_pages[0]))
    assert len(pages) == len(list_pages) >= 3
    assert [p.removeprefix(mirror.base_url) for p in pages] == list_pages
    assert len(items) == len({h for h, _, _ in items}) >= 6
    dates = [re.search(r"\d{4}-\d{2}-\d{2}", client.get(p).text) for p in pages]
    assert all(dates)
    truncated = [(t, s) for _, t, s in items if s.endswith("…")]
    assert truncated and all(len(t) > len(s) - 1 and t.startswith(s[:-1]) for t, s in truncated)
    titles = [t for _, t, _ in items]
    assert any("部门决算" in t for t in titles) and any("会议" in t for t in titles)
    # every item is a detail page, and every report's detail page links its attachments
    for href, title, _ in items:
        detail = client.get(href)
        assert detail.status_code == 200
        header = LexborHTMLParser(detail.text).css_first("div.xxgk_detail_info").text()
        assert re.fullmatch(r"来源[:：]\S+ 发布时间[:：]\d{4}年\d{1,2}月\d{1,2}日", header)
        for d in _docs(manifest, title=title, site="minhang"):
            if d["format"] != "html":
                assert f'href="{d["path"]}"' in detail.text


def test_minhang_list_dates_descend(mirror: MirrorServer, client: httpx.Client, manifest: dict) -> None:
    dates = []
    for path in manifest["sites"]["minhang"]["list_pages"]:
        tree = LexborHTMLParser(client.get(mirror.url(path)).text)
        dates += [s.text() for s in tree.css("ul.list li span")]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 6


def test_donghu_column_paginates(mirror: MirrorServer, client: httpx.Client, manifest: dict) -> None:
    columns = manifest["sites"]["donghu"]["columns"]
    assert len(columns) >= 2
    pages, items = _crawl(client, mirror.url(columns["bmczyjs07"][0]))
    assert len(pages) >= 2
    pattern = re.compile(r"/dhqrmzf/bmczyjs07/\d{6}/[0-9a-f]{32}\.shtml$")
    assert items and all(pattern.search(h) for h, _, _ in items)


def test_gbk_report_page_has_no_charset_anywhere(
    mirror: MirrorServer, client: httpx.Client, manifest: dict
) -> None:
    (page,) = _docs(manifest, seed="003_adbddcb1adb3e59f")
    r = client.get(mirror.url(page["path"]))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html"
    assert b"charset" not in r.content.lower()
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    text, charset = decode_html(r.content, None)
    assert charset in {"gb18030", "gbk", "gb2312"}
    assert "东湖区公园街道办事处" in text and "\ufffd" not in text
    tree = LexborHTMLParser(text)
    meta = [[td.text() for td in tr.css("td")] for tr in tree.css("table.xxgk_table tr")]
    assert meta[0][0].startswith("索引号") and meta[1][:2] == ["发布机构:", "东湖区墩子塘街道"]
    assert "2022年度部门整体支出绩效自评报告" in tree.css_first("h1").text()
    body = tree.css_first("div.content").text()
    assert "索引号" not in body  # the header table is not repeated as body text
    assert len(tree.css("div.content p")) > 50


def test_declared_gbk_and_utf8_pages(mirror: MirrorServer, client: httpx.Client, manifest: dict) -> None:
    declared = [
        d for d in _docs(manifest, site="donghu") if d.get("encoding") == "gbk" and d["declared_charset"]
    ]
    assert declared
    r = client.get(mirror.url(declared[0]["path"]))
    assert r.headers["content-type"] == "text/html" and b'<meta charset="gbk">' in r.content
    assert declared[0]["title"] in decode_html(r.content, None)[0]
    utf8 = [d for d in _docs(manifest, format="html") if d.get("encoding", "utf-8") == "utf-8"]
    r = client.get(mirror.url(utf8[0]["path"]))
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert utf8[0]["title"] in r.text


def test_every_document_is_served_as_listed(
    mirror: MirrorServer, client: httpx.Client, manifest: dict
) -> None:
    types = {
        "pdf": "application/pdf",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "html": "text/html",
    }
    for d in manifest["documents"]:
        # a document behind a download script is fetched from its `url`, typed by nothing but its name
        r = client.get(mirror.url(d.get("url", d["path"])))
        assert r.status_code == 200, d["path"]
        if "url" in d:
            assert r.headers["content-type"] == "application/octet-stream"
            assert "attachment; filename" in r.headers["content-disposition"]
        else:
            assert r.headers["content-type"].split(";")[0] == types[d["format"]]
        facts = manifest["files"][d["path"]]
        assert hashlib.sha256(r.content).hexdigest() == facts["sha256"]
        assert r.headers["etag"] == f'"{facts["sha256"]}"'
        assert r.headers["last-modified"] == facts["last_modified"]


def test_conditional_get_answers_304(mirror: MirrorServer, client: httpx.Client, manifest: dict) -> None:
    path = _docs(manifest, seed="000_397b2cfd6bebb201", format="pdf")[0]["path"]
    url = mirror.url(path)
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    mirror.reset_requests()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    r = client.get(url, headers={"If-Modified-Since": modified})
    assert r.status_code == 304 and r.content == b""
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.head(url).headers["content-length"] == str(len(first.content))
    mine = [(m, s) for m, p, s in mirror.requests if p == path]
    assert mine == [("GET", 304), ("GET", 304), ("GET", 200), ("GET", 200), ("HEAD", 200)]


def test_robots_404_traversal_and_injected_errors(mirror: MirrorServer, client: httpx.Client) -> None:
    robots = client.get(mirror.url("/robots.txt"))
    assert robots.status_code == 200 and "Disallow: /zwgk.shmh.gov.cn/private/" in robots.text
    assert client.get(mirror.url("/zwgk.shmh.gov.cn/no/such/page.htm")).status_code == 404
    assert client.get(mirror.url("/zwgk.shmh.gov.cn/")).status_code == 404
    conn = http.client.HTTPConnection(mirror.host, mirror.port, timeout=5)
    conn.request("GET", "/%2e%2e/%2e%2e/%2e%2e/etc/hostname")
    assert conn.getresponse().status == 404
    conn.close()
    mirror.inject("/robots.txt", 503)
    first = client.get(mirror.url("/robots.txt"))
    assert first.status_code == 503 and first.headers["retry-after"] == "1"
    assert client.get(mirror.url("/robots.txt")).status_code == 200


# ── the published files themselves ───────────────────────────────────────────────────────


def _pdf_pages(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_report_pdfs_have_pages_running_header_and_chinese_text(manifest: dict) -> None:
    pdfs = [d for d in _docs(manifest, role="report", format="pdf") if d["seed"]]
    assert len(pdfs) == 4
    scanned = [d for d in pdfs if d.get("scanned")]
    assert [d["seed"] for d in scanned] == ["001_99079b6c4dc218b5"]
    for d in scanned:  # a scan: pages of pictures, no text layer at all
        pages = _pdf_pages((SITE_DIR / d["path"].lstrip("/")).read_bytes())
        assert len(pages) > 1 and not "".join(pages).strip(), d["path"]
    for d in pdfs:
        if d.get("scanned"):
            continue
        pages = _pdf_pages((SITE_DIR / d["path"].lstrip("/")).read_bytes())
        assert len(pages) > 1, d["path"]
        assert d["title"] in pages[1]  # the running header, on page 2 as on every page
        assert "- 2 -" in pages[1]
        body = _squash("".join(p.replace(d["title"], "") for p in pages))
        assert _squash(d["unit"]).replace("上海市闵行区", "") in body


def test_004_pdf_has_ruled_budget_and_indicator_tables(manifest: dict) -> None:
    (d,) = _docs(manifest, seed="004_e0794d83f7dd1d9f", format="pdf")
    with pdfplumber.open(SITE_DIR / d["path"].lstrip("/")) as pdf:
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    headers = [tuple(c or "" for c in t[0]) for t in tables]
    assert ("内容", "全年预算数", "全年执行数", "执行率") in headers
    indicator = [t for t, h in zip(tables, headers, strict=True) if h[0] == "一级指标"]
    assert len(indicator) >= 2  # the table runs over pages, its header row repeated
    assert all(len(row) == 9 for t in indicator for row in t)
    rows = {(r[4] or "").replace("\n", ""): r for t in indicator for r in t}
    assert rows["区级配送课程材料数"][5:7] == ["=9000份", "9000份"]


def test_xlsx_has_title_unit_note_and_merged_level_cells(manifest: dict) -> None:
    (d,) = _docs(manifest, seed="004_e0794d83f7dd1d9f", format="xlsx")
    wb = openpyxl.load_workbook(SITE_DIR / d["path"].lstrip("/"))
    indicators = wb.worksheets[0]
    merged = [str(r) for r in indicators.merged_cells.ranges]
    assert "A1:I1" in merged  # the title across the table
    vertical = sorted(
        (r for r in indicators.merged_cells.ranges if r.min_col == r.max_col == 1 and r.max_row > r.min_row),
        key=lambda r: r.min_row,
    )
    assert len(vertical) >= 3
    assert indicators.cell(vertical[0].min_row, 1).value == "投入管理指标"
    assert indicators.cell(vertical[0].min_row + 1, 1).value is None  # covered by the merge
    header = [c.value for c in indicators[2]]
    assert header[0] == "一级指标" and header[-1] == "自评分"
    notes = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert "单位：元" in notes
    budget = wb.worksheets[1]
    values = [c.value for row in budget.iter_rows() for c in row]
    assert 8485146 in values
