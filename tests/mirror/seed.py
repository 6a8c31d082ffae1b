"""A seed report as ordered paragraphs and tables: the input of every renderer.

Seed texts are exports of real published reports: one paragraph per line, tables as
tab-separated lines, and the marks the original PDF's page breaks left behind (a sentence
cut in two, a blank line inside a table). The renderers need those marks to put the page
breaks back where the original had them, so parsing keeps the text exactly and records
them instead of repairing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

TableKind = Literal["grid", "toc"]

# A paragraph ending in one of these finished its sentence; any other ending was cut.
_TERMINAL = tuple("。．.；;：:！!？?…”」』》）)】")
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[.、．]|[①-⑳]|【|第[一二三四五六七八九十]+)"
)
_LEVEL1 = re.compile(r"^\s*[一二三四五六七八九十]+、")
# Numbered items are headings only when short; a long numbered item is body text.
_HEADING_MAX_CHARS = 40
# A text cut by a page break filled at least most of a printed line before it.
_CUT_MIN_CHARS = 20


@dataclass(frozen=True, slots=True)
class SeedParagraph:
    text: str
    # the original put a page break right before this paragraph
    page_break_before: bool = False
    # … in the middle of a sentence: this paragraph is the rest of the previous one
    continues: bool = False


@dataclass(frozen=True, slots=True)
class SeedTable:
    """Rows of equal length; `page_breaks` are the row indices a page break preceded."""

    rows: tuple[tuple[str, ...], ...]
    page_breaks: tuple[int, ...] = ()
    kind: TableKind = "grid"
    page_break_before: bool = False

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


SeedBlock = SeedParagraph | SeedTable


@dataclass(frozen=True, slots=True)
class SeedDoc:
    blocks: tuple[SeedBlock, ...]

    @property
    def paragraphs(self) -> list[SeedParagraph]:
        return [b for b in self.blocks if isinstance(b, SeedParagraph)]

    @property
    def tables(self) -> list[SeedTable]:
        return [b for b in self.blocks if isinstance(b, SeedTable)]


def is_heading(text: str) -> bool:
    return bool(_HEADING.match(text)) and len(text.strip()) <= _HEADING_MAX_CHARS


def is_level1_heading(text: str) -> bool:
    return bool(_LEVEL1.match(text)) and len(text.strip()) <= _HEADING_MAX_CHARS


def ends_mid_sentence(text: str) -> bool:
    return not text.rstrip().endswith(_TERMINAL)


def looks_cut(text: str, min_chars: int = _CUT_MIN_CHARS) -> bool:
    """A long text that stops mid-sentence: the original's page ended inside it."""
    return len(text.strip()) >= min_chars and ends_mid_sentence(text)


def _restore_cells(row: list[str], width: int, blank_cols: list[int]) -> tuple[str, ...]:
    """Insert the missing empty cells where no text lands in an always-blank column."""
    missing = width - len(row)
    for where in combinations(blank_cols, missing):
        cells = list(row)
        for c in where:
            cells.insert(c, "")
        if not any(cells[c].strip() for c in blank_cols):
            return tuple(cells)
    return tuple([""] * missing + row)


def _rectangular(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    """Give short rows their lost cells back.

    Text exports drop empty cells of merged or unused columns (a weight column left
    blank all the way down), so a short row's text sits too far left. Its missing cells
    go back into the columns that are blank in every complete data row, choosing the
    places that keep its text out of those columns.
    """
    width = max(len(r) for r in rows)
    full = [r for r in rows[1:] if len(r) == width]
    blank_cols = [c for c in range(width) if full and all(not r[c].strip() for r in full)]
    return tuple(tuple(r) if len(r) == width else _restore_cells(r, width, blank_cols) for r in rows)


def _is_toc(rows: list[list[str]]) -> bool:
    return all(len(r) == 2 and r[1].strip().isdigit() for r in rows)


def _table(rows: list[list[str]], breaks: list[int]) -> SeedTable:
    kind: TableKind = "toc" if _is_toc(rows) else "grid"
    return SeedTable(rows=_rectangular(rows), page_breaks=tuple(breaks), kind=kind)


def _group(lines: list[str]) -> list[SeedBlock]:
    """Paragraph per non-blank line; runs of tab lines (blank lines inside allowed) are one table."""
    blocks: list[SeedBlock] = []
    rows: list[list[str]] = []
    breaks: list[int] = []
    blank_inside = False
    for line in lines:
        if "\t" in line:
            if rows and blank_inside:
                breaks.append(len(rows))  # a blank line inside a table is a page break
            rows.append(line.split("\t"))
            blank_inside = False
        elif not line.strip():
            blank_inside = bool(rows)
        else:
            if rows:
                blocks.append(_table(rows, breaks))
                rows, breaks = [], []
            blank_inside = False
            blocks.append(SeedParagraph(line))
    if rows:
        blocks.append(_table(rows, breaks))
    return blocks


def _mark_page_breaks(blocks: list[SeedBlock]) -> list[SeedBlock]:
    """Flag where the original broke pages: a body paragraph cut mid-sentence, and around a TOC.

    Only after the first level-1 heading: the cover page wraps long names over lines too.
    """
    out: list[SeedBlock] = []
    in_body = False
    for i, block in enumerate(blocks):
        prev = blocks[i - 1] if i else None
        around_toc = any(isinstance(b, SeedTable) and b.kind == "toc" for b in (block, prev))
        cut_before = (
            in_body
            and isinstance(block, SeedParagraph)
            and isinstance(prev, SeedParagraph)
            and looks_cut(prev.text)
            and not is_heading(prev.text)
            and not is_heading(block.text)
        )
        brk = around_toc or cut_before
        if isinstance(block, SeedParagraph):
            in_body = in_body or is_level1_heading(block.text)
            out.append(SeedParagraph(block.text, page_break_before=brk, continues=bool(cut_before)))
        else:
            out.append(
                SeedTable(block.rows, block.page_breaks, block.kind, page_break_before=brk),
            )
    # A TOC's heading ("目录") goes with it onto its own page.
    for i, block in enumerate(out):
        if isinstance(block, SeedTable) and block.kind == "toc" and i:
            head = out[i - 1]
            if isinstance(head, SeedParagraph) and len(head.text.strip()) <= 4:
                out[i - 1] = SeedParagraph(head.text, page_break_before=True)
                out[i] = SeedTable(block.rows, block.page_breaks, block.kind, page_break_before=False)
    return out


def parse_seed(text: str) -> SeedDoc:
    """Split a seed report into paragraphs and tables, keeping its text exactly."""
    lines = text.replace("\r\n", "\n").split("\n")
    return SeedDoc(tuple(_mark_page_breaks(_group(lines))))


def joined_paragraphs(doc: SeedDoc) -> SeedDoc:
    """The same document with page-cut paragraphs re-joined, as a word processor would hold it."""
    out: list[SeedBlock] = []
    for block in doc.blocks:
        prev = out[-1] if out else None
        if isinstance(block, SeedParagraph) and block.continues and isinstance(prev, SeedParagraph):
            out[-1] = SeedParagraph(prev.text + block.text, prev.page_break_before, prev.continues)
        else:
            out.append(block)
    return SeedDoc(tuple(out))


def continuation_rows(table: SeedTable) -> set[int]:
    """Rows that only continue the previous row's cut cells after a page break."""
    cont: set[int] = set()
    for i in table.page_breaks:
        if i == 0:
            continue
        row, prev = table.rows[i], table.rows[i - 1]
        filled = [c for c, v in enumerate(row) if v.strip()]
        # cells are narrow: a cut cell text is shorter than a cut paragraph
        if filled and all(looks_cut(prev[c], _CUT_MIN_CHARS // 2) for c in filled):
            cont.add(i)
    return cont


def logical_rows(table: SeedTable) -> tuple[tuple[str, ...], ...]:
    """Rows with page-cut cells re-joined: the table as a spreadsheet or Word file holds it."""
    cont = continuation_rows(table)
    rows: list[list[str]] = []
    for i, row in enumerate(table.rows):
        if i in cont:
            rows[-1] = [a + b if b.strip() else a for a, b in zip(rows[-1], row, strict=True)]
        else:
            rows.append(list(row))
    return tuple(tuple(r) for r in rows)


def level_columns(header: tuple[str, ...]) -> dict[int, int]:
    """Columns of an indicator table's level cells (一级…/二级…) → their level (1, 2, …)."""
    levels = {"一级": 1, "二级": 2, "三级": 3}
    out: dict[int, int] = {}
    for c, name in enumerate(header):
        for prefix, lvl in levels.items():
            # the third level is the indicator itself: its blanks are not merges
            if name.startswith(prefix) and lvl < 3:
                out[c] = lvl
    return out


def vertical_merges(rows: tuple[tuple[str, ...], ...]) -> list[tuple[int, int, int]]:
    """(column, first row, last row) spans of blank level cells under the cell that heads them.

    A level cell's span ends where any cell of the same or a higher level is filled again.
    Row 0 is the header and never merges.
    """
    if not rows:
        return []
    cols = level_columns(rows[0])
    spans: list[tuple[int, int, int]] = []
    for col, lvl in cols.items():
        group = [c for c, lv in cols.items() if lv <= lvl]
        start = 1
        for r in range(2, len(rows) + 1):
            ends = r == len(rows) or any(rows[r][c].strip() for c in group)
            if ends:
                if r - 1 > start:
                    spans.append((col, start, r - 1))
                start = r
    return sorted(spans)
