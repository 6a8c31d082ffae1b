"""Numbers as Chinese reports print them: units, thousands separators, full-width digits, percentages."""

from __future__ import annotations

import re

_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"．": ".", "，": "，", "％": "%", "－": "-"}
)

# a number with optional thousands separators and decimals ("1,093.75", "8362.3", "0")
NUMBER = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?"
UNIT_FACTORS = {"亿元": 100_000_000.0, "万元": 10_000.0, "元": 1.0}
UNIT = r"亿元|万元|元"
# a number directly followed (spaces allowed) by a money unit or a percent sign
# □ stands where OCR could not read a number with confidence (flows/documents/ocr.py): it is an
# amount of unknown value, so the next number in the sentence does not take its role
AMOUNT_RE = re.compile(rf"(?P<num>{NUMBER}|□)\s*(?P<unit>{UNIT}|%)")
NUMBER_RE = re.compile(NUMBER)

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def normalise_digits(text: str) -> str:
    return text.translate(_FULLWIDTH)


def parse_number(text: str) -> float | None:
    """'1,093.75' → 1093.75; None when the text holds no number."""
    m = NUMBER_RE.search(normalise_digits(text))
    return float(m.group(0).replace(",", "")) if m else None


def to_yuan(value: float | None, unit: str | None) -> float | None:
    """An amount in yuan, rounded to the fen so 万元 arithmetic leaves no float dust."""
    if value is None:
        return None
    return round(value * UNIT_FACTORS.get(unit or "元", 1.0), 2)


def chinese_count(text: str) -> int | None:
    """Chinese numerals that count things ('十五', '二十三', '一百零五') or plain digits."""
    text = normalise_digits(text.strip())
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
    return total + digit


def decimals(number_text: str) -> int:
    """Digits after the point as printed: '99.27' → 2, '100' → 0."""
    s = number_text.replace(",", "")
    return len(s.split(".", 1)[1]) if "." in s else 0


def clean_number_text(text: str) -> str:
    """The number as printed, without separators or the percent sign ('85.50%' → '85.50')."""
    m = NUMBER_RE.search(normalise_digits(text))
    return m.group(0).replace(",", "") if m else ""
