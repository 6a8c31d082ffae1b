"""Bytes → validated reports: the extract, parse and validate steps for one batch of documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flows import ocr_evidence
from flows.documents import read_document
from flows.documents.model import ExtractError
from flows.reports.model import Report, ReportRecord
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
) -> list[Report]:
    """Read and parse one document. Raises ExtractError with the contract's error kind."""
    document = read_document(data, name, content_type)
    reports = parse_reports(
        document, file=name, sha256=sha256, page_meta=page_meta, page_title=page_title, today=today
    )
    ocr_evidence.annotate(document, reports)
    return reports


def safe_reports_from_bytes(data: bytes, **kwargs: object) -> tuple[list[Report], ExtractError | None]:
    """Like reports_from_bytes, but never raises: a reader's unexpected failure is `corrupt`."""
    name = str(kwargs.get("name", ""))
    try:
        return reports_from_bytes(data, **kwargs), None  # type: ignore[arg-type]
    except ExtractError as e:
        return [], e
    except Exception as e:  # a reader bug must not stop the run; the file is kept and listed
        return [], ExtractError("corrupt", f"{type(e).__name__}: {e}", name)
