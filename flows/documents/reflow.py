"""Deciding whether two lines of text belong to one paragraph, and joining them.

Shared by the readers whose source breaks paragraphs into lines (PDF pages, plain text copied
from PDFs). The signals are structural: sentence-final punctuation, numbered headings and items,
and a number whose unit was pushed onto the next line.
"""

from __future__ import annotations

import re

# A line ending with one of these ends a sentence (or introduces a list, for the colons).
SENTENCE_END = frozenset("。；！？：;!?:")

# Headings and numbered items: 一、 （一） (一) 1. 1、 （1） (1) ① 第一章 第一条 一是.
_ITEM_START = re.compile(
    r"""^(?:
        [一二三四五六七八九十百]+\s*[、.．]                      # 一、
      | [（(]\s*[一二三四五六七八九十百]+\s*[）)]                # （一）
      | [（(]\s*\d{1,2}\s*[）)]                                  # （1）
      | \d{1,2}\s*[、．]                                         # 1、
      | \d{1,2}\s*\.(?!\d)                                       # 1.  but not 1.5
      | \d{1,2}\s*[）)]                                          # 1）
      | [①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]                            # ①
      | 第\s*[一二三四五六七八九十百\d]+\s*[章节条部分]          # 第一章
      | [一二三四五六七八九十]+是                                # 一是
      | [A-Za-z]\s*[、.．](?![A-Za-z0-9])                        # A、
      | [■□◆◇●○•·▪▶►√]                                          # bullets
    )""",
    re.VERBOSE,
)

# A unit (or percent sign) that belongs to the number ending the previous line.
_UNIT_START = re.compile(
    r"^(?:亿元|万元|千元|元|%|‰|万|亿|个|人|名|项|次|份|场|户|家|台|辆|套|件|张|所|座|条|篇|期|批|册|本|"
    r"平方米|平方公里|公里|千米|米|吨|天|小时|分钟|年|月|日|号|倍|分|岁|位|间|处)"
)
_ENDS_WITH_NUMBER = re.compile(r"\d(?:[.,]\d+)?$")


_ENUMERATION = re.compile(r"^[一二三四五六七八九十]+是")


def starts_item(line: str) -> bool:
    """Whether a line opens a heading or a numbered/bulleted item."""
    return bool(_ITEM_START.match(line.lstrip()))


def starts_inline_enumeration(line: str) -> bool:
    """ "二是…": an enumeration that also runs inside a sentence, so it opens an item only after a stop."""
    return bool(_ENUMERATION.match(line.lstrip()))


def ends_sentence(line: str) -> bool:
    """Whether a line ends with sentence-final punctuation (closing quotes and brackets looked through)."""
    text = line.rstrip().rstrip("”’\"'）)】」』")
    return bool(text) and text[-1] in SENTENCE_END


def unit_continues(prev: str, line: str) -> bool:
    """'…239.18' + '万元。': a number's unit carried onto the next line."""
    return bool(_ENDS_WITH_NUMBER.search(prev.rstrip())) and bool(_UNIT_START.match(line.lstrip()))


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_lines(prev: str, line: str) -> str:
    """Join a wrapped line to its predecessor: no space next to CJK, one space between Latin words."""
    prev = prev.rstrip()
    line = line.lstrip()
    if not prev:
        return line
    if not line:
        return prev
    a, b = prev[-1], line[0]
    if a.isascii() and a.isalpha() and _is_word_char(b):
        return f"{prev} {line}"
    if a in ",;:!?" and b.isascii() and b.isalpha():
        return f"{prev} {line}"
    return prev + line


# A paragraph this long that stops without punctuation was cut, not finished: headings and titles
# are shorter. Below it, a paragraph opened by a number is taken for a heading.
_CUT_PARAGRAPH_CHARS = 60
_CUT_UNNUMBERED_CHARS = 30
_FULL_STOPS = frozenset("。！？")


def is_cut(prev: str, nxt: str) -> bool:
    """Whether paragraph `nxt` continues `prev`, which was cut by a page break or a stray line break.

    Used where the source is a page-based text (PDF, text copied from a PDF): the previous
    text does not end a sentence, the next does not open a heading or item, and the previous is too
    long to be a heading itself (or holds a finished sentence, which headings do not). A number
    followed by its unit on the next line always continues.
    """
    prev = prev.rstrip()
    nxt = nxt.lstrip()
    if not prev or not nxt:
        return False
    if unit_continues(prev, nxt):
        return True
    if ends_sentence(prev) or starts_item(nxt):
        return False
    if any(ch in _FULL_STOPS for ch in prev):
        return True  # a finished sentence inside it: prose, not a heading
    limit = _CUT_PARAGRAPH_CHARS if starts_item(prev) else _CUT_UNNUMBERED_CHARS
    return len(prev) >= limit
