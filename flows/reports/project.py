"""Project self-evaluation tables (项目支出绩效自评表): one report per table block.

A block starts at a 项目名称 row; several may stand in one table (pages glued together) or
in one file. The budget rows, indicator rows and 总分 row are read by the shared table readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.documents.model import Document, Paragraph, Table
from flows.reports.budget import BudgetParse, parse_budget_table
from flows.reports.indicators import parse_indicator_table
from flows.reports.model import Indicator
from flows.reports.numbers import parse_number
from flows.reports.text import clean, merged_tables, table_rows

_LABELS = {
    "project_name": re.compile(r"^项目名称$"),
    "supervisor": re.compile(r"^(?:主管部门|主管单位|预算部门)(?:（单位）)?$"),
    "implementer": re.compile(r"^(?:实施单位|项目实施单位|执行单位|责任单位)$"),
    "year": re.compile(r"^(?:年度|评价年度|所属年度)$"),
}
_TOTAL = re.compile(r"^(?:总分|总得分|合计得分|自评总分|总计)$")
_GRADE = re.compile(r"^(?:评价等级|自评等级|等级|评价结论)$")


@dataclass(slots=True)
class ProjectBlock:
    rows: list[list[str]]
    heading: str | None  # the paragraph above the table (title, year)


@dataclass(slots=True)
class ProjectParse:
    project_name: str | None
    supervisor: str | None
    implementer: str | None
    year_text: str | None
    heading: str | None
    budget: BudgetParse | None
    indicators: list[tuple[Indicator, str]]
    score_total: float | None
    score_evidence: str | None
    grade: str | None


def _compact(cell: str) -> str:
    return re.sub(r"\s", "", cell)


def _starts_block(row: list[str]) -> bool:
    first = next((_compact(c) for c in row if c.strip()), "")
    return bool(_LABELS["project_name"].match(first))


def project_blocks(doc: Document) -> list[ProjectBlock]:
    """Every 项目名称 block of every table, with the closest paragraph above its table."""
    heading_before: dict[int, str | None] = {}
    last_paragraph: str | None = None
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            text = clean(block.text)
            if text:
                last_paragraph = text
        else:
            heading_before[id(block)] = last_paragraph
    blocks: list[ProjectBlock] = []
    for table in merged_tables(doc):
        rows = table_rows(table)
        starts = [i for i, r in enumerate(rows) if _starts_block(r)]
        heading = _heading_for(doc, table, heading_before)
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(rows)
            # a block's own title row (merged across the table) sits right above its 项目名称 row
            title = next((c for c in rows[start - 1] if c), None) if n > 0 and start > 0 else heading
            blocks.append(ProjectBlock(rows[start:end], title if n > 0 else heading))
    return blocks


def _heading_for(doc: Document, table: Table, heading_before: dict[int, str | None]) -> str | None:
    if id(table) in heading_before:
        return heading_before[id(table)]
    # a glued table is a new object: use its first part's heading
    for block in doc.blocks:
        if isinstance(block, Table) and block.rows and table.rows and block.rows[0] == table.rows[0]:
            return heading_before.get(id(block))
    return None


def _value_after(rows: list[list[str]], label: re.Pattern[str]) -> str | None:
    for row in rows:
        for i, cell in enumerate(row):
            if label.match(_compact(cell)):
                return next(
                    (
                        c
                        for c in row[i + 1 :]
                        if c and not any(p.match(_compact(c)) for p in _LABELS.values())
                    ),
                    None,
                )
    return None


def parse_project_block(block: ProjectBlock) -> ProjectParse:
    rows = block.rows
    budget = parse_budget_table(Table(tuple(tuple(r) for r in rows)))
    indicators = parse_indicator_table(Table(tuple(tuple(r) for r in rows))) or []
    total, evidence, grade = None, None, None
    for row in rows:
        cells = [c for c in row if c]
        if cells and _TOTAL.match(_compact(cells[0])):
            numbers = [parse_number(c) for c in cells[1:] if parse_number(c) is not None]
            if numbers:
                total, evidence = numbers[-1], "\t".join(cells)
        if cells and _GRADE.match(_compact(cells[0])) and len(cells) > 1:
            grade = cells[1]
    return ProjectParse(
        project_name=_value_after(rows, _LABELS["project_name"]),
        supervisor=_value_after(rows, _LABELS["supervisor"]),
        implementer=_value_after(rows, _LABELS["implementer"]),
        year_text=_value_after(rows, _LABELS["year"]),
        heading=block.heading,
        budget=budget,
        indicators=indicators,
        score_total=total,
        score_evidence=evidence,
        grade=grade,
    )
