"""Identity of departments and reports: department names normalised, report_key, content_hash, report_id.

All pure functions of a parsed report, so the same document parsed twice (or from its
PDF and its DOCX) gets the same identifiers. The alias file (renamed units) is applied in the
warehouse (warehouse/keys.py), on top of these.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from flows.contract.names import strip_consolidated
from flows.contract.report import Report

_SPACES = re.compile(r"\s+")
# fields of the contract JSON that describe the file, not what it says
_NOT_CONTENT = ("file", "sha256", "format", "dq", "evidence")


def _nfkc(text: str) -> str:
    # NFKC folds full-width brackets, digits, letters and the ideographic space to half-width
    return unicodedata.normalize("NFKC", text)


def normalise_name(text: str | None) -> str | None:
    """Width-folded text without spaces, or None when nothing is left."""
    if text is None:
        return None
    out = _SPACES.sub("", _nfkc(text))
    return out or None


def normalise_department(name: str | None, region_names: Iterable[str | None] = ()) -> str | None:
    """A unit name without region prefix, 汇总 suffix, spaces or full-width brackets.

    Applied to the report's `department`, which the parser already normalised
    (flows/reports/names.py); this folds widths and spaces on top, so two spellings meet, and does
    the same to department_full and the alias file's names. Only the report's own region names
    are stripped: a generic "…区" pattern would eat the
    "地区" of 地区工作办公室.
    """
    text = normalise_name(name)
    if text is None:
        return None
    prefixes = sorted({p for p in (normalise_name(r) for r in region_names) if p}, key=len, reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix) :]
                stripped = True
    text = strip_consolidated(text)
    return text or None


def department_scope(province: str | None, city: str | None, district: str | None) -> str:
    """The place a department name is unique within: the district, else the city, else the province."""
    return normalise_name(district) or normalise_name(city) or normalise_name(province) or ""


def report_department_norm(report: Report) -> str | None:
    r = report.region
    return normalise_department(report.department or report.department_full, (r.province, r.city, r.district))


def _digest(*parts: Any) -> str:
    blob = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def report_key(report: Report) -> str:
    """Stable natural key of a report across versions.

    Uses the department name before aliases, so editing the alias file never turns a
    stored report into a "new" one; consolidated is part of it because a unit may publish
    its 汇总 report and its own (本级) report for the same year.
    """
    r = report.region
    return _digest(
        normalise_name(r.province),
        normalise_name(r.city),
        normalise_name(r.district),
        normalise_name(r.street),
        report_department_norm(report),
        report.fiscal_year,
        report.kind,
        bool(report.consolidated),
        normalise_name(report.project_name),
    )[:32]


def _canonical(value: Any) -> Any:
    # round floats so 8177.5 万元 × 10000 parsed from two formats cannot differ in the last bit
    if isinstance(value, float):
        rounded = round(value, 6)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def content_hash(report: Report) -> str:
    """Hash of what the report says, not of the file it came in."""
    body = {k: v for k, v in report.to_contract().items() if k not in _NOT_CONTENT}
    blob = json.dumps(_canonical(body), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def report_id(key: str, content: str) -> str:
    return hashlib.sha256(f"{key}:{content}".encode()).hexdigest()[:16]
