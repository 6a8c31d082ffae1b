"""PDF: text from pypdfium2 (fast, positioned characters), ruled tables from pdfplumber on pages that draw rules.

pdfplumber parses a page ~25x slower than pdfium, so it only sees pages whose vector paths could
form a table grid.
"""

from __future__ import annotations

import ctypes
import functools
import io
import re
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from flows.documents.model import Block, Document, ExtractError
from flows.documents.normalise import normalise
from flows.documents.pdf_layout import (
    Char,
    PageContent,
    build_blocks,
    chars_to_lines,
    remove_running_lines,
    text_health,
)
from flows.documents.pdf_objects import PageObjects, page_objects
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


@dataclass(frozen=True, slots=True)
class _View:
    """PDF user space to the page as displayed: x from the left edge, top down from the top edge.

    A page with /Rotate is shown turned; reading order follows what the reader sees.
    """

    rotation: int
    left: float
    bottom: float
    right: float
    top: float

    @property
    def size(self) -> tuple[float, float]:
        w, h = self.right - self.left, self.top - self.bottom
        return (h, w) if self.rotation in (90, 270) else (w, h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        # unrotated pages keep x in user space, as pdfplumber reports it (its boxes are used as is)
        return x, self.top - y

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """(x0, x1, top, bottom) of a box given by two corners."""
        ax, at = self.point(x0, y0)
        bx, bt = self.point(x1, y1)
        return min(ax, bx), max(ax, bx), min(at, bt), max(at, bt)


# characters that take no place on the page
_NOT_DRAWN = frozenset("\x00\ufffe")


def _page_chars(page: pdfium.PdfPage, view: _View) -> list[Char]:
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
        rect_ref = ctypes.byref(rect)
        # the box's four floats in one read (left, top, right, bottom), not four attribute lookups
        read_rect = struct.Struct("4f").unpack
        rect_bytes = (ctypes.c_char * ctypes.sizeof(rect)).from_buffer(rect)
        get_box = pdfium_c.FPDFText_GetLooseCharBox
        upright = view.rotation == 0
        page_top = view.top
        chars: list[Char] = []
        append = chars.append
        for i, ch in enumerate(text):
            if ch.isspace() or ch in _NOT_DRAWN:
                continue
            if not get_box(raw, i, rect_ref):
                continue
            left, top, right, bottom = read_rect(rect_bytes.raw)
            if upright and left <= right and bottom <= top:  # _View.box of an upright page, inlined
                append(Char(ch, left, right, page_top - top, page_top - bottom))
            else:
                append(Char(ch, *view.box(left, bottom, right, top)))
        return chars
    finally:
        textpage.close()


Segment = tuple[float, float, float, float]


def _path_segments(raw: object, view: _View) -> list[Segment]:
    """The straight segments a visible path (a raw handle) draws, as displayed (x, top, x, top)."""
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
        point = view.point(m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or prev is None:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            out.append((*prev, *point))
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and start != point:
            out.append((*point, *start))
        prev = point
    return out


def _page_segments(objects: PageObjects, view: _View) -> list[Segment] | None:
    """Line segments of the page's paths; None when paths sit inside form XObjects (pdfplumber reads those)."""
    if objects.nested_paths:
        # pdfplumber resolves form XObjects; it measures unrotated pages only
        return None if view.rotation == 0 else []
    segments: list[Segment] = []
    for raw in objects.paths:
        segments.extend(_path_segments(raw, view))
    return segments


_PLACEHOLDERS = frozenset({"", "(anonymous)", "(unspecified)", "untitled", "unknown"})
_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?")


def _doc_meta(doc: pdfium.PdfDocument) -> dict[str, str]:
    """What the file says about itself: title, author, producing program, creation date (YYYY-MM-DD)."""
    try:
        info = doc.get_metadata_dict()
    except pdfium.PdfiumError:
        return {}
    meta: dict[str, str] = {}
    for key, out in (
        ("Title", "title"),
        ("Author", "author"),
        ("Creator", "creator"),
        ("Producer", "producer"),
    ):
        value = normalise(info.get(key) or "")
        if value.lower() not in _PLACEHOLDERS:
            meta[out] = value
    m = _PDF_DATE.match(info.get("CreationDate") or "")
    if m and m.group(2) and m.group(3):
        meta["created"] = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return meta


@dataclass(slots=True)
class _Pages:
    """Per page: geometry, characters, the rules drawn (None: ask pdfplumber); the pages whose text
    pdfplumber must read instead; images of the pages with no text (to OCR); the document's metadata."""

    content: list[PageContent]
    chars: list[list[Char]]
    edges: list[list[Edge] | None]
    redo: set[int]
    images: dict[int, tuple[object, float]]
    meta: dict[str, str]


def _render(page: pdfium.PdfPage, view: _View) -> tuple[object, float]:
    """The page as a picture for OCR, and its resolution (capped for giant pages)."""
    from flows.documents.ocr import MAX_OCR_SIDE, OCR_DPI

    dpi = min(OCR_DPI, MAX_OCR_SIDE * 72 / max(*view.size, 1.0))
    return page.render(scale=dpi / 72, grayscale=False).to_pil(), dpi


def _read_pages(data: bytes, name: str, max_pages: int, ocr: Callable[[], bool]) -> _Pages:
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
            redo: set[int] = set()
            images: dict[int, tuple[object, float]] = {}
            meta = {"pages": str(n), **_doc_meta(doc)}
            for i in range(n):
                page = doc[i]
                try:
                    view = _View(page.get_rotation() % 360, *page.get_mediabox())
                    width, height = view.size
                    pages.append(PageContent(number=i + 1, width=width, height=height))
                    page_chars = _page_chars(page, view)
                    chars.append(page_chars)
                    if len(page_chars) < _MIN_PAGE_CHARS and ocr():
                        images[i] = _render(page, view)
                    objects = page_objects(page)
                    # a text object with no extent: pdfium leaves its characters out (turned text in
                    # a font that is not embedded) or cannot measure its glyphs (STSong-Light and
                    # kin, common in government PDFs, drop a wrapped cell's last character)
                    if (view.rotation and objects.collapsed_text) or objects.unmeasured_text:
                        redo.add(i)
                        edges.append(None)
                        continue
                    segments = _page_segments(objects, view) if page_chars else []
                    edges.append(None if segments is None else segment_edges(segments))
                finally:
                    page.close()
            return _Pages(pages, chars, edges, redo, images, meta)
        finally:
            doc.close()


def _check_text_layer(
    chars: list[list[Char]], name: str, why_no_ocr: Callable[[], str | None], ocr_pages: int
) -> None:
    with_text = sum(1 for c in chars if len(c) >= _MIN_PAGE_CHARS)
    if ocr_pages and with_text == 0:
        raise ExtractError("not_a_report", f"OCR found no text on any of the {len(chars)} pages", name)
    if ocr_pages:
        return
    # asked only here, where pages lack text (so read_pdf has asked already: the answer is cached)
    reason = f"; {why_no_ocr()}" if with_text < len(chars) and why_no_ocr() else ""
    if with_text == 0:
        raise ExtractError(
            "no_text_layer", f"none of the {len(chars)} pages has a text layer (scanned?){reason}", name
        )
    if len(chars) >= 3 and with_text / len(chars) < 0.25:
        raise ExtractError(
            "no_text_layer",
            f"only {with_text} of {len(chars)} pages have a text layer (scanned?){reason}",
            name,
        )
    total, bad = text_health([c for page in chars for c in page])
    if bad > 0.3 * total:
        raise ExtractError("no_text_layer", "the text layer has no Unicode mapping (unreadable glyphs)", name)


def _plumber_chars(plumber_page: object) -> list[Char]:
    return [
        Char(c["text"], c["x0"], c["x1"], c["top"], c["bottom"])
        for c in plumber_page.chars  # type: ignore[attr-defined]
        if c["text"] and not c["text"].isspace()
    ]


def _find_grids(
    data: bytes, chars: list[list[Char]], edges: list[list[Edge] | None], redo: set[int]
) -> dict[int, list[Grid]]:
    """Ruled tables per page.

    pdfplumber's table finder runs on the rules pdfium read. A page whose paths sit inside form
    XObjects, or whose text pdfium could not place, is parsed by pdfplumber itself (slow, but it
    resolves nested coordinate spaces and font metrics); for the latter its characters replace
    pdfium's.
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
                    if i in redo:
                        chars[i] = _plumber_chars(plumber_page)
                    grids[i] = find_grids(plumber_page)
                finally:
                    plumber_page.close()
    return grids


def _ocr_pages(read: _Pages) -> None:
    """Pages with no text layer read by OCR: their characters and rules replace the empty ones."""
    if not read.images:
        return
    from flows.documents.ocr import scan_page

    unreadable = 0
    for i, (image, dpi) in sorted(read.images.items()):
        scanned = scan_page(image, dpi)  # type: ignore[arg-type]
        read.content[i].width, read.content[i].height = scanned.width, scanned.height
        read.chars[i] = scanned.chars
        read.edges[i] = segment_edges(scanned.segments)
        unreadable += scanned.unreadable
    if read.images:
        read.meta["ocr_pages"] = ",".join(str(i + 1) for i in sorted(read.images))
        read.meta["ocr_unreadable_numbers"] = str(unreadable)


def assemble(
    pages: list[PageContent], chars: list[list[Char]], grids: dict[int, list[Grid]], ocr: set[int]
) -> list[Block]:
    """Positioned characters and table grids of every page (OCR'd ones in `ocr`) to blocks."""
    for i, page_grids in grids.items():
        page_chars = chars[i]
        for grid in page_grids:  # a table's characters leave the text flow
            table, page_chars = fill_grid(grid, page_chars)
            pages[i].tables.append(table)
        chars[i] = page_chars
    for page, page_chars in zip(pages, chars, strict=True):
        page.lines = chars_to_lines(page_chars)
    if ocr:
        from flows.documents.ocr import align_running_lines

        align_running_lines([p for i, p in enumerate(pages) if i in ocr])
    remove_running_lines(pages)
    return build_blocks(pages)


def _why_no_ocr() -> str | None:
    from flows.documents.ocr import unavailable_reason

    return unavailable_reason()


def read_pdf(data: bytes, name: str, max_pages: int = 500) -> Document:
    _check_complete(data, name)
    # OCR (numpy, PIL, the settings, two tesseract runs to ask its version) is looked into only
    # when a page has no text layer: a text PDF is read without any of it
    why_no_ocr = functools.cache(_why_no_ocr)
    read = _read_pages(data, name, max_pages, ocr=lambda: why_no_ocr() is None)
    _ocr_pages(read)
    grids = _find_grids(data, read.chars, read.edges, read.redo)
    _check_text_layer(read.chars, name, why_no_ocr, len(read.images))
    blocks = assemble(read.content, read.chars, grids, set(read.images))
    return Document(name=name, format="pdf", blocks=blocks, meta=read.meta)
