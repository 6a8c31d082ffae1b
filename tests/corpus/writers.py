"""Write one document (paragraphs and ruled tables with merged cells) in the formats sites publish.

The corpus builder describes a document once as blocks; each writer lays it out the way that
format's authors do: HTML with rowspan/colspan, a PDF with a running header, page numbers and
tables cut over pages, Word tables with merged cells, workbooks with merged ranges, plain text.
Every writer is deterministic (fixed dates, fixed zip times), so rebuilding gives the same bytes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape as xml_escape

from tests.mirror.render import pin_zip  # fixed zip times: the same document, the same bytes

Style = Literal["body", "title", "cover", "heading", "note"]


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    style: Style = "body"


@dataclass(frozen=True, slots=True)
class Grid:
    """A ruled table. `spans` are (row0, col0, row1, col1) inclusive; covered cells hold ''.
    `header_rows` repeat on a PDF continuation page when `repeat_header`."""

    rows: list[list[str]]
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    header_rows: int = 1
    repeat_header: bool = True
    widths: list[float] | None = None  # relative column widths


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Para | Grid | PageBreak

_FIXED = datetime(2024, 1, 1)


# ── HTML ──────────────────────────────────────────────────────────────────────────────


def write_html(
    blocks: Sequence[Block],
    *,
    title: str,
    encoding: str = "utf-8",
    declare: bool = True,
    header_html: str = "",
) -> bytes:
    """A detail page; `declare` writes <meta charset>, else the bytes carry no charset at all."""
    head = f'<meta charset="{encoding}">\n' if declare else ""
    parts = [
        f"<!DOCTYPE html>\n<html>\n<head>\n{head}<title>{escape(title)}</title>\n</head>\n<body>\n",
        '<div class="main">\n',
        header_html,
    ]
    for b in blocks:
        if isinstance(b, Para):
            if b.style in ("title", "cover"):
                parts.append(f"<h2>{escape(b.text, quote=False)}</h2>\n")
            else:
                parts.append(f"<p>{escape(b.text, quote=False)}</p>\n")
        elif isinstance(b, Grid):
            parts.append(_html_table(b))
    parts.append("</div>\n</body>\n</html>\n")
    return "".join(parts).encode(encoding)


def _html_table(g: Grid) -> str:
    covered: set[tuple[int, int]] = set()
    starts: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in g.spans:
        starts[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
    out = ['<table border="1" cellspacing="0" cellpadding="2" style="border-collapse:collapse">']
    for r, row in enumerate(g.rows):
        cells = []
        for c, v in enumerate(row):
            if (r, c) in covered:
                continue
            attrs = ""
            if (r, c) in starts:
                rs, cs = starts[(r, c)]
                attrs += f' rowspan="{rs}"' if rs > 1 else ""
                attrs += f' colspan="{cs}"' if cs > 1 else ""
            tag = "th" if r < g.header_rows else "td"
            cells.append(f"<{tag}{attrs}>{escape(v, quote=False)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>\n")
    return "\n".join(out)


# ── PDF ───────────────────────────────────────────────────────────────────────────────

_FONT = "STSong-Light"


def write_pdf(
    blocks: Sequence[Block],
    *,
    running_header: str = "",
    title: str = "",
    author: str = "",
    page_numbers: bool = True,
    encrypt_password: str | None = None,
) -> bytes:
    """A4, CID font (text extracts as written), ruled tables that platypus cuts over pages."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    body = ParagraphStyle("b", fontName=_FONT, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)
    styles = {
        "body": body,
        "note": ParagraphStyle("n", parent=body, firstLineIndent=0, fontSize=9),
        "heading": ParagraphStyle("h", parent=body, firstLineIndent=0, fontSize=11.5, leading=19),
        "title": ParagraphStyle(
            "t", parent=body, firstLineIndent=0, fontSize=15, leading=24, alignment=TA_CENTER
        ),
        "cover": ParagraphStyle(
            "c", parent=body, firstLineIndent=0, fontSize=18, leading=30, alignment=TA_CENTER
        ),
    }
    cell = ParagraphStyle("cell", fontName=_FONT, fontSize=8, leading=10.5, wordWrap="CJK")
    page_w, page_h = A4

    def decorate(canvas: object, _doc: object) -> None:
        c = canvas
        c.saveState()
        c.setFont(_FONT, 9)
        if running_header:
            c.drawCentredString(page_w / 2, page_h - 1.5 * cm, running_header)
            c.setLineWidth(0.5)
            c.line(2 * cm, page_h - 1.7 * cm, page_w - 2 * cm, page_h - 1.7 * cm)
        if page_numbers:
            c.drawCentredString(page_w / 2, 1.2 * cm, f"第 {c.getPageNumber()} 页")
        c.restoreState()

    buf = io.BytesIO()
    kwargs: dict[str, object] = {}
    if encrypt_password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(encrypt_password, canPrint=0, canCopy=0)
    tmpl = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2.4 * cm,
        bottomMargin=2.2 * cm,
        title=title,
        author=author,
        creator="WPS 文字",
        invariant=1,
        **kwargs,
    )
    story: list[object] = []
    for b in blocks:
        if isinstance(b, PageBreak):
            story.append(RLPageBreak())
        elif isinstance(b, Para):
            story.append(Paragraph(xml_escape(b.text), styles[b.style]))
        else:
            data = [[Paragraph(xml_escape(v), cell) for v in row] for row in b.rows]
            ncols = len(b.rows[0])
            rel = b.widths or [1.0] * ncols
            widths = [tmpl.width * w / sum(rel) for w in rel]
            style = [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
            style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in b.spans]
            t = Table(data, colWidths=widths, repeatRows=b.header_rows if b.repeat_header else 0)
            t.setStyle(TableStyle(style))
            story.append(t)
    tmpl.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


# ── Office zip containers ─────────────────────────────────────────────────────────────


def write_docx(blocks: Sequence[Block], *, title: str = "", author: str = "") -> bytes:
    """Paragraphs and Word tables, merged cells merged the Word way (text kept in the first cell)."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    d = Docx()
    d.core_properties.title = title
    d.core_properties.author = author
    d.core_properties.created = _FIXED
    d.core_properties.modified = _FIXED
    d.core_properties.revision = 1
    for b in blocks:
        if isinstance(b, PageBreak):
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(b, Para):
            p = d.add_paragraph()
            run = p.add_run(b.text)
            if b.style in ("title", "cover"):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.bold = True
                run.font.size = Pt(16)
            elif b.style == "heading":
                run.bold = True
        else:
            t = d.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            t.style = "Table Grid"
            for r, row in enumerate(b.rows):
                for c, v in enumerate(row):
                    if v:
                        t.cell(r, c).text = v
            for r0, c0, r1, c1 in b.spans:
                t.cell(r0, c0).merge(t.cell(r1, c1))
    buf = io.BytesIO()
    d.save(buf)
    return pin_zip(buf.getvalue())


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    blocks: list[Block]


def _sheet_rows(blocks: Sequence[Block]) -> list[tuple[int, Block]]:
    """Where each block starts on a sheet: a paragraph takes a row, a table its rows, a blank row after."""
    out: list[tuple[int, Block]] = []
    row = 0
    for b in blocks:
        if isinstance(b, PageBreak):
            continue
        out.append((row, b))
        row += 1 if isinstance(b, Para) else len(b.rows) + 1
    return out


def _width(blocks: Sequence[Block]) -> int:
    return max((len(b.rows[0]) for b in blocks if isinstance(b, Grid)), default=1)


def write_xlsx(sheets: Sequence[Sheet], *, numbers: bool = True) -> bytes:
    """A workbook: titles merged across the table, merged level cells, amounts typed as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    thin = Side(style="thin")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "corpus"
    wb.properties.created = _FIXED
    wb.properties.modified = _FIXED
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        width = _width(sheet.blocks)
        for start, b in _sheet_rows(sheet.blocks):
            if isinstance(b, Para):
                cell = ws.cell(row=start + 1, column=1)
                _set_text(cell, b.text)
                if b.style in ("title", "cover"):
                    ws.merge_cells(start_row=start + 1, start_column=1, end_row=start + 1, end_column=width)
                    cell.alignment = Alignment(horizontal="center")
                continue
            for r, row in enumerate(b.rows):
                for c, v in enumerate(row):
                    cell = ws.cell(row=start + r + 1, column=c + 1)
                    if numbers and r >= b.header_rows and _is_number(v):
                        cell.value = float(v) if "." in v else int(v)
                        if "." in v:
                            cell.number_format = "0." + "0" * len(v.split(".")[1])
                    elif v:
                        _set_text(cell, v)
                    cell.border = grid
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
            for r0, c0, r1, c1 in b.spans:
                ws.merge_cells(
                    start_row=start + r0 + 1, start_column=c0 + 1, end_row=start + r1 + 1, end_column=c1 + 1
                )
        for c in range(width):
            ws.column_dimensions[chr(ord("A") + c)].width = 16
    buf = io.BytesIO()
    wb.save(buf)
    return pin_zip(buf.getvalue())


def _set_text(cell: object, text: str) -> None:
    """A string cell even when it starts with '=' (a target such as '=100%' is text, not a formula)."""
    cell.value = text
    cell.data_type = "s"


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return not v.startswith(("+", "=")) and v.strip() == v and v not in ("nan", "inf")


def write_xls(sheets: Sequence[Sheet]) -> bytes:
    """A legacy Excel 97 workbook (BIFF8) with merged ranges, as xlwt writes it."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    border = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin; align: wrap on, vert centre")
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name)
        width = _width(sheet.blocks)
        for start, b in _sheet_rows(sheet.blocks):
            if isinstance(b, Para):
                if b.style in ("title", "cover"):
                    ws.write_merge(start, start, 0, width - 1, b.text)
                else:
                    ws.write(start, 0, b.text)
                continue
            covered: set[tuple[int, int]] = set()
            for r0, c0, r1, c1 in b.spans:
                covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
                ws.write_merge(start + r0, start + r1, c0, c1, b.rows[r0][c0], border)
            for r, row in enumerate(b.rows):
                for c, v in enumerate(row):
                    if (r, c) in covered:
                        continue
                    value: object = v
                    if r >= b.header_rows and _is_number(v):
                        value = float(v)
                    ws.write(start + r, c, value, border)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ── plain text and legacy Word ────────────────────────────────────────────────────────


def write_txt(blocks: Sequence[Block], *, encoding: str = "utf-8", sep: str = "\t") -> bytes:
    """Paragraphs as lines, tables as separated rows (covered cells empty), as text exports read."""
    lines: list[str] = []
    for b in blocks:
        if isinstance(b, PageBreak):
            lines.append("\f")
        elif isinstance(b, Para):
            lines.append(b.text)
        else:
            lines.extend(sep.join(row) for row in b.rows)
        lines.append("")
    return "\n".join(lines).encode(encoding)


def docx_to_doc(docx: bytes) -> bytes | None:
    """Word 97 bytes from LibreOffice headless, or None where no converter is installed (the
    committed .doc then stays as it is)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(docx)
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "doc",
             "--outdir", tmp, str(src)],
            check=True,
            capture_output=True,
            timeout=180,
        )  # fmt: skip
        return (Path(tmp) / "in.doc").read_bytes()
