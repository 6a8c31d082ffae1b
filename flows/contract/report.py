"""A parsed report, shaped as contract.md defines it (field names are fixed there; declared in fields.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from flows.contract import fields

Kind = Literal["department_overall", "project"]
BUDGET_LINES = tuple(name for name, _, _ in fields.BUDGET_LINES)
AMOUNT_FIELDS = tuple(f.name for f in fields.BUDGET_AMOUNTS if f.name != "rate")


@dataclass(slots=True)
class Region:
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None


@dataclass(slots=True)
class BudgetLine:
    initial: float | None = None
    adjustment: float | None = None
    adjusted: float | None = None
    executed: float | None = None
    rate: float | None = None  # percent, exactly as stated
    weight: float | None = None
    score: float | None = None
    # the rate as printed ("92.77"), so checks know its precision
    rate_text: str | None = None
    # amount field → decimals printed, in the document's unit, for rounding tolerances
    decimals: dict[str, int] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in (*AMOUNT_FIELDS, "rate"))


@dataclass(slots=True)
class Indicator:
    level1: str | None
    level2: str | None
    name: str
    weight: float | None = None
    target: str | None = None
    actual: str | None = None
    score: float | None = None
    reason: str | None = None


INDICATOR_FIELDS = tuple(f.name for f in fields.INDICATOR)
_REPORT_FIELDS = tuple(f.name for f in fields.REPORT)
_REGION_FIELDS = tuple(f.name for f in fields.REGION)
_ASSET_FIELDS = tuple(f.name for f in fields.ASSETS)
_STAFF_FIELDS = tuple(f.name for f in fields.STAFF)
_SCORE_FIELDS = tuple(f.name for f in fields.SCORE)
_AMOUNT_AND_RATE = tuple(f.name for f in fields.BUDGET_AMOUNTS)
_LINE_SCORE = tuple(f.name for f in fields.BUDGET_SCORE)
FINDING_FIELDS = tuple(f.name for f in fields.FINDING)


@dataclass(slots=True)
class Report:
    file: str
    sha256: str
    format: str
    kind: Kind | None = None
    title: str | None = None
    fiscal_year: int | None = None
    region: Region = field(default_factory=Region)
    department: str | None = None
    department_full: str | None = None
    consolidated: bool = False
    project_name: str | None = None
    supervisor: str | None = None
    publisher: str | None = None
    published_date: str | None = None
    index_no: str | None = None
    budget_unit: str | None = None
    budget: dict[str, BudgetLine] = field(default_factory=dict)
    assets: dict[str, float | None] = field(
        default_factory=lambda: {
            "total_begin": None,
            "total_end": None,
            "fixed_begin": None,
            "fixed_end": None,
        }
    )
    staff: dict[str, int | None] = field(default_factory=lambda: {"authorized": None, "actual": None})
    indicators: list[Indicator] = field(default_factory=list)
    score_total: float | None = None
    score_grade: str | None = None
    # every overall score the text states; more than one is itself a finding
    score_candidates: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    # dates named in the text as the end of the reporting period (截至YYYY年12月31日)
    period_years: list[int] = field(default_factory=list)
    dq: dict[str, Any] | None = None

    def to_contract(self) -> dict[str, Any]:
        """The JSON object `govperf extract --json` prints for this report (flows/contract/fields.py)."""
        nested = {
            "region": {name: getattr(self.region, name) for name in _REGION_FIELDS},
            "budget": self._budget_contract(),
            "assets": {name: self.assets.get(name) for name in _ASSET_FIELDS},
            "staff": {name: self.staff.get(name) for name in _STAFF_FIELDS},
            # a flat dict per row: asdict's deep copy made this the cost of loading 100k reports
            "indicators": [{f: getattr(i, f) for f in INDICATOR_FIELDS} for i in self.indicators],
            "score": {name: getattr(self, f"score_{name}") for name in _SCORE_FIELDS},
            "problems": list(self.problems),
            "measures": list(self.measures),
            "evidence": dict(self.evidence),
        }
        return {name: nested[name] if name in nested else getattr(self, name) for name in _REPORT_FIELDS}

    def _budget_contract(self) -> dict[str, Any]:
        budget: dict[str, Any] = {"unit": self.budget_unit}
        for name, _, always in fields.BUDGET_LINES:
            line = self.budget.get(name)
            if line is None:
                if always:
                    budget[name] = dict.fromkeys(_AMOUNT_AND_RATE)
                continue
            d = {f: getattr(line, f) for f in _AMOUNT_AND_RATE}
            if line.weight is not None or line.score is not None:
                d.update({f: getattr(line, f) for f in _LINE_SCORE})
            budget[name] = d
        return budget


def report_from_dict(d: Mapping[str, Any]) -> Report:
    """A Report from the plain dict dataclasses.asdict made of it (the parse cache's round trip)."""
    data = dict(d)
    data["region"] = Region(**data["region"])
    data["budget"] = {k: BudgetLine(**v) for k, v in data["budget"].items()}
    data["indicators"] = [Indicator(**i) for i in data["indicators"]]
    return Report(**data)


@dataclass(frozen=True, slots=True)
class Finding:
    """One data-quality finding; `check` is a name from contract.md's table."""

    check: str
    severity: Literal["error", "warning"]
    field: str
    message: str
    evidence: str | None = None


@dataclass(slots=True)
class ReportRecord:
    """A parsed report with where it came from: the hand-off from parse/validate to load."""

    report: Report
    source: str | None = None
    source_url: str | None = None
    page_url: str | None = None
    fetched_at: str | None = None  # ISO 8601 UTC
    findings: list[Finding] = field(default_factory=list)

    @property
    def dq_status(self) -> str:
        if any(f.severity == "error" for f in self.findings):
            return "fail"
        return "warn" if self.findings else "pass"
