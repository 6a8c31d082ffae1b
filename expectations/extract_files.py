"""`govperf extract FILE... --json`: contract JSON lines for local files, checks included."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from expectations.runner import check_records
from flows.contract.report import ReportRecord
from flows.reports.extract import safe_reports_from_bytes

MAX_BYTES = 50 * 1024 * 1024


def extract_files(paths: list[str], today: dt.date | None = None) -> list[dict[str, Any]]:
    """One object per report (several per file when a file holds several), or one error object
    per unreadable file, in input order."""
    slots: list[list[dict[str, Any]] | dict[str, Any]] = []
    records: list[ReportRecord] = []
    for given in paths:
        path = Path(given)
        error = _read_error(path)
        if error:
            slots.append({"file": given, "error": error})
            continue
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        reports, failure = safe_reports_from_bytes(data, name=given, sha256=sha, today=today)
        if failure is not None:
            slots.append(
                {"file": given, "sha256": sha, "error": {"kind": failure.kind, "message": failure.message}}
            )
            continue
        mine = [ReportRecord(r) for r in reports]
        records.extend(mine)
        slots.append([])  # filled after validation
        slots[-1] = mine  # type: ignore[assignment]
    check_records(records, today)
    out: list[dict[str, Any]] = []
    for slot in slots:
        if isinstance(slot, dict):
            out.append(slot)
        else:
            out.extend(rec.report.to_contract() for rec in slot)  # type: ignore[union-attr]
    return out


def _read_error(path: Path) -> dict[str, str] | None:
    if not path.exists():
        return {"kind": "corrupt", "message": f"{path}: no such file"}
    if path.is_dir():
        return {"kind": "unsupported_format", "message": f"{path}: is a folder"}
    if path.stat().st_size > MAX_BYTES:
        return {
            "kind": "too_large",
            "message": f"{path}: {path.stat().st_size} bytes is over the {MAX_BYTES} limit",
        }
    return None


def to_json_lines(objects: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objects)
