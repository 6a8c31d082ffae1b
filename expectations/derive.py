"""The frames the GX suites run on: expectations/rows.py's rows typed as polars frames, and the
warehouse-level frame of current reports for the duplicate check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from expectations.rows import budget_lines_rows, indicators_rows, reports_rows
from flows.contract import fields as contract
from flows.contract import keys
from flows.contract.report import Report, ReportRecord


def budget_lines_frame(reports: list[Report]) -> pl.DataFrame:
    rows = budget_lines_rows(reports)
    schema = {
        "report_idx": pl.Int64,
        "line": pl.String,
        **contract.polars_schema(*(f"budget.total.{f.name}" for f in contract.BUDGET_AMOUNTS)),
        "rate_text": pl.String,
        "rate_base": pl.String,
        "rate_computed": pl.Float64,
        "rate_tolerance": pl.Float64,
        "rate_ok": pl.Boolean,
        "adjustment_ok": pl.Boolean,
        "within_budget_ok": pl.Boolean,
        "unit": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def reports_frame(reports: list[Report], today: dt.date | None = None) -> pl.DataFrame:
    rows = reports_rows(reports, today)
    schema = {
        "report_idx": pl.Int64,
        **contract.polars_schema("kind", "fiscal_year", "department", "region.district"),
        "has_budget_total": pl.Boolean,
        "published_year": pl.Int64,
        "year_not_after_publish": pl.Boolean,
        "max_year": pl.Int64,
        "parts_adjusted_gap": pl.Float64,
        "parts_executed_gap": pl.Float64,
        "parts_ok": pl.Boolean,
        "score_total": contract.polars_dtype(contract.field_at("score.total")),
        "indicator_score_sum": pl.Float64,
        "score_candidates": pl.String,
        "score_matches_ok": pl.Boolean,
        "period_years": pl.String,
        "period_ok": pl.Boolean,
        **contract.polars_schema("publisher"),
        "publisher_ok": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)


def indicators_frame(reports: list[Report]) -> pl.DataFrame:
    rows = indicators_rows(reports)
    schema = {
        "report_idx": pl.Int64,
        "seq": pl.Int64,
        **contract.polars_schema("indicators.name", "indicators.weight", "indicators.score"),
        "score_ok": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)


# ---------------------------------------------------------------- the warehouse-level frame

# what the duplicate check knows about a current report, stored or incoming
CURRENT_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "report_id": pl.String,
    "report_key": pl.String,
    "content_hash": pl.String,
    "location": pl.String,  # the document URL, else the file as given: where the content was read
    "source": pl.String,
    "page_url": pl.String,
    "kind": pl.String,
    "fiscal_year": pl.Int64,
    "district": pl.String,
    "street": pl.String,
    "department": pl.String,
    "project_name": pl.String,
    "total_adjusted": pl.Float64,
    "total_executed": pl.Float64,
    "total_rate": pl.Float64,
    "score_total": pl.Float64,
}
_IDENTITY = ("kind", "fiscal_year", "district", "department")
_HEADLINE = (
    ("total_adjusted", "total adjusted"),
    ("total_executed", "total executed"),
    ("total_rate", "total rate"),
    ("score_total", "score"),
)


def incoming_frame(records: list[ReportRecord]) -> pl.DataFrame:
    """This run's reports in CURRENT_SCHEMA, with report_idx; keys exactly as the warehouse makes them."""
    rows = []
    for idx, rec in enumerate(records):
        r = rec.report
        key, content = keys.report_key(r), keys.content_hash(r)
        total = r.budget.get("total")
        rows.append(
            {
                "report_idx": idx,
                "report_id": keys.report_id(key, content),
                "report_key": key,
                "content_hash": content,
                "location": rec.source_url or r.file,
                "source": rec.source,
                "page_url": rec.page_url,
                "kind": r.kind,
                "fiscal_year": r.fiscal_year,
                "district": r.region.district,
                "street": r.region.street,
                "department": r.department,
                "project_name": r.project_name,
                "total_adjusted": total.adjusted if total else None,
                "total_executed": total.executed if total else None,
                "total_rate": total.rate if total else None,
                "score_total": r.score_total,
            }
        )
    return pl.DataFrame(rows, schema={"report_idx": pl.Int64, **CURRENT_SCHEMA})


def _label(row: dict[str, Any]) -> str:
    parts = [row["district"], row["department"], row["project_name"], row["fiscal_year"], row["kind"]]
    return " ".join(str(p) for p in parts if p is not None)


def _differences(mine: dict[str, Any], other: dict[str, Any]) -> str:
    diffs = [
        f"{label} {_num(mine[c])} here, {_num(other[c])} there"
        for c, label in _HEADLINE
        if mine[c] is not None and other[c] is not None and abs(mine[c] - other[c]) > 1e-6
    ]
    return "; ".join(diffs) or "other fields differ"


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def warehouse_reports_frame(
    incoming: pl.DataFrame, current: pl.DataFrame, fetched_locations: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """One row per distinct content among the current reports: this run's, and the warehouse's
    current rows this run does not speak for.

    A stored row drops out when this run holds the same version (same report_id) or read its
    location again (this run's reading of a URL replaces the stored one: a revision, not a
    duplicate). Identical content under two URLs is one row: a copy is not a duplicate. Reports
    missing kind, fiscal year, district or department take no part.
    `incoming_idx` lists the run's reports with that content; `duplicate_message` names the
    other contents of the same natural key, for the finding.
    """
    seen_locations = fetched_locations | set(incoming["location"].drop_nulls().to_list())
    stored = current.filter(
        ~pl.col("report_id").is_in(incoming["report_id"].to_list())
        & ~pl.col("location").fill_null("").is_in(list(seen_locations))
    )
    # a report that does not say whose and which year it is (required_fields fails it) has no
    # natural key worth comparing: two such reports would "duplicate" each other by their blanks
    identified = pl.all_horizontal(pl.col(c).is_not_null() for c in _IDENTITY)
    incoming, stored = incoming.filter(identified), stored.filter(identified)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for origin, frame in (("this run", incoming), ("the warehouse", stored)):
        for row in frame.iter_rows(named=True):
            ident = (row["report_key"], row["content_hash"])
            if ident not in rows:
                rows[ident] = {**row, "origin": origin, "incoming_idx": []}
            if row.get("report_idx") is not None:
                rows[ident]["incoming_idx"].append(row["report_idx"])
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows.values():
        by_key.setdefault(row["report_key"], []).append(row)
    out = []
    for n, row in enumerate(rows.values()):
        others = [o for o in by_key[row["report_key"]] if o is not row]
        message = None
        if others:
            message = f"another current report of {_label(row)} has other content: " + " | ".join(
                f"{o['location']} ({o['origin']}): {_differences(row, o)}" for o in others
            )
        out.append(
            {
                "row": n,
                "report_key": row["report_key"],
                "content_hash": row["content_hash"],
                "location": row["location"],
                "origin": row["origin"],
                "incoming_idx": row["incoming_idx"],
                "duplicate_message": message,
            }
        )
    schema = {
        "row": pl.Int64,
        "report_key": pl.String,
        "content_hash": pl.String,
        "location": pl.String,
        "origin": pl.String,
        "incoming_idx": pl.List(pl.Int64),
        "duplicate_message": pl.String,
    }
    return pl.DataFrame(out, schema=schema)
