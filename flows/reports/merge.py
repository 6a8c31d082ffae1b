"""One report published as several files (a PDF and its DOCX, a PDF and its XLSX tables)."""

from __future__ import annotations

from dataclasses import fields

from flows.contract.report import Report, ReportRecord


def _filled(report: Report) -> int:
    """How much a parse found: the richer file leads the merge."""
    n = sum(
        1
        for line in report.budget.values()
        for f in ("initial", "adjusted", "executed", "rate")
        if getattr(line, f) is not None
    )
    n += len(report.indicators) + len(report.problems) + len(report.measures)
    n += sum(v is not None for v in report.assets.values()) + sum(
        v is not None for v in report.staff.values()
    )
    return n + sum(
        getattr(report, f) is not None for f in ("department", "fiscal_year", "score_total", "title")
    )


def same_report_key(r: Report) -> tuple:
    return (r.kind, r.fiscal_year, r.department, r.project_name)


def fill_from(primary: Report, other: Report) -> None:
    """Fill what the primary parse left empty from another file of the same report."""
    for f in fields(Report):
        if f.name in ("file", "sha256", "format", "dq", "evidence", "budget", "assets", "staff", "region"):
            continue
        mine, theirs = getattr(primary, f.name), getattr(other, f.name)
        if (mine is None or mine == [] or mine is False) and theirs not in (None, [], False):
            setattr(primary, f.name, theirs)
    for name, line in other.budget.items():
        primary.budget.setdefault(name, line)
    for key in ("assets", "staff"):
        mine = getattr(primary, key)
        for k, v in getattr(other, key).items():
            if mine.get(k) is None:
                mine[k] = v
    for attr in ("province", "city", "district", "street"):
        if getattr(primary.region, attr) is None:
            setattr(primary.region, attr, getattr(other.region, attr))
    for k, v in other.evidence.items():
        primary.evidence.setdefault(k, v)


def merge_page_records(records: list[ReportRecord]) -> list[ReportRecord]:
    """Records from the same publishing page that are the same report become one, led by the
    file that yielded the most; order of first appearance is kept."""
    groups: dict[tuple, list[ReportRecord]] = {}
    for rec in records:
        key = (rec.page_url or rec.source_url or id(rec), *same_report_key(rec.report))
        groups.setdefault(key, []).append(rec)
    merged: list[ReportRecord] = []
    for group in groups.values():
        lead = max(group, key=lambda r: _filled(r.report))
        for rec in group:
            if rec is not lead:
                fill_from(lead.report, rec.report)
        merged.append(lead)
    order = {id(r): i for i, r in enumerate(records)}
    return sorted(merged, key=lambda r: order[id(r)])
