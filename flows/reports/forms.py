"""Label-and-value rows of self-evaluation forms: "项目名称 | …", "部门（单位）名称 | …", "总分 | 100 | 95"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flows.reports.memo import per_document
from flows.reports.numbers import parse_number
from flows.reports.vocabulary import alternation, vocabulary

TOTAL_SCORE_LABEL = re.compile(rf"^(?:{alternation(vocabulary().score_labels['total_row'])})$")


_SPACE = re.compile(r"\s")


# value_after compares every cell of a form with each label it looks for
@per_document
def compact(cell: str) -> str:
    return _SPACE.sub("", cell)


def value_after(
    rows: Iterable[list[str]], label: re.Pattern[str], other_labels: Iterable[re.Pattern[str]] = ()
) -> str | None:
    """The first non-empty cell right of a cell matching `label` that is not itself a label."""
    others = tuple(other_labels)
    for row in rows:
        for i, cell in enumerate(row):
            if label.match(compact(cell)):
                value = next(
                    (c for c in row[i + 1 :] if c and not any(p.match(compact(c)) for p in others)), None
                )
                if value:
                    return value
    return None


def total_score(rows: Iterable[list[str]]) -> tuple[float, str] | None:
    """(score, the row as evidence) from a 总分 row: its last number (the score after the weight)."""
    for row in rows:
        cells = [c for c in row if c and c.strip()]
        if cells and TOTAL_SCORE_LABEL.match(compact(cells[0])):
            numbers = [n for n in (parse_number(c) for c in cells[1:]) if n is not None]
            if numbers:
                return numbers[-1], "\t".join(cells)
    return None


# a form's overall score in running cells: the label, an optional "(分)", then one number (the
# score) or two (the full marks, then the score: "总分 100 94")
_FORM_SCORE = re.compile(
    r"(?:自评总分|自评总得分|项目总得分|自评得分|总分)\s*(?:[（(]分[)）])?\s*[:：]?\s*"
    r"(\d{1,3}(?:\.\d{1,2})?)(?![\d.])(?:\s+(\d{1,3}(?:\.\d{1,2})?)(?![\d.%]))?"
)


def form_total_score(stream: str) -> tuple[float, str] | None:
    """(score, evidence) from a flattened form's 总分/自评得分 cells; None when unclear."""
    found = []
    for m in _FORM_SCORE.finditer(stream):
        first, second = float(m.group(1)), m.group(2)
        if second is not None and first == 100:
            found.append((float(second), m.group(0)))
        elif second is None and first <= 100:
            found.append((first, m.group(0)))
    scores = {v for v, _ in found}
    return found[0] if len(scores) == 1 and found[0][0] <= 100 else None
