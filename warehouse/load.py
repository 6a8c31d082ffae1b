"""Merging a run's frames into the warehouse: natural keys, report versions, inside the caller's transaction.

(dbt_like_sql/load.py runs it with the build, in one transaction on a copy that is swapped in.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from warehouse import schema
from warehouse.arrow import registered

UNKNOWN_SOURCE = "unknown"
_REPORT_COUNTS = ("reports_new", "reports_changed", "reports_unchanged", "reports_quarantined")


@dataclass(slots=True)
class TableStats:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class SourceStats:
    reports_new: int = 0
    reports_changed: int = 0
    reports_unchanged: int = 0
    reports_quarantined: int = 0


@dataclass(slots=True)
class LoadStats:
    """What this call changed. (core.runs keeps, per run_id, what the run as a whole changed.)"""

    run_id: str
    tables: dict[str, TableStats] = field(default_factory=dict)
    per_source: dict[str, SourceStats] = field(default_factory=dict)
    views: list[str] = field(default_factory=list)
    # the build that follows the merge sets these: its views and SQL tests (dbt_like_sql.project.TestResult)
    tests: list[Any] = field(default_factory=list)
    seconds: float = 0.0

    def _sum(self, attr: str) -> int:
        return sum(getattr(t, attr) for t in self.tables.values())

    @property
    def inserted(self) -> int:
        return self._sum("inserted")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def deleted(self) -> int:
        return self._sum("deleted")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    def _reports(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.per_source.values())

    @property
    def reports_new(self) -> int:
        return self._reports("reports_new")

    @property
    def reports_changed(self) -> int:
        return self._reports("reports_changed")

    @property
    def reports_unchanged(self) -> int:
        return self._reports("reports_unchanged")

    @property
    def reports_quarantined(self) -> int:
        return self._reports("reports_quarantined")


# ---------------------------------------------------------------- frames in


def _conform(table: schema.Table, frame: pl.DataFrame | None) -> pl.DataFrame:
    """Exactly the table's columns and dtypes, in order; absent columns are null."""
    if frame is None:
        return table.empty_frame()
    dtypes = table.polars_schema()
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtypes[c], strict=False).alias(c)
            for c in table.column_names
        ]
    )


def _frames_by_table(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    by_name = {t.name: t for t in schema.TABLES}
    out: dict[str, pl.DataFrame] = {}
    for name, frame in frames.items():
        table = by_name.get(name.split(".")[-1])
        if table is None or name not in (table.name, table.qualified):
            raise ValueError(
                f"load_run: no table {name!r} (expected one of {[t.qualified for t in schema.TABLES]})"
            )
        out[table.qualified] = frame
    return out


def _cols(table: schema.Table, names: list[str] | None = None, prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' for c in (names or table.column_names))


def _key_match(table: schema.Table, a: str, b: str) -> str:
    return " AND ".join(f'{a}."{k}" = {b}."{k}"' for k in table.key)


def _insert_missing(con: duckdb.DuckDBPyConnection, table: schema.Table, src: str) -> int:
    return con.execute(
        f"INSERT INTO {table.qualified} ({_cols(table)}) SELECT {_cols(table, prefix='s.')} FROM {src} AS s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table.qualified} AS t WHERE {_key_match(table, 't', 's')})"
    ).fetchall()[0][0]


def _update_changed(con: duckdb.DuckDBPyConnection, table: schema.Table, src: str, columns: list[str]) -> int:
    if not columns:
        return 0
    sets = ", ".join(f'"{c}" = s."{c}"' for c in columns)
    differs = " OR ".join(f't."{c}" IS DISTINCT FROM s."{c}"' for c in columns)
    return con.execute(
        f"UPDATE {table.qualified} AS t SET {sets} FROM {src} AS s WHERE {_key_match(table, 't', 's')} AND ({differs})"
    ).fetchall()[0][0]


def _upsert(
    con: duckdb.DuckDBPyConnection,
    table: schema.Table,
    frame: pl.DataFrame,
    *,
    update: list[str] | None = None,
) -> TableStats:
    """Insert new keys; for existing keys update `update` columns (default: all non-key) that differ."""
    frame = _conform(table, frame).unique(subset=list(table.key), keep="last", maintain_order=True)
    if frame.is_empty():
        return TableStats()
    columns = [c for c in table.column_names if c not in table.key] if update is None else update
    with registered(con, "_in_upsert", frame) as src:
        updated = _update_changed(con, table, src, columns)
        inserted = _insert_missing(con, table, src)
    return TableStats(inserted=inserted, updated=updated, unchanged=frame.height - inserted - updated)


# ---------------------------------------------------------------- reports and their versions


def _versioned(new: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Number new report versions after the stored ones; the last of each report_key is current.

    Within one run, versions of a report follow their fetch time, then input order.
    """
    ordered = (
        new.join(previous, on="report_key", how="left")
        .with_columns(pl.col("_prev_version").fill_null(0))
        .sort(["report_key", "fetched_at", "_pos"], nulls_last=False)
    )
    n = pl.int_range(pl.len()).over("report_key")
    last = n == pl.len().over("report_key") - 1
    return ordered.with_columns(
        (pl.col("_prev_version") + n + 1).cast(pl.Int32).alias("version"),
        last.alias("is_current"),
        pl.when(last).then(None).otherwise(pl.col("loaded_at")).alias("superseded_at"),
    )


def _merge_reports(
    con: duckdb.DuckDBPyConnection, reports: pl.DataFrame
) -> tuple[TableStats, set[str], dict[str, SourceStats]]:
    """core.reports; returns stats, the report_ids inserted, and per-source report counts."""
    table = schema.REPORTS
    incoming = _conform(table, reports).unique(subset=["report_id"], keep="first", maintain_order=True)
    incoming = incoming.with_row_index("_pos")
    per_source: dict[str, SourceStats] = {}
    if incoming.is_empty():
        return TableStats(), set(), per_source
    with registered(con, "_in_reports", incoming):
        present = {
            r[0]
            for r in con.execute(
                "SELECT i.report_id FROM _in_reports AS i JOIN core.reports AS r USING (report_id)"
            ).fetchall()
        }
        # an unchanged report can still get a new verdict when the checks change
        updated = _update_changed(con, table, "_in_reports", ["dq_status"])
        new = incoming.filter(~pl.col("report_id").is_in(list(present)))
        previous = pl.DataFrame(
            con.execute(
                "SELECT report_key, max(version) AS _prev_version FROM core.reports "
                "WHERE report_key IN (SELECT report_key FROM _in_reports) GROUP BY report_key"
            ).fetchall(),
            schema={"report_key": pl.String, "_prev_version": pl.Int32},
            orient="row",
        )
    versioned = _versioned(new, previous) if not new.is_empty() else None
    superseded = 0
    if versioned is not None:
        keys_with_new = versioned.select("report_key", "loaded_at").unique("report_key")
        with registered(con, "_in_superseding", keys_with_new):
            superseded = con.execute(
                "UPDATE core.reports AS r SET is_current = false, superseded_at = s.loaded_at "
                "FROM _in_superseding AS s WHERE r.report_key = s.report_key AND r.is_current"
            ).fetchall()[0][0]
        with registered(con, "_in_new_reports", _conform(table, versioned)) as src:
            con.execute(f"INSERT INTO {table.qualified} ({_cols(table)}) SELECT {_cols(table)} FROM {src}")
        for row in (
            versioned.group_by("report_key")
            .agg(pl.col("source").first(), (pl.col("_prev_version").first() > 0).alias("had"))
            .iter_rows(named=True)
        ):
            s = per_source.setdefault(row["source"] or UNKNOWN_SOURCE, SourceStats())
            if row["had"]:
                s.reports_changed += 1
            else:
                s.reports_new += 1
    for row in incoming.iter_rows(named=True):
        s = per_source.setdefault(row["source"] or UNKNOWN_SOURCE, SourceStats())
        s.reports_unchanged += row["report_id"] in present
        s.reports_quarantined += row["dq_status"] == "fail"
    inserted = 0 if versioned is None else versioned.height
    stats = TableStats(
        inserted=inserted, updated=updated + superseded, unchanged=incoming.height - inserted - updated
    )
    return stats, set(new["report_id"].to_list()), per_source


def _insert_children(
    con: duckdb.DuckDBPyConnection, table: schema.Table, frame: pl.DataFrame, ids: set[str]
) -> TableStats:
    """Budget lines and indicators belong to one report version and never change after it is stored."""
    frame = _conform(table, frame)
    total = frame.height
    frame = frame.filter(pl.col("report_id").is_in(list(ids))).unique(
        subset=list(table.key), keep="first", maintain_order=True
    )
    if frame.is_empty():
        return TableStats(unchanged=total)
    with registered(con, "_in_children", frame):
        inserted = _insert_missing(con, table, "_in_children")
    return TableStats(inserted=inserted, unchanged=total - inserted)


def _merge_findings(
    con: duckdb.DuckDBPyConnection, findings: pl.DataFrame, reports: pl.DataFrame
) -> TableStats:
    """The findings of each loaded report become exactly the incoming ones; detected_at stays the first seen."""
    table = schema.DQ_FINDINGS
    frame = _conform(table, findings).unique(subset=list(table.key), keep="first", maintain_order=True)
    ids = reports.select("report_id").unique()
    with registered(con, "_in_findings", frame), registered(con, "_in_finding_reports", ids):
        deleted = con.execute(
            "DELETE FROM core.dq_findings AS t WHERE t.report_id IN (SELECT report_id FROM _in_finding_reports) "
            "AND NOT EXISTS (SELECT 1 FROM _in_findings AS s WHERE "
            f"{_key_match(table, 't', 's')})"
        ).fetchall()[0][0]
        updated = _update_changed(con, table, "_in_findings", ["severity", "message", "evidence"])
        inserted = _insert_missing(con, table, "_in_findings")
    return TableStats(
        inserted=inserted, updated=updated, deleted=deleted, unchanged=frame.height - inserted - updated
    )


def _run_rows(
    con: duckdb.DuckDBPyConnection, runs: pl.DataFrame, run_id: str, reports: pl.DataFrame
) -> pl.DataFrame:
    """core.runs rows with reports_* filled from what the warehouse holds for run_id.

    Derived from stored rows (not from this call) so that loading the same run twice gives
    the same row: new = versions 1 loaded by the run, changed = later versions it loaded,
    unchanged = its reports some other run had loaded, quarantined = its reports that failed.
    """
    table = schema.RUNS
    runs = _conform(table, runs)
    ids = reports.select(pl.col("report_id"), pl.col("source").fill_null(UNKNOWN_SOURCE).alias("src")).unique(
        "report_id"
    )
    with registered(con, "_in_run_reports", ids):
        counted = con.execute(
            """
            SELECT i.src AS source,
                   count(*) FILTER (WHERE r.run_id = $1 AND r.version = 1)::INTEGER AS reports_new,
                   count(DISTINCT r.report_key) FILTER (WHERE r.run_id = $1 AND r.version > 1
                       AND r.report_key NOT IN (SELECT report_key FROM core.reports WHERE run_id = $1 AND version = 1)
                   )::INTEGER AS reports_changed,
                   count(*) FILTER (WHERE r.run_id IS DISTINCT FROM $1)::INTEGER AS reports_unchanged,
                   count(*) FILTER (WHERE r.dq_status = 'fail')::INTEGER AS reports_quarantined
            FROM _in_run_reports AS i JOIN core.reports AS r USING (report_id)
            GROUP BY i.src
            """,
            [run_id],
        ).fetchall()
    derived = pl.DataFrame(
        counted, schema={"source": pl.String, **{c: pl.Int32 for c in _REPORT_COUNTS}}, orient="row"
    )
    this_run = runs.filter(pl.col("run_id") == run_id)
    missing = derived.join(this_run.select("source"), on="source", how="anti").select(
        pl.lit(run_id).alias("run_id"), "source"
    )
    this_run = pl.concat([this_run, _conform(table, missing)])
    filled = this_run.join(derived, on="source", how="left", suffix="_derived").with_columns(
        pl.coalesce(pl.col(c), pl.col(f"{c}_derived"), pl.lit(0, pl.Int32)).alias(c) for c in _REPORT_COUNTS
    )
    return pl.concat([runs.filter(pl.col("run_id") != run_id), _conform(table, filled)])


def merge(con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame], run_id: str) -> LoadStats:
    """Merge the frames into the open warehouse (inside the caller's transaction)."""
    frames = _frames_by_table(frames)
    stats = LoadStats(run_id)
    reports = _conform(schema.REPORTS, frames.get(schema.REPORTS.qualified))
    stats.tables[schema.REPORTS.qualified], new_ids, stats.per_source = _merge_reports(con, reports)
    for table in (schema.BUDGET_LINES, schema.INDICATORS):
        stats.tables[table.qualified] = _insert_children(con, table, frames.get(table.qualified), new_ids)
    stats.tables[schema.DQ_FINDINGS.qualified] = _merge_findings(
        con, frames.get(schema.DQ_FINDINGS.qualified), reports
    )
    # fetched_at and run_id say when a body was first seen: a re-fetch (304) must not move them
    stats.tables[schema.DOCUMENTS.qualified] = _upsert(
        con,
        schema.DOCUMENTS,
        frames.get(schema.DOCUMENTS.qualified),
        update=[c for c in schema.DOCUMENTS.column_names if c not in ("fetched_at", "run_id")],
    )
    stats.tables[schema.FETCH_LOG.qualified] = _upsert(
        con, schema.FETCH_LOG, frames.get(schema.FETCH_LOG.qualified), update=[]
    )
    runs = _run_rows(con, _conform(schema.RUNS, frames.get(schema.RUNS.qualified)), run_id, reports)
    stats.tables[schema.RUNS.qualified] = _upsert(con, schema.RUNS, runs)
    return stats


def now_utc() -> datetime:
    """A loaded_at for records_to_frames: naive UTC, as the warehouse stores timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)
