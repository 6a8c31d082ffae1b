"""A real warehouse of the five seed reports, loaded as one run of two sources (no Prefect)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from dbt_like_sql.load import load_run
from flows.contract.report import ReportRecord
from flows.reports.extract import reports_from_bytes
from warehouse.frames import records_to_frames, runs_frame

TODAY = dt.date(2026, 6, 30)
RUN = "20260630T020000Z-seed01"
SEED_URL = "https://seeds.example.gov.cn/"


def seed_records(seeds_dir: Path) -> list[ReportRecord]:
    records = []
    for path in sorted(seeds_dir.glob("*.txt")):
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        source = "seeds_a" if path.name < "003" else "seeds_b"
        for report in reports_from_bytes(data, name=path.name, sha256=sha, today=TODAY):
            records.append(ReportRecord(report, source, SEED_URL + path.name))
    return records


def load_seeds(db: Path, records: list[ReportRecord]) -> None:
    frames = records_to_frames(records, RUN, dt.datetime(2026, 6, 30, 2, 5))
    frames["core.runs"] = runs_frame(
        {
            "run_id": RUN,
            "source": s,
            "started": dt.datetime(2026, 6, 30, 2, 0),
            "finished": dt.datetime(2026, 6, 30, 2, 5),
            "requests": 7,
            "not_modified": 0,
            "bodies_downloaded": 3,
            "documents": 3,
            "errors": 0,
        }
        for s in sorted({r.source for r in records})
    )
    load_run(db, frames, RUN)
