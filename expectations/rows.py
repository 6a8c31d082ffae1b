"""What each check reads, one plain-Python row per report, budget line and indicator.

Each check becomes one boolean column (True = passes, null = not applicable) plus the numbers
its message quotes, so the suites stay simple and every failure can be explained. The rows are
typed into polars frames by expectations/derive.py for GX; the plain evaluator
(expectations/plain.py) reads them as they are, so `govperf extract` never imports polars.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.contract.report import Report
from flows.contract.rules import execution_rate, rate_base
from flows.reports.numbers import UNIT_FACTORS
from flows.reports.places import find_region, find_street


def _half_unit(decimals: int | None, unit: str | None) -> float:
    """Half a unit of the last printed digit, in yuan: the rounding a printed amount carries."""
    return 0.5 * 10 ** -(decimals or 0) * UNIT_FACTORS.get(unit or "元", 1.0)


def budget_lines_rows(reports: list[Report]) -> list[dict[str, Any]]:
    """One row per budget line of every report."""
    rows = []
    for idx, r in enumerate(reports):
        for name, line in r.budget.items():
            computed = execution_rate(line.executed, line.adjusted, line.initial)
            decimals = (line.rate_text or "").partition(".")[2]
            tol = max(0.5 * 10 ** -len(decimals), 0.05) if line.rate_text else None
            gap = abs(line.rate - computed) if line.rate is not None and computed is not None else None
            adj_gap = (
                abs(line.initial + line.adjustment - line.adjusted)
                if None not in (line.initial, line.adjustment, line.adjusted)
                else None
            )
            adj_tol = sum(
                _half_unit(line.decimals.get(f), r.budget_unit) for f in ("initial", "adjustment", "adjusted")
            )
            rows.append(
                {
                    "report_idx": idx,
                    "line": name,
                    "initial": line.initial,
                    "adjustment": line.adjustment,
                    "adjusted": line.adjusted,
                    "executed": line.executed,
                    "rate": line.rate,
                    "rate_text": line.rate_text,
                    "rate_base": rate_base(line.adjusted, line.initial),
                    "rate_computed": computed,
                    "rate_tolerance": tol,
                    "rate_ok": None if gap is None else gap <= tol + 1e-9,
                    "adjustment_ok": None if adj_gap is None else adj_gap <= adj_tol + 0.01,
                    "within_budget_ok": None
                    if line.executed is None or line.adjusted is None
                    else line.executed
                    <= line.adjusted + _half_unit(line.decimals.get("adjusted"), r.budget_unit),
                    "unit": r.budget_unit,
                }
            )
    return rows


def _parts_gap(r: Report, field: str) -> tuple[float | None, float]:
    total, basic, project = (r.budget.get(n) for n in ("total", "basic", "project"))
    if not (total and basic and project):
        return None, 0.0
    values = [getattr(x, field) for x in (total, basic, project)]
    if None in values:
        return None, 0.0
    tol = sum(_half_unit(x.decimals.get(field), r.budget_unit) for x in (total, basic, project))
    return abs(values[0] - values[1] - values[2]), tol


def _publisher_ok(r: Report) -> bool | None:
    if not r.publisher:
        return None
    street = find_street(r.publisher)
    if street and r.region.street:
        return street == r.region.street
    district = find_region(r.publisher).district
    if district and r.region.district:
        return district == r.region.district
    return None


def reports_rows(reports: list[Report], today: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per report."""
    today = today or dt.date.today()
    rows = []
    for idx, r in enumerate(reports):
        total = r.budget.get("total")
        published_year = int(r.published_date[:4]) if r.published_date else None
        adj_gap, adj_tol = _parts_gap(r, "adjusted")
        exe_gap, exe_tol = _parts_gap(r, "executed")
        parts_ok = None
        if adj_gap is not None or exe_gap is not None:
            parts_ok = all(g is None or g <= t + 0.01 for g, t in ((adj_gap, adj_tol), (exe_gap, exe_tol)))
        scored = [i.score for i in r.indicators if i.score is not None]
        budget_score = sum(line.score for line in r.budget.values() if line.score is not None)
        indicator_sum = sum(scored) + budget_score if scored else None
        score_ok: bool | None = None
        if len(set(r.score_candidates)) > 1:
            score_ok = False
        elif r.score_total is not None and indicator_sum is not None:
            score_ok = abs(indicator_sum - r.score_total) <= 0.5
        rows.append(
            {
                "report_idx": idx,
                "kind": r.kind,
                "fiscal_year": r.fiscal_year,
                "department": r.department,
                "district": r.region.district,
                "has_budget_total": bool(
                    total and (total.adjusted is not None or total.executed is not None)
                ),
                "published_year": published_year,
                "year_not_after_publish": None
                if published_year is None or r.fiscal_year is None
                else r.fiscal_year <= published_year,
                "max_year": today.year,
                "parts_adjusted_gap": adj_gap,
                "parts_executed_gap": exe_gap,
                "parts_ok": parts_ok,
                "score_total": r.score_total,
                "indicator_score_sum": indicator_sum,
                "score_candidates": ", ".join(f"{v:g}" for v in r.score_candidates),
                "score_matches_ok": score_ok,
                "period_years": ", ".join(str(y) for y in r.period_years),
                "period_ok": None
                if not r.period_years or r.fiscal_year is None
                else all(y == r.fiscal_year for y in r.period_years),
                "publisher": r.publisher,
                "publisher_ok": _publisher_ok(r),
            }
        )
    return rows


def indicators_rows(reports: list[Report]) -> list[dict[str, Any]]:
    """One row per indicator of every report."""
    rows = [
        {
            "report_idx": idx,
            "seq": seq,
            "name": i.name,
            "weight": i.weight,
            "score": i.score,
            "score_ok": None
            if i.score is None
            else i.score >= 0 and (i.weight is None or i.score <= i.weight + 1e-9),
        }
        for idx, r in enumerate(reports)
        for seq, i in enumerate(r.indicators)
    ]
    return rows
