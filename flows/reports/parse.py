"""Document → Report(s): the parse step. Pure: same document, same reports."""

from __future__ import annotations

import datetime as dt

from flows.documents.model import Document, ExtractError
from flows.reports.budget import parse_budget_lines
from flows.reports.details import (
    parse_assets,
    parse_header_meta,
    parse_period_years,
    parse_problems_and_measures,
    parse_score,
    parse_staff,
)
from flows.reports.identity import find_identity
from flows.reports.indicators import parse_indicator_table
from flows.reports.model import Report
from flows.reports.text import merged_tables, paragraphs


def parse_reports(
    doc: Document,
    *,
    file: str,
    sha256: str,
    page_meta: dict[str, str] | None = None,
    page_title: str | None = None,
    today: dt.date | None = None,
) -> list[Report]:
    """Every report the document holds (project tables may stand several to a file).

    Raises ExtractError('not_a_report') when the document is not a self-evaluation report.
    """
    today = today or dt.date.today()
    paras = paragraphs(doc)
    text = "\n".join(paras)
    identity = find_identity(paras, page_title, today.year)
    budget = parse_budget_lines(doc)
    if identity.kind is None and not budget.lines:
        raise ExtractError(
            "not_a_report", "no self-evaluation title and no budget execution figures found", file
        )

    report = Report(file=file, sha256=sha256, format=doc.format)
    report.title = identity.title or page_title
    report.kind = identity.kind or "department_overall"
    report.fiscal_year = identity.fiscal_year
    report.region = identity.region
    report.department = identity.department
    report.department_full = identity.department_full
    report.consolidated = identity.consolidated

    meta = {**parse_header_meta(doc.text()), **(page_meta or {})}
    report.publisher = meta.get("publisher")
    report.published_date = meta.get("published_date")
    report.index_no = meta.get("index_no")

    report.budget = budget.lines
    report.budget_unit = budget.unit
    report.evidence.update(budget.evidence)

    report.assets, evidence = parse_assets(text)
    report.evidence.update(evidence)
    report.staff, evidence = parse_staff(text)
    report.evidence.update(evidence)

    for table in merged_tables(doc):
        rows = parse_indicator_table(table)
        if rows:
            for i, (indicator, row) in enumerate(rows, start=len(report.indicators)):
                report.indicators.append(indicator)
                if indicator.score is not None or indicator.weight is not None:
                    report.evidence[f"indicators[{i}]"] = row

    report.score_total, report.score_candidates, report.score_grade, evidence = parse_score(text)
    report.evidence.update(evidence)
    report.problems, report.measures = parse_problems_and_measures(paras)
    periods = parse_period_years(text)
    report.period_years = [y for y, _ in periods]
    for year, sentence in periods:
        report.evidence.setdefault(f"period.{year}", sentence)
    return [report]
