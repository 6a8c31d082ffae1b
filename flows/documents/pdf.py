"""PDF: text from pypdfium2 (fast, positioned characters), ruled tables from pdfplumber on pages that draw rules.

pdfplumber parses a page ~25x slower than pdfium, so it only sees pages whose vector paths could
form a table grid.
"""

from __future__ import annotations

import ctypes
import io
import threading

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from flows.documents.model import Document, ExtractError
from flows.documents.pdf_layout import (
    Char,
    PageContent,
    build_blocks,
    chars_to_lines,
    remove_running_lines,
    text_health,
)
from flows.documents.pdf_tables import Edge, Grid, fill_grid, find_grids, grids_from_edges, segment_edges

# PDFium is not thread-safe and pypdfium2 does not lock; flows may extract in worker threads.
_PDFIUM_LOCK = threading.Lock()

# Below this many rules a page has no table (a header rule, an underline).
_MIN_TABLE_EDGES = 6
# A page "has text" with at least this many characters; fewer is a stamp or a page number on a scan.
_MIN_PAGE_CHARS = 10

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: ("encrypted", "password-protected PDF"),
    pdfium_c.FPDF_ERR_SECURITY: ("encrypted", "PDF encrypted with an unsupported security handler"),
    pdfium_c.FPDF_ERR_FORMAT: ("corrupt", "not a readable PDF (format error)"),
    pdfium_c.FPDF_ERR_FILE: ("corrupt", "not a readable PDF (file error)"),
}


def _check_complete(data: bytes, name: str) -> None:
    # An interrupted download loses the trailer; pdfium would quietly rebuild what is left.
    if b"%%EOF" not in data[-4096:]:
        raise ExtractError("corrupt", "truncated PDF: no %%EOF trailer at the end", name)


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        kind, message = _LOAD_ERRORS.get(e.err_code, ("corrupt", f"PDF could not be opened ({e})"))
        raise ExtractError(kind, message, name) from e  # type: ignore[arg-type]


def _page_chars(page: pdfium.PdfPage, page_top: float) -> list[Char]:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return []
        text = textpage.get_text_range(0, count)
        raw = textpage.raw
        if len(text) != count:  # characters outside the BMP: read them one by one
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 0xFFFD) for i in range(count))
        rect = pdfium_c.FS_RECTF()
        get_box = pdfium_c.FPDFText_GetLooseCharBox
        chars: list[Char] = []
        for i, ch in enumerate(text):
            if ch.isspace() or ch == "\x00" or ch == "\ufffe":
                continue
            if not get_box(raw, i, rect):
                continue
            chars.append(Char(ch, rect.left, rect.right, page_top - rect.top, page_top - rect.bottom))
        return chars
    finally:
        textpage.close()


Segment = tuple[float, float, float, float]


def _path_segments(obj: pdfium.PdfObject) -> list[Segment]:
    """The straight segments a visible path draws, in page space."""
    raw = obj.raw
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if pdfium_c.FPDFPath_GetDrawMode(raw, fill, stroke) and not fill.value and not stroke.value:
        return []
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(raw, m):
        m.a, m.b, m.c, m.d, m.e, m.f = 1, 0, 0, 1, 0, 0
    x = ctypes.c_float()
    y = ctypes.c_float()
    out: list[Segment] = []
    start = prev = None
    for i in range(pdfium_c.FPDFPath_CountSegments(raw)):
        seg = pdfium_c.FPDFPath_GetPathSegment(raw, i)
        if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        point = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or prev is None:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            out.append((*prev, *point))
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and start != point:
            out.append((*point, *start))
        prev = point
    return out


def _page_segments(page: pdfium.PdfPage) -> list[Segment] | None:
    """Line segments of the page's paths; None when paths sit inside form XObjects (pdfplumber reads those)."""
    segments: list[Segment] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        if obj.level > 0:
            return None
        segments.extend(_path_segments(obj))
    return segments


def _read_pages(
    data: bytes, name: str, max_pages: int
) -> tuple[list[PageContent], list[list[Char]], list[int]]:
    """Per page: geometry, characters, and whether it may hold a ruled table."""
    with _PDFIUM_LOCK:
        doc = _open(data, name)
        try:
            n = len(doc)
            if n == 0:
                raise ExtractError("corrupt", "PDF has no pages", name)
            if n > max_pages:
                raise ExtractError("too_large", f"PDF has {n} pages (limit {max_pages})", name)
            pages: list[PageContent] = []
            chars: list[list[Char]] = []
            edges: list[list[Edge] | None] = []
            for i in range(n):
                page = doc[i]
                try:
                    left, bottom, right, top = page.get_mediabox()
                    pages.append(PageContent(number=i + 1, width=right - left, height=top - bottom))
                    # x stays in user space, as pdfplumber reports its table boxes
                    page_chars = _page_chars(page, top)
                    chars.append(page_chars)
                    segments = _page_segments(page) if page_chars else []
                    edges.append(None if segments is None else segment_edges(segments, top))
                finally:
                    page.close()
            return pages, chars, edges
        finally:
            doc.close()


def _check_text_layer(chars: list[list[Char]], name: str) -> None:
    with_text = sum(1 for c in chars if len(c) >= _MIN_PAGE_CHARS)
    if with_text == 0:
        raise ExtractError(
            "no_text_layer", f"none of the {len(chars)} pages has a text layer (scanned?)", name
        )
    if len(chars) >= 3 and with_text / len(chars) < 0.25:
        raise ExtractError(
            "no_text_layer", f"only {with_text} of {len(chars)} pages have a text layer (scanned?)", name
        )
    total, bad = text_health([c for page in chars for c in page])
    if bad > 0.3 * total:
        raise ExtractError("no_text_layer", "the text layer has no Unicode mapping (unreadable glyphs)", name)


def _add_tables(
    data: bytes, pages: list[PageContent], chars: list[list[Char]], edges: list[list[Edge] | None]
) -> None:
    """Find ruled tables and take their characters out of the text flow.

    pdfplumber's table finder runs on the rules pdfium read; only a page whose paths sit inside form
    XObjects is parsed by pdfplumber itself (slow, but it resolves nested coordinate spaces).
    """
    grids: dict[int, list[Grid]] = {}
    fallback: list[int] = []
    for i, page_edges in enumerate(edges):
        if page_edges is None:
            fallback.append(i)
        elif len(page_edges) >= _MIN_TABLE_EDGES:
            grids[i] = grids_from_edges(page_edges)
    if fallback:
        import pdfplumber  # pdfminer is slow to import and rarely needed

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for i in fallback:
                plumber_page = pdf.pages[i]
                try:
                    grids[i] = find_grids(plumber_page)
                finally:
                    plumber_page.close()
    for i, page_grids in grids.items():
        page_chars = chars[i]
        for grid in page_grids:
            table, page_chars = fill_grid(grid, page_chars)
            pages[i].tables.append(table)
        chars[i] = page_chars


def read_pdf(data: bytes, name: str, max_pages: int = 500) -> Document:
    _check_complete(data, name)
    pages, chars, edges = _read_pages(data, name, max_pages)
    _check_text_layer(chars, name)
    _add_tables(data, pages, chars, edges)
    for page, page_chars in zip(pages, chars, strict=True):
        page.lines = chars_to_lines(page_chars)
    remove_running_lines(pages)
    blocks = build_blocks(pages)
    return Document(name=name, format="pdf", blocks=blocks, meta={"pages": str(len(pages))})
