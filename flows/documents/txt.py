"""Plain text: lines become paragraphs, runs of tab- or pipe-separated lines become tables.

The text may have been copied out of a PDF, so a paragraph cut by a page break is re-joined
(reflow.is_cut). antiword's output of a .doc goes through the same function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flows.documents.model import Block, Document, Paragraph, Table
from flows.documents.normalise import normalise, normalise_cell
from flows.documents.reflow import is_cut, join_lines

_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")  # markdown |---|---|


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM first, then strict UTF-8, then GB18030 (a superset of GBK and GB2312)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc.removesuffix("-sig")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def split_row(line: str) -> tuple[str, ...] | None:
    """The cells of a table line (tab- or pipe-separated), or None for a line of prose."""
    if not line.strip():
        return None
    if "\t" in line:
        return tuple(normalise_cell(c) for c in line.split("\t"))
    if line.count("|") >= 2:
        stripped = line.strip()
        cells = stripped.split("|")
        if stripped.startswith("|"):
            cells = cells[1:]
        if stripped.endswith("|"):
            cells = cells[:-1]
        return tuple(normalise_cell(c) for c in cells)
    return None


def _is_rule(line: str) -> bool:
    return bool(_PIPE_RULE.match(line.strip())) and "-" in line


def _next_nonblank(lines: list[str], start: int) -> int:
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def lines_to_blocks(lines: list[str], page: int | None = None) -> list[Block]:
    """Lines in order to blocks: table runs (blank lines inside a run bridged), paragraphs re-joined."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if rows and not line.strip():
            # A blank line inside a table run (a page break in the source) does not end the table.
            j = _next_nonblank(lines, i)
            if j < len(lines) and split_row(lines[j]) is not None:
                i = j
                continue
        if _is_rule(line) and rows:
            i += 1
            continue
        row = split_row(line)
        if row is not None:
            rows.append(row)
            i += 1
            continue
        if rows:
            blocks.append(Table(rows=tuple(rows), page=page))
            rows = []
        text = normalise(line)
        if text:
            _add_paragraph(blocks, text, page)
        i += 1
    if rows:
        blocks.append(Table(rows=tuple(rows), page=page))
    return blocks


def _add_paragraph(blocks: list[Block], text: str, page: int | None) -> None:
    last = blocks[-1] if blocks else None
    if isinstance(last, Paragraph) and is_cut(last.text, text):
        blocks[-1] = Paragraph(join_lines(last.text, text), last.page)
    else:
        blocks.append(Paragraph(text, page))


def read_txt(data: bytes, name: str) -> Document:
    text, encoding = decode_text(data)
    lines = text.splitlines()
    return Document(name=name, format="txt", blocks=lines_to_blocks(lines), meta={"charset": encoding})


def iter_text(blocks: Iterable[Block]) -> Iterable[str]:
    """Paragraph texts only (a helper for callers that ignore tables)."""
    return (b.text for b in blocks if isinstance(b, Paragraph))
