"""DOCX: the body's paragraphs and tables in document order, merged cells blanked.

python-docx's `Table.rows[i].cells` repeats a merged cell's text in every position it covers;
the grid is rebuilt from the `w:tc` elements instead (gridSpan, vMerge, gridBefore/gridAfter).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl, CT_Tc
from docx.oxml.text.paragraph import CT_P

from flows.documents.docx_numbering import Numbering
from flows.documents.limits import check_zip_size
from flows.documents.model import Block, Document, ExtractError, Paragraph, Table
from flows.documents.normalise import normalise, normalise_cell

_P = qn("w:p")
_TBL = qn("w:tbl")
_SDT = qn("w:sdt")
_SDT_CONTENT = qn("w:sdtContent")
_TR = qn("w:tr")
_TC = qn("w:tc")
_INS = qn("w:ins")  # tracked insertions hold rows and cells too
_CUSTOM_XML = qn("w:customXml")


def _children(element: object, wanted: str) -> Iterator[object]:
    """Direct children with tag `wanted`, looking through content controls and tracked insertions."""
    for child in element:  # type: ignore[attr-defined]
        tag = child.tag
        if tag == wanted:
            yield child
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _children(content, wanted)
        elif tag in (_INS, _CUSTOM_XML):
            yield from _children(child, wanted)


def _body_elements(body: object) -> Iterator[object]:
    """w:p and w:tbl of the body in order, content controls (a table of contents, say) opened."""
    for child in body:  # type: ignore[attr-defined]
        if isinstance(child, CT_P | CT_Tbl):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _body_elements(content)
        elif child.tag == _CUSTOM_XML:
            yield from _body_elements(child)


_T = qn("w:t")
_TAB = qn("w:tab")
_BREAKS = frozenset({qn("w:br"), qn("w:cr")})
_TEXTBOX = qn("w:txbxContent")
# Subtrees that hold no visible text of the paragraph: properties, deleted or moved-away runs, and
# the VML copy Word writes of every text box (mc:Fallback) beside the DrawingML one.
_NO_TEXT = frozenset(
    {
        qn("w:pPr"),
        qn("w:rPr"),
        qn("w:del"),
        qn("w:moveFrom"),
        qn("w:instrText"),
        qn("w:delText"),
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
)


def _collect(element: object, out: list[str]) -> None:
    for child in element:  # type: ignore[attr-defined]
        tag = child.tag
        if tag == _T:
            out.append(child.text or "")
        elif tag == _TAB:
            out.append(" ")
        elif tag in _BREAKS:
            out.append("\n")
        elif tag in _NO_TEXT or not isinstance(tag, str):
            continue
        elif tag == _P:  # a paragraph inside a text box: a line of its own
            out.append("\n")
            _collect(child, out)
            out.append("\n")
        else:
            _collect(child, out)


def _paragraph_lines(p: CT_P, numbering: Numbering) -> list[str]:
    """A paragraph's text, its list number in front; a manual line break (w:br) splits it, as <br> does.

    Every w:t counts, also inside hyperlinks, smart tags, fields, content controls and tracked
    insertions (python-docx's Paragraph.text reads runs and hyperlinks only).
    """
    parts: list[str] = [numbering.label(p)]
    _collect(p, parts)
    text = "".join(parts)
    return [line for line in (normalise(part) for part in text.split("\n")) if line]


def _cell_text(tc: CT_Tc, numbering: Numbering) -> str:
    parts: list[str] = []
    for child in _body_elements(tc):
        if isinstance(child, CT_P):
            parts.extend(_paragraph_lines(child, numbering))
        elif isinstance(child, CT_Tbl):  # a table nested in a cell: its text, row by row
            for row in _table_rows(child, numbering):
                line = " ".join(c for c in row if c)
                if line:
                    parts.append(line)
    return normalise_cell("\n".join(parts))


def _int_val(element: object, tag: str) -> int:
    node = element.find(qn(tag)) if element is not None else None  # type: ignore[attr-defined]
    if node is None:
        return 0
    try:
        return int(node.get(qn("w:val"), "0"))
    except ValueError:
        return 0


def _table_rows(tbl: CT_Tbl, numbering: Numbering) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for tr in _children(tbl, _TR):
        tr_pr = tr.find(qn("w:trPr"))  # type: ignore[attr-defined]
        cells: list[str] = [""] * _int_val(tr_pr, "w:gridBefore")
        for tc in _children(tr, _TC):
            span = max(1, tc.grid_span)  # type: ignore[attr-defined]
            continued = tc.vMerge == "continue"  # type: ignore[attr-defined]
            cells.append("" if continued else _cell_text(tc, numbering))  # type: ignore[arg-type]
            cells.extend([""] * (span - 1))
        cells.extend([""] * _int_val(tr_pr, "w:gridAfter"))
        rows.append(tuple(cells))
    width = max((len(r) for r in rows), default=0)
    return [r + ("",) * (width - len(r)) for r in rows]


def _numbering_element(document: object) -> object | None:
    try:
        return document.part.numbering_part.element  # type: ignore[attr-defined]
    except (KeyError, NotImplementedError, AttributeError):
        return None  # a document without lists has no numbering part


def read_docx(data: bytes, name: str, max_bytes: int) -> Document:
    check_zip_size(data, name, max_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile) as e:
        raise ExtractError("corrupt", f"DOCX could not be opened ({type(e).__name__}: {e})", name) from e
    body = document.element.body
    numbering = Numbering.from_parts(_numbering_element(document), document.styles.element)
    blocks: list[Block] = []
    for element in _body_elements(body):
        if isinstance(element, CT_P):
            blocks.extend(Paragraph(line) for line in _paragraph_lines(element, numbering))
        else:
            rows = _table_rows(element, numbering)  # type: ignore[arg-type]
            if any(any(row) for row in rows):
                blocks.append(Table(rows=tuple(rows)))
    meta: dict[str, str] = {}
    title = document.core_properties.title
    if title:
        meta["title"] = normalise(title)
    return Document(name=name, format="docx", blocks=blocks, meta=meta)
