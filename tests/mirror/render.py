"""Render a seed report into the file formats government sites publish: PDF, DOCX, XLSX, HTML.

Every renderer is a pure function returning bytes (or str for HTML) and is deterministic:
fixed PDF creation date and ID, fixed Office timestamps, so rebuilding the mirror gives
byte-identical files.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape as html_escape
from typing import Literal
from xml.sax.saxutils import escape as xml_escape

from tests.mirror.seed import (
    SeedBlock,
    SeedDoc,
    SeedParagraph,
    SeedTable,
    is_heading,
    is_level1_heading,
    joined_paragraphs,
    logical_rows,
    parse_seed,
    vertical_merges,
)

__all__ = [
    "HtmlPage",
    "SeedDoc",
    "SheetSpec",
    "parse_seed",
    "render_docx",
    "render_html",
    "render_pdf",
    "render_xlsx",
]

# Office files carry timestamps in the zip entries and in docProps/core.xml; pin both.
FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)

# Lines of a cover page are short; body paragraphs before the first heading are not.
_COVER_LINE_MAX = 40


def _front_matter(doc: SeedDoc) -> set[int]:
    """Indices of cover lines: short paragraphs before the first level-1 heading or the TOC."""
    out: set[int] = set()
    for i, block in enumerate(doc.blocks):
        if isinstance(block, SeedTable) or is_level1_heading(block.text):
            break
        if len(block.text.strip()) <= _COVER_LINE_MAX:
            out.add(i)
    return out


# ── PDF ──────────────────────────────────────────────────────────────────────────────

_PDF_FONT = "STSong-Light"


def _pdf_styles() -> dict[str, object]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle(
        "body", fontName=_PDF_FONT, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21
    )
    return {
        "body": body,
        "heading": ParagraphStyle(
            "heading", parent=body, fontSize=12, leading=20, firstLineIndent=0, spaceBefore=6, spaceAfter=2
        ),
        "subheading": ParagraphStyle("subheading", parent=body, firstLineIndent=0),
        "cover": ParagraphStyle(
            "cover",
            parent=body,
            fontSize=16,
            leading=26,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=6,
        ),
        "cell": ParagraphStyle("cell", fontName=_PDF_FONT, fontSize=8, leading=10.5, wordWrap="CJK"),
        "toc": ParagraphStyle("toc", parent=body, firstLineIndent=0, fontSize=10.5),
    }


def _text_width(text: str) -> float:
    """Width in em: CJK characters are one em, ASCII about half."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _col_widths(rows: Sequence[Sequence[str]], total: float, font_size: float) -> list[float]:
    """Share the frame width by content: wide text columns wrap, short number columns stay narrow."""
    ncols = len(rows[0])
    want: list[float] = []
    for c in range(ncols):
        header = _text_width(rows[0][c]) / 2  # a header may wrap onto two lines
        data = max((_text_width(r[c]) for r in rows[1:]), default=0.0)
        want.append(max(2.5, header, min(data, 14.0)) + 1.0)
    scale = total / (sum(want) * font_size)
    return [w * font_size * scale for w in want]


def _grid_table(table: SeedTable, styles: dict[str, object], width: float) -> list[object]:
    """A ruled table, cut where the original cut it, the header repeated on each continuation."""
    from reportlab.lib import colors
    from reportlab.platypus import PageBreak, Paragraph, Table, TableStyle

    rows = table.rows
    cell = styles["cell"]
    widths = _col_widths(rows, width, 8)
    spans = vertical_merges(rows)
    # tables long enough to run over pages repeat their header row there
    repeat = len(rows) > 15
    cuts = [0, *[i for i in table.page_breaks if i > 0], len(rows)]
    out: list[object] = []
    for k in range(len(cuts) - 1):
        a, b = cuts[k], cuts[k + 1]
        part = list(rows[a:b])
        offset = a
        if k > 0 and repeat:
            part = [rows[0], *part]
            offset = a - 1
        data = [[Paragraph(xml_escape(v), cell) for v in r] for r in part]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
        if k == 0 or repeat:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
        for col, r0, r1 in spans:
            lo, hi = max(r0, a), min(r1, b - 1)
            if hi > lo:
                style.append(("SPAN", (col, lo - offset), (col, hi - offset)))
        t = Table(data, colWidths=widths, repeatRows=1 if (k == 0 or repeat) else 0)
        t.setStyle(TableStyle(style))
        if k > 0:
            out.append(PageBreak())
        out.append(t)
    return out


def _toc_table(table: SeedTable, styles: dict[str, object], width: float) -> object:
    from reportlab.platypus import Paragraph, Table, TableStyle

    toc = styles["toc"]
    data = [[Paragraph(xml_escape(name), toc), Paragraph(xml_escape(page), toc)] for name, page in table.rows]
    t = Table(data, colWidths=[width * 0.9, width * 0.1])
    t.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def _pdf_story(doc: SeedDoc, width: float) -> list[object]:
    from reportlab.platypus import PageBreak, Paragraph

    styles = _pdf_styles()
    cover = _front_matter(doc)
    story: list[object] = []
    for i, block in enumerate(doc.blocks):
        if block.page_break_before and story:
            story.append(PageBreak())
        if isinstance(block, SeedTable):
            if block.kind == "toc":
                story.append(_toc_table(block, styles, width))
            else:
                story.extend(_grid_table(block, styles, width))
            continue
        if i in cover:
            style = styles["cover"]
        elif is_level1_heading(block.text):
            style = styles["heading"]
        elif is_heading(block.text):
            style = styles["subheading"]
        else:
            style = styles["body"]
        story.append(Paragraph(xml_escape(block.text), style))
    return story


def render_pdf(doc: SeedDoc, running_header: str, title: str = "", author: str = "") -> bytes:
    """A4 PDF: running header and page number on every page, ruled tables, the original page breaks."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))
    page_w, page_h = A4

    def decorate(canvas: object, template: object) -> None:
        c = canvas
        c.saveState()
        c.setFont(_PDF_FONT, 9)
        c.drawCentredString(page_w / 2, page_h - 1.5 * cm, running_header)
        c.setLineWidth(0.5)
        c.line(2 * cm, page_h - 1.7 * cm, page_w - 2 * cm, page_h - 1.7 * cm)
        c.drawCentredString(page_w / 2, 1.2 * cm, f"- {c.getPageNumber()} -")
        c.restoreState()

    buf = io.BytesIO()
    tmpl = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2.4 * cm,
        bottomMargin=2.2 * cm,
        title=title or running_header,
        author=author,
        creator="Microsoft Word",
        invariant=1,
    )
    tmpl.build(_pdf_story(doc, tmpl.width), onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


# ── Office zip containers ──────────────────────────────────────────────────────────────

_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def pin_zip(data: bytes) -> bytes:
    """Rewrite an Office zip with fixed entry times and core dates, so the same input gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATE.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


# ── DOCX ─────────────────────────────────────────────────────────────────────────────


def _docx_table(document: object, table: SeedTable) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    rows = logical_rows(table)
    t = document.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = t.cell(r, c)
            cell.text = value
            for p in cell.paragraphs:
                if r == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in p.runs:
                    run.font.size = Pt(9)
    for col, r0, r1 in vertical_merges(rows):
        top = t.cell(r0, col)
        top.merge(t.cell(r1, col))
        # merging concatenates paragraphs; keep the top cell's text only once
        for p in top.paragraphs[1:]:
            if not p.text:
                p._element.getparent().remove(p._element)


def render_docx(doc: SeedDoc, title: str = "", author: str = "") -> bytes:
    """A Word file: paragraphs and real tables in order, level cells merged, page-cut text re-joined."""
    from docx import Document as DocxDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = joined_paragraphs(doc)
    document = DocxDocument()
    props = document.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    cover = _front_matter(doc)
    for i, block in enumerate(doc.blocks):
        if isinstance(block, SeedTable):
            if block.kind == "toc":
                for name, page in block.rows:
                    document.add_paragraph(f"{name}\t{page}")
            else:
                _docx_table(document, block)
            continue
        p = document.add_paragraph()
        run = p.add_run(block.text)
        if i in cover:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.font.size = Pt(16)
            run.bold = True
        elif is_level1_heading(block.text):
            run.bold = True
    buf = io.BytesIO()
    document.save(buf)
    return pin_zip(buf.getvalue())


# ── XLSX ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """One worksheet: a title row merged across the table, a unit note, then the table."""

    name: str
    title: str
    table: SeedTable
    unit_note: str = ""


def render_xlsx(sheets: Sequence[SheetSpec]) -> bytes:
    """A workbook as report forms are published: title row merged across, unit note, merged level cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "govperf mirror"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        rows = logical_rows(spec.table)
        width = len(rows[0])
        ws.cell(row=1, column=1, value=spec.title).font = Font(bold=True, size=14)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        first = 2
        if spec.unit_note:
            ws.cell(row=2, column=width, value=spec.unit_note).alignment = Alignment(horizontal="right")
            first = 3
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = ws.cell(row=first + r, column=c + 1, value=_xlsx_value(value) if r else value)
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a target such as "=100%" is text, not a formula
                if r and isinstance(cell.value, float):
                    # "85.50" stays "85.50" on screen, as the author typed it
                    cell.number_format = "0." + "0" * len(value.split(".")[1])
                cell.border = grid
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                if r == 0:
                    cell.font = Font(bold=True)
        for col, r0, r1 in vertical_merges(rows):
            ws.merge_cells(start_row=first + r0, start_column=col + 1, end_row=first + r1, end_column=col + 1)
        for c in range(width):
            longest = max(len(row[c]) for row in rows)
            ws.column_dimensions[_col_letter(c)].width = max(8, min(40, longest * 2))
    buf = io.BytesIO()
    wb.save(buf)
    return pin_zip(buf.getvalue())


_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _xlsx_value(text: str) -> str | int | float:
    """Numbers are stored as numbers, as a spreadsheet author would type them."""
    if not _NUMBER.match(text):
        return text
    return float(text) if "." in text else int(text)


def _col_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ── HTML ─────────────────────────────────────────────────────────────────────────────

HtmlStyle = Literal["minhang", "donghu"]


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """What a detail page shows around the report: title, header facts, attachments."""

    title: str
    site_name: str
    publisher: str = ""
    published: str = ""  # YYYY-MM-DD
    # Minhang: "来源:… 发布时间:…" with this colon (":" or "："); Donghu: the 索引号 table
    colon: str = ":"
    meta_rows: tuple[tuple[str, ...], ...] = ()
    intro: str = ""
    attachments: tuple[tuple[str, str], ...] = ()  # (link text, href)
    # written into <meta charset>; None leaves the page undeclared
    declared_charset: str | None = "utf-8"
    breadcrumbs: tuple[tuple[str, str], ...] = ()


def _html_block(block: SeedBlock) -> str:
    if isinstance(block, SeedParagraph):
        return f"<p>{html_escape(block.text, quote=False)}</p>"
    rows = block.rows if block.kind == "toc" else logical_rows(block)
    out = ['<table border="1" cellspacing="0" cellpadding="3">']
    for r, row in enumerate(rows):
        tag = "th" if r == 0 and block.kind == "grid" else "td"
        cells = "".join(f"<{tag}>{html_escape(v, quote=False)}</{tag}>" for v in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _cn_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _head(page: HtmlPage) -> str:
    charset = f'<meta charset="{page.declared_charset}">\n' if page.declared_charset else ""
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{charset}"
        f"<title>{html_escape(page.title)}_{html_escape(page.site_name)}</title>\n</head>\n"
    )


def _minhang_header(page: HtmlPage) -> str:
    c = page.colon
    return (
        f'<div class="xxgk_detail_info">来源{c}{html_escape(page.publisher)} '
        f"发布时间{c}{_cn_date(page.published)}</div>"
    )


def _donghu_meta_table(page: HtmlPage) -> str:
    out = ['<table class="xxgk_table">']
    for row in page.meta_rows:
        cells = []
        for i, v in enumerate(row):
            cls = "tit" if i % 2 == 0 else "con"
            cells.append(f'<td class="{cls}">{html_escape(v, quote=False)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def render_html(doc: SeedDoc | None, page: HtmlPage, style: HtmlStyle) -> str:
    """A detail page: the site's header facts, the title, the report inline, attachment links."""
    parts = [_head(page), "<body>\n"]
    crumbs = " &gt; ".join(f'<a href="{href}">{html_escape(text)}</a>' for text, href in page.breadcrumbs)
    if crumbs:
        parts.append(f'<div class="position">当前位置：{crumbs}</div>\n')
    if style == "minhang":
        parts.append(f'<div class="article">\n<h1>{html_escape(page.title)}</h1>\n')
        parts.append(_minhang_header(page) + "\n")
    else:
        parts.append('<div class="article">\n' + _donghu_meta_table(page) + "\n")
        parts.append(f'<h1 class="title">{html_escape(page.title)}</h1>\n')
    parts.append('<div class="content">\n')
    if page.intro:
        parts.append(f"<p>{html_escape(page.intro, quote=False)}</p>\n")
    if doc is not None:
        body = joined_paragraphs(doc)
        parts.append("\n".join(_html_block(b) for b in body.blocks) + "\n")
    parts.append("</div>\n")
    if page.attachments:
        parts.append('<div class="fj">\n<p>附件：</p>\n')
        for text, href in page.attachments:
            parts.append(f'<p><a href="{href}">{html_escape(text)}</a></p>\n')
        parts.append("</div>\n")
    parts.append("</div>\n</body>\n</html>\n")
    return "".join(parts)
