"""The GX suites evaluated without GX: the same suite JSON, read directly on the polars frames.

Importing and starting Great Expectations costs seconds; for one file (`govperf extract`) or a
night with nothing new that cost is never amortised. This module reads expectations/suites/*.json
(the single declaration of the checks: nothing here names a check) and computes, for each
expectation, the rows GX would list in `unexpected_index_list`, so PlainRun.validate answers
exactly what SuiteRun.validate answers. tests/test_dq_plain.py holds the two to parity.

Only what the suites use is implemented, each as GX 1.x defines it for pandas. An expectation
type, a kwarg or a row condition this module does not know raises UnsupportedExpectation: a new
GX expectation without its twin here fails the parity test instead of passing unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from expectations.suites import MAX_YEAR_PARAMETER, Check, Table, checks_by_id, load_suite_dicts


class UnsupportedExpectation(ValueError):
    """The suite asks for something the plain evaluator cannot do as GX does: use engine="gx"."""


# kwargs every column-map expectation accepts; `mostly` only changes GX's success flag, never
# its list of unexpected rows (what the findings are made of), so it is accepted and ignored here
_COMMON = {"column", "mostly", "row_condition", "condition_parser"}


def _null_as_gx_sees_it(values: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    # GX validates a pandas copy of the frame, where a float NaN is missing like None
    return values.fill_nan(None) if dtype.is_float() else values


def _not_be_null(col: pl.Expr, kw: dict[str, Any]) -> tuple[pl.Expr, bool]:
    return col.is_null(), False  # (unexpected, nulls skipped?): this one looks at the nulls


def _be_in_set(col: pl.Expr, kw: dict[str, Any]) -> tuple[pl.Expr, bool]:
    value_set = kw["value_set"]
    if not isinstance(value_set, list | tuple | set):
        raise UnsupportedExpectation(f"value_set must be a list, not {value_set!r}")
    return ~col.is_in(list(value_set)), True


def _be_between(col: pl.Expr, kw: dict[str, Any]) -> tuple[pl.Expr, bool]:
    lo, hi = kw.get("min_value"), kw.get("max_value")
    if lo is None and hi is None:
        raise UnsupportedExpectation("between needs min_value or max_value (GX refuses neither)")
    inside = pl.lit(True)
    if lo is not None:
        inside &= (col > lo) if kw.get("strict_min") else (col >= lo)
    if hi is not None:
        inside &= (col < hi) if kw.get("strict_max") else (col <= hi)
    return ~inside, True


def _be_unique(col: pl.Expr, kw: dict[str, Any]) -> tuple[pl.Expr, bool]:
    # every row of a repeated value is unexpected (pandas duplicated(keep=False)), nulls aside
    return col.is_duplicated(), True


# expectation type → (its own kwargs, evaluator)
EVALUATORS: dict[str, tuple[set[str], Callable[[pl.Expr, dict[str, Any]], tuple[pl.Expr, bool]]]] = {
    "expect_column_values_to_not_be_null": (set(), _not_be_null),
    "expect_column_values_to_be_in_set": ({"value_set"}, _be_in_set),
    "expect_column_values_to_be_between": (
        {"min_value", "max_value", "strict_min", "strict_max"},
        _be_between,
    ),
    "expect_column_values_to_be_unique": (set(), _be_unique),
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
# filtered as the pandas engine does (it renders them to DataFrame.query, where NaN != x holds)
_COMPARE: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = {
    "==": lambda c, v: c == v,
    "!=": lambda c, v: (c != v) | c.is_null(),
    "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v,
    ">": lambda c, v: c > v,
    ">=": lambda c, v: c >= v,
    "IN": lambda c, v: c.is_in(list(v)),
    "NOT_IN": lambda c, v: ~c.is_in(list(v)) | c.is_null(),
}


def _condition(cond: Any, frame: pl.DataFrame) -> pl.Expr:
    if not isinstance(cond, dict):
        raise UnsupportedExpectation(
            f"row_condition {cond!r}: only GX's structured conditions (Column(...) == ...) are "
            "evaluated without GX; a query string needs engine='gx'"
        )
    kind = cond.get("type")
    if kind in ("and", "or"):
        parts = [_condition(c, frame) for c in cond["conditions"]]
        return pl.all_horizontal(parts) if kind == "and" else pl.any_horizontal(parts)
    if kind not in ("comparison", "nullity"):
        raise UnsupportedExpectation(f"row_condition of type {kind!r} is not evaluated without GX")
    col = _column(frame, cond["column"]["name"])
    if kind == "nullity":
        return col.is_null() if cond["is_null"] else col.is_not_null()
    op = str(cond["operator"])
    if op not in _COMPARE:
        raise UnsupportedExpectation(f"row_condition operator {op!r} is not evaluated without GX")
    return _COMPARE[op](col, cond["parameter"])


def _column(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name not in frame.columns:
        raise RuntimeError(f"column {name!r} is not in the frame ({', '.join(frame.columns)})")
    return _null_as_gx_sees_it(pl.col(name), frame.schema[name])


def unexpected_rows(
    expectation: dict[str, Any], frame: pl.DataFrame, parameters: dict[str, Any]
) -> list[int]:
    """Positions (in frame order, as GX lists them) of the rows this expectation finds unexpected."""
    kind = expectation.get("type")
    if kind not in EVALUATORS:
        raise UnsupportedExpectation(
            f"expectation type {kind!r} has no plain twin in expectations/plain.py: add one (and "
            "its parity case) or validate with engine='gx'"
        )
    own, evaluate = EVALUATORS[kind]
    kwargs = {k: _resolve(v, parameters) for k, v in expectation.get("kwargs", {}).items()}
    unknown = set(kwargs) - _COMMON - own
    if unknown:
        raise UnsupportedExpectation(f"{kind}: kwargs {sorted(unknown)} are not evaluated without GX")
    if kwargs.get("condition_parser") not in (None, "great_expectations"):
        raise UnsupportedExpectation(f"{kind}: condition_parser {kwargs['condition_parser']!r} needs GX")
    col = _column(frame, kwargs["column"])
    unexpected, skips_nulls = evaluate(col, kwargs)
    domain = pl.lit(True)
    if kwargs.get("row_condition") is not None:
        domain = _condition(kwargs["row_condition"], frame).fill_null(False)
    positions = frame.with_row_index("_pos")
    if kind == "expect_column_values_to_be_unique":
        # GX filters by the condition first: uniqueness is judged within the condition's rows
        kept = positions.filter(domain & col.is_not_null())
        return kept.filter(unexpected)["_pos"].to_list()
    mask = domain & (col.is_not_null() if skips_nulls else pl.lit(True)) & unexpected.fill_null(False)
    return positions.filter(mask)["_pos"].to_list()


class PlainRun:
    """SuiteRun's twin: the same suites, the same (check, failing rows), no GX and no Data Docs."""

    def __init__(self, *, max_year: int, suites: dict[str, dict[str, Any]] | None = None) -> None:
        self.suites = suites if suites is not None else load_suite_dicts()
        self.checks = checks_by_id()
        self.parameters = {MAX_YEAR_PARAMETER: max_year}

    def validate(self, table: Table, frame: pl.DataFrame) -> list[tuple[Check, list[dict[str, Any]]]]:
        """(check, failing rows) for every expectation of the table's suite that failed."""
        if frame.is_empty():
            return []
        out = []
        rows: list[dict[str, Any]] | None = None
        for expectation in self.suites[table]["expectations"]:
            meta = expectation.get("meta") or {}
            check = self.checks.get(meta.get("id", ""))
            if check is None:
                raise ValueError(
                    f"suite {table}: expectation {expectation.get('type')} has no known check id "
                    f"({meta.get('id')!r}); regenerate with `python -m expectations.suites`"
                )
            positions = unexpected_rows(expectation, frame, self.parameters)
            if positions:
                rows = rows if rows is not None else frame.to_dicts()
                out.append((check, [rows[i] for i in positions]))
        return out

    def build_docs(self) -> None:
        return None  # Data Docs are GX's rendering: a run that wants them validates with GX
