"""Run the GX suites (expectations/suites/*.json) on parsed reports and turn failures into findings."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from expectations import docs
from expectations.docs_offline import make_offline
from expectations.plain import PlainRun
from expectations.rows import budget_lines_rows, indicators_rows, reports_rows
from expectations.suites import MAX_YEAR_PARAMETER, Check, Table, checks_by_id, load_suite_dicts
from flows.contract.report import FINDING_FIELDS, Finding, Report, ReportRecord

if TYPE_CHECKING:  # polars only where frames are built: the plain evaluator reads rows
    import polars as pl

# the columns that identify a row of each derived frame in GX's unexpected_index_list
_KEYS: dict[str, list[str]] = {
    "reports": ["report_idx"],
    "budget_lines": ["report_idx", "line"],
    "indicators": ["report_idx", "seq"],
    "warehouse_reports": ["row"],
}


def _gx():  # GX is slow to import (~3 s): only when validating
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    # an ephemeral context announces every temporary docs folder at INFO (that module pins INFO)
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return gx


def _pandas(frame: pl.DataFrame):
    # built from Python lists rather than Arrow: keeps pyarrow out of the install
    import pandas as pd
    import polars as pl

    flat = frame.select([c for c, t in frame.schema.items() if not isinstance(t, pl.List)])
    return pd.DataFrame(flat.to_dict(as_series=False))


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value  # numpy scalar → Python


class SuiteRun:
    """One GX context for one run of the checks, so a run's results render as one Data Docs site."""

    def __init__(
        self,
        *,
        max_year: int,
        docs_dir: Path | None = None,
        run_name: str | None = None,
        suites: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        gx = _gx()
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.docs_dir = docs_dir
        if docs_dir is not None:
            self.context.variables.data_docs_sites = docs.site_config(docs_dir)
        self.max_year = max_year
        self.suites = suites if suites is not None else load_suite_dicts()
        self.checks = checks_by_id()
        self.run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
        self._source = self.context.data_sources.add_pandas("govperf")
        self.validated: list[str] = []

    def validate(self, table: Table, frame: pl.DataFrame) -> list[tuple[Check, list[dict[str, Any]]]]:
        """(check, failing rows) for every expectation of the table's suite that failed."""
        if frame.is_empty():
            return []
        gx = self._gx
        batch_definition = self._source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("all")
        suite = self.context.suites.add(gx.ExpectationSuite(**copy.deepcopy(self.suites[table])))
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=table, data=batch_definition, suite=suite)
        )
        result = definition.run(
            batch_parameters={"dataframe": _pandas(frame)},
            expectation_parameters={MAX_YEAR_PARAMETER: self.max_year},
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": _KEYS[table]},
            run_id=self.run_id,
        )
        self.validated.append(table)
        rows_by_key = {tuple(r[k] for k in _KEYS[table]): r for r in frame.to_dicts()}
        out = []
        for res in result.results:
            meta = res.expectation_config.meta or {}
            check = self.checks.get(meta.get("id", ""))
            if check is None:
                raise ValueError(
                    f"suite {table}: expectation {res.expectation_config.type} has no known check id "
                    f"({meta.get('id')!r}); regenerate with `python -m expectations.suites`"
                )
            if res.exception_info and res.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"suite {table}, {check.id}: {res.exception_info.get('exception_message')}"
                )
            failing = [
                rows_by_key[tuple(_plain(idx[k]) for k in _KEYS[table])]
                for idx in res.result.get("unexpected_index_list") or []
            ]
            if failing:
                out.append((check, failing))
        return out

    def build_docs(self) -> Path | None:
        """Render this run's suites and results into docs_dir; the index page's path."""
        if self.docs_dir is None or not self.validated:
            return None
        docs.clear_old_runs(self.docs_dir)
        self.context.build_data_docs()
        make_offline(self.docs_dir)
        return docs.index_path(self.docs_dir)


def _finding(check: Check, row: dict[str, Any], report: Report) -> Finding:
    key = check.evidence_key(row)
    return Finding(
        check.name, check.severity, check.field(row), check.message(row), report.evidence.get(key or "")
    )


def set_dq(report: Report, found: list[Finding]) -> None:
    """The report's `dq` as contract.md shows it."""
    status = "fail" if any(f.severity == "error" for f in found) else "warn" if found else "pass"
    report.dq = {
        "status": status,
        "issues": [{name: getattr(f, name) for name in FINDING_FIELDS} for f in found],
    }


Engine = Literal["auto", "gx", "plain"]
# from this many records on, GX's fixed cost (import and context, ~2.5 s) is a small part of the
# run's validation (benchmarks/dq_bench.py); below it the plain evaluator answers the same
GX_AMORTISED_AT = 1000


def choose_engine(
    n_records: int, *, docs_dir: Path | None = None, unchanged: bool = False
) -> Literal["gx", "plain"]:
    """Which evaluator runs the suites. Both give the same findings (tests/test_dq_plain.py), so
    the rule only weighs GX's fixed cost against what it buys:

    - unchanged (every record is a version the warehouse already holds as current, so the last
      run validated and documented exactly this content): plain, and no new Data Docs;
    - Data Docs wanted (docs_dir): GX, which renders them;
    - many records (≥ GX_AMORTISED_AT): GX, its start-up cost amortised;
    - otherwise (`govperf extract`, a handful of files): plain.
    """
    if unchanged:
        return "plain"
    if docs_dir is not None or n_records >= GX_AMORTISED_AT:
        return "gx"
    return "plain"


class RunChecks:
    """Every suite over a run, without holding the run's reports: records are added a chunk at a
    time (only their suite rows are kept), validated once (one GX run, one Data Docs site), and
    then handed their findings a chunk at a time, in the order they were added.

    check_records is this for one list of records; the nightly streams a night's records from
    the batches' spill files through it twice.
    """

    def __init__(
        self,
        today: dt.date | None = None,
        *,
        engine: Literal["gx", "plain"] = "gx",
        current: pl.DataFrame | None = None,
        fetched_locations: frozenset[str] = frozenset(),
        docs_dir: Path | None = None,
        run_name: str | None = None,
    ) -> None:
        if engine not in ("gx", "plain"):
            raise ValueError(f"engine {engine!r}: one of gx, plain")
        self.today = today or dt.date.today()
        self.engine = engine
        self.current = current
        self.fetched_locations = fetched_locations
        self.docs_dir = docs_dir
        self.run_name = run_name
        self.added = 0
        self._rows: dict[Table, list[Any]] = {"reports": [], "budget_lines": [], "indicators": []}
        self._incoming: list[pl.DataFrame] = []
        # report index → (check, failing row) of every expectation that failed on it
        self._failed: dict[int, list[tuple[Check, dict[str, Any]]]] = {}
        self._handed = 0

    def add(self, records: list[ReportRecord]) -> None:
        """The next records' suite rows (their indexes continue those added before)."""
        if not records:
            return
        offset, reports = self.added, [r.report for r in records]
        if self.engine == "gx":
            import polars as pl

            from expectations.derive import budget_lines_frame, indicators_frame, reports_frame

            parts: dict[Table, Any] = {
                "reports": reports_frame(reports, self.today),
                "budget_lines": budget_lines_frame(reports),
                "indicators": indicators_frame(reports),
            }
            for table, frame in parts.items():
                self._rows[table].append(frame.with_columns(pl.col("report_idx") + offset))
        else:
            parts = {
                "reports": reports_rows(reports, self.today),
                "budget_lines": budget_lines_rows(reports),
                "indicators": indicators_rows(reports),
            }
            for table, rows in parts.items():
                for row in rows:
                    row["report_idx"] += offset
                self._rows[table].extend(rows)
        if self.current is not None:
            import polars as pl

            from expectations.derive import incoming_frame

            self._incoming.append(incoming_frame(records).with_columns(pl.col("report_idx") + offset))
        self.added += len(records)

    def validate(self) -> Path | None:
        """Run the suites on everything added; the Data Docs index when GX built them."""
        if not self.added:
            return None
        frames: dict[Table, Any] = dict(self._rows)
        if self.engine == "gx" or self.current is not None:
            import polars as pl  # (the plain evaluator alone needs none: `govperf extract` stays light)
        if self.engine == "gx":
            frames = {table: pl.concat(parts, how="vertical") for table, parts in self._rows.items()}
        self._rows = {}
        if self.current is not None:
            from expectations.derive import warehouse_reports_frame

            frames["warehouse_reports"] = warehouse_reports_frame(
                pl.concat(self._incoming, how="vertical"), self.current, self.fetched_locations
            )
            self._incoming = []
        run = (
            SuiteRun(max_year=self.today.year, docs_dir=self.docs_dir, run_name=self.run_name)
            if self.engine == "gx"
            else PlainRun(max_year=self.today.year)
        )
        for table, frame in frames.items():
            for check, rows in run.validate(table, frame):
                for row in rows:
                    targets = row["incoming_idx"] if table == "warehouse_reports" else [row["report_idx"]]
                    for idx in targets:
                        self._failed.setdefault(idx, []).append((check, row))
        return run.build_docs()

    def apply(self, records: list[ReportRecord]) -> None:
        """Set the findings (and each report's `dq`) of the next records, in the order added."""
        for i, record in enumerate(records, self._handed):
            found = [_finding(check, row, record.report) for check, row in self._failed.pop(i, [])]
            record.findings = found
            set_dq(record.report, found)
        self._handed += len(records)


def check_records(
    records: list[ReportRecord],
    today: dt.date | None = None,
    *,
    current: pl.DataFrame | None = None,
    fetched_locations: frozenset[str] = frozenset(),
    docs_dir: Path | None = None,
    run_name: str | None = None,
    engine: Engine = "auto",
) -> Path | None:
    """Every suite on these records: each record's findings (and its report's `dq`) are set.

    With `current` (the warehouse's current reports, expectations.current) the warehouse-level
    duplicate check runs too; with `docs_dir` the run's Data Docs are built there (the index
    page's path is returned). engine="auto" picks by choose_engine (records, docs_dir); "plain"
    never builds Data Docs (None is returned), "gx" always validates with GX.
    """
    if not records:
        return None
    if engine == "auto":
        engine = choose_engine(len(records), docs_dir=docs_dir)
    if engine not in ("gx", "plain"):
        raise ValueError(f"engine {engine!r}: one of auto, gx, plain")
    checks = RunChecks(
        today,
        engine=engine,
        current=current,
        fetched_locations=fetched_locations,
        docs_dir=docs_dir,
        run_name=run_name,
    )
    checks.add(records)
    index = checks.validate()
    checks.apply(records)
    return index


def validate_reports(reports: list[Report], today: dt.date | None = None) -> list[list[Finding]]:
    """Findings per report (same order), and each report's `dq` filled: the single-report suites."""
    records = [ReportRecord(r) for r in reports]
    check_records(records, today)
    return [r.findings for r in records]
