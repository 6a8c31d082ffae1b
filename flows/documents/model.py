"""The hand-off between extract and parse: a document as ordered text blocks and tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

# image: a scanned page saved as JPEG, PNG or TIFF, read by OCR
Format = Literal["html", "pdf", "docx", "doc", "xlsx", "xls", "txt", "image"]
ErrorKind = Literal[
    "corrupt", "encrypted", "no_text_layer", "unsupported_format", "not_a_report", "too_large"
]

# OCR's marks, here rather than in flows/documents/ocr.py so the parser's side can name them
# without importing numpy and PIL: a number with a digit read below this confidence (0-100) is
# not kept, and UNREADABLE stands in the text for it
LOW_CONFIDENCE = 75.0
UNREADABLE = "□"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One logical paragraph: wrapped lines and page-broken lines already re-joined."""

    text: str
    page: int | None = None
    # OCR'd: the engine's confidence (0-1) in its least certain line; None for a text layer.
    # Numbers OCR was unsure of are already replaced by UNREADABLE ("□") in the text.
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A table as rows of cell texts.

    A cell covered by a merge (the lower cells of a vertical merge, the right cells of a
    horizontal one) is the empty string, so parsers apply one rule: blank inherits.
    A table continued over a page break is one Table.
    """

    rows: tuple[tuple[str, ...], ...]
    page: int | None = None
    # OCR'd: the engine's mean confidence (0-1) in the table's characters; None for a text layer
    confidence: float | None = None


Block = Paragraph | Table


def with_text(block: Block, fix: Callable[[str], str]) -> Block:
    """The block with `fix` applied to its text (each cell of a table); the same block when
    nothing changed."""
    if isinstance(block, Paragraph):
        text = fix(block.text)
        return block if text == block.text else replace(block, text=text)
    rows = tuple(tuple(fix(cell) for cell in row) for row in block.rows)
    return block if rows == block.rows else replace(block, rows=rows)


@dataclass(slots=True)
class Document:
    name: str
    format: Format
    blocks: list[Block] = field(default_factory=list)
    # facts the container states about itself (HTML <title>, detected charset, page count)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def text(self) -> str:
        """All blocks as plain text, tables as tab-separated rows, in document order."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            else:
                out.extend("\t".join(r) for r in b.rows)
        return "\n".join(out)


class ExtractError(Exception):
    """A file that cannot be read as a document; kind is one of the contract's error kinds."""

    def __init__(self, kind: ErrorKind, message: str, name: str = "") -> None:
        super().__init__(f"{name}: {message}" if name else message)
        self.kind: ErrorKind = kind
        self.message = message
        self.name = name
