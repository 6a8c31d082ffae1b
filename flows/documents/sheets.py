"""What XLSX and XLS share: a cell value as the text the sheet shows, and a sheet grid as blocks.

Numbers are written without float artefacts (7255205.14, not 7255205.140000001; 8485146, not
8485146.0). A number format with fixed decimals or a percent sign is honoured, because a rate's
stated precision is part of what the document says ("85.50", "99.27%").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from flows.documents.model import Block, Paragraph, Table
from flows.documents.normalise import normalise, normalise_cell

# The section of a number format used for positive numbers, with quoted text and colours removed.
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DECIMALS = re.compile(r"\.([0#?]+)")


def plain_number(value: float | int) -> str:
    """Shortest decimal text of a number as a spreadsheet shows it (15 significant digits), never exponential."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = format(Decimal(format(value, ".15g")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_number(value: float | int, number_format: str | None) -> str:
    """A number as its cell shows it, as far as precision goes: fixed decimals and percent kept."""
    if isinstance(value, bool) or not number_format or number_format.lower() == "general":
        return plain_number(value)
    section = _QUOTED.sub("", number_format.split(";", 1)[0])
    if not any(ch in section for ch in "0#?"):
        return plain_number(value)  # a text or date format applied to a number
    match = _DECIMALS.search(section)
    decimals = len(match.group(1)) if match else 0
    if "%" in section:
        return f"{value * 100:.{decimals}f}%"
    if match is None and not float(value).is_integer():
        return plain_number(value)  # "#,##0" hides decimals the document may still mean
    return f"{value:.{decimals}f}"


def date_text(value: dt.datetime | dt.date | dt.time) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    return value.isoformat()


@dataclass(frozen=True, slots=True)
class Merge:
    """A merged range, 0-based and inclusive."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int


def _trim(grid: list[list[str]]) -> list[list[str]]:
    """Drop empty trailing columns (formatted but unused cells widen a sheet's dimension)."""
    width = 0
    for row in grid:
        for i in range(len(row) - 1, -1, -1):
            if row[i]:
                width = max(width, i + 1)
                break
    return [row[:width] + [""] * (width - len(row[:width])) for row in grid]


def grid_to_blocks(grid: list[list[str]], merges: list[Merge]) -> list[Block]:
    """A sheet's cell texts (covered merge cells already '') to blocks.

    Rows with a single filled cell before a table's first row (the form's title, "单位：万元")
    become paragraphs; a single-cell row spanning half the width or more after a blank row is the
    title of a new table (project forms stand several to a sheet); blank rows are dropped;
    everything else stays rows of the table.
    """
    grid = _trim([[normalise_cell(c) for c in row] for row in grid])
    if not grid:
        return []
    width = len(grid[0])
    spans = {(m.first_row, m.first_col): m.last_col - m.first_col + 1 for m in merges}

    def title_row(r: int, row: list[str]) -> bool:
        filled = [c for c, text in enumerate(row) if text]
        if len(filled) != 1:
            return False
        return spans.get((r, filled[0]), 1) * 2 >= width or width == 1

    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    after_blank = True
    for r, row in enumerate(grid):
        if not any(row):
            after_blank = True
            continue
        single = sum(1 for text in row if text) == 1
        if single and not rows:
            blocks.append(Paragraph(normalise(" ".join(t for t in row if t))))
        elif single and after_blank and title_row(r, row):
            if rows:
                blocks.append(Table(rows=tuple(rows)))
                rows = []
            blocks.append(Paragraph(normalise(" ".join(t for t in row if t))))
        else:
            rows.append(tuple(row))
        after_blank = False
    if rows:
        blocks.append(Table(rows=tuple(rows)))
    return blocks
