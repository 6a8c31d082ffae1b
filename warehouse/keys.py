"""Identity of departments and reports: department_key, report_key, content_hash, report_id.

All pure functions of a parsed report, so the same document parsed twice (or from its
PDF and its DOCX) gets the same identifiers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.reports.model import Report

DEFAULT_ALIASES_CSV = (
    Path(__file__).resolve().parent.parent / "dbt_like_sql" / "seeds" / "department_aliases.csv"
)

# 汇总 marks the consolidated report of a unit and its subordinates; it is the same department
_CONSOLIDATED_SUFFIX = re.compile(r"\(?汇总\)?$")
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

    Only the report's own region names are stripped: a generic "…区" pattern would eat the
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
    text = _CONSOLIDATED_SUFFIX.sub("", text)
    return text or None


def department_scope(province: str | None, city: str | None, district: str | None) -> str:
    """The place a department name is unique within: the district, else the city, else the province."""
    return normalise_name(district) or normalise_name(city) or normalise_name(province) or ""


@dataclass(frozen=True, slots=True)
class Alias:
    district: str
    alias: str
    canonical: str
    alias_norm: str
    canonical_norm: str


def read_aliases(path: Path = DEFAULT_ALIASES_CSV) -> list[Alias]:
    """The alias file (columns district, alias, canonical), normalised, chains resolved (A→B, B→C gives A→C)."""
    if not path.exists():
        return []
    rows: list[Alias] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"district", "alias", "canonical"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for lineno, raw in enumerate(reader, start=2):
            district = normalise_name(raw["district"])
            alias = normalise_department(raw["alias"], [district])
            canonical = normalise_department(raw["canonical"], [district])
            if not (district and alias and canonical):
                raise ValueError(f"{path}:{lineno}: district, alias and canonical must all be given")
            rows.append(Alias(district, raw["alias"].strip(), raw["canonical"].strip(), alias, canonical))
    return _resolve_chains(rows, path)


def _resolve_chains(rows: list[Alias], path: Path) -> list[Alias]:
    mapping = {(a.district, a.alias_norm): a.canonical_norm for a in rows if a.alias_norm != a.canonical_norm}
    out: list[Alias] = []
    for a in rows:
        target, seen = a.canonical_norm, {a.alias_norm}
        while (a.district, target) in mapping:
            if target in seen:
                raise ValueError(f"{path}: alias cycle in {a.district} through {target}")
            seen.add(target)
            target = mapping[(a.district, target)]
        out.append(Alias(a.district, a.alias, a.canonical, a.alias_norm, target))
    return out


AliasMap = Mapping[tuple[str, str], str]


def alias_map(aliases: Iterable[Alias]) -> dict[tuple[str, str], str]:
    return {(a.district, a.alias_norm): a.canonical_norm for a in aliases}


def department_key(scope: str, department_norm: str | None, aliases: AliasMap) -> str | None:
    """scope + '/' + canonical name; must agree with the UPDATE in warehouse/build.py."""
    if department_norm is None:
        return None
    return f"{scope}/{aliases.get((scope, department_norm), department_norm)}"


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
