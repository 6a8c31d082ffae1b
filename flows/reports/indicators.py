"""Performance-indicator rows from indicator tables: three levels, inherited blanks, wrapped rows."""

from __future__ import annotations

import re
from itertools import combinations

from flows.contract.report import Indicator
from flows.documents.model import Table
from flows.reports.memo import per_document
from flows.reports.numbers import parse_number
from flows.reports.text import table_rows

# header vocabulary → role, in priority order: a specific header claims its column first
# ("三级指标" is the name column even when a "绩效指标" label column stands left of it)
_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("level_weight", re.compile(r"^[一二]级(?:指标)?(?:权重|分值)")),
    ("level1", re.compile(r"一级指标")),
    ("level2", re.compile(r"二级指标")),
    ("name", re.compile(r"三级指标|指标名称|具体指标|指标内容")),
    ("op", re.compile(r"指标性质|符号")),
    ("unit", re.compile(r"度量单位|计量单位|^单位$")),
    ("reason", re.compile(r"原因|偏差|说明|备注|改进措施")),
    ("actual", re.compile(r"完成值|实际值|实际完成|完成情况|实现值|^实际")),
    ("target", re.compile(r"指标值|目标值|年度目标|预期值|计划值|标准值|^目标")),
    ("score", re.compile(r"自评分|得分|评分|^自评$")),
    ("weight", re.compile(r"分值|权重|满分")),
    ("name", re.compile(r"绩效指标|^指标$")),
)
_TOTAL_ROW = re.compile(r"^(?:合计|总计|总分|小计|总得分)$")
# any header word at all: most rows are data rows, and they name no role
_ANY_HEADER = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _HEADERS))
_SPACE = re.compile(r"\s")


def _roles(header: list[str]) -> dict[int, str]:
    return dict(_roles_of(tuple(header)))


# every row of every table is asked whether it is an indicator header, by each reader of tables
@per_document
def _roles_of(header: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    cells = [_SPACE.sub("", c) for c in header]
    if not any(_ANY_HEADER.search(cell) for cell in cells):
        return ()
    roles: dict[int, str] = {}
    for role, pattern in _HEADERS:
        if role != "level_weight" and role in roles.values():
            continue  # a role names one column (the second 名称 pattern only when the first found none)
        for i, cell in enumerate(cells):
            if cell and i not in roles and pattern.search(cell):
                roles[i] = role
                if role != "level_weight":
                    break
    return tuple(roles.items())


def header_role(cell: str) -> str | None:
    """The column role one header cell names, by the same vocabulary as whole header rows."""
    compact = re.sub(r"\s", "", cell)
    return next((role for role, pattern in _HEADERS if compact and pattern.search(compact)), None)


def is_indicator_header(row: list[str]) -> bool:
    roles = set(_roles(row).values())
    return "name" in roles and bool(roles & {"target", "actual", "score"})


def _align(row: list[str], width: int, tail: int) -> list[str]:
    """A row that lost empty cells: the last `tail` columns right-aligned; the leading text cells
    fill the level and name columns from the right."""
    if len(row) >= width:
        return row[:width]
    pad = [""] * (width - len(row))
    return pad + row if tail >= width else row[: len(row) - tail] + pad + row[len(row) - tail :]


_NUMERIC_CELL = re.compile(r"^-?\d+(?:\.\d+)?\s*分?$")
_NUMERIC_ROLES = ("weight", "score")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# level-2 names: the kinds of output and outcome a level-1 family splits into
_LEVEL2_WORDS = re.compile(
    r"数量|质量|时效|成本|经济效益|社会效益|生态效益|可持续|服务对象|预算执行|预算编|资金管理|信息公开"
)


def _fits(role: str, cell: str) -> bool:
    if role in _NUMERIC_ROLES:
        return bool(_NUMERIC_CELL.match(cell))
    if role == "reason":
        return not _NUMERIC_CELL.match(cell)
    return True


def _plausible(row: list[str], col: dict[str, int]) -> bool:
    cells = {role: row[i] if i < len(row) else "" for role, i in col.items()}
    if any(cells.get(r) and not _fits(r, cells[r]) for r in (*_NUMERIC_ROLES, "reason")):
        return False
    return bool(cells.get("name")) or not any(cells.get(r) for r in ("target", "actual", "weight", "score"))


def _right_aligned(raw: list[str], roles: dict[int, str], col: dict[str, int], width: int) -> list[str]:
    """A row that lost empty cells: the cells after the name right-aligned, the leading text
    cells filling the level and name columns from the right."""
    name_col = col["name"]
    tail = width - name_col - 1
    head = [c for c in raw[: len(raw) - tail] if (c and parse_number(c) is None) or (c and _CJK.search(c))]
    row = [""] * width
    row[name_col + 1 :] = raw[len(raw) - tail :] if tail else []
    levels = [i for i in range(name_col + 1) if roles.get(i) in ("level1", "level2", "name")]
    for i, text in zip(reversed(levels), reversed(head), strict=False):
        row[i] = text
    return row


def _by_content(raw: list[str], roles: dict[int, str], col: dict[str, int], width: int) -> list[str] | None:
    """Place a row whose empty cells were dropped (or shifted) by what its cells hold: the cells
    after the name fill the header's roles in order, numbers only where numbers belong."""
    values = [c for c in raw if c]
    after = [i for i in sorted(roles) if i > col["name"] and roles[i] != "level_weight"]
    for p in range(min(3, len(values))):
        tail = values[p + 1 :]
        if len(tail) > len(after):
            continue
        for slots in combinations(after, len(tail)):
            if all(_fits(roles[i], cell) for i, cell in zip(slots, tail, strict=True)):
                row = [""] * width
                for i, cell in zip(slots, tail, strict=True):
                    row[i] = cell
                row[col["name"]] = values[p]
                levels = values[:p]
                if len(levels) == 2:
                    row[col.get("level1", 0)], row[col.get("level2", 0)] = levels
                elif levels and (
                    ("level2" in col and _LEVEL2_WORDS.search(levels[0])) or "level1" not in col
                ):
                    row[col.get("level2", 0)] = levels[0]
                elif levels:
                    row[col["level1"]] = levels[0]
                return row
    return None


def _align_row(raw: list[str], roles: dict[int, str], col: dict[str, int], width: int) -> list[str]:
    """The row's cells in the header's columns, whatever the reader did to its empty cells."""
    row = (
        list(raw[:width]) + [""] * max(0, width - len(raw))
        if len(raw) >= width
        else _right_aligned(raw, roles, col, width)
    )
    if _plausible(row, col):
        return row
    return _by_content(raw, roles, col, width) or row


def parse_indicator_table(table: Table) -> list[tuple[Indicator, str]] | None:
    """(indicator, evidence row) pairs, or None when the table is not an indicator table."""
    rows = table_rows(table)
    header_at = next((i for i, r in enumerate(rows) if is_indicator_header(r)), None)
    if header_at is None:
        return None
    header = rows[header_at]
    roles = _roles(header)
    col = {role: i for i, role in sorted(roles.items(), reverse=True)}
    width = len(header)
    out: list[tuple[Indicator, str]] = []
    level1: str | None = None
    level2: str | None = None
    for raw in rows[header_at + 1 :]:
        if not any(raw) or is_indicator_header(raw):
            continue
        row = _align_row(raw, roles, col, width)

        def cell(role: str, row: list[str] = row) -> str:
            i = col.get(role)
            return row[i] if i is not None and i < len(row) else ""

        name = cell("name")
        filled = {r for r in ("target", "actual", "score", "weight") if cell(r)}
        if _TOTAL_ROW.match(re.sub(r"\s", "", name or cell("level1"))):
            continue
        if not name:
            if filled or not out:
                if cell("level1"):
                    level1, level2 = cell("level1"), None
                if cell("level2"):
                    level2 = cell("level2")
                continue
            if cell("level1") or cell("level2"):
                level1 = cell("level1") or level1
                level2 = cell("level2") or level2
                continue
            previous = out[-1][0]
            if cell("reason"):  # a reason cell wrapped onto the next page
                previous.reason = (previous.reason or "") + cell("reason")
            continue
        if cell("level1"):
            level1, level2 = cell("level1"), None
        if cell("level2"):
            level2 = cell("level2")
        target = cell("target")
        if "op" in col or "unit" in col:  # 指标性质 / 指标值 / 度量单位 in separate columns
            target = f"{cell('op')}{target}{cell('unit')}" if target else target
        indicator = Indicator(
            level1=level1,
            level2=level2,
            name=name,
            weight=parse_number(cell("weight")) if cell("weight") else None,
            target=target or None,
            actual=cell("actual") or None,
            score=parse_number(cell("score")) if cell("score") else None,
            reason=cell("reason") or None,
        )
        out.append((indicator, "\t".join(c for c in raw if c)))
    return out
