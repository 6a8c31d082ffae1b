"""Word 2003 XML (WordprocessingML 2003): the single XML file Word saves as .xml or .doc.

The body is read like a DOCX body (paragraphs and tables in order, merged cells blanked). Word
writes each list item's rendered number into the file (wx:t), so numbering needs no engine here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flows.documents.limits import check_xml_bytes
from flows.documents.model import Block, Document, ExtractError, Paragraph, Table
from flows.documents.normalise import normalise, normalise_cell

W = "{http://schemas.microsoft.com/office/word/2003/wordml}"
WX = "{http://schemas.microsoft.com/office/word/2003/auxHint}"
_SKIP = frozenset({f"{W}pPr", f"{W}rPr", f"{W}delText", f"{W}instrText", f"{W}tblPr", f"{W}tcPr", f"{W}trPr"})


def _collect(element: ET.Element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == f"{W}t":
            out.append(child.text or "")
        elif tag == f"{W}tab":
            out.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
        elif tag in _SKIP or tag == f"{W}del" or not isinstance(tag, str):
            continue
        else:
            _collect(child, out)


def _paragraph_lines(p: ET.Element) -> list[str]:
    parts: list[str] = []
    label = p.find(f"{W}pPr/{W}listPr/{WX}t")
    if label is not None:
        parts.append(label.get(f"{WX}val", ""))
    _collect(p, parts)
    return [line for line in (normalise(x) for x in "".join(parts).split("\n")) if line]


def _flow(container: ET.Element) -> list[ET.Element]:
    """w:p and w:tbl in order, through sections (wx:sect, wx:sub-section) and other wrappers."""
    out: list[ET.Element] = []
    for child in container:
        if child.tag in (f"{W}p", f"{W}tbl"):
            out.append(child)
        elif child.tag not in _SKIP and isinstance(child.tag, str):
            out.extend(_flow(child))
    return out


def _cell_text(tc: ET.Element) -> str:
    lines: list[str] = []
    for element in _flow(tc):
        if element.tag == f"{W}p":
            lines.extend(_paragraph_lines(element))
        else:
            lines.extend(" ".join(c for c in row if c) for row in _rows(element))
    return normalise_cell("\n".join(lines))


def _int_attr(element: ET.Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(f"{W}val", default))
    except ValueError:
        return default


def _rows(tbl: ET.Element) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for tr in _flow_rows(tbl):
        cells: list[str] = []
        for tc in tr.findall(f"{W}tc"):
            span = max(1, _int_attr(tc.find(f"{W}tcPr/{W}gridSpan"), 1))
            vmerge = tc.find(f"{W}tcPr/{W}vmerge")
            continued = vmerge is not None and vmerge.get(f"{W}val", "continue") != "restart"
            cells.append("" if continued else _cell_text(tc))
            cells.extend([""] * (span - 1))
        rows.append(tuple(cells))
    width = max((len(r) for r in rows), default=0)
    return [r + ("",) * (width - len(r)) for r in rows]


def _flow_rows(tbl: ET.Element) -> list[ET.Element]:
    """The table's own rows (not those of a table nested in a cell)."""
    return [child for child in tbl if child.tag == f"{W}tr"]


def read_wordml(data: bytes, name: str) -> Document:
    try:
        check_xml_bytes(data, name)
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise ExtractError("corrupt", f"Word 2003 XML is not well-formed ({e})", name) from e
    body = root.find(f"{W}body")
    blocks: list[Block] = []
    for element in _flow(body) if body is not None else []:
        if element.tag == f"{W}p":
            blocks.extend(Paragraph(line) for line in _paragraph_lines(element))
        else:
            rows = _rows(element)
            if any(any(r) for r in rows):
                blocks.append(Table(rows=tuple(rows)))
    meta = {"container": "wordml-2003"}
    o = "{urn:schemas-microsoft-com:office:office}"
    title = root.find(f"{o}DocumentProperties/{o}Title")
    if title is not None and title.text:
        meta["title"] = normalise(title.text)
    return Document(name=name, format="doc", blocks=blocks, meta=meta)
