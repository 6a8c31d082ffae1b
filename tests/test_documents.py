"""The document readers, on real files: tests/fixtures/documents (make_fixtures.py), the seeds, the mirror site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.documents import Document, ExtractError, Paragraph, Table, read_document, sniff_format
from flows.documents.normalise import normalise, normalise_cell
from flows.documents.pdf_layout import (
    Char,
    Line,
    PageContent,
    build_blocks,
    chars_to_lines,
    remove_running_lines,
)
from flows.documents.reflow import is_cut, join_lines, starts_item
from tests.mirror.build import DEFAULT_SEEDS

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "documents"
SEEDS = DEFAULT_SEEDS
SITE = ROOT / "flows" / "mirror" / "site"
RUNNING_HEADER = "上海市闵行区示例街道社区服务中心2023年度部门整体支出绩效自评报告"


def read(name: str, **kwargs: object) -> Document:
    return read_document((FIXTURES / name).read_bytes(), name, **kwargs)  # type: ignore[arg-type]


def texts(doc: Document) -> list[str]:
    return [b.text for b in doc.paragraphs]


def kinds(doc: Document) -> list[str]:
    return ["P" if isinstance(b, Paragraph) else "T" for b in doc.blocks]


def paragraph_starting(doc: Document, prefix: str) -> Paragraph:
    found = [p for p in doc.paragraphs if p.text.startswith(prefix)]
    assert len(found) == 1, (prefix, [p.text[:20] for p in doc.paragraphs])
    return found[0]


# --- normalisation and reflow -------------------------------------------------------------------


def test_normalise_converts_fullwidth_numbers_and_keeps_chinese_punctuation() -> None:
    assert (
        normalise("预算执行率为８５．５０％，金额１，２３４．５万元。")
        == "预算执行率为85.50%，金额1,234.5万元。"
    )
    assert normalise("（一）指标值＞＝９５％；ＡＢＣ") == "（一）指标值>=95%；ABC"
    assert normalise("\u3000\u3000部门\xa0 概况\u200b\t ") == "部门 概况"
    # a full-width comma between a number and a short one is prose, not a thousands separator
    assert normalise("分别为1，23个") == "分别为1，23个"
    assert normalise_cell(" 第一行 \n\n 第二行\r\n") == "第一行\n第二行"


def test_items_and_cut_paragraphs() -> None:
    for heading in [
        "一、部门概况",
        "（一）基本情况",
        "(2) 项目",
        "1.部门职能",
        "3、人员",
        "①贯彻",
        "第二章 总则",
        "二是建立",
    ]:
        assert starts_item(heading), heading
    for prose in ["1.5万元已支付", "2023年度", "部门职能"]:
        assert not starts_item(prose), prose
    long_cut = "以“建机制搭平台”为抓手，进一步促进劳动关系和谐稳定，组建工作领导小组，形成多部门联动的工作格局，提升劳动"
    assert is_cut(long_cut, "者维权满意度。")
    assert is_cut("年末固定资产原值总额239.18", "万元。")
    assert is_cut("二是规范党员发展工作。完成19名党员发展工作、完", "成转正工作。")
    assert not is_cut("3.人员情况", "浦锦街道社区事务受理服务中心无内设机构")
    assert not is_cut(long_cut, "（二）当年部门履职总体目标")
    assert not is_cut(long_cut + "。", "下一段")
    assert join_lines("开展锦", "LIAN公益集市") == "开展锦LIAN公益集市"
    assert join_lines("public", "service") == "public service"
    assert join_lines("总额258.7", "8万元") == "总额258.78万元"


# --- format sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "pdf"),
        ("report.docx", "docx"),
        ("report.doc", "doc"),
        ("table.xlsx", "xlsx"),
        ("table.xls", "xls"),
        ("gbk_nometa.html", "html"),
    ],
)
def test_sniff_by_magic_bytes_not_name(name: str, expected: str) -> None:
    data = (FIXTURES / name).read_bytes()
    assert sniff_format(data, "download.bin") == expected
    assert sniff_format(data, name) == expected


def test_sniff_mislabelled_and_unknown() -> None:
    html = b"<html><body><table><tr><td>x</td></tr></table></body></html>"
    assert sniff_format(html, "export.xls", "application/vnd.ms-excel") == "html"
    assert sniff_format("部门整体支出".encode("gb18030"), "a", "text/plain") == "txt"
    assert sniff_format("部门整体支出".encode(), "noext") == "txt"
    with pytest.raises(ExtractError) as e:
        sniff_format(b"\x00\x01\x02garbage" * 10, "report.pdf")
    assert e.value.kind == "corrupt"
    with pytest.raises(ExtractError) as e:
        sniff_format(b"\x00\x01\x02garbage" * 10, "blob")
    assert e.value.kind == "unsupported_format"
    with pytest.raises(ExtractError) as e:
        sniff_format(b"{\\rtf1\\ansi hello}", "report.doc")
    assert e.value.kind == "unsupported_format"


def test_password_protected_office_file_is_encrypted() -> None:
    # Office writes a protected DOCX/XLSX as an OLE2 file holding an EncryptedPackage stream
    data = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    data[1024 : 1024 + 32] = "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(ExtractError) as e:
        read_document(bytes(data), "protected.docx")
    assert e.value.kind == "encrypted"
    assert e.value.name == "protected.docx"


# --- PDF ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_pdf() -> Document:
    return read("report.pdf")


def test_pdf_removes_running_header_and_page_numbers(report_pdf: Document) -> None:
    assert report_pdf.meta["pages"] == "6"
    assert report_pdf.meta["title"] == "自评报告"  # the file's own metadata
    assert "author" not in report_pdf.meta  # reportlab's "(anonymous)" placeholder is no author
    everything = report_pdf.text()
    assert RUNNING_HEADER not in everything
    assert not any(p.text.startswith("-") and p.text.endswith("-") for p in report_pdf.paragraphs)
    # the title on page 1 is content, not a running header
    assert texts(report_pdf)[:2] == ["示例街道社区服务中心", "部门（单位）整体支出绩效自评报告"]


def test_pdf_joins_wrapped_lines_and_a_paragraph_over_a_page_break(report_pdf: Document) -> None:
    fillers = [p.text for p in report_pdf.paragraphs if p.text.startswith("中心围绕年度工作计划")]
    assert [t[-4:] for t in fillers] == ["第1段。", "第2段。", "第3段。"]
    assert all(t.count("12,345件") == 1 and len(t) == 80 for t in fillers)
    crossing = paragraph_starting(report_pdf, "跨页段落开始")
    assert crossing.page == 1
    assert crossing.text.endswith("跨页段落到此结束。")
    assert crossing.text.count("按时办结率100%。") == 10
    assets = paragraph_starting(report_pdf, "2023年年初部门资产总额")
    assert assets.text.endswith("年末固定资产原值总额239.18万元。")


def test_pdf_table_over_page_breaks_is_one_table_without_repeated_header(report_pdf: Document) -> None:
    assert kinds(report_pdf).count("T") == 2
    budget, indicators = report_pdf.tables
    assert budget.rows[0] == ("项目名称", "全年预算数(万元)", "全年执行数(万元)", "执行率")
    assert len(budget.rows) == 31  # header once, then 30 rows from three pages
    assert sum(1 for r in budget.rows if r[0] == "项目名称") == 1
    assert [r[1] for r in budget.rows[1:]] == [f"{i}0.50" for i in range(1, 31)]
    # a cell wrapping over two lines is one cell, its lines joined
    assert budget.rows[12][0] == "社区服务专项经费第12项（含设备购置及运行维护）"
    assert budget.page == 2
    assert paragraph_starting(report_pdf, "表格之后的说明段落").page == 3  # the table filled page 2
    assert len(indicators.rows) == 41  # no repeated header: header + 40 rows over two pages
    assert indicators.rows[40] == (
        "产出指标",
        "数量指标",
        "指标40：社区服务活动开展场次完成情况",
        ">=40场",
        "40场",
        "2",
    )


def test_pdf_table_cells_found_as_pdfplumber_finds_them() -> None:
    """The indexed cell search (pdf_grid) finds pdfplumber's cells, in pdfplumber's order."""
    from pdfplumber.table import TableFinder, intersections_to_cells

    from flows.documents.pdf import _read_pages
    from flows.documents.pdf_grid import RuledTableFinder, cells_from_crossings
    from flows.documents.pdf_tables import TABLE_SETTINGS, _EdgePage

    pages = _read_pages((FIXTURES / "report.pdf").read_bytes(), "report.pdf", 500, lambda: False)
    ruled = [edges for edges in pages.edges if edges and len(edges) >= 6]
    assert ruled
    for edges in ruled:
        theirs = TableFinder(_EdgePage(edges), TABLE_SETTINGS)  # type: ignore[arg-type]
        ours = RuledTableFinder(_EdgePage(edges), TABLE_SETTINGS)
        assert cells_from_crossings(theirs.intersections) == intersections_to_cells(theirs.intersections)
        assert [t.bbox for t in ours.tables] == [t.bbox for t in theirs.tables]


def test_pdf_blocks_keep_reading_order(report_pdf: Document) -> None:
    order = [b.text if isinstance(b, Paragraph) else f"<table {b.rows[0][0]}>" for b in report_pdf.blocks]
    i = order.index("二、预算执行情况")
    assert order[i + 1] == "<table 项目名称>"
    assert order[i + 2] == "表格之后的说明段落。"
    j = order.index("三、绩效指标完成情况")
    assert order[j + 1 : j + 3] == ["<table 一级指标>", "四、存在问题及改进措施"]
    assert order[-1] == "1.年初预算编制不够准确。"


def test_pdf_paragraph_boundaries_from_layout() -> None:
    doc = read("layout.pdf")
    got = texts(doc)
    assert got[0] == "一、部门概况"
    assert got[1].startswith("段落甲第一行") and got[1].endswith("段落甲结束。")
    # the unit pushed onto the next page is re-joined to its number
    assert got[2].startswith("段落乙") and got[2].endswith("原值总额239.18万元。")
    assert got[3] == "（二）人员情况"
    # a paragraph at the foot of a page does not swallow the numbered item opening the next page
    assert got[5].startswith("段落丁") and not got[5].endswith("。")
    assert got[6] == "1.第一项内容。"
    # a full line ending a sentence, then an unindented line: still one paragraph
    assert got[7].endswith("。句号落在行尾之后继续的文字。")
    assert got[8] == "2.第二项"
    # "二是" opening a wrapped line after a comma is inside the sentence, not a new item
    assert got[9].startswith("段落己") and got[9].endswith("，二是在句中换行的列举。")
    assert len(got) == 10
    assert "示例街道2023年度部门整体支出绩效自评报告" not in doc.text()
    assert [p.page for p in doc.paragraphs] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 3]


def test_pdf_ten_pages_of_text() -> None:
    doc = read("text10.pdf")
    assert doc.meta["pages"] == "10"
    bodies = [t for t in texts(doc) if t.startswith("中心围绕")]
    headings = [t for t in texts(doc) if starts_item(t)]
    assert len(headings) == len(bodies) >= 40
    # each body paragraph is three fillers long, including those split by a page break
    assert {len(t) for t in bodies} == {228}


def test_pdf_turned_pages_read_as_displayed() -> None:
    doc = read("rotated.pdf")
    order = [b.text if isinstance(b, Paragraph) else b.rows for b in doc.blocks]
    assert order == [
        # /Rotate 90, CJK in a font that is not embedded: pdfium cannot place it, pdfplumber reads the page
        "三、横向表格页",
        (("指标", "目标值", "完成值"), ("课程材料数", "9000份", "9000份"), ("活动开展数", ">=5个", "6个")),
        "表后说明文字。",
        # /Rotate 270, read by pdfium and turned to the displayed orientation
        "Section 4 landscape",
        (("Item", "Target", "Actual"), ("Courses", "9000", "9000"), ("Events", ">=5", "6")),
        "Notes after the table.",
    ]
    assert [b.page for b in doc.blocks] == [1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize(
    ("name", "kind"),
    [("encrypted.pdf", "encrypted"), ("scanned.pdf", "not_a_report"), ("truncated.pdf", "corrupt")],
)
def test_pdf_errors(name: str, kind: str) -> None:
    # scanned.pdf is a page of black bars: OCR reads no text in it
    with pytest.raises(ExtractError) as e:
        read(name)
    assert e.value.kind == kind
    assert e.value.name == name


def test_limits_are_too_large() -> None:
    with pytest.raises(ExtractError) as e:
        read("report.pdf", max_pages=5)
    assert e.value.kind == "too_large" and "6 pages" in e.value.message
    with pytest.raises(ExtractError) as e:
        read("report.docx", max_bytes=1000)
    assert e.value.kind == "too_large"


def test_bad_input_only_ever_raises_extract_error() -> None:
    """Every fixture cut short or with bytes overwritten: read or rejected, never another exception."""
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix == ".py":
            continue
        data = path.read_bytes()
        variants = [data[: len(data) * k // 5] for k in (1, 2, 3, 4)]
        middle = len(data) // 2
        variants.append(data[:middle] + b"\xff" * 64 + data[middle + 64 :])
        variants.append(b"")
        for variant in variants:
            try:
                read_document(variant, path.name)
            except ExtractError as e:
                # not_a_report: a scan in which OCR finds no text
                assert e.kind in {
                    "corrupt",
                    "encrypted",
                    "no_text_layer",
                    "not_a_report",
                    "unsupported_format",
                    "too_large",
                }
                assert e.name == path.name


def test_pdfs_read_in_parallel_threads_agree() -> None:
    """Flows extract in worker threads; pdfium is not thread-safe, so the reader serialises it."""
    from concurrent.futures import ThreadPoolExecutor

    names = ["report.pdf", "layout.pdf", "text10.pdf", "rotated.pdf"] * 3
    alone = {name: read(name).blocks for name in set(names)}
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda n: read(n).blocks, names))
    assert together == [alone[n] for n in names]


def test_layout_units_dedupe_bold_and_keep_title() -> None:
    # simulated bold: each glyph drawn twice, 0.3 pt apart
    chars = [
        Char(ch, 10 + 12 * i + d, 22 + 12 * i + d, 100, 112)
        for i, ch in enumerate("部门概况")
        for d in (0, 0.3)
    ]
    chars += [Char(ch, 10 + 6 * i, 16 + 6 * i, 130, 142) for i, ch in enumerate("ab")]
    chars += [Char(ch, 40 + 6 * i, 46 + 6 * i, 130, 142) for i, ch in enumerate("cd")]
    lines = chars_to_lines(chars)
    assert [ln.text for ln in lines] == ["部门概况", "ab cd"]

    def page(number: int, first: str) -> PageContent:
        p = PageContent(number=number, width=600, height=800)
        p.lines = [
            Line("报告标题", 250, 300, 30, 40, 10),
            Line(first, 72, 500, 100, 112, 12),
            Line(f"第 {number} 页", 280, 320, 760, 770, 10),
        ]
        return p

    pages = [page(1, "正文一。"), page(2, "正文二。"), page(3, "正文三。")]
    # on the cover the title sits lower, in the body: it is content there
    pages[0].lines[:2] = [Line("报告标题", 250, 300, 200, 212, 12), Line("正文一。", 72, 500, 240, 252, 12)]
    remove_running_lines(pages)
    assert [ln.text for ln in pages[0].lines] == ["报告标题", "正文一。"]
    assert [ln.text for ln in pages[1].lines] == ["正文二。"]
    blocks = build_blocks(pages)
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == [
        "报告标题",
        "正文一。",
        "正文二。",
        "正文三。",
    ]


# --- DOCX, DOC ----------------------------------------------------------------------------------


def test_docx_body_order_and_merged_cells() -> None:
    doc = read("report.docx")
    assert kinds(doc) == ["P", "P", "P", "T", "P", "T", "P", "P", "P"]
    assert texts(doc)[2] == "部门全年预算总额848.51万元，执行率为85.50%。"
    assert texts(doc)[4:6] == ["第一行", "第二行"]  # a manual line break splits the paragraph
    budget, indicators = doc.tables
    assert budget.rows[1] == ("基本支出", "5385364", "4189693.84")
    assert indicators.rows == (
        ("一级指标", "二级指标", "三级指标", "得分"),
        ("产出指标", "数量指标", "课程材料数", "2"),
        ("", "", "活动开展数", "2"),  # vertical merge continuation
        ("合计", "", "", "4"),  # horizontal span
    )


def test_docx_renders_automatic_list_numbers() -> None:
    doc = read("numbered.docx")
    assert texts(doc) == [
        "一、部门概况",
        "（一）主要职责",
        "正文段落。",
        "（二）人员情况",
        "二、存在问题及改进措施",  # the top level advances, the level below restarts
        "1.年初预算编制不够准确。",
        "2.绩效目标设置不够细化。",
        "（一）改进措施",
    ]


@pytest.mark.skipif(
    shutil.which("antiword") is None, reason="antiword not installed (apt-get install antiword)"
)
def test_doc_through_antiword() -> None:
    doc = read("report.doc")
    assert doc.format == "doc"
    assert doc.meta["converter"] == "antiword"
    assert texts(doc)[:3] == [
        "部门整体支出绩效自评报告",
        "一、部门（单位）概况",
        "部门全年预算总额848.51万元，执行率为85.50%。",
    ]
    budget, indicators = doc.tables
    assert budget.rows == (
        ("内容", "全年预算数", "全年执行数"),
        ("基本支出", "5385364", "4189693.84"),
        ("项目支出", "3099782", "3065511.3"),
    )
    assert indicators.rows[2] == ("", "", "活动开展数", "2")
    assert kinds(doc) == ["P", "P", "P", "T", "P", "T", "P", "P", "P"]


def test_doc_without_converter_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: neither antiword nor catdoc
    with pytest.raises(ExtractError) as e:
        read("report.doc")
    assert e.value.kind == "unsupported_format"
    assert "apt-get install antiword" in e.value.message


def test_office_2003_xml_and_web_archive_saved_as_doc() -> None:
    wordml = read("wordml2003.doc")
    assert (wordml.format, wordml.meta["container"]) == ("doc", "wordml-2003")
    assert texts(wordml) == ["一、部门概况", "年初预算836.23万元。", "第二行", "二、存在问题"]
    assert wordml.tables[0].rows == (
        ("一级指标", "三级指标", "得分"),
        ("产出指标", "课程材料数", "2"),
        ("", "活动开展数", "2"),
        ("合计", "", "4"),
    )
    mht = read("webpage.doc")
    assert (mht.format, mht.meta["container"], mht.meta["title"]) == ("html", "mht", "自评报告")
    assert kinds(mht) == ["P", "T", "P"]
    assert mht.tables[0].rows == (("预算数", "836.23"),)


# --- spreadsheets -------------------------------------------------------------------------------


def test_xlsx_titles_merges_and_numbers() -> None:
    doc = read("table.xlsx")
    assert texts(doc) == ["2023年度项目支出绩效自评表", "单位：万元"]
    (table,) = doc.tables
    assert table.rows == (
        ("一级指标", "二级指标", "三级指标", "年度指标值", "得分"),
        ("产出指标", "数量指标", "课程材料数", "=9000份", "2"),
        ("", "", "活动开展数", ">=5个", "2"),
        ("预算数", "7255205.14", "8485146", "0.3", "99.27%"),
        ("执行数", "8485146", "85.50", "", "1234.5"),
    )
    assert "不应读出" not in doc.text()  # hidden sheet


def test_excel_2003_xml_saved_as_xls() -> None:
    doc = read("spreadsheetml2003.xls")
    assert (doc.format, doc.meta["container"]) == ("xls", "spreadsheetml-2003")
    assert texts(doc) == ["2022年度项目支出绩效自评表"]
    assert doc.tables[0].rows == (
        ("一级指标", "三级指标", "指标值", "得分"),
        ("产出指标", "完成率", "99.27%", "3"),
        ("", "执行数", "7255205.14", "85.50"),
    )
    assert "不应读出" not in doc.text()


def test_xls_titles_merges_and_numbers() -> None:
    doc = read("table.xls")
    assert texts(doc) == ["2022年度部门整体支出绩效自评表"]
    assert doc.tables[0].rows == (
        ("一级指标", "三级指标", "年度指标值", "得分"),
        ("产出指标", "预算完成率", "=100%", "3"),
        ("", "执行数", "7255205.14", "0.3"),
    )


# --- HTML ---------------------------------------------------------------------------------------


def test_gbk_html_without_meta() -> None:
    doc = read("gbk_nometa.html")
    assert doc.meta["charset"] == "gb18030"
    assert doc.meta["title"] == "公园街道办事处2022年部门整体支出绩效自评报告"
    assert kinds(doc) == ["T", "P", "P", "P", "P", "T", "P"]
    meta_table = doc.blocks[0]
    assert isinstance(meta_table, Table)
    assert meta_table.rows[0] == ("索引号:", "t945037-0601-2023-0007", "主题分类:", "综合政务")
    assert texts(doc)[1:4] == ["一、部门概况", "全年预算数为1868.17万元，执行率100%。", "第二行文字"]
    assert texts(doc)[4] == "二、存在问题及改进措施"
    assert doc.tables[1].rows == (
        ("一级指标", "二级指标", "指标值", ""),
        ("产出指标", "数量指标", "=100%", "100%"),
        ("", "质量指标", "合格", "合格"),
    )
    everything = doc.text()
    for chrome in ("不应出现", "站点导航", "首页", "当前位置", "版权所有", "备案号"):
        assert chrome not in everything


def test_html_layout_tables_flow_and_header_charset() -> None:
    page = (
        "<html><body><table><tr><td><div class='nav'>菜单</div></td><td>"
        "<p>第一段</p><table><tr><td>甲</td><td>乙</td></tr></table><p>第二\n段</p>"
        "</td></tr></table></body></html>"
    )
    doc = read_document(page.encode("gbk"), "page.htm", "text/html; charset=GBK")
    assert doc.meta["charset"] == "gb18030"
    assert kinds(doc) == ["P", "T", "P"]
    assert texts(doc) == ["第一段", "第二段"]
    assert doc.tables[0].rows == (("甲", "乙"),)


# --- plain text and the seeds -------------------------------------------------------------------


def test_txt_in_gb18030_with_tab_table() -> None:
    body = "一、预算执行\n内容\t预算数\n基本支出\t100\n\n项目支出\t２００\n二、结论。\n"
    doc = read_document(body.encode("gb18030"), "a.txt")
    assert doc.meta["charset"] == "gb18030"
    assert kinds(doc) == ["P", "T", "P"]
    assert doc.tables[0].rows == (("内容", "预算数"), ("基本支出", "100"), ("项目支出", "200"))


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the shared seed reports are not here ({SEEDS})")
def test_seeds_read_with_their_tables() -> None:
    seeds = {p.name[:3]: read_document(p.read_bytes(), p.name) for p in sorted(SEEDS.glob("*.txt"))}
    assert set(seeds) >= {"000", "003", "004"}
    s004 = seeds["004"]
    _toc, budget, indicators = s004.tables
    assert budget.rows[0] == ("内容", "全年预算数", "全年执行数", "执行率")
    assert budget.rows[1] == ("部门整体预算总额(元)", "8485146", "7255205.14", "85.50")
    assert budget.rows[-1][:3] == ("(2) 项目支出", "3099782", "3065511.3")  # bridged over a blank line
    assert indicators.rows[0][0] == "一级指标" and len(indicators.rows) > 40
    order = kinds(s004)
    assert order.index("T") > 0 and order[-1] == "P"
    s003 = seeds["003"]
    assert s003.tables[0].rows[0] == ("索引号:", "t945037-0601-2023-0007", "主题分类:", "综合政务")
    assert isinstance(s003.blocks[0], Table)
    s000 = seeds["000"]
    assert any(t.endswith("年末固定资产原值总额239.18万元。") for t in texts(s000))
    assert not any(t == "万元。" for t in texts(s000))


# --- the mirror site ----------------------------------------------------------------------------


def _site_documents() -> list[dict[str, object]]:
    manifest = SITE / "manifest.json"
    if not manifest.exists():
        return []
    return json.loads(manifest.read_text(encoding="utf-8"))["documents"]


@pytest.mark.skipif(not (SITE / "manifest.json").exists(), reason="mirror site not built")
def test_every_mirror_file_reads() -> None:
    files = [p for p in SITE.rglob("*") if p.is_file() and p.suffix not in (".json", ".txt")]
    assert len(files) >= 10
    for path in files:
        doc = read_document(path.read_bytes(), str(path))
        assert doc.blocks, path
    reports = [d for d in _site_documents() if d.get("role") == "report"]
    assert reports
    for entry in reports:
        doc = read_document((SITE / str(entry["path"]).lstrip("/")).read_bytes(), str(entry["path"]))
        assert doc.format == entry["format"]
        assert sum(len(p.text) for p in doc.paragraphs) + sum(len(t.rows) for t in doc.tables) > 20


@pytest.mark.skipif(not (SITE / "manifest.json").exists(), reason="mirror site not built")
def test_mirror_pdf_of_seed_004_has_its_indicator_table_whole() -> None:
    entries = [
        d
        for d in _site_documents()
        if d.get("seed", "") and str(d["seed"]).startswith("004") and d["format"] == "pdf"
    ]
    assert entries
    doc = read_document((SITE / str(entries[0]["path"]).lstrip("/")).read_bytes(), "004.pdf")
    indicator_tables = [t for t in doc.tables if t.rows and t.rows[0][0] == "一级指标"]
    assert len(indicator_tables) == 1
    table = indicator_tables[0]
    assert len(table.rows) > 40
    assert sum(1 for r in table.rows if r[0] == "一级指标") == 1  # repeated headers dropped
    budget = [t for t in doc.tables if t.rows and t.rows[0][0] == "内容"]
    assert budget and budget[0].rows[-1][:3] == ("(2)项目支出", "3099782", "3065511.3")
