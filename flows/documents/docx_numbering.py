"""Word's automatic list numbering, rendered as text ("一、", "（二）", "3.").

Headings and items numbered by Word's numbering engine carry no number in their text; the
numbering definitions (numbering.xml) and a counter per list say what the reader sees. The
parser finds sections and numbered problems/measures by those labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn

_VAL = qn("w:val")
_DIGITS = "零一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_IDEOGRAPH = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PARENS = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_PLACEHOLDER = re.compile(r"%([1-9])")


def _chinese(n: int, digits: str = _DIGITS, ten: str = "十") -> str:
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    head = "" if tens == 1 else digits[tens]
    return head + ten + (digits[ones] if ones else "")


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while n >= value:
            out += sym
            n -= value
    return out


def format_counter(n: int, fmt: str) -> str:
    """One level's counter in a numFmt (ECMA-376 ST_NumberFormat), as Word shows it."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _LEGAL, "拾")
    if fmt == "ideographTraditional":
        return _IDEOGRAPH[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _ZODIAC[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return _PARENS[n - 1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "none":
        return ""
    return str(n)  # decimal and the formats a Chinese report does not use


@dataclass(frozen=True, slots=True)
class Level:
    start: int
    fmt: str
    text: str
    suffix: str  # tab, space or nothing


def _val(element: object, tag: str, default: str | None = None) -> str | None:
    node = element.find(qn(tag)) if element is not None else None  # type: ignore[attr-defined]
    if node is None:
        return default
    return node.get(_VAL, default)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _levels(container: object) -> dict[int, Level]:
    levels: dict[int, Level] = {}
    for lvl in container.findall(qn("w:lvl")):  # type: ignore[attr-defined]
        ilvl = _int(lvl.get(qn("w:ilvl")), 0)
        levels[ilvl] = Level(
            start=_int(_val(lvl, "w:start"), 1),
            fmt=_val(lvl, "w:numFmt", "decimal") or "decimal",
            text=_val(lvl, "w:lvlText", "") or "",
            suffix=_val(lvl, "w:suff", "tab") or "tab",
        )
    return levels


@dataclass(slots=True)
class Numbering:
    """The document's lists and their running counters, advanced paragraph by paragraph in body order."""

    lists: dict[str, dict[int, Level]] = field(default_factory=dict)
    # the numbering a paragraph style brings (headings numbered through their style)
    styles: dict[str, tuple[str, int]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def from_parts(cls, numbering: object | None, styles: object | None) -> Numbering:
        out = cls()
        if numbering is not None:
            abstract = {
                a.get(qn("w:abstractNumId")): _levels(a)
                for a in numbering.findall(qn("w:abstractNum"))  # type: ignore[attr-defined]
            }
            for num in numbering.findall(qn("w:num")):  # type: ignore[attr-defined]
                levels = dict(abstract.get(_val(num, "w:abstractNumId"), {}))
                for override in num.findall(qn("w:lvlOverride")):
                    ilvl = _int(override.get(qn("w:ilvl")), 0)
                    own = _levels(override)
                    if ilvl in own:
                        levels[ilvl] = own[ilvl]
                    start = _val(override, "w:startOverride")
                    if start is not None and ilvl in levels:
                        lv = levels[ilvl]
                        levels[ilvl] = Level(_int(start, lv.start), lv.fmt, lv.text, lv.suffix)
                out.lists[num.get(qn("w:numId"))] = levels
        if styles is not None:
            out._read_styles(styles)
        return out

    def _read_styles(self, styles: object) -> None:
        own: dict[str, tuple[str | None, int | None, str | None]] = {}
        for style in styles.findall(qn("w:style")):  # type: ignore[attr-defined]
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            num_id = _val(num_pr, "w:numId") if num_pr is not None else None
            ilvl = _val(num_pr, "w:ilvl") if num_pr is not None else None
            own[style.get(qn("w:styleId"))] = (
                num_id,
                _int(ilvl, 0) if ilvl is not None else None,
                _val(style, "w:basedOn"),
            )
        for style_id in own:
            seen: set[str] = set()
            current: str | None = style_id
            num_id, ilvl = None, None
            while current and current in own and current not in seen and num_id is None:
                seen.add(current)
                num_id, ilvl, current = own[current]
            if num_id and num_id != "0":
                self.styles[style_id] = (num_id, ilvl or 0)

    def label(self, p: object) -> str:
        """The number Word shows before paragraph `p` (with its separator), advancing the list; '' if none."""
        ppr = p.find(qn("w:pPr"))  # type: ignore[attr-defined]
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id: str | None = None
        ilvl = 0
        if num_pr is not None:
            num_id = _val(num_pr, "w:numId")
            ilvl = _int(_val(num_pr, "w:ilvl"), 0)
        if num_id is None:
            style_id = _val(ppr, "w:pStyle") if ppr is not None else None
            if style_id in self.styles:
                num_id, style_level = self.styles[style_id]
                ilvl = _int(_val(num_pr, "w:ilvl"), style_level) if num_pr is not None else style_level
        if not num_id or num_id == "0" or num_id not in self.lists:
            return ""
        levels = self.lists[num_id]
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet":
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def value(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k)
            if lv is None:
                return ""
            return format_counter(counters.get(k, lv.start), lv.fmt)

        text = _PLACEHOLDER.sub(value, level.text)
        if not text:
            return ""
        if level.suffix == "nothing" or not text[-1].isascii():
            return text  # "一、", "（一）" are followed directly by the heading text
        return text + " "
