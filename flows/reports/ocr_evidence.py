"""Evidence from OCR'd pages names its page and the engine's confidence; numbers OCR could not
read with confidence are listed with their sentence, so a null amount says why it is null.

Runs after the parser, on its evidence strings: the parser itself knows nothing of OCR.
"""

from __future__ import annotations

import re

from flows.contract.report import Report
from flows.documents.model import LOW_CONFIDENCE, UNREADABLE, Document, Paragraph, Table

_SENTENCE_END = re.compile(r"[。；;！？\n]")


def _row_text(row: tuple[str, ...]) -> str:
    return "\t".join(c for c in row if c)


def _source(document: Document, evidence: str) -> Paragraph | Table | None:
    for block in document.blocks:
        if isinstance(block, Paragraph) and evidence in block.text:
            return block
        if isinstance(block, Table) and any(_row_text(r) == evidence for r in block.rows):
            return block
    return None


def _sentences_with_unreadable(text: str) -> list[str]:
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(text + "\n"):
        sentence = text[start : m.end()].strip()
        if UNREADABLE in sentence:
            out.append(sentence)
        start = m.end()
    return out


def _note(block: Paragraph | Table) -> str:
    confidence = f", confidence {block.confidence:.0%}" if block.confidence is not None else ""
    return f"[OCR page {block.page}{confidence}]"


def annotate(document: Document, reports: list[Report]) -> None:
    """For a document read (partly) by OCR: page and confidence before each OCR'd evidence string,
    and one `ocr.unreadable[i]` entry per sentence or table row holding an unreadable number."""
    if "ocr_pages" not in document.meta:
        return
    unreadable: list[str] = []
    for block in document.blocks:
        if block.confidence is None:
            continue
        if isinstance(block, Paragraph):
            found = _sentences_with_unreadable(block.text)
        else:
            found = [_row_text(r) for r in block.rows if any(UNREADABLE in c for c in r)]
        why = f"a number read below {LOW_CONFIDENCE:.0f}% confidence is left out ({UNREADABLE})"
        unreadable.extend(f"{_note(block)} {why}: {text}" for text in found)
    for report in reports:
        for key, value in list(report.evidence.items()):
            block = _source(document, value)
            if block is not None and block.confidence is not None:
                report.evidence[key] = f"{_note(block)} {value}"
        for i, text in enumerate(unreadable):
            report.evidence[f"ocr.unreadable[{i}]"] = text
