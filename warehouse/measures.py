"""Reading an indicator's target or actual text ("≥95%", "=9000份", "14次以上") as comparison, number, unit.

Parsed at load time; marts.indicator_results compares the numbers (its `met`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Measure:
    op: str | None  # >=, >, =, <=, < ; None when the text states no comparison
    value: float | None
    unit: str | None


NOT_A_MEASURE = Measure(None, None, None)

# longest first so "不低于" wins over "低于" and ">=" over ">"
_PREFIX_OPS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            ">=": ">=",
            "=>": ">=",
            "≥": ">=",
            "≧": ">=",
            "⩾": ">=",
            "<=": "<=",
            "=<": "<=",
            "≤": "<=",
            "≦": "<=",
            "⩽": "<=",
            "==": "=",
            "=": "=",
            ">": ">",
            "<": "<",
            "不低于": ">=",
            "不少于": ">=",
            "不小于": ">=",
            "大于等于": ">=",
            "大于或等于": ">=",
            "至少": ">=",
            "达到": ">=",
            "不高于": "<=",
            "不超过": "<=",
            "不大于": "<=",
            "不多于": "<=",
            "小于等于": "<=",
            "小于或等于": "<=",
            "控制在": "<=",
            "最多": "<=",
            "大于": ">",
            "高于": ">",
            "超过": ">",
            "多于": ">",
            "小于": "<",
            "低于": "<",
            "少于": "<",
            "等于": "=",
        }.items(),
        key=lambda kv: len(kv[0]),
        reverse=True,
    )
)
_SUFFIX_OPS: tuple[tuple[str, str], ...] = (
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
)
# what NFKC leaves alone but people type for the same thing
_FOLD = str.maketrans({"＞": ">", "＜": "<", "＝": "=", "，": ",", "％": "%", "﹪": "%"})
_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
# a unit is a short run of letters or symbols: 个, 人次, 万元, %, 场/年; anything longer is prose
_UNIT = re.compile(r"^[^\d\s]{1,4}(?:/[^\d\s]{1,2})?$")


# "(含)" only says the bound is inclusive, which >= and <= already say
_INCLUSIVE = re.compile(r"\(含[^)]*\)$")


def _fold(text: str) -> str:
    return _INCLUSIVE.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_FOLD)))


@lru_cache(maxsize=65536)
def parse_measure(text: str | None) -> Measure:
    """The comparison, number and unit a target or actual states; all None when it states no number."""
    if not text:
        return NOT_A_MEASURE
    s = _fold(text)
    op = None
    for word, sym in _PREFIX_OPS:
        if s.startswith(word):
            op, s = sym, s[len(word) :]
            break
    for word, sym in _SUFFIX_OPS:
        if s.endswith(word):
            op, s = op or sym, s[: -len(word)]
            break
    m = _NUMBER.match(s)
    if not m:
        return NOT_A_MEASURE
    rest = s[m.end() :]
    if rest and not _UNIT.match(rest):
        return NOT_A_MEASURE
    return Measure(op, float(m.group(1).replace(",", "")), rest or None)
