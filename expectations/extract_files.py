"""`govperf extract FILE... --json`: contract JSON lines for local files, checks included."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from flows.contract.report import ReportRecord
from flows.documents.budget import prewarm
from flows.reports.read_safely import safe_reports_from_bytes

MAX_BYTES = 50 * 1024 * 1024


def extract_files(paths: list[str], today: dt.date | None = None) -> list[dict[str, Any]]:
    """One object per report (several per file when a file holds several), or one error object
    per unreadable file, in input order."""
    # the reading worker starts first, so its imports overlap this process's (polars, the checks)
    prewarm()
    from expectations.runner import check_records

    slots: list[list[dict[str, Any]] | dict[str, Any]] = []
    records: list[ReportRecord] = []
    for raw_given in paths:
        # a file name that is not UTF-8 arrives with lone surrogates: shown escaped, so the JSON
        # line stays valid UTF-8
        given = os.fsencode(raw_given).decode("utf-8", "backslashreplace")
        try:
            data = read_regular_file(Path(raw_given), MAX_BYTES)
        except FileRefused as refused:
            slots.append({"file": given, "error": {"kind": refused.kind, "message": f"{given}: {refused}"}})
            continue
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


class FileRefused(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most max_bytes. A folder, /dev/zero, a FIFO or a socket
    is refused at once (opened without blocking, checked on the open file, never read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileRefused("corrupt", "no such file") from None
    except IsADirectoryError:
        raise FileRefused("unsupported_format", "is a folder") from None
    except OSError as e:
        raise FileRefused("corrupt", f"cannot be opened ({e.strerror})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileRefused("unsupported_format", "is a folder")
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused("unsupported_format", "is not a regular file (a device, FIFO or socket)")
        if st.st_size > max_bytes:
            raise FileRefused("too_large", f"{st.st_size} bytes is over the {max_bytes} limit")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        data = f.read(max_bytes + 1)  # a file growing while read is still cut at the limit
    if len(data) > max_bytes:
        raise FileRefused("too_large", f"over the {max_bytes} bytes limit")
    return data


def to_json_lines(objects: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objects)
