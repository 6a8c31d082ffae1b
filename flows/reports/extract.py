"""Bytes → reports: the extract and parse steps, for one document and for one source's batch.

The boundary between reading (flows/documents) and parsing (flows/reports): whatever a reader
raises becomes a listed rejection, never a stopped run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flows.contract.report import Report, ReportRecord
from flows.documents import read_document
from flows.documents.model import ExtractError
from flows.documents.sections import self_evaluation_parts
from flows.reports import ocr_evidence, ocr_places, ocr_words
from flows.reports.parse import parse_reports
from flows.reports.read_safely import safe_call, safe_reports_from_bytes  # noqa: F401 (re-exported)


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
    ocr_words.correct_budget_words(document)
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
