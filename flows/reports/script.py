"""One script for the parser: Traditional-script mirrors read as simplified Chinese, their pinyin
glosses and known OCR misreadings of money words removed.

Server-side converters publish pages like "臨河區(qū)…預算數(shù)": each character may carry its
pinyin in brackets. Vocabulary and the division table are simplified, so the whole document is
converted once, before any reading, with OpenCC's maintained t2s tables.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows.documents.model import Document, Paragraph, Table
from flows.reports.vocabulary import vocabulary

# a bracketed pinyin gloss right after a Chinese character: "區(qū)", "數(shù)", "萬(wàn)"
_PINYIN_GLOSS = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńň]*[aeiouüāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])"
    r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńň]{1,6}\)"
)
# characters only Traditional text uses (their simplified forms differ); a handful is noise
_TRADITIONAL_ONLY = frozenset(
    "區數據萬預執門項員會與為這個對關於實際發劃國際業務經費績評報報檢貳參資產時間單"
)


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported on first Traditional document only

    return opencc.OpenCC("t2s")


def is_traditional(text: str) -> bool:
    """Whether the text is written in Traditional script (not a simplified text quoting a few)."""
    hits = sum(1 for ch in text if ch in _TRADITIONAL_ONLY)
    return hits >= 5 and hits >= len(text) / 400


def simplified_text(text: str, traditional: bool) -> str:
    text = _PINYIN_GLOSS.sub("", text)
    if traditional:
        text = _t2s().convert(text)
    for wrong, right in vocabulary().ocr_fixes.items():
        text = text.replace(wrong, right)
    return text


def simplified(doc: Document) -> Document:
    """The document in simplified script with glosses and OCR money-word damage removed."""
    traditional = is_traditional(doc.text()[:20000])
    blocks = []
    for block in doc.blocks:
        if isinstance(block, Table):
            rows = tuple(tuple(simplified_text(c, traditional) for c in row) for row in block.rows)
            blocks.append(Table(rows, block.page))
        else:
            blocks.append(Paragraph(simplified_text(block.text, traditional), block.page))
    meta = dict(doc.meta)
    if "title" in meta:
        meta["title"] = simplified_text(meta["title"], traditional)
    if traditional:
        meta["script"] = "traditional"
    return Document(doc.name, doc.format, blocks, meta)
