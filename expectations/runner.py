"""Run the GX suites on parsed reports and turn failures into contract findings."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import defaultdict
from typing import Any

import polars as pl

from expectations.derive import budget_lines_frame, indicators_frame, reports_frame
from expectations.suites import Check, checks
from flows.reports.model import Finding, Report

_KEYS = {
    "reports": ["report_idx"],
    "budget_lines": ["report_idx", "line"],
    "indicators": ["report_idx", "seq"],
}


def _gx():  # GX is slow to import (~3 s): only when validating
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    import great_expectations.expectations as gxe

    # an ephemeral context announces every temporary docs folder at INFO (that module pins INFO)
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)

    return gx, gxe


def _pandas(frame: pl.DataFrame):
    # built from Python lists rather than Arrow: keeps pyarrow out of the install
    import pandas as pd

    return pd.DataFrame(frame.to_dict(as_series=False))


def _validate(
    table: str, frame: pl.DataFrame, table_checks: list[Check]
) -> list[tuple[Check, list[dict[str, Any]]]]:
    """(check, failing rows) for every expectation of one table's suite."""
    if frame.is_empty():
        return []
    gx, gxe = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas(f"govperf_{table}")
        .add_dataframe_asset(table)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": _pandas(frame)})
    )
    suite = gx.ExpectationSuite(name=table)
    for i, c in enumerate(table_checks):
        suite.add_expectation(
            getattr(gxe, c.expectation)(**c.kwargs, meta={"check": c.name, "severity": c.severity, "i": i})
        )
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": _KEYS[table]}
    )
    rows_by_key = {tuple(r[k] for k in _KEYS[table]): r for r in frame.to_dicts()}
    out = []
    for res in result.results:
        check = table_checks[int(res.expectation_config.meta["i"])]
        failing = []
        for idx in res.result.get("unexpected_index_list") or []:
            key = tuple(idx[k] if k != "report_idx" else int(idx[k]) for k in _KEYS[table])
            failing.append(rows_by_key[key])
        if failing:
            out.append((check, failing))
    return out


def validate_reports(reports: list[Report], today: dt.date | None = None) -> list[list[Finding]]:
    """Findings per report (same order), and each report's `dq` filled as contract.md shows it."""
    frames = {
        "reports": reports_frame(reports, today),
        "budget_lines": budget_lines_frame(reports),
        "indicators": indicators_frame(reports),
    }
    by_table: dict[str, list[Check]] = defaultdict(list)
    for c in checks(today):
        by_table[c.table].append(c)
    findings: list[list[Finding]] = [[] for _ in reports]
    for table, table_checks in by_table.items():
        for check, rows in _validate(table, frames[table], table_checks):
            for row in rows:
                report = reports[row["report_idx"]]
                key = check.evidence_key(row)
                findings[row["report_idx"]].append(
                    Finding(
                        check.name,
                        check.severity,
                        check.field(row),
                        check.message(row),
                        report.evidence.get(key or ""),
                    )
                )
    for report, found in zip(reports, findings, strict=True):
        status = "fail" if any(f.severity == "error" for f in found) else "warn" if found else "pass"
        report.dq = {
            "status": status,
            "issues": [
                {
                    "check": f.check,
                    "severity": f.severity,
                    "field": f.field,
                    "message": f.message,
                    "evidence": f.evidence,
                }
                for f in found
            ],
        }
    return findings
