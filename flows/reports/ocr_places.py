"""Division names OCR misread by one character ("上海市闵行区" as "上海市岗行区"), put right from
the division table before the parser looks for the region.

A rare character is the one OCR gets wrong, and a report names its district in the title, the
unit's name and every running header: one misread loses the region and the department. A name
is only corrected where it is unambiguous: the misread text is no division itself, and of the
divisions that differ from it in one character (not its suffix) exactly one has its city or
province standing right before it, or is named correctly elsewhere in the document.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows.documents.model import Document, with_text
from flows.reports.places import divisions

_SUFFIX = re.compile(r"[区县市旗]")
_SHORT = re.compile(r"(省|市|自治区|特别行政区)$")


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(every division name, name with one character blanked → names, name → its parents' names)."""
    names: set[str] = set()
    blanked: dict[str, set[str]] = {}
    parents: dict[str, set[str]] = {}
    for d in divisions():
        names.add(d.name)
        if d.level == 1 or not 3 <= len(d.name) <= 5:
            continue
        for i in range(len(d.name) - 1):
            blanked.setdefault(d.name[:i] + "?" + d.name[i + 1 :], set()).add(d.name)
        above = {d.province} if d.level == 2 or d.city is None else {d.city, d.province}
        parents.setdefault(d.name, set()).update(
            form for p in above for form in (p, _SHORT.sub("", p)) if len(form) >= 2
        )
    return (
        frozenset(names),
        {k: frozenset(v) for k, v in blanked.items()},
        {k: frozenset(v) for k, v in parents.items()},
    )


def _candidates(word: str) -> frozenset[str]:
    """The divisions `word` (not a division itself) misspells by one Chinese character."""
    names, blanked, _ = _gazetteer()
    if word in names:
        return frozenset()
    found: set[str] = set()
    for i in range(len(word) - 1):
        if "\u4e00" <= word[i] <= "\u9fff":
            found |= blanked.get(word[:i] + "?" + word[i + 1 :], frozenset())
    return frozenset(found)


def _correct(text: str, named: set[str]) -> tuple[str, set[str]]:
    """`text` with misread division names put right, and the names it put right."""
    _, _, parents = _gazetteer()
    fixed: set[str] = set()
    for m in reversed(list(_SUFFIX.finditer(text))):
        end = m.end()
        for length in (3, 4, 5):
            start = end - length
            if start < 0:
                break
            before = text[:start]
            # of the divisions it may misspell ("向行区": 闵行区 or 向阳区), the one whose city or
            # province stands before it, or that the document names rightly elsewhere
            backed = [
                right
                for right in _candidates(text[start:end])
                if right in named or any(before.endswith(p) for p in parents.get(right, ()))
            ]
            if len(backed) == 1:
                text = before + backed[0] + text[end:]
                fixed.add(backed[0])
                break
    return text, fixed


def correct_place_names(document: Document) -> None:
    """Misread division names in the OCR'd blocks of `document` put right, in place."""
    if "ocr_pages" not in document.meta:
        return
    names, _, _ = _gazetteer()
    whole = document.text()
    # divisions the document names correctly (a 3-5 character name followed by no other name char)
    named = {
        w
        for m in _SUFFIX.finditer(whole)
        for w in (whole[m.end() - k : m.end()] for k in (3, 4, 5))
        if w in names
    }
    for _ in range(2):  # a name put right after its city is then put right where it stands alone
        for i, block in enumerate(document.blocks):
            if block.confidence is None:
                continue
            fixed: set[str] = set()

            def fix(text: str, fixed: set[str] = fixed, named: set[str] = named) -> str:
                text, found = _correct(text, named)
                fixed |= found
                return text

            document.blocks[i] = with_text(block, fix)
            named |= fixed
