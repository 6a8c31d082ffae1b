"""Ruled tables on a PDF page: pdfplumber finds the grid, the page's own characters fill the cells.

Only the cell geometry comes from pdfplumber; the text comes from the same characters as the
paragraphs, so spacing and normalisation agree and each character lands in exactly one cell.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from flows.documents.normalise import normalise_cell
from flows.documents.pdf_layout import Char, PageTable, chars_to_lines, lines_to_text

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom

# pdfplumber's defaults join edges a little more generously: scanned-from-Word borders are not exact.
TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}


@dataclass(slots=True)
class Grid:
    """A table's cells by row; None where a merged cell above or to the left covers the position."""

    bbox: BBox
    rows: list[list[BBox | None]]


Edge = dict[str, float | str]


def segment_edges(segments: list[tuple[float, float, float, float]]) -> list[Edge]:
    """Horizontal and vertical line segments (x, top, x, top, as displayed) as pdfplumber edges."""
    edges: list[Edge] = []
    for xa, ta, xb, tb in segments:
        x0, x1 = min(xa, xb), max(xa, xb)
        top, bottom = min(ta, tb), max(ta, tb)
        if bottom - top <= 0.5 and x1 - x0 > 0.5:
            orientation = "h"
        elif x1 - x0 <= 0.5 and bottom - top > 0.5:
            orientation = "v"
        else:
            continue  # diagonals and dots draw no table rules
        edges.append(
            {
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "width": x1 - x0,
                "height": bottom - top,
                "orientation": orientation,
                "object_type": "line",
            }
        )
    return edges


@dataclass(slots=True)
class _EdgePage:
    """What pdfplumber's TableFinder reads from a page for the "lines" strategy: its edges."""

    edges: list[Edge]


def find_grids(plumber_page: object) -> list[Grid]:
    """The ruled tables on a page (a pdfplumber page, or _EdgePage), with at least two rows and two columns."""
    from flows.documents.pdf_grid import RuledTableFinder

    grids: list[Grid] = []
    for table in RuledTableFinder(plumber_page, TABLE_SETTINGS).tables:
        rows = [list(row.cells) for row in table.rows]
        width = max((len(r) for r in rows), default=0)
        if len(rows) < 2 or width < 2:
            continue  # a framed paragraph, not a table: its text stays in the flow
        grids.append(Grid(bbox=tuple(table.bbox), rows=rows))  # type: ignore[arg-type]
    return grids


def grids_from_edges(edges: list[Edge]) -> list[Grid]:
    horizontal = sum(1 for e in edges if e["orientation"] == "h")
    if horizontal < 2 or len(edges) - horizontal < 2:
        return []
    return find_grids(_EdgePage(edges))


def _inside(x: float, y: float, box: BBox) -> bool:
    return box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1


def _nearest_cell(grid: Grid, x: float, y: float) -> tuple[int, int] | None:
    """The cell containing the point, else the closest one: text inside a table is never dropped."""
    best: tuple[float, tuple[int, int]] | None = None
    for ri, row in enumerate(grid.rows):
        for ci, box in enumerate(row):
            if not box:
                continue
            dx = max(box[0] - x, 0.0, x - box[2])
            dy = max(box[1] - y, 0.0, y - box[3])
            distance = dx * dx + dy * dy
            if best is None or distance < best[0]:
                best = (distance, (ri, ci))
                if distance == 0:
                    return best[1]
    return best[1] if best else None


def fill_grid(grid: Grid, chars: list[Char]) -> tuple[PageTable, list[Char]]:
    """(the table with its cell texts, the characters outside it)."""
    cells: dict[tuple[int, int], list[Char]] = {}
    row_tops = [min((c[1] for c in row if c), default=grid.bbox[1]) for row in grid.rows]
    # each row's cells as (column, x0, top, x1, bottom) widened by _inside's tolerance, the
    # covered positions left out: the test below is _inside, inlined for every character
    row_cells = [
        [(ci, box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1) for ci, box in enumerate(row) if box]
        for row in grid.rows
    ]
    # the table's box, widened the same way
    left, above, right, below = grid.bbox[0] - 1, grid.bbox[1] - 1, grid.bbox[2] + 1, grid.bbox[3] + 1
    outside: list[Char] = []
    for ch in chars:
        x = (ch.x0 + ch.x1) / 2
        y = (ch.top + ch.bottom) / 2
        if not (left <= x <= right and above <= y <= below):
            outside.append(ch)
            continue
        r = max(0, bisect.bisect_right(row_tops, y) - 1)
        where = next(
            ((r, ci) for ci, x0, y0, x1, y1 in row_cells[r] if x0 <= x <= x1 and y0 <= y <= y1),
            None,
        )
        if where is None:  # under a cell merged down from a row above, or overflowing its cell
            where = _nearest_cell(grid, x, y)
        if where is not None:
            cells.setdefault(where, []).append(ch)
    rows = [
        [
            normalise_cell(lines_to_text(chars_to_lines(cells[ri, ci]))) if box and (ri, ci) in cells else ""
            for ci, box in enumerate(row)
        ]
        for ri, row in enumerate(grid.rows)
    ]
    x0, top, x1, bottom = grid.bbox
    inside = [c.conf for cell in cells.values() for c in cell]
    conf = sum(inside) / len(inside) if inside else 100.0
    return PageTable(rows=rows, x0=x0, x1=x1, top=top, bottom=bottom, conf=conf), outside
