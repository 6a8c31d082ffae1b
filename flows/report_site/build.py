"""Build the report site: one folder of static pages from the warehouse marts.

The pages are written into a fresh folder beside the old site and swapped in, so a reader with
the site open sees the old pages or the new ones, never half of each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from flows.report_site import charts
from flows.report_site.data import Row, SiteData, read_site_data

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LOWEST = 10  # department-years listed as lowest and as biggest falls
MISSED_LISTED = 300  # missed indicators listed on the indicators page (all are on department pages)


@dataclass(slots=True)
class SiteBuild:
    index: Path
    pages: int
    charts: int
    seconds: float
    page_seconds: dict[str, float] = field(default_factory=dict)


def slug(key: str) -> str:
    """A file name for a district or department: the key's hash (any text, any length, no path tricks)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def http_url(url: Any) -> str | None:
    """The URL when it is http(s), else None: a document's link may say javascript:… too."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _wan(value: Any) -> str:
    return "" if value is None else f"{value / 10_000:,.2f}"


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.2f}%"


def _pp(value: Any) -> str:
    return "" if value is None else f"{value:+.2f} pp"


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # every string from a document is hostile: escaped everywhere, no exceptions by file name
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(wan=_wan, pct=_pct, pp=_pp, when=_when, http_url=http_url, slug=slug)
    return env


def _group(rows: list[Row], key: str) -> dict[Any, list[Row]]:
    out: dict[Any, list[Row]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r)
    return out


class _Writer:
    def __init__(self, env: jinja2.Environment, root: Path, common: dict[str, Any]) -> None:
        self.env, self.root, self.common = env, root, common
        self.pages = 0
        self.charts = 0

    def page(self, template: str, path: str, **context: Any) -> None:
        depth = path.count("/")
        html = self.env.get_template(template).render(
            **self.common, **context, root="../" * depth, page_path=path
        )
        self.charts += html.count('<figure class="chart"')
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.pages += 1


def _department_pages(data: SiteData) -> list[dict[str, Any]]:
    """One entry per department_key of a current report: its years, lines, indicators, documents."""
    reports = _group([r for r in data.reports if r["department_key"]], "department_key")
    years = _group(data.department_years, "department_key")
    lines = _group(data.budget_lines, "report_id")
    indicators = _group(data.indicators, "report_id")
    findings = _group(data.findings, "report_id")
    out = []
    for key, docs in sorted(reports.items()):
        docs = sorted(docs, key=lambda r: (r["fiscal_year"] or 0, r["kind"] or "", r["report_id"]))
        out.append(
            {
                "key": key,
                "department": docs[-1]["department"],
                "district": docs[-1]["district"],
                "street": docs[-1]["street"],
                "years": years.get(key, []),
                "reports": [
                    {
                        **d,
                        "lines": lines.get(d["report_id"], []),
                        "missed": [i for i in indicators.get(d["report_id"], []) if i["met"] is False],
                        "indicator_count": len(indicators.get(d["report_id"], [])),
                        "findings": findings.get(d["report_id"], []),
                    }
                    for d in docs
                ],
            }
        )
    return out


def _falls(department_years: list[Row]) -> list[Row]:
    falls = [r for r in department_years if r["rate_change_pp"] is not None and r["rate_change_pp"] < 0]
    return sorted(falls, key=lambda r: r["rate_change_pp"])[:LOWEST]


def _quarantined(data: SiteData) -> list[dict[str, Any]]:
    by_report = _group(data.findings, "report_id")
    return [
        # errors first: they are why it is held out
        {**q, "findings": sorted(by_report.get(q["report_id"], []), key=lambda f: f["severity"] != "error")}
        for q in data.quarantine
    ]


def _flagged(data: SiteData) -> list[dict[str, Any]]:
    """Reports with findings that are not quarantined (warnings only), each with its findings."""
    quarantined = {q["report_id"] for q in data.quarantine}
    catalog = {r["report_id"]: r for r in data.reports}
    out = []
    for report_id, fs in _group(data.findings, "report_id").items():
        if report_id in quarantined:
            continue
        out.append({**catalog.get(report_id, fs[0]), "report_id": report_id, "findings": fs})
    return sorted(
        out, key=lambda r: (r.get("district") or "", r.get("department") or "", r.get("fiscal_year") or 0)
    )


def render_site(
    data: SiteData,
    out_dir: Path,
    *,
    docs_index: Path | None = None,
    health: list[dict[str, Any]] | None = None,
    built_at: dt.datetime | None = None,
    final_dir: Path | None = None,
    sections: frozenset[str] | None = None,
) -> SiteBuild:
    """Write every page of the site for `data` into out_dir (which must not exist); links that
    leave the site (the Data Docs) are made relative to final_dir, where it will be read.
    sections: only these parts (overview, execution, indicators, quality, districts,
    departments) are written."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True)
    shutil.copytree(STATIC, out_dir / "static")
    built_at = built_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    last_run = data.last_run
    new_since = min((r["started"] for r in last_run), default=None)
    departments = _department_pages(data)
    districts = sorted({r["district"] for r in data.reports if r["district"]})
    common = {
        "built_at": built_at,
        "docs_href": Path(os.path.relpath(docs_index, final_dir or out_dir)).as_posix()
        if docs_index and docs_index.is_file()
        else None,
        "district_names": districts,
    }
    w = _Writer(environment(), out_dir, common)
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], None]) -> None:
        if sections is not None and name not in sections:
            return
        t = time.perf_counter()
        fn()
        timings[name] = round(time.perf_counter() - t, 3)

    heatmap = (
        charts.execution_heatmap(data.district_years) if sections is None or "overview" in sections else None
    )
    timed(
        "overview",
        lambda: w.page(
            "overview.html",
            "index.html",
            title="Overview",
            counts={
                "reports": len(data.reports),
                "quarantined": len(data.quarantine),
                "districts": len(districts),
                "departments": len(departments),
                "years": sorted({r["fiscal_year"] for r in data.reports if r["fiscal_year"]}),
                "sources": sorted({r["source"] for r in data.reports if r["source"]}),
            },
            last_run=last_run,
            health=health or [],
            new_findings=[f for f in data.findings if new_since and f["detected_at"] >= new_since],
            heatmap=heatmap,
        ),
    )
    rated = [r for r in data.department_years if r["rate"] is not None]
    timed(
        "execution",
        lambda: w.page(
            "execution.html",
            "execution.html",
            title="Execution",
            district_years=data.district_years,
            heatmap=heatmap,
            strip=charts.department_rate_strip(data.department_years),
            lowest=sorted(rated, key=lambda r: r["rate"])[:LOWEST],
            falls=_falls(data.department_years),
        ),
    )
    missed = [i for i in data.indicators if i["met"] is False]
    timed(
        "indicators",
        lambda: w.page(
            "indicators.html",
            "indicators.html",
            title="Indicators",
            missed_chart=charts.most_missed(data.indicators),
            missed=missed[:MISSED_LISTED],
            missed_total=len(missed),
            compared=sum(1 for i in data.indicators if i["met"] is not None),
            total=len(data.indicators),
        ),
    )
    timed(
        "quality",
        lambda: w.page(
            "quality.html",
            "quality.html",
            title="Data quality",
            over_time=charts.findings_over_time(data.findings),
            by_source=charts.findings_by_source(data.findings),
            quarantined=_quarantined(data),
            flagged=_flagged(data),
            findings=data.findings,
        ),
    )

    def district_pages() -> None:
        by_district = _group(data.district_years, "district")
        depts = _group(departments, "district")
        quarantined = _group(data.quarantine, "district")
        for name in districts:
            w.page(
                "district.html",
                f"districts/{slug(name)}.html",
                title=name,
                district=name,
                years=by_district.get(name, []),
                rate_chart=charts.district_years_bars(by_district.get(name, [])),
                departments=depts.get(name, []),
                quarantined=quarantined.get(name, []),
            )

    def department_pages() -> None:
        for d in departments:
            w.page("department.html", f"departments/{slug(d['key'])}.html", title=d["department"], d=d)

    timed("districts", district_pages)
    timed("departments", department_pages)
    return SiteBuild(
        index=out_dir / "index.html",
        pages=w.pages,
        charts=w.charts,
        seconds=round(time.perf_counter() - started, 3),
        page_seconds=timings,
    )


def build_site(
    db_path: Path,
    site_dir: Path,
    *,
    docs_index: Path | None = None,
    health: list[dict[str, Any]] | None = None,
    chart_cache: Path | None = None,
) -> SiteBuild:
    """Read the marts (read-only) and write the site into site_dir, replacing the old one whole.
    With chart_cache (a folder outside the site), charts drawn by an earlier build with the same
    data are taken from there instead of drawn again."""
    site_dir = Path(site_dir)
    data = read_site_data(db_path)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    work = site_dir.with_name(f"{site_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    try:
        with charts.svg_cache(chart_cache) if chart_cache else contextlib.nullcontext() as drawn:
            built = render_site(data, work, docs_index=docs_index, health=health, final_dir=site_dir)
        if drawn is not None:
            drawn.prune()
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    if site_dir.exists():
        site_dir.rename(old)
    work.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
    built.index = site_dir / "index.html"
    return built


# the pages that show the latest run (its counts, its health alerts, findings by day)
RUN_PAGES = frozenset({"overview", "quality"})


def refresh_run_pages(
    db_path: Path,
    site_dir: Path,
    *,
    docs_index: Path | None = None,
    health: list[dict[str, Any]] | None = None,
    chart_cache: Path | None = None,
) -> SiteBuild:
    """After a night that changed no report, finding or line: only the pages that show the latest
    run are written again (each replaced whole); the others hold the same data as before. A site
    that is not there yet is built whole."""
    site_dir = Path(site_dir)
    if not (site_dir / "index.html").is_file():
        return build_site(db_path, site_dir, docs_index=docs_index, health=health, chart_cache=chart_cache)
    data = read_site_data(db_path, details=False)
    work = site_dir.with_name(f"{site_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    try:
        with charts.svg_cache(chart_cache) if chart_cache else contextlib.nullcontext():
            built = render_site(
                data, work, docs_index=docs_index, health=health, final_dir=site_dir, sections=RUN_PAGES
            )
        for page in work.rglob("*.html"):
            os.replace(page, site_dir / page.relative_to(work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    built.index = site_dir / "index.html"
    return built
