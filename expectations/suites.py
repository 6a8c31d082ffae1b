"""The data-quality checks of contract.md, declared once.

Each check is one or more GX expectations on a derived frame (expectations/derive.py),
carrying the contract's check name and severity in its meta and a stable id that maps a
result back to the Python that words its message. `python -m expectations.suites` writes
the declaration as GX suite JSON to expectations/suites/<table>.json; the runner validates
with those files, and a test keeps them equal to this declaration.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from flows.reports.numbers import UNIT_FACTORS

Table = Literal["reports", "budget_lines", "indicators", "warehouse_reports"]
TABLES: tuple[Table, ...] = ("reports", "budget_lines", "indicators", "warehouse_reports")
SUITES_DIR = Path(__file__).parent / "suites"
# the current year is a run-time value: the JSON names it, the runner supplies it
MAX_YEAR_PARAMETER = "max_year"

# contract.md's rule per check, shown as the expectation's notes in Data Docs
RULES: dict[str, str] = {
    "required_fields": "kind, fiscal_year, department, region.district and at least one of "
    "budget.total.adjusted/executed are present",
    "fiscal_year_range": "2010 ≤ fiscal_year ≤ the current year, and not after the publish date's year",
    "rate_matches_amounts": "per budget line, stated rate equals executed/adjusted (or /initial when no "
    "adjusted) within the precision printed, at least 0.05 percentage points",
    "parts_sum_to_total": "basic + project equals total for adjusted and for executed, within the "
    "document's rounding",
    "adjustment_consistent": "initial + adjustment equals adjusted, within rounding",
    "executed_within_budget": "executed ≤ adjusted",
    "score_range": "0 ≤ score.total ≤ 100; 0 ≤ indicator score ≤ weight",
    "score_matches_indicators": "indicator scores plus any budget-execution score sum to score.total "
    "when both are given, and the report states one total only",
    "period_matches_fiscal_year": "dates such as 截至YYYY年12月31日 name the fiscal year",
    "publisher_matches_region": "the publishing body's street/district is the report's own",
    "duplicate_report": "in the warehouse: another current report with the same region, department, "
    "fiscal_year and kind but other content",
}
# GX 1.x has its own severity scale; the contract's error is GX's critical
GX_SEVERITY = {"error": "critical", "warning": "warning"}


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

    @property
    def id(self) -> str:
        """Stable and unique: the check and the derived column it reads."""
        return f"{self.name}.{self.column}"


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


def _score_message(r: dict[str, Any]) -> str:
    if "," in (r["score_candidates"] or ""):
        extra = (
            f"; indicator scores sum to {r['indicator_score_sum']:g}"
            if r["indicator_score_sum"] is not None
            else ""
        )
        return f"the report states several overall scores: {r['score_candidates']}{extra}"
    return f"indicator scores sum to {r['indicator_score_sum']:g}, stated total {r['score_total']:g}"


def _other_period(r: dict[str, Any]) -> str | None:
    years = [y for y in (r["period_years"] or "").split(", ") if y and int(y) != r["fiscal_year"]]
    return f"period.{years[0]}" if years else None


def _in_set(column: str) -> dict[str, Any]:
    """The derived boolean passes: True. Null means "not applicable" and GX skips it."""
    return {"column": column, "value_set": [True]}


def checks() -> tuple[Check, ...]:
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
            _in_set("has_budget_total"),
            lambda r: "budget.total",
            lambda r: "neither budget.total.adjusted nor budget.total.executed was found",
        ),
        Check(
            "fiscal_year_range",
            "error",
            "reports",
            "ExpectColumnValuesToBeBetween",
            {"column": "fiscal_year", "min_value": 2010, "max_value": {"$PARAMETER": MAX_YEAR_PARAMETER}},
            lambda r: "fiscal_year",
            lambda r: f"fiscal year {r['fiscal_year']} is outside 2010–{r['max_year']}",
        ),
        Check(
            "fiscal_year_range",
            "error",
            "reports",
            "ExpectColumnValuesToBeInSet",
            _in_set("year_not_after_publish"),
            lambda r: "fiscal_year",
            lambda r: f"fiscal year {r['fiscal_year']} is after the publication year {r['published_year']}",
        ),
        Check(
            "rate_matches_amounts",
            "error",
            "budget_lines",
            "ExpectColumnValuesToBeInSet",
            _in_set("rate_ok"),
            lambda r: f"budget.{r['line']}.rate",
            _rate_message,
            lambda r: f"budget.{r['line']}.rate",
        ),
        Check(
            "parts_sum_to_total",
            "error",
            "reports",
            "ExpectColumnValuesToBeInSet",
            _in_set("parts_ok"),
            lambda r: "budget.total",
            _parts_message,
            lambda r: "budget.basic.executed",
        ),
        Check(
            "adjustment_consistent",
            "error",
            "budget_lines",
            "ExpectColumnValuesToBeInSet",
            _in_set("adjustment_ok"),
            lambda r: f"budget.{r['line']}.adjustment",
            _adjustment_message,
            lambda r: f"budget.{r['line']}.adjustment",
        ),
        Check(
            "executed_within_budget",
            "warning",
            "budget_lines",
            "ExpectColumnValuesToBeInSet",
            _in_set("within_budget_ok"),
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
            _in_set("score_ok"),
            lambda r: f"indicators[{r['seq']}].score",
            lambda r: f"indicator '{r['name']}' scores {r['score']:g} of weight {_fmt(r['weight'])}",
            lambda r: f"indicators[{r['seq']}]",
        ),
        Check(
            "score_matches_indicators",
            "warning",
            "reports",
            "ExpectColumnValuesToBeInSet",
            _in_set("score_matches_ok"),
            lambda r: "score.total",
            _score_message,
            lambda r: "score.total",
        ),
        Check(
            "period_matches_fiscal_year",
            "warning",
            "reports",
            "ExpectColumnValuesToBeInSet",
            _in_set("period_ok"),
            lambda r: "fiscal_year",
            lambda r: f"period end dates name {r['period_years']} in a {r['fiscal_year']} report",
            _other_period,
        ),
        Check(
            "publisher_matches_region",
            "warning",
            "reports",
            "ExpectColumnValuesToBeInSet",
            _in_set("publisher_ok"),
            lambda r: "publisher",
            lambda r: f"published by {r['publisher']}, not by the reporting unit's street or district",
            lambda r: "publisher",
        ),
        # one row per distinct content among the current reports (warehouse + this run):
        # a natural key seen twice is two current reports saying different things
        Check(
            "duplicate_report",
            "warning",
            "warehouse_reports",
            "ExpectColumnValuesToBeUnique",
            {"column": "report_key"},
            lambda r: "report",
            lambda r: r["duplicate_message"],
            lambda r: "budget.total.executed",
        ),
    )


def checks_by_id() -> dict[str, Check]:
    out: dict[str, Check] = {}
    for c in checks():
        if c.id in out:
            raise ValueError(f"two checks share the id {c.id}")
        out[c.id] = c
    return out


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")


def suite_dicts() -> dict[str, dict[str, Any]]:
    """The suites as GX JSON (table → suite), what expectations/suites/*.json hold."""
    out: dict[str, dict[str, Any]] = {
        t: {
            "name": t,
            "expectations": [],
            "meta": {"about": f"govperf checks on the {t} frame; generated by python -m expectations.suites"},
        }
        for t in TABLES
    }
    for c in checks():
        out[c.table]["expectations"].append(
            {
                "type": _snake(c.expectation),
                "kwargs": c.kwargs,
                "meta": {"id": c.id, "check": c.name, "severity": c.severity},
                "severity": GX_SEVERITY[c.severity],
                "notes": RULES[c.name],
            }
        )
    return out


def suite_json(suite: dict[str, Any]) -> str:
    return json.dumps(suite, ensure_ascii=False, indent=2) + "\n"


def write_suites(folder: Path = SUITES_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in suite_dicts().items():
        path = folder / f"{name}.json"
        path.write_text(suite_json(suite), encoding="utf-8")
        paths.append(path)
    return paths


def load_suite_dicts(folder: Path = SUITES_DIR) -> dict[str, dict[str, Any]]:
    """The suite files the runner validates with (table → GX suite JSON)."""
    out = {}
    for table in TABLES:
        path = folder / f"{table}.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing; run `python -m expectations.suites`")
        out[table] = json.loads(path.read_text(encoding="utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    for path in write_suites():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
