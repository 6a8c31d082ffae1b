"""Project self-evaluation tables (项目支出绩效自评表): one report per table block.

A block starts at a 项目名称 row; several may stand in one table (pages glued together) or
in one file. The budget rows, indicator rows and 总分 row are read by the shared table readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.documents.model import Document, Paragraph, Table
from flows.reports.budget import BudgetParse, parse_budget_table
from flows.reports.forms import compact, total_score, value_after
from flows.reports.indicators import parse_indicator_table
from flows.reports.model import Indicator
from flows.reports.text import clean, merged_tables, table_rows
from flows.reports.vocabulary import vocabulary


def _cell_label(field: str, *more: str) -> re.Pattern[str]:
    words = (*vocabulary().labels[field], *more)
    return re.compile("^(?:" + "|".join(re.escape(w) for w in words) + r")[:：]?$")


_LABELS = {
    "project_name": _cell_label("project_name"),
    "supervisor": _cell_label("supervisor", "主管单位", "预算部门", "主管部门（单位）"),
    "implementer": _cell_label("implementer", "执行单位", "责任单位"),
    "year": re.compile(r"^(?:年度|评价年度|所属年度)$"),
}
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


def _starts_block(row: list[str]) -> bool:
    first = next((compact(c) for c in row if c.strip()), "")
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


def parse_project_block(block: ProjectBlock) -> ProjectParse:
    rows = block.rows
    budget = parse_budget_table(Table(tuple(tuple(r) for r in rows)))
    indicators = parse_indicator_table(Table(tuple(tuple(r) for r in rows))) or []
    total, evidence = total_score(rows) or (None, None)

    def field(name: str) -> str | None:
        return value_after(rows, _LABELS[name], _LABELS.values())

    return ProjectParse(
        project_name=field("project_name"),
        supervisor=field("supervisor"),
        implementer=field("implementer"),
        year_text=field("year"),
        heading=block.heading,
        budget=budget,
        indicators=indicators,
        score_total=total,
        score_evidence=evidence,
        grade=value_after(rows, _GRADE),
    )
