"""Parsed reports and crawler records as polars frames shaped exactly like the warehouse tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from flows.contract import keys as identity
from flows.contract.report import BUDGET_LINES as LINE_NAMES
from flows.contract.report import Report, ReportRecord
from warehouse import keys, schema
from warehouse.measures import parse_measure

# evidence keys for a budget line, best first
_LINE_EVIDENCE_FIELDS = ("executed", "adjusted", "rate", "initial", "adjustment")


def to_timestamp(value: Any) -> datetime | None:
    """ISO text or datetime → naive UTC datetime (the warehouse stores UTC without zone)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        # a date the page printed oddly is not worth losing the report over
        return None


def _report_row(
    rec: ReportRecord,
    rid: str,
    rkey: str,
    chash: str,
    aliases: keys.AliasMap,
    run_id: str,
    loaded_at: datetime,
) -> dict[str, Any]:
    r = rec.report
    region = r.region
    dept_norm = identity.report_department_norm(r)
    scope = identity.department_scope(region.province, region.city, region.district)
    return {
        "report_id": rid,
        "report_key": rkey,
        "content_hash": chash,
        "sha256": r.sha256,
        "source": rec.source,
        "source_url": rec.source_url,
        "page_url": rec.page_url,
        "file": r.file,
        "format": r.format,
        "kind": r.kind,
        "title": r.title,
        "fiscal_year": r.fiscal_year,
        "province": region.province,
        "city": region.city,
        "district": region.district,
        "street": region.street,
        "department": r.department,
        "department_full": r.department_full,
        "department_norm": dept_norm,
        "department_key": keys.department_key(scope, dept_norm, aliases),
        "consolidated": r.consolidated,
        "project_name": r.project_name,
        "supervisor": r.supervisor,
        "publisher": r.publisher,
        "published_date": to_date(r.published_date),
        "index_no": r.index_no,
        "budget_unit": r.budget_unit,
        "assets_total_begin": r.assets.get("total_begin"),
        "assets_total_end": r.assets.get("total_end"),
        "assets_fixed_begin": r.assets.get("fixed_begin"),
        "assets_fixed_end": r.assets.get("fixed_end"),
        "staff_authorized": r.staff.get("authorized"),
        "staff_actual": r.staff.get("actual"),
        "score_total": r.score_total,
        "score_grade": r.score_grade,
        "problems": list(r.problems),
        "measures": list(r.measures),
        "evidence_json": json.dumps(r.evidence, ensure_ascii=False, sort_keys=True) if r.evidence else None,
        "dq_status": rec.dq_status,
        "fetched_at": to_timestamp(rec.fetched_at),
        "loaded_at": loaded_at,
        "run_id": run_id,
        # version, is_current and superseded_at depend on what the warehouse holds: set by load
    }


def _line_evidence(evidence: Mapping[str, str], line: str) -> str | None:
    found = [
        evidence[f"budget.{line}.{f}"] for f in _LINE_EVIDENCE_FIELDS if f"budget.{line}.{f}" in evidence
    ]
    return "\n".join(dict.fromkeys(found)) or None


def _budget_rows(rid: str, r: Report) -> list[dict[str, Any]]:
    rows = []
    for name in LINE_NAMES:
        line = r.budget.get(name)
        if line is None or (line.is_empty() and line.weight is None and line.score is None):
            continue
        rows.append(
            {
                "report_id": rid,
                "line": name,
                "initial": line.initial,
                "adjustment": line.adjustment,
                "adjusted": line.adjusted,
                "executed": line.executed,
                "rate": line.rate,
                "rate_text": line.rate_text,
                "weight": line.weight,
                "score": line.score,
                "evidence": _line_evidence(r.evidence, name),
            }
        )
    return rows


def _indicator_evidence(evidence: Mapping[str, str], i: int) -> str | None:
    # the parser names indicator evidence by JSON path; accept the spellings it may use
    for k in (f"indicators[{i}]", f"indicators.{i}"):
        if k in evidence:
            return evidence[k]
    found = [v for k, v in evidence.items() if k.startswith((f"indicators[{i}].", f"indicators.{i}."))]
    return "\n".join(dict.fromkeys(found)) or None


def _indicator_rows(rid: str, r: Report) -> list[dict[str, Any]]:
    rows = []
    for i, ind in enumerate(r.indicators):
        target, actual = parse_measure(ind.target), parse_measure(ind.actual)
        rows.append(
            {
                "report_id": rid,
                "seq": i + 1,
                "level1": ind.level1,
                "level2": ind.level2,
                "name": ind.name,
                "weight": ind.weight,
                "target": ind.target,
                "actual": ind.actual,
                "score": ind.score,
                "reason": ind.reason,
                "target_op": target.op,
                "target_value": target.value,
                "target_unit": target.unit,
                "actual_op": actual.op,
                "actual_value": actual.value,
                "actual_unit": actual.unit,
                "evidence": _indicator_evidence(r.evidence, i),
            }
        )
    return rows


def _finding_rows(rid: str, rec: ReportRecord, run_id: str, loaded_at: datetime) -> list[dict[str, Any]]:
    # (check, field) is the key: several findings on one field become one row, messages joined
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for f in rec.findings:
        key = (f.check, f.field or "")
        row = merged.get(key)
        if row is None:
            merged[key] = {
                "report_id": rid,
                "check": f.check,
                "severity": f.severity,
                "field": f.field or "",
                "message": f.message,
                "evidence": f.evidence,
                "detected_at": loaded_at,
                "run_id": run_id,
            }
            continue
        if f.severity == "error":
            row["severity"] = "error"
        row["message"] = f"{row['message']}; {f.message}"
        row["evidence"] = row["evidence"] or f.evidence
    return list(merged.values())


def records_to_frames(
    records: list[ReportRecord],
    run_id: str,
    loaded_at: datetime,
    *,
    aliases: keys.AliasMap | None = None,
    seen: set[str] | None = None,
) -> dict[str, pl.DataFrame]:
    """core.reports, core.budget_lines, core.indicators and core.dq_findings rows for these records.

    Records with the same report_id (one report fetched as PDF and DOCX) give one row, the
    first; order is kept, since load numbers versions of a report in that order.
    department_key is computed with `aliases` (none by default): the build that follows every
    load re-derives it from the alias file (dbt_like_sql/seeds/department_aliases.csv).
    """
    amap = aliases or {}
    loaded_at = to_timestamp(loaded_at) or loaded_at
    reports, lines, indicators, findings = [], [], [], []
    seen: set[str] = set()
    for rec in records:
        rkey, chash = identity.report_key(rec.report), identity.content_hash(rec.report)
        rid = identity.report_id(rkey, chash)
        if rid in seen:
            continue
        seen.add(rid)
        reports.append(_report_row(rec, rid, rkey, chash, amap, run_id, loaded_at))
        lines.extend(_budget_rows(rid, rec.report))
        indicators.extend(_indicator_rows(rid, rec.report))
        findings.extend(_finding_rows(rid, rec, run_id, loaded_at))
    return {
        schema.REPORTS.qualified: schema.REPORTS.frame(reports),
        schema.BUDGET_LINES.qualified: schema.BUDGET_LINES.frame(lines),
        schema.INDICATORS.qualified: schema.INDICATORS.frame(indicators),
        schema.DQ_FINDINGS.qualified: schema.DQ_FINDINGS.frame(findings),
    }


def _plain_frame(
    table: schema.Table, rows: Iterable[Mapping[str, Any]], stamps: tuple[str, ...], dates=()
) -> pl.DataFrame:
    out = []
    for row in rows:
        d = dict(row)
        for c in stamps:
            d[c] = to_timestamp(d.get(c))
        for c in dates:
            d[c] = to_date(d.get(c))
        out.append(d)
    return table.frame(out)


def documents_frame(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """raw.documents rows from dicts keyed by its column names."""
    return _plain_frame(schema.DOCUMENTS, rows, ("fetched_at",), ("published_date",))


def fetch_log_frame(entries: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """raw.fetch_log rows from the crawler's JSON-lines fetch log entries."""
    return _plain_frame(schema.FETCH_LOG, entries, ("fetched_at",))


def runs_frame(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """core.runs rows; reports_* counts left out are filled in by load_run."""
    return _plain_frame(schema.RUNS, rows, ("started", "finished"))
