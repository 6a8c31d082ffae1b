"""Indicator rows of a self-evaluation form that arrives as one run of text.

"三级指标 年度指标值 实际完成值 分值 得分 … 数量指标 基建工程委托业务项目数量 ≥50个 50 8 8 质量指标 …":
the header gives the columns' order (the same header words the table reader knows); a row is a
run of cells that fits that order — names and targets as text, weights and scores as points,
a score never above its weight. Category words (数量指标, 产出指标(50分) …) sit between rows and are
never a name. A stretch that fits no row (a wrapped name, a reason in words) is skipped, not guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows.reports.indicators import header_role
from flows.reports.model import Indicator
from flows.reports.vocabulary import vocabulary

_POINTS = re.compile(r"\d{1,3}(?:\.\d{1,2})?")
# "2.8财务制度健全性": a row's last points glued to the next name (not "757万平方米…": a value)
_GLUED_NAME = re.compile(r"^((?:100|\d{1,2})(?:\.\d{1,2})?)([\u4e00-\u9fff].{3,})$")
_SECTION_PREFIX = re.compile(r"^.*?分\s*[)）]")  # "分)资金节约率" after "(28 分)"
_ROW_ROLES = ("name", "target", "actual", "weight", "score")
_TOTAL = re.compile(r"^(?:…*)(?:总分|合计|总计|总得分)")


@lru_cache(maxsize=1)
def _categories() -> re.Pattern[str]:
    words = sorted(vocabulary().indicator_categories, key=len, reverse=True)
    # "投入目标(28 分)" or, cut by a line wrap, "投入目标(28"
    return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")(?:[(（]\d+\s*(?:分[)）]?)?)?$")


_GLUED_HEADER = re.compile(
    r"^(自评分|自评得分|得分|分值|权重)([\u4e00-\u9fff]{4,}.*)$"
)  # "自评分资金使用合规性"


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for raw in text.replace("|", " ").split():
        for tok in filter(None, re.split(r"(…+|\.{3,})", raw)):  # "10……质量指标"
            m = _GLUED_NAME.match(tok) or _GLUED_HEADER.match(tok)
            out.extend(m.groups() if m else (tok,))
    return _merge_categories(out)


def _merge_categories(tokens: list[str]) -> list[str]:
    """Category words a line wrap split ("经济效益 指标", "可持续影 响指标") made whole again."""
    out: list[str] = []
    for tok in tokens:
        if out and not _categories().match(out[-1]) and _categories().match(out[-1] + tok):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def _header(tokens: list[str]) -> tuple[int, list[str]] | None:
    """(index after the header, the row roles in order) for the first indicator header."""
    for i, tok in enumerate(tokens):
        if header_role(tok) != "name":
            continue
        roles: list[str] = []
        j = i + 1
        unknown = 0
        while j < len(tokens) and j - i <= 12:
            role = header_role(tokens[j])
            unknown = unknown + 1 if role is None else 0
            if unknown > 2 or (unknown and tokens[j] in ("|",)):
                j -= unknown - 1
                break
            if role in _ROW_ROLES and role != "name" and role not in roles:
                roles.append(role)
            j += 1
        if {"target", "actual", "score"} <= set(roles) or {"target", "score"} <= set(roles):
            return j, ["name", *roles]
    return None


def _fits(role: str, tok: str) -> bool:
    if role in ("weight", "score"):
        return bool(_POINTS.fullmatch(tok)) and float(tok) <= 100
    if role == "name":
        own = re.sub(r"^指标\s*\d+\s*[:：]", "", tok)  # "指标2:" alone is the template's blank row
        return (
            bool(re.search(r"[\u4e00-\u9fff]{2}", own))
            and not _categories().match(tok)
            and not _TOTAL.match(tok)
        )
    return not _categories().match(tok)


def _row_at(tokens: list[str], i: int, roles: list[str]) -> tuple[dict[str, str], int] | None:
    """(the row starting at token i, tokens it takes): all its cells, or without the blank
    target/actual cells a form may leave ("指标1:工程质量合格 10 10"); a name wrapped over two
    pieces is joined. A row must be followed by text (the next name or category), not by a
    figure: a figure after it means the cells were misread."""
    shapes = [roles]
    if "target" in roles or "actual" in roles:
        shapes.append([r for r in roles if r not in ("target", "actual")])
    for wrapped in (False, True):
        for shape in shapes:
            take = len(shape) + wrapped
            cells = tokens[i : i + take]
            if len(cells) < take:
                continue
            if wrapped:
                if any(_NEUTRAL.search(c) or _TOTAL.match(c) for c in cells[:2]):
                    continue
                cells = [cells[0] + cells[1], *cells[2:]]
            if not all(_fits(r, c) for r, c in zip(shape, cells, strict=True)):
                continue
            following = tokens[i + take] if i + take < len(tokens) else ""
            if _POINTS.fullmatch(following):
                continue
            return dict(zip(shape, cells, strict=True)), take
    return None


def parse_form_indicators(stream: str) -> list[tuple[Indicator, str]]:
    tokens = _tokens(stream)
    found = _header(tokens)
    if found is None:
        return []
    i, roles = found
    rows: list[tuple[Indicator, str]] = []
    misses = 0
    start = i
    while i < len(tokens) and misses < 12:
        if _TOTAL.match(tokens[i]):
            break
        if _categories().match(tokens[i]):
            i += 1
            continue
        found_row = _row_at(tokens, i, roles)
        if found_row is not None:
            values, take = found_row
            weight = float(values["weight"]) if "weight" in values else None
            score = float(values["score"])
            if _starts_row(tokens, i, start) and (weight is None or score <= weight):
                name = _SECTION_PREFIX.sub("", values["name"]).strip()
                indicator = Indicator(
                    None, None, name, weight, values.get("target"), values.get("actual"), score
                )
                rows.append((indicator, " ".join(values.values())))
            i += take
            misses = 0
            continue
        i += 1
        misses += 1
    return rows


_NEUTRAL = re.compile(r"^(?:…+|\.{3,}|指标\s*\d+\s*[:：]|[-—/]+)$|分\s*[)）]|[(（]\s*\d+\s*分?$")


def _starts_row(tokens: list[str], i: int, start: int) -> bool:
    """Whether token i can open a row: it follows the header, a figure (the end of the row before,
    read or not), a category word or a section marker ("(28 分)"). After other words it may be
    the tail of a wrapped name, and the row is not stored."""
    if i == start:
        return True
    before = tokens[i - 1]
    return bool(
        re.fullmatch(r"[=≥≤<>]?\d[\d.,]*%?", before) or _categories().match(before) or _NEUTRAL.search(before)
    )
