"""PDF page geometry to blocks: characters to lines, running headers and page numbers out, lines to paragraphs.

Pure functions over positioned characters, independent of the PDF library that produced them.
Coordinates are PDF points with `top`/`bottom` measured down from the top of the page.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from flows.documents.model import Block, Paragraph, Table
from flows.documents.normalise import normalise
from flows.documents.reflow import (
    ends_sentence,
    is_cut,
    join_lines,
    starts_inline_enumeration,
    starts_item,
    unit_continues,
)


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    conf: float = 100.0  # OCR's confidence (0-100); a text layer's characters are certain


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # glyph box height, close to the font size
    conf: float = 100.0  # mean OCR confidence of its characters (0-100)


@dataclass(slots=True)
class PageTable:
    """A ruled table found on a page: its rows of cell texts and its box."""

    rows: list[list[str]]
    x0: float
    x1: float
    top: float
    bottom: float
    conf: float = 100.0  # mean OCR confidence of its characters (0-100)


@dataclass(slots=True)
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[PageTable] = field(default_factory=list)


def is_cjk(ch: str) -> bool:
    # CJK ideographs, punctuation and full-width forms all sit above U+2E80
    return ord(ch[0]) >= 0x2E80


def _spacing(prev: Char, cur: Char, size: float) -> str:
    """The text between two characters of one line: nothing, or one space for a visible word gap."""
    gap = cur.x0 - prev.x1
    if gap > 1.5 * size:
        return " "
    if gap > 0.15 * size and not (is_cjk(prev.text) or is_cjk(cur.text)):
        return " "
    return ""


_BY_X0 = attrgetter("x0")
_BY_BASELINE = attrgetter("bottom", "x0")


def _line_from(chars: list[Char]) -> Line | None:
    chars.sort(key=_BY_X0)
    heights = sorted([c.bottom - c.top for c in chars])
    size = heights[len(heights) // 2] or 1.0
    # below the smaller of _spacing's two thresholds a gap is never a space: no call needed
    no_space = min(0.15 * size, 1.5 * size)
    parts: list[str] = []
    prev: Char | None = None
    for c in chars:
        if prev is not None:
            # text drawn twice with a small offset (simulated bold) is one character
            # (the two boxes overlap: OCR's boxes of "00" touch but do not overlap)
            if (
                c.text == prev.text
                and abs(c.x0 - prev.x0) < 0.3 * size
                and c.x0 < prev.x1 - 0.25 * (prev.x1 - prev.x0)
            ):
                continue
            if c.x0 - prev.x1 > no_space:
                parts.append(_spacing(prev, c, size))
        parts.append(c.text)
        prev = c
    text = normalise("".join(parts))
    if not text:
        return None
    return Line(
        text=text,
        x0=chars[0].x0,
        x1=max([c.x1 for c in chars]),
        top=min([c.top for c in chars]),
        bottom=max([c.bottom for c in chars]),
        size=size,
        conf=sum([c.conf for c in chars]) / len(chars),
    )


def chars_to_lines(chars: list[Char]) -> list[Line]:
    """Group characters into visual lines (by baseline), top to bottom, each read left to right."""
    if not chars:
        return []
    order = sorted(chars, key=_BY_BASELINE)
    groups: list[list[Char]] = []
    current = [order[0]]
    base = order[0].bottom
    base_height = max(order[0].bottom - order[0].top, 1.0)
    for c in order[1:]:
        height = c.bottom - c.top
        if height < 1.0:
            height = 1.0
        if c.bottom - base <= 0.35 * min(height, base_height):
            current.append(c)
        else:
            groups.append(current)
            current = [c]
            base = c.bottom
            base_height = height
    groups.append(current)
    lines = [line for g in groups if (line := _line_from(g)) is not None]
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def lines_to_text(lines: list[Line]) -> str:
    """Lines of one table cell: wrapped lines joined, a line opening a numbered item kept apart."""
    out = ""
    for line in lines:
        if not out:
            out = line.text
        elif starts_item(line.text):
            out = f"{out}\n{line.text}"
        else:
            out = join_lines(out, line.text)
    return out


# --- running headers, footers and page numbers -------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"""^(?:
        第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?
      | 共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页
      | [-—–－~]*\s*\d{1,4}\s*[-—–－~]*
      | \d{1,4}\s*/\s*\d{1,4}
      | (?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?
      | [-—–]?\s*[IVXLCivxlc]{1,6}\s*[-—–]?
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_EDGE_LINES = 2  # how many lines at each end of a page may be header or footer
_EDGE_ZONE = 0.2  # ... and only within this fraction of the page height from its edge


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _edge_lines(page: PageContent) -> list[tuple[int, Line]]:
    """Indices of the lines that could be running headers or footers: the outermost, near the edges."""
    n = len(page.lines)
    out: list[tuple[int, Line]] = []
    for i, line in enumerate(page.lines):
        at_top = i < _EDGE_LINES and line.bottom <= page.height * _EDGE_ZONE
        at_bottom = i >= n - _EDGE_LINES and line.top >= page.height * (1 - _EDGE_ZONE)
        if at_top or at_bottom:
            out.append((i, line))
    return out


def _key(text: str) -> str:
    return _DIGITS.sub("#", text.replace(" ", ""))


def remove_running_lines(pages: list[PageContent]) -> None:
    """Drop page numbers and lines repeated at the same place near the top/bottom of most pages."""
    seen: dict[str, set[int]] = defaultdict(set)
    positions: dict[str, list[float]] = defaultdict(list)
    for page in pages:
        for _, line in _edge_lines(page):
            k = _key(line.text)
            seen[k].add(page.number)
            positions[k].append(line.top)
    need = max(2, (len(pages) + 1) // 2)
    running = {k for k, nums in seen.items() if len(nums) >= need}
    typical_top = {k: statistics.median(positions[k]) for k in running}
    for page in pages:
        drop: set[int] = set()
        for i, line in _edge_lines(page):
            k = _key(line.text)
            if is_page_number(line.text):
                drop.add(i)
            elif k in running and abs(line.top - typical_top[k]) <= max(line.size, 6.0):
                # the same words elsewhere on a page (the title on the cover) are content
                drop.add(i)
        if drop:
            page.lines = [ln for i, ln in enumerate(page.lines) if i not in drop]


# --- lines to paragraphs ------------------------------------------------------------------------


@dataclass(slots=True)
class _Metrics:
    left: float
    right: float
    gap: float  # usual space between two lines of one paragraph
    uses_indent: bool  # paragraphs open with a first-line indent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _page_metrics(pages: list[PageContent]) -> dict[int, _Metrics]:
    """Margins per page size (portrait and landscape pages differ), line gap and indent habit per document."""
    by_width: dict[int, list[Line]] = defaultdict(list)
    for page in pages:
        by_width[round(page.width)].extend(page.lines)
    margins: dict[int, tuple[float, float]] = {}
    for width, lines in by_width.items():
        if not lines:
            continue
        right = _percentile([ln.x1 for ln in lines], 0.95)
        full = [ln.x0 for ln in lines if ln.x1 >= right - 1.5 * ln.size] or [ln.x0 for ln in lines]
        margins[width] = (_percentile(full, 0.05), right)

    gaps: list[float] = []
    indented = starts = 0
    for page in pages:
        m = margins.get(round(page.width))
        for prev, cur in zip(page.lines, page.lines[1:], strict=False):
            if abs(prev.size - cur.size) > 0.2 * max(prev.size, cur.size):
                continue
            gap = cur.top - prev.bottom
            if -1.0 <= gap < 1.5 * cur.size:
                gaps.append(gap)
            if m and prev.x1 < m[1] - 1.5 * prev.size and cur.x0 < m[0] + 4 * cur.size:
                starts += 1
                indented += cur.x0 > m[0] + 0.9 * cur.size
    gap = statistics.median(gaps) if gaps else 3.0
    uses_indent = starts == 0 or indented / starts >= 0.4
    out: dict[int, _Metrics] = {}
    for page in pages:
        left, right = margins.get(round(page.width), (0.0, page.width))
        out[page.number] = _Metrics(left, right, gap, uses_indent)
    return out


@dataclass(slots=True)
class _Open:
    """The paragraph being assembled."""

    text: str
    first: Line
    last: Line
    page: int
    last_page: int
    lines: int = 1
    conf: float = 100.0  # the least certain line's


def _confidence(conf: float) -> float | None:
    return None if conf >= 100.0 else round(conf / 100.0, 3)


def _continues(para: _Open, line: Line, page: int, metrics: dict[int, _Metrics]) -> bool:
    """Whether `line` (first on its page when page != para.last_page) continues the open paragraph."""
    prev = para.last
    if starts_item(line.text) and (ends_sentence(prev.text) or not starts_inline_enumeration(line.text)):
        return False
    if unit_continues(para.text, line.text):
        return True
    if abs(prev.size - line.size) > 0.2 * max(prev.size, line.size):
        return False
    mp, ml = metrics[para.last_page], metrics[page]
    if prev.x1 < mp.right - 1.5 * prev.size:
        return False  # the previous line stopped short: its paragraph ended there
    if line.x0 > ml.left + 0.9 * line.size:
        same_indent = para.lines >= 2 and abs(line.x0 - prev.x0) < 0.5 * line.size
        hanging = para.lines == 1 and starts_item(para.text) and line.x0 > prev.x0 + 0.5 * line.size
        if not (same_indent or hanging):
            return False
    if page == para.last_page and line.top - prev.bottom > ml.gap + 0.5 * line.size:
        return False
    # A full line ending a sentence may still be mid-paragraph. Where paragraphs open with an
    # indent, an unindented next line says so (on the next page too); elsewhere the stop decides.
    return not (ends_sentence(prev.text) and not ml.uses_indent)


def _same_header(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return a == b and any(a)


def _merge_tables(prev: Table, rows: list[tuple[str, ...]], confidence: float | None = None) -> Table:
    """Append a table's continuation: a repeated header dropped, a row cut by the page break re-joined."""
    old = list(prev.rows)
    for k in range(min(3, len(old), len(rows)), 0, -1):
        if all(_same_header(old[i], rows[i]) for i in range(k)):
            rows = rows[k:]
            break
    if rows and old:
        last, first = old[-1], rows[0]
        filled_first = [i for i, c in enumerate(first) if c]
        filled_last = [i for i, c in enumerate(last) if c]
        if (
            len(last) == len(first)
            and filled_first
            and len(filled_first) <= 2
            and len(filled_last) > len(filled_first)
            and all(last[i] and not ends_sentence(last[i]) for i in filled_first)
        ):
            merged = tuple(join_lines(a, b) if b else a for a, b in zip(last, first, strict=True))
            old[-1] = merged
            rows = rows[1:]
    return Table(rows=tuple(old) + tuple(rows), page=prev.page, confidence=confidence)


def _table_continues(prev: Table, prev_table: PageTable | None, table: PageTable) -> bool:
    """Same columns, or the same frame: the table went on over the page break."""
    if prev_table is None:
        return False
    width_prev = max(len(r) for r in prev.rows) if prev.rows else 0
    width = max(len(r) for r in table.rows) if table.rows else 0
    same_frame = abs(prev_table.x0 - table.x0) <= 3 and abs(prev_table.x1 - table.x1) <= 3
    return width_prev == width or same_frame


def build_blocks(pages: list[PageContent]) -> list[Block]:
    """Lines and tables of all pages, in reading order, to paragraphs and tables."""
    metrics = _page_metrics(pages)
    blocks: list[Block] = []
    para: _Open | None = None
    # the last table placed and whether nothing followed it on its page (it may continue)
    last_table: PageTable | None = None
    last_table_page = 0
    table_ended_page = False

    def flush() -> None:
        nonlocal para
        if para is not None:
            blocks.append(Paragraph(para.text, para.page, _confidence(para.conf)))
            para = None

    for page in pages:
        items: list[tuple[float, Line | PageTable]] = [(ln.top, ln) for ln in page.lines]
        items += [(t.top, t) for t in page.tables]
        items.sort(key=lambda it: it[0])
        for index, (_, item) in enumerate(items):
            if isinstance(item, PageTable):
                flush()
                rows = [tuple(r) for r in item.rows]
                prev = blocks[-1] if blocks else None
                if (
                    index == 0
                    and table_ended_page
                    and last_table_page == page.number - 1
                    and isinstance(prev, Table)
                    and _table_continues(prev, last_table, item)
                ):
                    confidence = _confidence(item.conf)
                    if prev.confidence is not None and confidence is not None:
                        confidence = min(prev.confidence, confidence)
                    blocks[-1] = _merge_tables(prev, rows, confidence or prev.confidence)
                else:
                    blocks.append(
                        Table(rows=tuple(rows), page=page.number, confidence=_confidence(item.conf))
                    )
                last_table = item
                last_table_page = page.number
                table_ended_page = index == len(items) - 1
                continue
            table_ended_page = False
            if para is not None and _continues(para, item, page.number, metrics):
                para.text = join_lines(para.text, item.text)
                para.last = item
                para.last_page = page.number
                para.lines += 1
                para.conf = min(para.conf, item.conf)
            else:
                flush()
                para = _Open(item.text, item, item, page.number, page.number, conf=item.conf)
    flush()
    return merge_cut_paragraphs(blocks)


def merge_cut_paragraphs(blocks: list[Block]) -> list[Block]:
    """Re-join neighbouring paragraphs that are one paragraph cut apart (reflow.is_cut)."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if isinstance(block, Paragraph) and isinstance(prev, Paragraph) and is_cut(prev.text, block.text):
            confidences = [c for c in (prev.confidence, block.confidence) if c is not None]
            out[-1] = Paragraph(join_lines(prev.text, block.text), prev.page, min(confidences, default=None))
        else:
            out.append(block)
    return out


def text_health(chars: list[Char]) -> tuple[int, int]:
    """(characters, unreadable ones): private-use and replacement characters come from fonts with no Unicode map."""
    bad = 0
    for c in chars:
        if 0xE000 <= ord(c.text[0]) <= 0xF8FF or c.text == "\ufffd":
            bad += 1
    return len(chars), bad
