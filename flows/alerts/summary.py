"""What a run did, for the operator: counts per source, quarantined reports, rejected documents."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class SourceSummary:
    source: str
    list_pages: int = 0
    links: int = 0
    requests: int = 0
    not_modified: int = 0
    bodies_downloaded: int = 0
    documents: int = 0
    reports: int = 0
    rejected: int = 0
    reports_new: int = 0
    reports_changed: int = 0
    reports_unchanged: int = 0
    reports_quarantined: int = 0
    errors: int = 0


@dataclass(slots=True)
class RunSummary:
    run_id: str
    started: str
    finished: str = ""
    sources: list[SourceSummary] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # new data-quality findings
    rejected: list[dict[str, Any]] = field(default_factory=list)  # documents with no report
    crawl_errors: list[dict[str, Any]] = field(default_factory=list)
    district_year: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    warehouse: str = ""
    # run-level alerts (expectations/health.py): a source that yielded nothing, a district-year that lost reports
    health: list[dict[str, Any]] = field(default_factory=list)
    docs: str = ""  # the GX Data Docs index page of the run
    site: str = ""  # the report site's index page, built after the load

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def finding_rows(s: RunSummary) -> list[dict[str, Any]]:
    """One row per run-health alert and new finding, for the Prefect table artifact."""
    rows = [
        {
            "severity": h["severity"],
            "check": h["check"],
            "source": h["source"],
            "district": h.get("district"),
            "fiscal_year": h.get("fiscal_year"),
            "message": h["message"],
            "url": " ".join(h.get("urls") or []),
        }
        for h in s.health
    ]
    rows += [
        {
            "severity": f["severity"],
            "check": f["check"],
            "department": f.get("department"),
            "district": f.get("district"),
            "fiscal_year": f.get("fiscal_year"),
            "field": f.get("field"),
            "message": f["message"],
            "url": f.get("source_url"),
        }
        for f in s.findings
    ]
    return rows


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def to_markdown(s: RunSummary) -> str:
    lines = [
        f"# govperf run {s.run_id}",
        "",
        f"{s.started} → {s.finished} · warehouse `{s.warehouse}`",
        "",
        _table(
            [
                "source",
                "requests",
                "304",
                "downloaded",
                "documents",
                "reports",
                "new",
                "changed",
                "unchanged",
                "quarantined",
                "rejected",
                "errors",
            ],
            [
                [
                    x.source,
                    x.requests,
                    x.not_modified,
                    x.bodies_downloaded,
                    x.documents,
                    x.reports,
                    x.reports_new,
                    x.reports_changed,
                    x.reports_unchanged,
                    x.reports_quarantined,
                    x.rejected,
                    x.errors,
                ]
                for x in s.sources
            ],
        ),
    ]
    if s.health:
        lines += ["", f"## Run health: {len(s.health)} alert(s)", ""]
        lines += [f"- **{h['severity']}** {h['check']}: {h['message']}" for h in s.health]
    errors = [f for f in s.findings if f["severity"] == "error"]
    warnings = [f for f in s.findings if f["severity"] != "error"]
    lines += ["", f"## Data quality: {len(errors)} errors, {len(warnings)} warnings (new this run)"]
    if s.findings:
        lines += [
            "",
            _table(
                ["severity", "check", "department", "year", "field", "message", "source"],
                [
                    [
                        f["severity"],
                        f["check"],
                        f.get("department"),
                        f.get("fiscal_year"),
                        f["field"],
                        f["message"],
                        f.get("source_url"),
                    ]
                    for f in s.findings
                ],
            ),
        ]
    if s.site:
        lines += ["", f"Report site: `{s.site}`"]
    if s.docs:
        lines += ["", f"Data Docs: `{s.docs}`"]
    if s.rejected:
        lines += ["", f"## Rejected documents: {len(s.rejected)}", ""]
        lines += [f"- {r['kind']}: {r['url']} — {r['message']}" for r in s.rejected]
    if s.crawl_errors:
        lines += ["", f"## Crawl errors: {len(s.crawl_errors)}", ""]
        lines += [f"- {e.get('kind')}: {e.get('url')} — {e.get('message')}" for e in s.crawl_errors]
    if s.district_year:
        keys = list(s.district_year[0])
        lines += ["", "## District × year", "", _table(keys, [[r[k] for k in keys] for r in s.district_year])]
    return "\n".join(lines) + "\n"
