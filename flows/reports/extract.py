"""Bytes → reports: the extract and parse steps, for one document and for one source's batch.

The boundary between reading (flows/documents) and parsing (flows/reports): whatever a reader
raises becomes a listed rejection, never a stopped run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from flows.contract.report import Report, ReportRecord
from flows.documents import read_document
from flows.documents.budget import run_within_budget
from flows.documents.model import ExtractError
from flows.documents.sections import self_evaluation_parts
from flows.reports import ocr_evidence, ocr_places
from flows.reports.parse import parse_reports


@dataclass(slots=True)
class Rejected:
    """A document that yielded no report: kept in the raw archive, listed and alerted on."""

    name: str
    sha256: str
    kind: str
    message: str
    url: str | None = None


@dataclass(slots=True)
class Extracted:
    records: list[ReportRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    # sha256 → number of reports it yielded
    yields: dict[str, int] = field(default_factory=dict)


def reports_from_bytes(
    data: bytes,
    *,
    name: str,
    sha256: str,
    content_type: str | None = None,
    page_meta: dict[str, str] | None = None,
    page_title: str | None = None,
    today: dt.date | None = None,
    sections: str = "",
) -> list[Report]:
    """Read and parse one document. Raises ExtractError with the contract's error kind.

    sections="self_evaluation" (a 部门决算 a source opted in to): only the document's
    self-evaluation parts are parsed, each as a document of its own.
    """
    document = read_document(data, name, content_type)
    ocr_places.correct_place_names(document)
    if sections != "self_evaluation":
        reports = parse_reports(
            document, file=name, sha256=sha256, page_meta=page_meta, page_title=page_title, today=today
        )
        ocr_evidence.annotate(document, reports)
        return reports
    parts = self_evaluation_parts(document)
    if not parts:
        raise ExtractError("not_a_report", "a final account (决算) with no self-evaluation part", name)
    reports: list[Report] = []
    first_error: ExtractError | None = None
    for part in parts:
        try:
            reports += parse_reports(part, file=name, sha256=sha256, page_meta=page_meta, today=today)
        except ExtractError as e:  # one part that is not a report does not sink the others
            first_error = first_error or e
    if not reports and first_error is not None:
        raise first_error
    return reports


def safe_call(
    fn: Callable[..., list[Report]], label: str, *args: object, **kwargs: object
) -> tuple[list[Report], ExtractError | None]:
    """fn(*args, **kwargs) in a budget worker (flows/documents/budget.py), never raising: a
    reader's unexpected failure is `corrupt`, naming the file `label`."""
    try:
        return run_within_budget(fn, *args, label=label, **kwargs), None
    except ExtractError as e:
        return [], e
    except Exception as e:  # a reader bug must not stop the run; the file is kept and listed
        return [], ExtractError("corrupt", f"{type(e).__name__}: {e}", label)


def safe_reports_from_bytes(data: bytes, **kwargs: object) -> tuple[list[Report], ExtractError | None]:
    """Like reports_from_bytes, but never raises, and the reading runs in a worker under the
    document budget."""
    return safe_call(reports_from_bytes, str(kwargs.get("name", "")), data, **kwargs)
