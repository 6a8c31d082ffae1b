"""One text normalisation for every reader, so the parser sees the same characters whatever the format.

Full-width ASCII (U+FF01–FF5E) carrying numbers, letters and comparison signs becomes ASCII: the
parser reads "８４８５１４６" and "＞＝95％" the same as their half-width forms. Chinese punctuation
(。，、；：！？ and full-width brackets) is kept as written: it marks sentences and headings, and the
parser matches both bracket forms itself.
"""

from __future__ import annotations

import re

# Full-width forms that are Chinese punctuation in running text: kept as written.
_KEEP_FULLWIDTH = frozenset("！＂＇（），：；？［］｛｝｀")

_TABLE: dict[int, str] = {
    cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH
}
_TABLE.update(
    {
        0xFE6A: "%",  # small percent sign
        0xFF05: "%",
        0x2212: "-",  # minus sign
        0x00A0: " ",  # no-break space
        0x3000: " ",  # ideographic space, used for first-line indents
        0x2002: " ",
        0x2003: " ",
        0x2009: " ",
        0x200A: " ",
        0x202F: " ",
        0x205F: " ",
        0x200B: "",  # zero-width space
        0x200C: "",
        0x200D: "",
        0x2060: "",
        0xFEFF: "",  # BOM left inside text
        0x00AD: "",  # soft hyphen
        0x0009: " ",
        0x000B: " ",
        0x000C: " ",
        0x000D: " ",
        0x000A: " ",
    }
)
# Other C0 controls carry nothing in extracted text (they appear from broken PDF fonts and .doc fields).
_TABLE.update({cp: "" for cp in range(0x00, 0x20) if cp not in _TABLE})
_TABLE[0x7F] = ""

# A full-width comma between digits is a thousands separator only when exactly three digits follow.
_THOUSANDS_COMMA = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")
# "１２．５" is converted by the table; "12。5" would be prose, so it is left alone.
_SPACES = re.compile(r" {2,}")


def normalise(text: str) -> str:
    """One line of text: half-width digits/letters/signs, single spaces, no control characters, stripped."""
    if not text:
        return ""
    out = text.translate(_TABLE)
    if "，" in out:
        out = _THOUSANDS_COMMA.sub(",", out)
    if "  " in out:
        out = _SPACES.sub(" ", out)
    return out.strip()


def normalise_cell(text: str) -> str:
    """A table cell: each of its lines normalised, blank lines dropped, lines kept apart by '\\n'."""
    if not text:
        return ""
    if "\n" not in text and "\r" not in text:
        return normalise(text)
    lines = (normalise(line) for line in re.split(r"\r\n|\r|\n", text))
    return "\n".join(line for line in lines if line)
