"""Field-by-field comparison of `govperf extract --json` objects with labelled expectations.

Used by the golden tests, the corpus test and benchmarks/accuracy.py, so all three count a
"field" the same way: one leaf of the expected JSON (a budget amount, an indicator's target,
the number of problems), compared with the same leaf of what the extractor printed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# contract keys that identify the run, not the report: never compared
UNCOMPARED = ("file", "sha256", "evidence")
# free text compared without whitespace: readers may or may not keep a space where a line wrapped
TEXT_PATHS = ("problems[*]", "measures[*]", "indicators[*].reason")


def matches(path: str, pattern: str) -> bool:
    """Glob where only '*' is special, so 'indicators[*].score' reads as written."""
    rx = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(rx, path) is not None


_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FieldResult:
    path: str
    expected: Any
    got: Any
    ok: bool

    def describe(self) -> str:
        return f"{self.path}: expected {self.expected!r}, got {self.got!r}"


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves by path: dict keys joined by '.', list items as [i], plus '<list>#' for a list's length."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        out[f"{prefix}#"] = len(value)
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def contract_view(report: dict[str, Any]) -> dict[str, Any]:
    """A printed report as golden files hold it: no file/sha256/evidence; dq as status + check names."""
    view = {k: v for k, v in report.items() if k not in UNCOMPARED}
    dq = report.get("dq")
    if isinstance(dq, dict):
        checks = sorted({i["check"] for i in dq.get("issues") or []})
        view["dq"] = {"status": dq.get("status"), "checks": checks}
    return view


def same(path: str, expected: Any, got: Any) -> bool:
    if isinstance(expected, str) and isinstance(got, str) and _is_text(path):
        return _WS.sub("", expected) == _WS.sub("", got)
    if _number(expected) and _number(got):
        return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-6)
    return expected == got


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_text(path: str) -> bool:
    return any(matches(path, p) for p in TEXT_PATHS)


def is_wrong_amount(r: FieldResult) -> bool:
    """A number printed where the expected value is another number or none (counts are not amounts)."""
    number = isinstance(r.got, int | float) and not isinstance(r.got, bool)
    return number and not r.ok and not r.path.endswith("#")


def compare_full(expected: dict[str, Any], actual: dict[str, Any]) -> list[FieldResult]:
    """Golden comparison: every leaf of either side (a leaf one side lacks counts as null)."""
    exp, got = flatten(expected), flatten(contract_view(actual))
    paths = list(exp) + [p for p in got if p not in exp]
    return [FieldResult(p, exp.get(p), got.get(p), same(p, exp.get(p), got.get(p))) for p in paths]


# ── corpus labels: a partial contract plus a few derived keys ───────────────────────────────


def derived(actual: dict[str, Any]) -> dict[str, Any]:
    """What corpus labels may name besides contract paths: counts, sampled rows, present lines."""
    budget = actual.get("budget") or {}
    lines = sorted(
        name
        for name, line in budget.items()
        if isinstance(line, dict)
        and any(line.get(f) is not None for f in ("initial", "adjustment", "adjusted", "executed", "rate"))
    )
    return {
        "indicators_count": len(actual.get("indicators") or []),
        "problems_count": len(actual.get("problems") or []),
        "measures_count": len(actual.get("measures") or []),
        "budget_lines": lines,
    }


def compare_labelled(expected: dict[str, Any], actual: dict[str, Any] | None) -> list[FieldResult]:
    """Corpus comparison: only the leaves the label names. `indicators_sample` maps a row index to
    the fields of that row; `budget_lines` is compared as a whole list."""
    actual = actual or {}
    got = flatten(contract_view(actual)) if actual else {}
    extra = derived(actual) if actual else {}
    out: list[FieldResult] = []
    for key, value in expected.items():
        if key == "indicators_sample":
            rows = actual.get("indicators") or []
            for index, fields in value.items():
                row = rows[int(index)] if int(index) < len(rows) else {}
                for f, v in fields.items():
                    path = f"indicators[{index}].{f}"
                    g = row.get(f)
                    out.append(FieldResult(path, v, g, same(path, v, g)))
        elif key in ("indicators_count", "problems_count", "measures_count", "budget_lines"):
            out.append(FieldResult(key, value, extra.get(key), same(key, value, extra.get(key))))
        else:
            for path, v in flatten(value, key).items():
                g = got.get(path)
                out.append(FieldResult(path, v, g, same(path, v, g)))
    return out


def compare_file(label: dict[str, Any], printed: list[dict[str, Any]]) -> list[FieldResult]:
    """One labelled file against the objects extract printed for it (several for project files).

    A rejected file is compared on its error kind alone; a good file on the number of reports
    and each report in order."""
    if "error" in label:
        kinds = [o["error"]["kind"] for o in printed if "error" in o]
        got = kinds[0] if kinds else None
        return [FieldResult("error.kind", label["error"], got, got == label["error"])]
    reports = [o for o in printed if "error" not in o]
    out = [
        FieldResult("reports#", len(label["reports"]), len(reports), len(label["reports"]) == len(reports))
    ]
    if not reports and printed:
        out[0] = FieldResult("reports#", len(label["reports"]), printed[0]["error"], False)
    for i, expected in enumerate(label["reports"]):
        actual = reports[i] if i < len(reports) else None
        out.extend(
            FieldResult(f"[{i}].{r.path}", r.expected, r.got, r.ok)
            for r in compare_labelled(expected, actual)
        )
    return out
