"""Document → Report(s): the parse step. Pure: same document, same reports."""

from __future__ import annotations

import datetime as dt
import re

from flows.contract.report import BudgetLine, Region, Report
from flows.documents.model import Document, ExtractError
from flows.reports import memo
from flows.reports.budget import BudgetParse, parse_budget_lines
from flows.reports.details import (
    parse_assets,
    parse_header_meta,
    parse_period_years,
    parse_problems_and_measures,
    parse_score,
    parse_staff,
)
from flows.reports.form_budget import parse_budget_triple
from flows.reports.form_indicators import parse_form_indicators
from flows.reports.forms import form_total_score, total_score, value_after
from flows.reports.identity import find_identity, normalise_department
from flows.reports.indicators import parse_indicator_table
from flows.reports.layout import Layout, build_layout, supervisor_name, unit_name
from flows.reports.places import find_region, find_street
from flows.reports.project import ProjectParse, parse_project_block, project_blocks
from flows.reports.prose_indicators import parse_prose_scores
from flows.reports.script import simplified
from flows.reports.spending_prose import parse_spending_prose
from flows.reports.text import merged_tables


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
    memo.forget()
    doc = simplified(doc)
    if page_title:
        page_title = simplified(Document(doc.name, doc.format, meta={"title": page_title})).meta["title"]
    layout = build_layout(doc)
    paras = layout.paras
    text = layout.text
    page_title = page_title or doc.meta.get("title") or value_after(layout.rows, _TITLE_LABEL)
    identity = find_identity(paras, page_title, today.year)
    meta = {**parse_header_meta(doc.text()), **(page_meta or {})}
    projects = [parse_project_block(b) for b in project_blocks(doc)]
    projects = [p for p in projects if p.project_name]
    if projects and identity.kind != "department_overall":
        return [
            _project_report(p, doc, identity, meta, file, sha256, page_title, layout.stream) for p in projects
        ]
    # a project report's prose speaks of one budget: its sentences are read by the spending
    # phrases, not by the department reader's sub-line rules
    budget = parse_budget_lines(doc, layout.stream, prose=identity.kind != "project")
    if identity.kind == "project" or "total" not in budget.lines:
        _fill_from_spending_prose(budget, paras)
    _fill_from_triple(budget, layout.stream)
    if identity.kind is None and not budget.lines:
        raise ExtractError(
            "not_a_report", "no self-evaluation title and no budget execution figures found", file
        )
    heading = paras[0] if paras else ""
    if not budget.lines and (_is_notice(heading) or _is_notice(identity.title or "")):
        raise ExtractError("not_a_report", f"a notice, not a report: {heading}", file)
    if identity.kind == "project" or identity.department_full is None:
        labelled = _labelled_unit(layout, identity.kind) or (
            None if identity.kind == "project" else value_after(layout.rows, _UNIT_LABEL)
        )
        if labelled is None and identity.kind == "project" and layout.has_label("implementer"):
            # the form names its 实施单位 in a cell this copy lost: any other unit would be a guess
            identity.department_full = identity.department = None
        if labelled:
            identity.department_full = labelled
            supervisor = layout.first("supervisor")
            named = [labelled, supervisor.value if supervisor else None, identity.title, page_title]
            region = find_region(*(t for t in named if t))
            identity.region = region if region.district or region.city else identity.region
            identity.region.street = find_street(labelled)
            identity.department = normalise_department(labelled, identity.region)
            identity.consolidated = identity.consolidated or "汇总" in labelled

    report = Report(file=file, sha256=sha256, format=doc.format)
    report.title = identity.title or page_title
    report.kind = identity.kind  # unknown stays unknown: required_fields flags it
    report.fiscal_year = identity.fiscal_year or _form_year(layout.stream)
    report.region = identity.region
    report.department = identity.department
    report.department_full = identity.department_full
    report.consolidated = identity.consolidated
    if report.kind == "project":
        name = layout.first("project_name")
        report.project_name = name.value if name else _bracketed_project(paras, report.title)
        supervisor = layout.first("supervisor")
        report.supervisor = supervisor_name(supervisor.value) if supervisor else None

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

    indicator_rows = [row for table in merged_tables(doc) for row in (parse_indicator_table(table) or [])]
    prose = parse_prose_scores(paras)
    if not indicator_rows:
        indicator_rows = parse_form_indicators(layout.stream) or prose.indicators
    for i, (indicator, row) in enumerate(indicator_rows):
        report.indicators.append(indicator)
        if indicator.score is not None or indicator.weight is not None:
            report.evidence[f"indicators[{i}]"] = row
    total = report.budget.get("total")
    if total is not None and prose.budget_weight is not None and total.weight is None:
        total.weight, total.score = prose.budget_weight, prose.budget_score
        if prose.budget_evidence:
            report.evidence["budget.total.score"] = prose.budget_evidence

    report.score_total, report.score_candidates, report.score_grade, evidence = parse_score(text)
    report.evidence.update(evidence)
    if report.score_total is None:  # the 总分 row of a self-evaluation form
        row = total_score(layout.rows) or form_total_score(layout.stream)
        if row is not None:
            report.score_total, report.evidence["score.total"] = row
            report.score_candidates = [row[0]]
    report.problems, report.measures = parse_problems_and_measures(paras)
    periods = parse_period_years(text)
    report.period_years = [y for y, _ in periods]
    for year, sentence in periods:
        report.evidence.setdefault(f"period.{year}", sentence)
    return [report]


def _project_report(
    p: ProjectParse,
    doc: Document,
    identity,
    meta: dict[str, str],
    file: str,
    sha256: str,
    page_title: str | None,
    stream: str = "",
) -> Report:
    report = Report(file=file, sha256=sha256, format=doc.format, kind="project")
    report.project_name = p.project_name
    report.supervisor = supervisor_name(p.supervisor)
    # the 实施单位 when the form names one; the 主管部门 only when the form has no 实施单位 at all
    unit = unit_name(p.implementer) if p.implementer else report.supervisor
    report.department_full = unit
    report.title = (
        p.heading
        if p.heading and any(w in p.heading for w in ("自评", "评价"))
        else identity.title or page_title
    )
    region = find_region(
        *(t for t in (p.implementer, p.supervisor, p.heading, identity.title, page_title) if t)
    )
    if region.district is None and (identity.region.district or region.city is None):
        region = identity.region
    region = Region(region.province, region.city, region.district, find_street(unit or "") or None)
    report.region = region
    report.department = normalise_department(unit, region) if unit else None
    report.consolidated = bool(unit and "汇总" in unit)
    year = _year_in(p.heading) or _year_in(p.year_text) or identity.fiscal_year or _form_year(stream)
    report.fiscal_year = year
    report.publisher, report.published_date, report.index_no = (
        meta.get("publisher"),
        meta.get("published_date"),
        meta.get("index_no"),
    )
    if p.budget:
        report.budget, report.budget_unit = p.budget.lines, p.budget.unit
        report.evidence.update(p.budget.evidence)
    for i, (indicator, row) in enumerate(p.indicators):
        report.indicators.append(indicator)
        report.evidence[f"indicators[{i}]"] = row
    report.score_total = p.score_total
    report.score_candidates = [p.score_total] if p.score_total is not None else []
    report.score_grade = p.grade
    if p.score_evidence:
        report.evidence["score.total"] = p.score_evidence
    return report


def _fill_from_spending_prose(budget: BudgetParse, paras: list[str]) -> None:
    """A project or fund report written as prose states its whole budget in sentences."""
    line, evidence = parse_spending_prose(paras)
    if line.is_empty():
        return
    total = budget.lines.setdefault("total", BudgetLine())
    for attr in ("initial", "adjusted", "executed", "rate"):
        if getattr(total, attr) is None and getattr(line, attr) is not None:
            setattr(total, attr, getattr(line, attr))
            if attr == "rate":
                total.rate_text = line.rate_text
            elif attr in line.decimals:
                total.decimals[attr] = line.decimals[attr]
            budget.evidence[f"budget.total.{attr}"] = evidence[f"budget.total.{attr}"]
    budget.unit = budget.unit or "万元"


_BRACKETED = re.compile(r"^[（(“\"「]\s*([^（()）“”\"「」]{2,40}?(?:项目|经费|资金|工程))\s*[)）”\"」]$")
_QUOTED = re.compile(r"[“\"「]([^“”\"「」]{2,40}?(?:项目|经费|资金|工程))[”\"」]")


def _bracketed_project(paras: list[str], title: str | None) -> str | None:
    """A project named by a heading of its own in brackets ("(中和木材检查站租金项目)") or in
    quotes in the title, when no 项目名称 label names it."""
    for p in paras[:15]:
        m = _BRACKETED.match(p.strip())
        if m:
            return m.group(1).strip()
    m = _QUOTED.search(title or "")
    return m.group(1).strip() if m else None


def _fill_from_triple(budget: BudgetParse, stream: str) -> None:
    total = budget.lines.get("total")
    if total is not None and (total.adjusted is not None or total.executed is not None):
        return
    found = parse_budget_triple(stream)
    if found is None:
        return
    line, evidence = found
    budget.lines["total"] = line
    budget.unit = budget.unit or "万元"
    for attr in ("adjusted", "executed", "rate"):
        budget.evidence[f"budget.total.{attr}"] = evidence


def _labelled_unit(layout: Layout, kind: str | None) -> str | None:
    """The reporting unit a form names: its 实施单位 (a project's), else its 单位名称; a project's
    主管部门 only when the form has no 实施单位 label at all — not even an unreadable one
    (a form whose 实施单位 cell is lost or OCR-damaged still has one, just not this one)."""
    implementer = layout.first("implementer")
    unit = layout.first("unit")
    if implementer and unit_name(implementer.value):
        return unit_name(implementer.value)
    if unit and unit_name(unit.value):  # a cover page's 部门(单位)名称 is the unit reporting
        return unit_name(unit.value)
    if implementer or layout.has_label("implementer"):
        return None
    if kind != "project":
        return None
    supervisor = layout.first("supervisor")
    if supervisor is None or "实施" in layout.stream or "执行单位" in layout.stream:
        return None
    return supervisor_name(supervisor.value)


_FORM_YEAR = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*年度?\s*[)）]|年度\s*[:：]\s*((?:19|20)\d{2})\s*年")


def _form_year(stream: str) -> int | None:
    """The year a form's header states ("自评表(2023年度)", "年度:2024年") when no title gave one."""
    years = {int(a or b) for a, b in _FORM_YEAR.findall(stream[:4000])}
    return years.pop() if len(years) == 1 else None


def _year_in(text: str | None) -> int | None:
    m = re.search(r"((?:19|20)\d{2})\s*年", text or "") or re.fullmatch(r"\s*((?:19|20)\d{2})\s*", text or "")
    return int(m.group(1)) if m else None


_TITLE_LABEL = re.compile(r"^(?:信息名称|标题)[:：]?$")
_UNIT_LABEL = re.compile(r"^(?:部门|单位|部门（单位）|部门\(单位\)|预算单位|填报单位)名称[:：]?$")
_NOTICE = re.compile(r"^关于.{2,60}的(?:通知|函|意见|办法)$|通知$")


def _is_notice(title: str) -> bool:
    return bool(_NOTICE.search(title.strip()))
