"""Evidence from OCR'd pages names its page and the engine's confidence; numbers OCR could not
read with confidence are listed with their sentence, so a null amount says why it is null.

Runs after the parser, on its evidence strings: the parser itself knows nothing of OCR.
"""

from __future__ import annotations

import re

from flows.contract.report import Report
from flows.contract.rules import execution_rate
from flows.documents.model import LOW_CONFIDENCE, UNREADABLE, Document, Paragraph, Table

_SENTENCE_END = re.compile(r"[。；;！？\n]")
# a stated rate this far (percentage points) from executed / budget: the amounts disagree
_RATE_TOLERANCE = 1.0
# ... and beyond what a document's own slip gives (a rate against the initial budget, a stale
# figure: 99.28% computed where 92.77% is printed): spent over this share of the budget, or less
# than half the stated rate, is an amount taken from the wrong place
_MAX_PLAUSIBLE_RATE = 105.0
# initial + adjustment this far (relative) from the adjusted budget: the amounts disagree
_SUM_TOLERANCE = 0.005


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


def _drop_disagreeing_amounts(report: Report) -> None:
    """A budget line whose OCR'd numbers contradict each other has one misread (or misplaced, after a
    misread keyword: "调碱" for "调减") and nobody can tell which: all of them are left out."""
    for name, line in report.budget.items():
        rate = execution_rate(line.executed, line.adjusted, line.initial)
        if (
            rate is not None
            and line.rate is not None
            and abs(rate - line.rate) > _RATE_TOLERANCE
            and (rate > _MAX_PLAUSIBLE_RATE or rate < line.rate / 2)
        ):
            base = "adjusted" if line.adjusted is not None else "initial"
            for field in (base, "executed", "rate", "rate_text"):
                setattr(line, field, None)
                report.evidence.pop(f"budget.{name}.{field}", None)
        if (
            line.adjusted is None
            and line.rate is not None
            and line.adjustment  # the document adjusts this line: its rate is measured on the adjusted budget
            and UNREADABLE in report.evidence.get(f"budget.{name}.rate", "")
        ):
            # the adjusted budget was printed but could not be read: the stated rate would be
            # checked against the initial budget it does not measure, and fail for no fault of its own
            for field in ("rate", "rate_text"):
                setattr(line, field, None)
                report.evidence.pop(f"budget.{name}.{field}", None)
        parts = (line.initial, line.adjustment, line.adjusted)
        if all(v is not None for v in parts):
            initial, adjustment, adjusted = parts  # type: ignore[misc]
            if abs(initial + adjustment - adjusted) > _SUM_TOLERANCE * max(abs(adjusted), 1.0):
                for field in ("initial", "adjustment", "adjusted"):
                    setattr(line, field, None)
                    report.evidence.pop(f"budget.{name}.{field}", None)


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
        _drop_disagreeing_amounts(report)
        for key, value in list(report.evidence.items()):
            block = _source(document, value)
            if block is not None and block.confidence is not None:
                report.evidence[key] = f"{_note(block)} {value}"
        for i, text in enumerate(unreadable):
            report.evidence[f"ocr.unreadable[{i}]"] = text
