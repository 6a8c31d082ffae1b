"""Run-level alerts no single report can raise: a source whose lists yield nothing, and a
district-year that had reports in the warehouse this run no longer finds.

Plain functions of the crawl outcomes, this run's records and the warehouse's current reports
(expectations.current, read before the load); the flow puts what they find in the summary,
the artifact and the webhook.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import polars as pl

from flows.contract import keys
from flows.contract.report import ReportRecord


@dataclass(frozen=True, slots=True)
class HealthFinding:
    check: str  # source_yields_no_documents | district_year_lost_reports
    severity: Literal["error", "warning"]
    source: str
    message: str
    district: str | None = None
    fiscal_year: int | None = None
    urls: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["urls"] = list(self.urls)
        return d


def empty_sources(crawls: Iterable[Any]) -> list[HealthFinding]:
    """Sources that yielded no document this run: a site that changed its layout (its list
    items no longer match the selector, or the title filter no longer matches) or one that
    could not be reached. Either way nothing new arrives, silently, unless this says so.

    `crawls` are flows.crawl.run.CrawlOutcome (source, list_pages, links, documents, errors).
    """
    out = []
    for c in crawls:
        if c.documents:
            continue
        if c.list_pages == 0:
            why = "no list page could be fetched"
        elif c.links == 0:
            why = f"{c.list_pages} list page(s) fetched but no report link found on them"
        else:
            why = f"{c.links} report link(s) found but no document could be fetched"
        kinds = sorted({e.get("kind") or "?" for e in c.errors})
        if kinds:
            why += f" (errors: {', '.join(kinds)})"
        out.append(
            HealthFinding(
                "source_yields_no_documents",
                "error",
                c.source,
                f"{c.source}: {why}; has the site changed its layout?",
                urls=tuple(dict.fromkeys(e.get("url") for e in c.errors if e.get("url"))),
            )
        )
    return out


def lost_reports(
    current: pl.DataFrame,
    records: Iterable[ReportRecord],
    sources: Iterable[str],
    *,
    walked_in_full: Iterable[str] | None = None,
    fetched_urls: Iterable[str] = (),
    rejected_urls: Iterable[str] = (),
) -> list[HealthFinding]:
    """District-years whose current reports in the warehouse this run did not find again.

    `current` has report_key, source, district, fiscal_year, department, location (as read
    by expectations.current); only the `sources` this run crawled are compared. A report is
    lost when no record of this run has its natural key: its page was taken down, or it no
    longer parses to the same unit and year, or it no longer parses at all.

    For a source not `walked_in_full` (incremental discovery stops at a list page of known
    links; default: all walked in full) only the reports whose document this run fetched
    again (`fetched_urls`) are compared: the others were not looked at, not lost.
    """
    return lost_report_keys(
        current,
        {keys.report_key(r.report) for r in records},
        sources,
        walked_in_full=walked_in_full,
        fetched_urls=fetched_urls,
        rejected_urls=rejected_urls,
    )


def lost_report_keys(
    current: pl.DataFrame,
    found: set[str],
    sources: Iterable[str],
    *,
    walked_in_full: Iterable[str] | None = None,
    fetched_urls: Iterable[str] = (),
    rejected_urls: Iterable[str] = (),
) -> list[HealthFinding]:
    """lost_reports, given the report keys the run found (a night too big to hold its records)."""
    ran = set(sources)
    full = ran if walked_in_full is None else set(walked_in_full)
    fetched = set(fetched_urls)
    rejected = set(rejected_urls)
    stored = current.filter(
        pl.col("source").is_in(list(ran))
        & (pl.col("source").is_in(list(full)) | pl.col("location").is_in(list(fetched)))
    )
    missing = stored.filter(~pl.col("report_key").is_in(list(found)))
    if missing.is_empty():
        return []
    totals = {
        (r["source"], r["district"], r["fiscal_year"]): r["len"]
        for r in stored.group_by("source", "district", "fiscal_year").len().iter_rows(named=True)
    }
    out = []
    for (source, district, year), group in sorted(
        missing.group_by("source", "district", "fiscal_year"),
        key=lambda kv: tuple(str(k) for k in kv[0]),
    ):
        held = totals[(source, district, year)]
        lost = group.sort("department", nulls_last=True)
        names = ", ".join(
            f"{row['department']}{' (its document is now rejected)' if row['location'] in rejected else ''}"
            for row in lost.iter_rows(named=True)
        )
        out.append(
            HealthFinding(
                "district_year_lost_reports",
                "warning",
                source,
                f"{district or '?'} {year or '?'}: {lost.height} of the {held} current report(s) the warehouse "
                f"holds from {source} were not found this run: {names}",
                district=district,
                fiscal_year=year,
                urls=tuple(u for u in lost["location"].to_list() if u),
            )
        )
    return out
