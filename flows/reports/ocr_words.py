"""Budget words OCR misreads by one character ("调减" as "调碱"), put right on OCR'd blocks
before the parser reads them.

One misread keyword costs more than its own text: "调碱" is no adjustment word, so the parser
reads the line's reduction as a budget and the line's checks empty it. The pairs are data
(vocabulary.toml, `ocr_page_fixes`); text from a text layer is never touched, and what was
put right is listed in the document's meta (`ocr_word_fixes`).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from flows.documents.model import Document, with_text
from flows.reports.vocabulary import vocabulary


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str] | None:
    wrong = sorted(vocabulary().ocr_page_fixes, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, wrong))) if wrong else None


def _fix(text: str, seen: Counter[str]) -> str:
    pattern = _pattern()
    if pattern is None:
        return text
    fixes = vocabulary().ocr_page_fixes

    def right(m: re.Match[str]) -> str:
        seen[f"{m.group()}→{fixes[m.group()]}"] += 1
        return fixes[m.group()]

    return pattern.sub(right, text)


def correct_budget_words(document: Document) -> None:
    """Known misreadings of budget words in the OCR'd blocks of `document` put right, in place."""
    if "ocr_pages" not in document.meta:
        return
    seen: Counter[str] = Counter()
    for i, block in enumerate(document.blocks):
        if block.confidence is not None:
            document.blocks[i] = with_text(block, lambda text: _fix(text, seen))
    if seen:
        document.meta["ocr_word_fixes"] = ", ".join(f"{k} ×{n}" for k, n in sorted(seen.items()))
