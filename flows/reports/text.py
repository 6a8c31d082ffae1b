"""Plain-text views of a Document for the parsers: normalised lines, sentences, sections."""

from __future__ import annotations

import re

from flows.documents.model import Document, Table
from flows.reports.memo import per_document
from flows.reports.numbers import normalise_digits

SENTENCE_END = "。；;！？!?"
# a heading number: 一、 （一） (1) 1. 1、 ①
HEADING_NUMBER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|[（(]\d+[)）]|\d+(?:、|[.．](?!\d))|[①-⑳])\s*"
)
TOC_LINE = re.compile(r"[\s.…·]{1,}\d{1,3}\s*$")


_BLANKS = re.compile(r"[ \t]+")
# a full-width comma between thousands ("３，３６１．００") is a separator, not punctuation
_THOUSANDS_COMMA = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")
# "2023 年" / "8362.3 万元" spacing from PDF extraction carries no meaning
_SPACE_IN_CJK = re.compile(
    r"(?<=[\u4e00-\u9fff\d%（）()，。、；：“”]) (?=[\u4e00-\u9fff\d%（）()，。、；：“”])"
)


# the same cells and paragraphs are cleaned by every field reader (budget, indicators, project, layout)
@per_document
def clean(text: str) -> str:
    """Digits to half-width, whitespace folded; spaces between CJK characters dropped."""
    text = normalise_digits(text).replace("\u3000", " ").replace("\xa0", " ")
    text = _BLANKS.sub(" ", text).strip()
    if "，" in text:
        text = _THOUSANDS_COMMA.sub(",", text)
    if " " not in text:
        return text
    # but "65.07 10 99%" is three cells of a flattened row: digits on both sides stay apart
    return _SPACE_IN_CJK.sub(lambda m: " " if _digit_pair(text, m.start()) else "", text)


def _digit_pair(text: str, space: int) -> bool:
    return (text[space - 1].isdigit() or text[space - 1] == "%") and text[space + 1].isdigit()


def paragraphs(doc: Document) -> list[str]:
    """Cleaned paragraph texts in order, with a table of contents left out."""
    out: list[str] = []
    in_toc = False
    for block in doc.blocks:
        if isinstance(block, Table):
            continue
        text = clean(block.text)
        if not text:
            continue
        if re.fullmatch(r"目\s*录", text):
            in_toc = True
            continue
        if in_toc:
            if TOC_LINE.search(text) or (_looks_like_heading(text) and text in out):
                continue
            in_toc = False
        out.append(text)
    return out


def _looks_like_heading(text: str) -> bool:
    return bool(HEADING_NUMBER.match(text)) and len(text) < 60


def table_rows(table: Table) -> list[list[str]]:
    return [[clean(c) for c in row] for row in table.rows]


def sentence_at(text: str, pos: int) -> str:
    """The sentence of `text` that holds character `pos`."""
    start = max((text.rfind(ch, 0, pos) for ch in SENTENCE_END), default=-1) + 1
    ends = [i for i in (text.find(ch, pos) for ch in SENTENCE_END) if i != -1]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()


def strip_heading_number(text: str) -> str:
    return HEADING_NUMBER.sub("", text, count=1).strip()


def heading_level(text: str) -> int | None:
    """1 for 一、, 2 for （一）, 3 for 1. / 1、, 4 for (1); None when not a numbered heading."""
    if re.match(r"^\s*(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十]+(?:部分|章))", text):
        return 1
    if re.match(r"^\s*[（(][一二三四五六七八九十]+[)）]", text):
        return 2
    if re.match(r"^\s*\d+(?:、|[.．](?!\d))", text):
        return 3
    if re.match(r"^\s*[（(]\d+[)）]", text):
        return 4
    return None


def section(paras: list[str], words: tuple[str, ...], *, max_heading_len: int = 60) -> list[str]:
    """Paragraphs under the first numbered heading that contains one of `words`, up to the next
    heading of the same or a higher level (the heading itself first)."""
    for i, p in enumerate(paras):
        level = heading_level(p)
        if level is None or len(p) > max_heading_len or not any(w in p for w in words):
            continue
        out = [p]
        for q in paras[i + 1 :]:
            q_level = heading_level(q)
            if q_level is not None and q_level <= level and len(q) <= max_heading_len:
                break
            out.append(q)
        return out
    return []


def merged_tables(doc: Document) -> list[Table]:
    """Tables with the ones that directly follow them (nothing between, about as wide) appended:
    a table broken by a page or a blank line is still one table."""
    out: list[Table] = []
    previous_was_table = False
    for block in doc.blocks:
        if isinstance(block, Table):
            width = max((len(r) for r in block.rows), default=0)
            # a page break can drop a row's empty cells, so the continuation may be a cell or two narrower
            if (
                previous_was_table
                and out
                and abs(max((len(r) for r in out[-1].rows), default=0) - width) <= 2
            ):
                out[-1] = Table(out[-1].rows + block.rows, out[-1].page)
            else:
                out.append(block)
            previous_was_table = True
        elif clean(block.text):
            previous_was_table = False
    return out
