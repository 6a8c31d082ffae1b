"""pdfplumber's table finder with its cell search indexed.

pdfplumber looks for the smallest cell at each rule crossing by rescanning every later crossing
for the ones straight below and to the right, and rebuilds the sets of rules through both
points for each pair it compares: on a ruled table of a few hundred crossings that was most of
a page's cost. Here the crossings are grouped by column and by row once and each crossing's
rules are a set made once; the cells found, and their order, are the same.

Imported only when a page has a table (pdfminer is slow to import).
"""

from __future__ import annotations

from collections import defaultdict
from operator import itemgetter
from typing import Any

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

Point = tuple[float, float]
BBox = tuple[float, float, float, float]  # x0, top, x1, bottom

_BOX = itemgetter("x0", "top", "x1", "bottom")


def cells_from_crossings(crossings: dict[Point, dict[str, list[Any]]]) -> list[BBox]:
    """For each crossing in (x, top) order, the smallest cell with it as the top-left corner: a
    crossing below and one to the right joined to it by a rule, and the crossing that closes
    the rectangle joined to both."""
    vertical = {p: {_BOX(e) for e in rules["v"]} for p, rules in crossings.items()}
    horizontal = {p: {_BOX(e) for e in rules["h"]} for p, rules in crossings.items()}
    points = sorted(crossings)
    column: dict[float, list[Point]] = defaultdict(list)  # by x, top to bottom
    row: dict[float, list[Point]] = defaultdict(list)  # by top, left to right
    for p in points:
        column[p[0]].append(p)
        row[p[1]].append(p)

    def joined(a: Point, b: Point, rules: dict[Point, set[BBox]]) -> bool:
        return not rules[a].isdisjoint(rules[b])

    def smallest_cell(pt: Point) -> BBox | None:
        x, top = pt
        right: list[Point] | None = None  # found once, when a crossing below is joined
        for b in column[x]:
            if b[1] <= top or not joined(pt, b, vertical):
                continue
            if right is None:
                right = [p for p in row[top] if p[0] > x and joined(pt, p, horizontal)]
            for r in right:
                corner = (r[0], b[1])
                if corner in crossings and joined(corner, r, vertical) and joined(corner, b, horizontal):
                    return (x, top, r[0], b[1])
        return None

    return [cell for cell in map(smallest_cell, points) if cell is not None]


class RuledTableFinder(TableFinder):
    """TableFinder's steps (rules → crossings → cells → tables), the cell search replaced."""

    def __init__(self, page: Any, settings: dict[str, Any]) -> None:
        self.page = page
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance
        )
        self.cells = cells_from_crossings(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]
