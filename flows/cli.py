"""govperf: the command line. It translates arguments and errors; the work is in the steps."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.file_proxy import FileProxy
from rich.table import Table
from rich.text import Text

from flows.deploy import NoServerError

# the light module: warehouse.db would import DuckDB and polars into every command, `extract` too
from warehouse.errors import WarehouseError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Budget-performance self-evaluation reports → DuckDB."
)
# piped output (logs, CI, README transcripts) gets a wide table rather than rich's 80 columns.
# No markup, no highlighting: what we print comes from sites, documents and analysts' queries,
# and a "[/]" in a publisher's name must print as itself (styles are given as Text styles)
console = Console(width=None if sys.stdout.isatty() else 160, markup=False, highlight=False, emoji=False)
err = Console(stderr=True, markup=False, highlight=False, emoji=False)


def plain(value: object) -> Text:
    """Text from anywhere, safe to print: control characters shown as \\xNN, never as markup."""
    from flows.analyst.output import printable

    return Text(printable("" if value is None else str(value)))


def _error(message: object) -> None:
    err.print(Text.assemble(("error:", "red"), " ", plain(message)), soft_wrap=True)


def _notice(label: str, message: object, style: str = "yellow") -> None:
    err.print(Text.assemble((label, style), " ", plain(message)), soft_wrap=True)


# options several commands share, declared once
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Source name (repeatable); default all enabled.")
]
BaseUrlOption = Annotated[
    str | None, typer.Option(help="Serve the sources from another base URL (a mirror).")
]
SourcesDirsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--sources",
        help="A folder of your own source files (repeatable), merged with the bundled ones and "
        "GOVPERF_SOURCES_DIR's.",
    ),
]


def _dirs(folders: list[Path] | None) -> list[str] | None:
    return [str(f.resolve()) for f in folders] if folders else None


# the demo mirror's five site families (flows/mirror/): static, static GBK, script (TRS), Hanweb
# data proxy, JSON API
MIRROR_SOURCES = ["minhang_mirror", "donghu_mirror", "nanshan_mirror", "xihu_mirror", "heping_mirror"]


class _OneLineForOperationalErrors(logging.Filter):
    """Prefect logs a failed task's and flow's traceback; for an operational failure (warehouse
    busy or damaged, disk full) the message is the whole story: print it without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], WarehouseError):
            record.exc_info = None
            record.exc_text = None
        return True


@contextlib.contextmanager
def _run_guard() -> Iterator[None]:
    """What every flow run from the command line needs: SIGTERM unwinds like Ctrl-C (so the
    temporary server, the mirror and a half-built warehouse are cleaned up), Prefect's own
    tracebacks of operational failures are cut to their message, and a Prefect server that
    ends with this process (flows/deploy.py)."""
    from flows.deploy import temporary_server

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    one_line = _OneLineForOperationalErrors()
    handlers = [h for name in ("", "prefect") for h in logging.getLogger(name).handlers]
    for h in handlers:
        h.addFilter(one_line)
    try:
        with temporary_server() as server:
            if server is not None:
                err.print(plain(f"temporary Prefect server on {server[0]} (pid {server[1]})"))
            yield
    finally:
        for h in handlers:
            h.removeFilter(one_line)
        signal.signal(signal.SIGTERM, previous)


def _operational_failure(e: Exception) -> None:
    """One line, exit 1. The frames the error holds are cleared: they hold the build's DuckDB
    connection, which would otherwise be reported as leaked when the interpreter exits."""
    _error(e)
    chained: BaseException | None = e
    while chained is not None:
        traceback.clear_frames(chained.__traceback__)
        chained = chained.__cause__ or chained.__context__
    raise typer.Exit(1) from None


def _quiet_prefect() -> None:
    # INFO: the flow's own log lines are the progress report of a run
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # the temporary server's 20 s default was not enough on a loaded 2-core machine (seen: the
    # demo failed with "Timed out while attempting to connect to ephemeral Prefect API server")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


class _AboveTheBars(FileProxy):
    """Lines written here print above the progress bars.

    A rich Console given a plain FileProxy as its file writes to the file behind it (rich
    unwraps proxies through `rich_proxied_file`), past the bars; hiding that attribute keeps
    Prefect's log console writing through the proxy.
    """

    @property
    def rich_proxied_file(self):  # type: ignore[override]
        raise AttributeError("rich_proxied_file")


@contextlib.contextmanager
def _progress_bars() -> Iterator[None]:
    """Rich progress bars fed by the pipeline's steps, on a terminal only (logs and CI get none)."""
    if not console.is_terminal:
        yield
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from flows.progress import set_progress

    bars = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def hook(label: str, advance: int, total: int | None) -> None:
        if label not in tasks:
            tasks[label] = bars.add_task(label, total=total)
        elif total is not None:
            bars.update(tasks[label], total=total)
        bars.advance(tasks[label], advance)

    # Prefect's console handlers write to the terminal behind the bars' back; routed through the
    # bars' console, their lines print above the bars instead of through them
    handlers = [
        h
        for name in ("", "prefect")
        for h in logging.getLogger(name).handlers
        if isinstance(getattr(h, "console", None), Console)
    ]
    files = [h.console.file for h in handlers]
    set_progress(hook)
    try:
        with bars:
            for h, f in zip(handlers, files, strict=True):
                h.console.file = _AboveTheBars(bars.console, f)
            yield
    finally:
        for h, f in zip(handlers, files, strict=True):
            h.console.file = f
        set_progress(None)


def _print_rows(columns: list[str], rows: list[tuple], title: str | None = None) -> None:
    from flows.analyst.output import print_table

    print_table(console, columns, rows, title)


def _print_summary(summary: dict, seconds: float) -> None:
    sources = summary["sources"]
    _print_rows(
        [
            "source",
            "list pages",
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
        ],
        [
            (
                s["source"],
                s["list_pages"],
                s["requests"],
                s["not_modified"],
                s["bodies_downloaded"],
                s["documents"],
                s["reports"],
                s["reports_new"],
                s["reports_changed"],
                s["reports_unchanged"],
                s["reports_quarantined"],
                s["rejected"],
            )
            for s in sources
        ],
        title=f"run {summary['run_id']}",
    )
    total = {
        k: sum(s[k] for s in sources)
        for k in ("links", "documents", "reports", "reports_quarantined", "rejected")
    }
    console.print(
        f"discovered {total['links']} report pages · fetched {total['documents']} documents · "
        f"parsed {total['reports']} reports · quarantined {total['reports_quarantined']} · "
        f"rejected {total['rejected']} · {seconds:.1f} s"
    )
    if summary["findings"]:
        _print_rows(
            ["severity", "check", "department", "year", "message"],
            [
                (f["severity"], f["check"], f["department"], f["fiscal_year"], f["message"])
                for f in summary["findings"]
            ],
            title="new data-quality findings",
        )
    if summary["district_year"]:
        keys = list(summary["district_year"][0])
        _print_rows(
            keys,
            [tuple(r[k] for k in keys) for r in summary["district_year"]],
            title="marts.district_year_summary",
        )
    for alert in summary.get("health", []):
        _notice(str(alert.get("severity", "warning")), f"{alert.get('check')}: {alert.get('message')}")
    for doc in summary["rejected"]:
        _notice("rejected", f"{doc['kind']}: {doc['url']} — {doc['message']}")
    console.print(plain(f"warehouse: {summary['warehouse']}"))
    if summary.get("docs"):
        console.print(plain(f"data docs: {summary['docs']}"))
    if summary.get("site"):
        console.print(plain(f"report site: {summary['site']}"))


DEMO_PORT = 8731  # the mirror sources' base_url: a second demo on the same port fetches incrementally


def _mirror_on_its_port(serve):
    try:
        return serve(port=DEMO_PORT)
    except OSError:  # taken: any free port (the run is then not incremental)
        return serve()


@app.command()
def demo(
    home: Annotated[Path | None, typer.Option(help="Data folder (default: GOVPERF_HOME or ./data).")] = None,
) -> None:
    """Serve the bundled mirror of five government site families on 127.0.0.1 and run the nightly flow against it."""
    _quiet_prefect()
    from flows.mirror.server import serve_mirror

    started = time.perf_counter()
    with console.status("starting the mirror site and Prefect…"):
        mirror = _mirror_on_its_port(serve_mirror)
        from flows.nightly import nightly
    try:
        console.print(plain(f"mirror serving at {mirror.base_url}"))
        with _run_guard(), _progress_bars():
            summary = nightly(
                sources=MIRROR_SOURCES, base_url=mirror.base_url, home=str(home) if home else None
            )
    except (WarehouseError, NoServerError) as e:
        _operational_failure(e)
    finally:
        mirror.stop()
    _print_summary(summary, time.perf_counter() - started)


@app.command()
def run(
    source: SourceOption = None,
    base_url: BaseUrlOption = None,
    sources_dirs: SourcesDirsOption = None,
    home: Annotated[Path | None, typer.Option(help="Data folder.")] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            help="Walk every list page and download and parse everything again (default: only what changed)."
        ),
    ] = False,
) -> None:
    """Run the nightly flow once, now: incremental (only what changed since the last run)."""
    _quiet_prefect()
    from flows.nightly import nightly

    started = time.perf_counter()
    try:
        with _run_guard(), _progress_bars():
            summary = nightly(
                sources=source,
                base_url=base_url,
                home=str(home) if home else None,
                full_refresh=full_refresh,
                sources_dirs=_dirs(sources_dirs),
            )
    except (WarehouseError, NoServerError) as e:
        _operational_failure(e)
    except ValueError as e:
        _error(f"{e}")
        raise typer.Exit(2) from e
    _print_summary(summary, time.perf_counter() - started)


@app.command()
def extract(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Report files: html, pdf, docx, doc, xlsx, xls, txt.")
    ] = None,
    json_lines: Annotated[
        bool, typer.Option("--json", help="Print JSON Lines (one report per line).")
    ] = False,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of a --json line and exit.")
    ] = False,
) -> None:
    """Parse and check report files; exit 1 if any file was rejected."""
    if schema:
        import json

        from flows.contract.fields import json_schema

        sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")
        return
    if not files:
        _error("name at least one file (or --schema)")
        raise typer.Exit(2)
    from expectations.extract_files import extract_files, to_json_lines

    objects = extract_files([str(f) for f in files])
    if json_lines:
        sys.stdout.write(to_json_lines(objects) + "\n")
    else:
        _print_rows(
            ["file", "kind", "year", "department", "total adjusted", "executed", "rate", "dq"],
            [
                (o["file"], "error", "", o["error"]["kind"], o["error"]["message"], "", "", "")
                if "error" in o
                else (
                    o["file"],
                    o["kind"],
                    o["fiscal_year"],
                    o["department"],
                    o["budget"]["total"]["adjusted"],
                    o["budget"]["total"]["executed"],
                    o["budget"]["total"]["rate"],
                    o["dq"]["status"],
                )
                for o in objects
            ],
        )
    if any("error" in o for o in objects):
        raise typer.Exit(1)


def _warehouse(home: Path | None) -> Path:
    from flows.settings import get_settings

    path = get_settings(home=home).warehouse_path
    if not path.exists():
        _error(f"no warehouse at {path}: run `govperf demo` or `govperf run` first")
        raise typer.Exit(2)
    return path


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help='A query, e.g. "SELECT * FROM marts.district_year_summary".')],
    home: Annotated[Path | None, typer.Option(help="Data folder.")] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table (wrapped to the terminal, one record per block when too wide), csv, json or markdown.",
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead (CSV with a UTF-8 BOM, for Excel/WPS)."
        ),
    ] = None,
) -> None:
    """Run a read-only query on the warehouse and print the result."""
    import duckdb

    from dbt_like_sql import read
    from flows.analyst.output import FORMATS, print_table, render

    if fmt not in FORMATS:
        err.print(f"error: --format must be one of {', '.join(FORMATS)}, not {fmt!r}", markup=False)
        raise typer.Exit(2)
    path = _warehouse(home)
    try:
        columns, rows = read.query(path, query)
    except duckdb.Error as e:
        _error(f"{e}")
        raise typer.Exit(1) from e
    if out is not None:
        text = render(fmt, columns, rows, width=None)  # type: ignore[arg-type]
        try:
            out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        except OSError as e:
            err.print(f"error: cannot write {out}: {e}", markup=False)
            raise typer.Exit(1) from e
        console.print(f"{len(rows)} rows → {out}", markup=False)
    elif fmt == "table":
        print_table(console, columns, rows)
    else:
        sys.stdout.write(render(fmt, columns, rows, width=None))  # type: ignore[arg-type]


def _clip(text: str | None, width: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command()
def dq(
    home: Annotated[Path | None, typer.Option(help="Data folder.")] = None,
    limit: Annotated[int, typer.Option(help="How many findings.")] = 50,
    severity: Annotated[str | None, typer.Option(help="Only error or only warning findings.")] = None,
    check: Annotated[str | None, typer.Option(help="Only this check (a name from contract.md).")] = None,
) -> None:
    """The latest data-quality findings on current reports: what is wrong, the sentence that
    proves it, and where the report was published."""
    import duckdb

    from dbt_like_sql import read

    path = _warehouse(home)
    try:
        rows = read.latest_findings(path, limit, severity, check)
    except duckdb.Error as e:
        _error(f"{e}")
        raise typer.Exit(1) from e
    if not rows:
        console.print("no data-quality findings")
        return
    table = Table(title=f"data-quality findings: {len(rows)} latest", show_lines=True, expand=True)
    for name, width in (("detected", 16), ("severity", 8), ("check", 26), ("report", 24), ("field", 20)):
        table.add_column(name, overflow="fold", max_width=width)
    # the finding takes the width the others leave: its message, sentence and link are the point
    table.add_column("finding · evidence · source", overflow="fold", ratio=1, min_width=40)
    colour = {"error": "red", "warning": "yellow"}
    for detected, sev, name, district, department, year, field, message, evidence, url, page in rows:
        cell = plain(message or "")
        if evidence:
            cell.append("\n")
            cell.append_text(Text(plain(f"“{_clip(evidence)}”").plain, style="dim"))
        cell.append_text(
            plain(f"\n{url or page or ''}" + (f"\n(page {page})" if page and url and page != url else ""))
        )
        table.add_row(
            plain(f"{detected:%Y-%m-%d %H:%M}" if detected else ""),
            Text(str(sev), style=colour.get(sev, "white")),
            plain(name),
            plain(" ".join(str(x) for x in (district, department, year) if x is not None)),
            plain(field),
            cell,
        )
    console.print(table)


@app.command()
def runs(
    home: Annotated[Path | None, typer.Option(help="Data folder.")] = None,
    limit: Annotated[int, typer.Option(help="How many rows (run × source).")] = 20,
) -> None:
    """Recent runs per source, from marts.run_history: requests, 304s, downloads, reports."""
    import duckdb

    from dbt_like_sql import read

    path = _warehouse(home)
    try:
        columns, rows = read.recent_runs(path, limit)
    except duckdb.Error as e:
        _error(e)
        raise typer.Exit(1) from e
    _print_rows(columns, rows)


@app.command()
def export(
    parquet: Annotated[
        Path,
        typer.Option("--parquet", help="Folder to write every mart into: one Parquet and one CSV file each."),
    ],
    home: Annotated[Path | None, typer.Option(help="Data folder.")] = None,
) -> None:
    """Write every mart as Parquet, and as CSV with a UTF-8 BOM (opens as Chinese in Excel and WPS)."""
    from dbt_like_sql.publish import export_csv, export_parquet

    path = _warehouse(home)
    for written in (export_parquet(path, parquet), export_csv(path, parquet)):
        for p in written:
            console.print(plain(p))


@app.command()
def report(
    home: Annotated[Path | None, typer.Option(help="Data folder.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder to write the site into (default: <home>/site).")
    ] = None,
) -> None:
    """Build the report site (static pages, charts, no network needed) from the warehouse marts."""
    from flows.report_site.build import build_site
    from flows.settings import get_settings

    settings = get_settings(home=home)
    built = build_site(
        _warehouse(home), out or settings.site_dir, docs_index=settings.docs_dir / "index.html"
    )
    console.print(plain(f"{built.pages} pages, {built.charts} charts in {built.seconds:.1f} s"))
    console.print(plain(f"report site: {built.index}"))


@app.command()
def serve(
    source: SourceOption = None,
    base_url: BaseUrlOption = None,
    sources_dirs: SourcesDirsOption = None,
    home: Annotated[Path | None, typer.Option(help="Data folder of the scheduled runs.")] = None,
    cron: Annotated[str, typer.Option(help="When to run (cron).")] = "0 2 * * *",
    timezone: Annotated[str, typer.Option(help="The cron's time zone.")] = "Asia/Shanghai",
) -> None:
    """Register the deployment `nightly` on the Prefect server (PREFECT_API_URL) and run it on schedule."""
    _quiet_prefect()
    from flows.deploy import NoServerError, deployment_parameters, serve_nightly

    params = deployment_parameters(
        source, base_url, str(home.resolve()) if home else None, sources_dirs=_dirs(sources_dirs)
    )
    try:
        serve_nightly(params, cron=cron, timezone=timezone)
    except NoServerError as e:
        _error(f"{e}")
        raise typer.Exit(2) from e


sources_app = typer.Typer(no_args_is_help=True, help="The source files (flows/sources/*.toml).")
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def sources_check(
    source: SourceOption = None,
    base_url: Annotated[
        str | None, typer.Option(help="Check the sources at another base URL (a mirror).")
    ] = None,
    sources_dir: Annotated[
        Path | None, typer.Option(help="Folder of source files instead of the bundled ones (flows/sources).")
    ] = None,
    sources_dirs: SourcesDirsOption = None,
) -> None:
    """Fetch each source's first list pages and say whether they still parse; exit 1 if one does not."""
    from flows.crawl.check import check_source
    from flows.settings import get_settings
    from flows.sources.model import SourceError, select_sources, source_folders

    try:
        folders = [*(_dirs(sources_dirs) or ()), *map(str, source_folders(get_settings().sources_dir))]
        chosen = select_sources(source, base_url, sources_dir, folders)
    except (ValueError, SourceError) as e:
        _error(f"{e}")
        raise typer.Exit(2) from e
    results = [h for s in chosen for h in check_source(s)]
    _print_rows(
        ["source", "list page", "status", "items", "report links", "pagination", "result"],
        [
            (
                h.source,
                h.url,
                h.status,
                h.items,
                h.links,
                h.pagination or "none seen",
                "ok" if h.ok else f"FAIL {h.error}",
            )
            for h in results
        ],
    )
    failed = [h for h in results if not h.ok]
    console.print(f"{len(results) - len(failed)} of {len(results)} list pages parse")
    if failed or not results:
        raise typer.Exit(1)


@sources_app.command("suggest")
def sources_suggest(
    url: Annotated[str, typer.Argument(help="A column's first list page (or a JSON list API's URL).")],
) -> None:
    """Fetch a list page, recognise the site's family and print a source file for it, with what it finds on two pages."""
    from flows.crawl.http import FetchFailure
    from flows.crawl.suggest import suggest

    try:
        found = suggest(url)
    except FetchFailure as e:
        _error(f"{url}: {e.kind}: {e.message}")
        raise typer.Exit(1) from e
    except ValueError as e:
        _error(e)
        raise typer.Exit(2) from e
    err.print(plain(f"family: {found.family}"))
    for note in found.notes:
        err.print(plain(f"  · {note}"))
    for page, links in found.pages:
        err.print(plain(f"{page}: {len(links)} report link(s)"))
        for link, title in links:
            err.print(plain(f"    {title}  {link}"))
    # the TOML on stdout, so `govperf sources suggest URL > my_sources/x.toml` gives a file
    console.print(
        "# Suggested by `govperf sources suggest`; every key is explained in the header of", markup=False
    )
    console.print("# flows/sources/minhang.toml. Set [region], check the title words, then run", markup=False)
    console.print("# `govperf sources check --sources DIR --source NAME`.", markup=False)
    console.print(found.toml(), markup=False, highlight=False, soft_wrap=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
