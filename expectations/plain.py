"""The GX suites evaluated without GX: the same suite JSON, read on the checks' rows.

Importing and starting Great Expectations costs seconds; for one file (`govperf extract`) or a
night with nothing new that cost is never amortised. This module reads expectations/suites/*.json
(the single declaration of the checks: nothing here names a check) and computes, for each
expectation, the rows GX would list in `unexpected_index_list`, so PlainRun.validate answers
exactly what SuiteRun.validate answers. tests/test_dq_plain.py holds the two to parity.

It reads rows as dicts: expectations/rows.py's (so `govperf extract` imports no polars) or a
polars frame's (the warehouse-level frame). Only what the suites use is implemented, each as GX
1.x defines it for pandas. An expectation type, a kwarg or a row condition this module does not
know raises UnsupportedExpectation: a new GX expectation without its twin here fails the parity
test instead of passing unchecked.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from expectations.suites import MAX_YEAR_PARAMETER, Check, Table, checks_by_id, load_suite_dicts

Row = dict[str, Any]


class UnsupportedExpectation(ValueError):
    """The suite asks for something the plain evaluator cannot do as GX does: use engine="gx"."""


# kwargs every column-map expectation accepts; `mostly` only changes GX's success flag, never
# its list of unexpected rows (what the findings are made of), so it is accepted and ignored here
_COMMON = {"column", "mostly", "row_condition", "condition_parser"}


def missing(value: Any) -> bool:
    # GX validates a pandas copy of the frame, where a float NaN is missing like None
    return value is None or (isinstance(value, float) and math.isnan(value))


# each twin: (values of the column in the condition's rows) → positions among them that are
# unexpected. Missing values are already left out for every expectation but not_be_null.
def _not_be_null(values: list[Any], kw: dict[str, Any]) -> list[bool]:
    return [missing(v) for v in values]


def _be_in_set(values: list[Any], kw: dict[str, Any]) -> list[bool]:
    value_set = kw["value_set"]
    if not isinstance(value_set, list | tuple | set):
        raise UnsupportedExpectation(f"value_set must be a list, not {value_set!r}")
    return [v not in value_set for v in values]


def _be_between(values: list[Any], kw: dict[str, Any]) -> list[bool]:
    lo, hi = kw.get("min_value"), kw.get("max_value")
    if lo is None and hi is None:
        raise UnsupportedExpectation("between needs min_value or max_value (GX refuses neither)")
    strict_lo, strict_hi = kw.get("strict_min"), kw.get("strict_max")
    return [
        (lo is not None and (v <= lo if strict_lo else v < lo))
        or (hi is not None and (v >= hi if strict_hi else v > hi))
        for v in values
    ]


def _be_unique(values: list[Any], kw: dict[str, Any]) -> list[bool]:
    # every row of a repeated value is unexpected (pandas duplicated(keep=False))
    counts = Counter(values)
    return [counts[v] > 1 for v in values]


# expectation type → (its own kwargs, whether it looks at missing values, its twin)
EVALUATORS: dict[str, tuple[set[str], bool, Callable[[list[Any], dict[str, Any]], list[bool]]]] = {
    "expect_column_values_to_not_be_null": (set(), True, _not_be_null),
    "expect_column_values_to_be_in_set": ({"value_set"}, False, _be_in_set),
    "expect_column_values_to_be_between": (
        {"min_value", "max_value", "strict_min", "strict_max"},
        False,
        _be_between,
    ),
    "expect_column_values_to_be_unique": (set(), False, _be_unique),
}


def _resolve(value: Any, parameters: dict[str, Any]) -> Any:
    """A {"$PARAMETER": name} kwarg is a run-time value, as GX's expectation_parameters supply it."""
    if isinstance(value, dict) and set(value) == {"$PARAMETER"}:
        name = value["$PARAMETER"]
        if name not in parameters:
            raise UnsupportedExpectation(f"no value for the expectation parameter {name!r}")
        return parameters[name]
    return value


# row conditions as GX 1.x serialises them (great_expectations.expectations.row_conditions),
# judged as the pandas engine does (it renders them to DataFrame.query: a missing value fails
# every comparison but != and NOT_IN, which it passes)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda v, p: not missing(v) and v == p,
    "!=": lambda v, p: missing(v) or v != p,
    "<": lambda v, p: not missing(v) and v < p,
    "<=": lambda v, p: not missing(v) and v <= p,
    ">": lambda v, p: not missing(v) and v > p,
    ">=": lambda v, p: not missing(v) and v >= p,
    "IN": lambda v, p: not missing(v) and v in p,
    "NOT_IN": lambda v, p: missing(v) or v not in p,
}


def _condition(cond: Any) -> Callable[[Row], bool]:
    if not isinstance(cond, dict):
        raise UnsupportedExpectation(
            f"row_condition {cond!r}: only GX's structured conditions (Column(...) == ...) are "
            "evaluated without GX; a query string needs engine='gx'"
        )
    kind = cond.get("type")
    if kind in ("and", "or"):
        parts = [_condition(c) for c in cond["conditions"]]
        combine = all if kind == "and" else any
        return lambda row: combine(p(row) for p in parts)
    if kind not in ("comparison", "nullity"):
        raise UnsupportedExpectation(f"row_condition of type {kind!r} is not evaluated without GX")
    name = cond["column"]["name"]
    if kind == "nullity":
        return lambda row: missing(row[name]) == bool(cond["is_null"])
    op, parameter = str(cond["operator"]), cond["parameter"]
    if op not in _COMPARE:
        raise UnsupportedExpectation(f"row_condition operator {op!r} is not evaluated without GX")
    compare = _COMPARE[op]
    return lambda row: compare(row[name], parameter)


def unexpected_rows(
    expectation: dict[str, Any], rows: Sequence[Row], parameters: dict[str, Any]
) -> list[int]:
    """Positions (in row order, as GX lists them) of the rows this expectation finds unexpected."""
    kind = expectation.get("type")
    if kind not in EVALUATORS:
        raise UnsupportedExpectation(
            f"expectation type {kind!r} has no plain twin in expectations/plain.py: add one (and "
            "its parity case) or validate with engine='gx'"
        )
    own, sees_missing, twin = EVALUATORS[kind]
    kwargs = {k: _resolve(v, parameters) for k, v in expectation.get("kwargs", {}).items()}
    unknown = set(kwargs) - _COMMON - own
    if unknown:
        raise UnsupportedExpectation(f"{kind}: kwargs {sorted(unknown)} are not evaluated without GX")
    if kwargs.get("condition_parser") not in (None, "great_expectations"):
        raise UnsupportedExpectation(f"{kind}: condition_parser {kwargs['condition_parser']!r} needs GX")
    column = kwargs["column"]
    if rows and column not in rows[0]:
        raise RuntimeError(f"column {column!r} is not in the rows ({', '.join(rows[0])})")
    keep = _condition(kwargs["row_condition"]) if kwargs.get("row_condition") is not None else None
    # the domain: the condition's rows, then (but for not_be_null) those with a value
    domain = [
        i
        for i, row in enumerate(rows)
        if (keep is None or keep(row)) and (sees_missing or not missing(row[column]))
    ]
    flags = twin([rows[i][column] for i in domain], kwargs)
    return [i for i, bad in zip(domain, flags, strict=True) if bad]


class PlainRun:
    """SuiteRun's twin: the same suites, the same (check, failing rows), no GX and no Data Docs."""

    def __init__(self, *, max_year: int, suites: dict[str, dict[str, Any]] | None = None) -> None:
        self.suites = suites if suites is not None else load_suite_dicts()
        self.checks = checks_by_id()
        self.parameters = {MAX_YEAR_PARAMETER: max_year}

    def validate(self, table: Table, frame: Any) -> list[tuple[Check, list[Row]]]:
        """(check, failing rows) for every expectation of the table's suite that failed; `frame`
        is the table's rows, or a polars frame of them."""
        rows: list[Row] = frame.to_dicts() if hasattr(frame, "to_dicts") else list(frame)
        if not rows:
            return []
        out = []
        for expectation in self.suites[table]["expectations"]:
            meta = expectation.get("meta") or {}
            check = self.checks.get(meta.get("id", ""))
            if check is None:
                raise ValueError(
                    f"suite {table}: expectation {expectation.get('type')} has no known check id "
                    f"({meta.get('id')!r}); regenerate with `python -m expectations.suites`"
                )
            positions = unexpected_rows(expectation, rows, self.parameters)
            if positions:
                out.append((check, [rows[i] for i in positions]))
        return out

    def build_docs(self) -> None:
        return None  # Data Docs are GX's rendering: a run that wants them validates with GX
