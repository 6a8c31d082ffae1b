"""The self-evaluation parts of a 部门决算 (final accounts) document, as documents of their own.

Final accounts often carry the year's self-evaluation: a section 部门整体支出绩效自评情况, or
公开表 13–15 項 项目支出绩效自评表. Read whole, the 决算's own tables (收入支出决算总表 …) would
be taken for the report's budget; so only the parts from a self-evaluation heading to the
next part of the 决算 (第N部分, 公开表N, 附表N, 名词解释) are handed to the parser. The
document's first paragraph (its title: unit and year) leads every part.
"""

from __future__ import annotations

import re

from flows.documents.model import Block, Document, Paragraph, Table

# a heading that opens a self-evaluation part
_SELF_EVALUATION = re.compile(
    r"(部门整体支出绩效自评|项目支出绩效自评|整体支出绩效自评|绩效自评(?:情况|报告|表)|绩效评价(?:情况|报告))"
)
# a heading that opens any other part of a final account
_PART = re.compile(
    r"^\s*(?:第[一二三四五六七八九十\d]+部分|(?:公开|附)表\s*[\d一二三四五六七八九十]+|表\s*\d+\s|名词解释|附件\s*\d*\s*[:：]?\s*\S*决算)"
)
_HEADING_MAX = 60
# a part with less than this much text and no table is only a heading over the next part
_SUBSTANTIAL = 120


def _heading(block: Block) -> str | None:
    if isinstance(block, Paragraph) and len(block.text) <= _HEADING_MAX:
        return block.text
    return None


def _substantial(blocks: list[Block]) -> bool:
    return (
        any(isinstance(b, Table) for b in blocks)
        or sum(len(b.text) for b in blocks if isinstance(b, Paragraph)) >= _SUBSTANTIAL
    )


def self_evaluation_parts(document: Document) -> list[Document]:
    """Each self-evaluation part of the document (empty when it has none), in order."""
    title = document.blocks[0] if document.blocks and isinstance(document.blocks[0], Paragraph) else None
    parts: list[list[Block]] = []
    current: list[Block] | None = None
    for block in document.blocks[1:] if title else document.blocks:
        heading = _heading(block)
        if heading is not None and _SELF_EVALUATION.search(heading):
            if current is None or _substantial(current[1:]):
                current = []
                parts.append(current)
            current.append(block)
            continue
        if heading is not None and _PART.match(heading):
            current = None
            continue
        if current is not None:
            current.append(block)
    lead = [title] if title else []
    parts = [p for p in parts if _substantial(p)]
    return [
        Document(
            name=document.name,
            format=document.format,
            blocks=lead + blocks,
            meta={**document.meta, "part": f"{n} of {len(parts)}"},
        )
        for n, blocks in enumerate(parts, 1)
    ]
