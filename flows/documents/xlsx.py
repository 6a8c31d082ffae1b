"""XLSX: each visible sheet to paragraphs (title rows) and a table; merged cells keep only their top-left value."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile

import openpyxl
from openpyxl.cell.cell import MergedCell

from flows.documents.limits import check_zip_size
from flows.documents.model import Block, Document, ExtractError
from flows.documents.normalise import normalise
from flows.documents.sheets import Merge, date_text, format_number, grid_to_blocks

# A sheet larger than this is not a report form (an export of a whole database, say).
MAX_CELLS = 2_000_000


def cell_text(value: object, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format_number(value, number_format)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return date_text(value)
    return str(value)


def read_xlsx(data: bytes, name: str, max_bytes: int) -> Document:
    check_zip_size(data, name, max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions and styles
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError) as e:
        raise ExtractError("corrupt", f"XLSX could not be opened ({type(e).__name__}: {e})", name) from e
    blocks: list[Block] = []
    sheets: list[str] = []
    try:
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                continue  # hidden sheets hold lookup lists and drafts, not the published form
            if (ws.max_row or 0) * (ws.max_column or 0) > MAX_CELLS:
                raise ExtractError("too_large", f"sheet {ws.title!r} has over {MAX_CELLS} cells", name)
            grid = [
                ["" if isinstance(c, MergedCell) else cell_text(c.value, c.number_format) for c in row]
                for row in ws.iter_rows()
            ]
            merges = [
                Merge(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1)
                for m in ws.merged_cells.ranges
            ]
            sheet_blocks = grid_to_blocks(grid, merges)
            if sheet_blocks and len(book.worksheets) > 1:
                sheets.append(ws.title)
            blocks.extend(sheet_blocks)
    finally:
        book.close()
    meta = {"sheets": "\t".join(sheets)} if sheets else {}
    title = book.properties.title if book.properties else None
    if title:
        meta["title"] = normalise(title)
    return Document(name=name, format="xlsx", blocks=blocks, meta=meta)
