"""Legacy XLS (BIFF) through xlrd: same shape as XLSX, merged ranges from formatting info."""

from __future__ import annotations

import xlrd

from flows.documents.model import Block, Document, ExtractError
from flows.documents.sheets import Merge, date_text, format_number, grid_to_blocks, plain_number
from flows.documents.xlsx import MAX_CELLS


def _open(data: bytes, name: str) -> tuple[xlrd.book.Book, bool]:
    """(book, whether formatting info was read): merged ranges and number formats need it."""
    try:
        return xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True), True
    except xlrd.XLRDError as e:
        if "encrypt" in str(e).lower():
            raise ExtractError("encrypted", "password-protected XLS", name) from e
        first = e
    except Exception as e:  # formatting records xlrd cannot follow: try without them
        first = e
    try:
        return xlrd.open_workbook(file_contents=data, formatting_info=False, on_demand=True), False
    except xlrd.XLRDError as e:
        kind = "encrypted" if "encrypt" in str(e).lower() else "corrupt"
        raise ExtractError(kind, f"XLS could not be opened ({e})", name) from e  # type: ignore[arg-type]
    except Exception as e:
        raise ExtractError("corrupt", f"XLS could not be opened ({first}; {e})", name) from e


def _cell_text(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, r: int, c: int, formats: bool) -> str:
    cell = sheet.cell(r, c)
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return str(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if kind == xlrd.XL_CELL_DATE:
        try:
            return date_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return plain_number(cell.value)
    number_format = None
    if formats:
        xf = book.xf_list[cell.xf_index]
        fmt = book.format_map.get(xf.format_key)
        number_format = fmt.format_str if fmt else None
    return format_number(cell.value, number_format)


def read_xls(data: bytes, name: str) -> Document:
    book, formats = _open(data, name)
    blocks: list[Block] = []
    sheets: list[str] = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if getattr(sheet, "visibility", 0) != 0:
                continue
            if sheet.nrows * sheet.ncols > MAX_CELLS:
                raise ExtractError("too_large", f"sheet {sheet.name!r} has over {MAX_CELLS} cells", name)
            grid = [
                [_cell_text(book, sheet, r, c, formats) for c in range(sheet.ncols)]
                for r in range(sheet.nrows)
            ]
            merges = [Merge(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
            for m in merges:  # xlrd repeats nothing, but a writer may have left values under a merge
                for r in range(m.first_row, m.last_row + 1):
                    for c in range(m.first_col, m.last_col + 1):
                        if (r, c) != (m.first_row, m.first_col) and r < len(grid) and c < len(grid[r]):
                            grid[r][c] = ""
            sheet_blocks = grid_to_blocks(grid, merges)
            if sheet_blocks and book.nsheets > 1:
                sheets.append(sheet.name)
            blocks.extend(sheet_blocks)
    finally:
        book.release_resources()
    return Document(
        name=name, format="xls", blocks=blocks, meta={"sheets": "\t".join(sheets)} if sheets else {}
    )
