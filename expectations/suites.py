"""The data-quality checks of contract.md, declared once: each is a GX expectation on a derived
frame, carrying the contract's check name and severity in its meta."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from flows.reports.numbers import UNIT_FACTORS

Table = Literal["reports", "budget_lines", "indicators"]
SUITES_DIR = Path(__file__).parent / "suites"


def _fmt(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return "?"
    v = value / UNIT_FACTORS.get(unit or "元", 1.0)
    return f"{v:,.4f}".rstrip("0").rstrip(".").replace(",", "")


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # contract.md check name
    severity: Literal["error", "warning"]
    table: Table
    expectation: str  # GX expectation class name
    kwargs: dict[str, Any]
    field: Callable[[dict[str, Any]], str]
    message: Callable[[dict[str, Any]], str]
    evidence_key: Callable[[dict[str, Any]], str | None] = field(default=lambda row: None)

    @property
    def column(self) -> str:
        return self.kwargs["column"]


def _rate_message(r: dict[str, Any]) -> str:
    return (
        f"stated {r['rate_text']}% but {_fmt(r['executed'], r['unit'])}/{_fmt(r[r['rate_base']], r['unit'])}"
        f" = {r['rate_computed']:.2f}% (tolerance ±{r['rate_tolerance']:g} pp)"
    )


def _parts_message(r: dict[str, Any]) -> str:
    gaps = [
        f"{k} off by {_fmt(r[f'parts_{k}_gap'])} 元" for k in ("adjusted", "executed") if r[f"parts_{k}_gap"]
    ]
    return "basic + project does not equal total: " + "; ".join(gaps)


def _adjustment_message(r: dict[str, Any]) -> str:
    u = r["unit"]
    return (
        f"initial {_fmt(r['initial'], u)} + adjustment {_fmt(r['adjustment'], u)} ≠ adjusted {_fmt(r['adjusted'], u)}"
        f" ({u or '元'})"
    )


def checks(today: dt.date | None = None) -> tuple[Check, ...]:
    year = (today or dt.date.today()).year
    required = tuple(
        Check(
            "required_fields",
            "error",
            "reports",
            "ExpectColumnValuesToNotBeNull",
            {"column": column},
            lambda r, f=field_name: f,
            lambda r, f=field_name: f"{f} is missing",
        )
        for column, field_name in (
            ("kind", "kind"),
            ("fiscal_year", "fiscal_year"),
            ("department", "department"),
            ("district", "region.district"),
        )
    )
    return (
        *required,
        Check(
            "required_fields",
            "error",
            "reports",
            "ExpectColumnValuesToBeInSet",
            {"column": "has_budget_total", "value_set": [True]},
            lambda r: "budget.total",
            lambda r: "neither budget.total.adjusted nor budget.total.executed was found",
        ),
        Check(
            "fiscal_year_range",
            "error",
            "reports",
            "ExpectColumnValuesToBeBetween",
            {"column": "fiscal_year", "min_value": 2010, "max_value": year},
            lambda r: "fiscal_year",
            lambda r, y=year: f"fiscal year {r['fiscal_year']} is outside 2010–{y}",
        ),
        Check(
            "fiscal_year_range",
            "error",
            "reports",
            "ExpectColumnValuesToBeInSet",
            {"column": "year_not_after_publish", "value_set": [True]},
            lambda r: "fiscal_year",
            lambda r: f"fiscal year {r['fiscal_year']} is after the publication year {r['published_year']}",
        ),
        Check(
            "rate_matches_amounts",
            "error",
            "budget_lines",
            "ExpectColumnValuesToBeInSet",
            {"column": "rate_ok", "value_set": [True]},
            lambda r: f"budget.{r['line']}.rate",
            _rate_message,
            lambda r: f"budget.{r['line']}.rate",
        ),
        Check(
            "parts_sum_to_total",
            "error",
            "reports",
            "ExpectColumnValuesToBeInSet",
            {"column": "parts_ok", "value_set": [True]},
            lambda r: "budget.total",
            _parts_message,
            lambda r: "budget.basic.executed",
        ),
        Check(
            "adjustment_consistent",
            "error",
            "budget_lines",
            "ExpectColumnValuesToBeInSet",
            {"column": "adjustment_ok", "value_set": [True]},
            lambda r: f"budget.{r['line']}.adjustment",
            _adjustment_message,
            lambda r: f"budget.{r['line']}.adjustment",
        ),
        Check(
            "executed_within_budget",
            "warning",
            "budget_lines",
            "ExpectColumnValuesToBeInSet",
            {"column": "within_budget_ok", "value_set": [True]},
            lambda r: f"budget.{r['line']}.executed",
            lambda r: (
                f"executed {_fmt(r['executed'], r['unit'])} exceeds adjusted {_fmt(r['adjusted'], r['unit'])}"
            ),
            lambda r: f"budget.{r['line']}.executed",
        ),
        Check(
            "score_range",
            "error",
            "reports",
            "ExpectColumnValuesToBeBetween",
            {"column": "score_total", "min_value": 0, "max_value": 100},
            lambda r: "score.total",
            lambda r: f"overall score {r['score_total']:g} is outside 0–100",
            lambda r: "score.total",
        ),
        Check(
            "score_range",
            "error",
            "indicators",
            "ExpectColumnValuesToBeInSet",
            {"column": "score_ok", "value_set": [True]},
            lambda r: f"indicators[{r['seq']}].score",
            lambda r: f"indicator '{r['name']}' scores {r['score']:g} of weight {_fmt(r['weight'])}",
            lambda r: f"indicators[{r['seq']}]",
        ),
        Check(
            "score_matches_indicators",
            "warning",
            "reports",
            "ExpectColumnValuesToBeInSet",
            {"column": "score_matches_ok", "value_set": [True]},
            lambda r: "score.total",
            lambda r: (
                f"the report states several overall scores: {r['score_candidates']}"
                + (
                    f"; indicator scores sum to {r['indicator_score_sum']:g}"
                    if r["indicator_score_sum"] is not None
                    else ""
                )
                if "," in (r["score_candidates"] or "")
                else f"indicator scores sum to {r['indicator_score_sum']:g}, stated total {r['score_total']:g}"
            ),
            lambda r: "score.total",
        ),
        Check(
            "period_matches_fiscal_year",
            "warning",
            "reports",
            "ExpectColumnValuesToBeInSet",
            {"column": "period_ok", "value_set": [True]},
            lambda r: "fiscal_year",
            lambda r: f"period end dates name {r['period_years']} in a {r['fiscal_year']} report",
            lambda r: next(
                (
                    f"period.{y}"
                    for y in (r["period_years"] or "").split(", ")
                    if y and int(y) != r["fiscal_year"]
                ),
                None,
            ),
        ),
        Check(
            "publisher_matches_region",
            "warning",
            "reports",
            "ExpectColumnValuesToBeInSet",
            {"column": "publisher_ok", "value_set": [True]},
            lambda r: "publisher",
            lambda r: f"published by {r['publisher']}, not by the reporting unit's street or district",
        ),
    )


def suite_dicts(today: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """The suites as GX JSON (name → suite), for the expectations/suites/*.json files."""
    out: dict[str, dict[str, Any]] = {}
    for c in checks(today):
        suite = out.setdefault(c.table, {"name": c.table, "expectations": []})
        suite["expectations"].append(
            {
                "type": _snake(c.expectation),
                "kwargs": c.kwargs,
                "meta": {"check": c.name, "severity": c.severity},
            }
        )
    return out


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")


def write_suites(folder: Path = SUITES_DIR, today: dt.date | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in suite_dicts(today).items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(suite, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
