"""Excel 2003 XML (SpreadsheetML): the XML workbook CMS exports save as .xls.

Same output as the XLSX and XLS readers: each visible sheet to title paragraphs and a table,
merged ranges (ss:MergeAcross/ss:MergeDown) keeping only their top-left value.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flows.documents.limits import check_xml_bytes
from flows.documents.model import Block, Document, ExtractError
from flows.documents.sheets import Merge, format_number, grid_to_blocks, plain_number
from flows.documents.xlsx import MAX_CELLS

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
X = "{urn:schemas-microsoft-com:office:excel}"
# Named formats Excel writes instead of a format code
_NAMED_FORMATS = {"Percent": "0.00%", "Fixed": "0.00", "Standard": "#,##0.00", "General Number": "General"}


def _styles(root: ET.Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for style in root.iter(f"{SS}Style"):
        fmt = style.find(f"{SS}NumberFormat")
        if fmt is not None and fmt.get(f"{SS}Format"):
            code = fmt.get(f"{SS}Format", "")
            out[style.get(f"{SS}ID", "")] = _NAMED_FORMATS.get(code, code)
    return out


def _cell_text(cell: ET.Element, styles: dict[str, str]) -> str:
    data = cell.find(f"{SS}Data")
    if data is None:
        return ""
    text = "".join(data.itertext())
    if data.get(f"{SS}Type") == "Number":
        try:
            value = float(text)
        except ValueError:
            return text
        fmt = styles.get(cell.get(f"{SS}StyleID", ""))
        return format_number(value, fmt) if fmt else plain_number(value)
    if data.get(f"{SS}Type") == "DateTime":
        return text.removesuffix("T00:00:00.000").replace("T", " ")
    return text


def _hidden(sheet: ET.Element) -> bool:
    visible = sheet.find(f"{X}WorksheetOptions/{X}Visible")
    return visible is not None and (visible.text or "").strip() in ("SheetHidden", "SheetVeryHidden")


def _sheet_grid(table: ET.Element, styles: dict[str, str]) -> tuple[list[list[str]], list[Merge]]:
    cells: dict[tuple[int, int], str] = {}
    merges: list[Merge] = []
    r = -1
    for row in table.findall(f"{SS}Row"):
        r = int(row.get(f"{SS}Index", r + 2)) - 1
        c = -1
        for cell in row.findall(f"{SS}Cell"):
            c = int(cell.get(f"{SS}Index", c + 2)) - 1
            across = int(cell.get(f"{SS}MergeAcross", 0))
            down = int(cell.get(f"{SS}MergeDown", 0))
            if len(cells) > MAX_CELLS:
                raise ValueError("sheet too large")
            cells[(r, c)] = _cell_text(cell, styles)
            if across or down:
                merges.append(Merge(r, r + down, c, c + across))
                for dr in range(down + 1):
                    for dc in range(across + 1):
                        cells.setdefault((r + dr, c + dc), "")
            c += across
    if not cells:
        return [], merges
    height = max(k[0] for k in cells) + 1
    width = max(k[1] for k in cells) + 1
    if height * width > MAX_CELLS:
        raise ValueError("sheet too large")
    return [[cells.get((i, j), "") for j in range(width)] for i in range(height)], merges


def read_spreadsheetml(data: bytes, name: str) -> Document:
    try:
        check_xml_bytes(data, name)
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise ExtractError("corrupt", f"Excel 2003 XML is not well-formed ({e})", name) from e
    styles = _styles(root)
    blocks: list[Block] = []
    sheets: list[str] = []
    worksheets = root.findall(f"{SS}Worksheet")
    for sheet in worksheets:
        table = sheet.find(f"{SS}Table")
        if table is None or _hidden(sheet):
            continue
        try:
            grid, merges = _sheet_grid(table, styles)
        except ValueError as e:
            raise ExtractError("too_large", f"sheet {sheet.get(f'{SS}Name')!r}: {e}", name) from e
        sheet_blocks = grid_to_blocks(grid, merges)
        if sheet_blocks and len(worksheets) > 1:
            sheets.append(sheet.get(f"{SS}Name", ""))
        blocks.extend(sheet_blocks)
    meta = {"container": "spreadsheetml-2003"}
    if sheets:
        meta["sheets"] = "\t".join(sheets)
    return Document(name=name, format="xls", blocks=blocks, meta=meta)
