"""What an alert says: the run, then each new finding with its report, check, evidence and the
report site's page that shows it. One message, rendered per service."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.alerts.summary import RunSummary

MAX_FINDINGS = 10  # more go behind the "and N more" link: a chat message is not a report


@dataclass(slots=True)
class Item:
    severity: str
    check: str
    report: str  # department · district · year
    message: str
    evidence: str = ""
    source_url: str = ""
    link: str = ""  # the report site's page for it


@dataclass(slots=True)
class Alert:
    title: str
    status: str  # error, warning
    lines: list[str] = field(default_factory=list)  # run-level lines: health, rejected, crawl errors
    items: list[Item] = field(default_factory=list)
    more: int = 0  # findings not listed
    link: str = ""  # the site's data-quality page


def site_link(site_url: str | None, site_dir: Path | None, page: str) -> str:
    """A page of the report site: under GOVPERF_SITE_URL when the site is published, else the
    local file (useful on the machine that ran, and says where to look)."""
    if site_url:
        return site_url.rstrip("/") + "/" + page
    if site_dir is not None:
        path, _, anchor = page.partition("#")
        return (Path(site_dir).resolve() / path).as_uri() + (f"#{anchor}" if anchor else "")
    return ""


def _report_name(f: dict[str, Any]) -> str:
    parts = [f.get("department") or "(unknown unit)", f.get("district"), f.get("fiscal_year")]
    return " · ".join(str(p) for p in parts if p)


def run_alert(
    summary: RunSummary, status: str, *, site_url: str | None = None, site_dir: Path | None = None
) -> Alert:
    errors = [f for f in summary.findings if f["severity"] == "error"]
    warnings = [f for f in summary.findings if f["severity"] != "error"]
    title = f"govperf {summary.run_id}: {len(errors)} new error(s), {len(warnings)} new warning(s)"
    alert = Alert(title=title, status=status, link=site_link(site_url, site_dir, "quality.html"))
    for h in summary.health:
        alert.lines.append(f"run health {h.get('severity', 'warning')}: {h.get('check')}: {h.get('message')}")
    for r in summary.rejected:
        alert.lines.append(f"rejected document ({r.get('kind')}): {r.get('url')}: {r.get('message')}")
    for e in summary.crawl_errors:
        alert.lines.append(f"crawl error ({e.get('kind')}): {e.get('url')}: {e.get('message')}")
    for f in (errors + warnings)[:MAX_FINDINGS]:
        alert.items.append(
            Item(
                severity=f["severity"],
                check=f["check"],
                report=_report_name(f),
                message=f.get("message") or "",
                evidence=" ".join((f.get("evidence") or "").split()),
                source_url=f.get("source_url") or f.get("page_url") or "",
                link=site_link(site_url, site_dir, f"quality.html#report-{f.get('report_id')}"),
            )
        )
    alert.more = max(0, len(errors) + len(warnings) - MAX_FINDINGS)
    return alert


def failure_alert(
    run_name: str, reason: str, *, site_url: str | None = None, site_dir: Path | None = None
) -> Alert:
    return Alert(
        title=f"govperf run {run_name} failed",
        status="error",
        lines=[reason],
        link=site_link(site_url, site_dir, "index.html"),
    )


def plain_text(alert: Alert) -> str:
    """The alert as plain text (e-mail, and the fallback of every service)."""
    out = [alert.title, ""]
    out += alert.lines + ([""] if alert.lines else [])
    for it in alert.items:
        out.append(f"[{it.severity}] {it.check}: {it.report}")
        out.append(f"  {it.message}")
        if it.evidence:
            out.append(f"  evidence: “{it.evidence}”")
        if it.source_url:
            out.append(f"  source: {it.source_url}")
        if it.link:
            out.append(f"  report site: {it.link}")
        out.append("")
    if alert.more:
        out.append(f"… and {alert.more} more finding(s).")
    if alert.link:
        out.append(f"Data quality: {alert.link}")
    return "\n".join(out).rstrip() + "\n"


# text from a document must not become markup, links or headings in the chat; the bots' Markdown
# dialects differ on backslash escapes, so the marks become their full-width forms (read the same)
# (underscores stay: names like no_such_source read as they are, and a word-inner _ is no markup)
_MD_SPECIAL = str.maketrans("[]()<>*`#|~", "［］（）＜＞＊｀＃｜～")


def _md(text: str) -> str:
    return " ".join(text.split()).translate(_MD_SPECIAL)


def _md_link(text: str, url: str) -> str:
    if not url.startswith(("http://", "https://", "file://")):
        return _md(url)
    return f"[{_md(text)}]({url.replace(' ', '%20').replace(')', '%29')})"


def markdown(alert: Alert) -> str:
    """The alert in the Markdown subset DingTalk and WeCom bots render."""
    out = [f"### {_md(alert.title)}", ""]
    out += [f"- {_md(line)}" for line in alert.lines]
    for it in alert.items:
        out.append("")
        out.append(f"**{it.severity}** `{it.check}` {_md(it.report)}")
        out.append("")
        out.append(_md(it.message))
        if it.evidence:
            out.append("")
            out.append(f"> {_md(it.evidence)}")
        links = [
            _md_link("source document", it.source_url) if it.source_url else "",
            _md_link("report site", it.link) if it.link else "",
        ]
        if any(links):
            out.append("")
            out.append(" · ".join(x for x in links if x))
    if alert.more:
        out += ["", f"… and {alert.more} more finding(s)."]
    if alert.link:
        out += ["", _md_link("Data quality page", alert.link)]
    return "\n".join(out) + "\n"
