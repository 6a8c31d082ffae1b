"""Every hostile case of issue 12, measured: wall time, peak memory, result.

    .venv/bin/python benchmarks/hostile_bench.py [--only NAME ...] [--markdown]

Each case runs in a fresh process (`--case NAME`), so its peak memory is its own: the figure
is the larger of that process's and its children's (the reading worker's) maximum RSS.
Files are built in a temporary folder with tests/hostile/hostile_files.py; servers are the
real ones of tests/hostile/hostile_servers.py. What a case should show is in its line of
CASES; the tests in tests/hostile/ assert the results, this only measures them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hostile")]

TITLE = "浦锦街道2023年度部门整体支出绩效自评报告"


def ready(run: Callable[[], str]) -> Callable[[], Callable[[], str]]:
    """A case with nothing to build before the clock starts."""
    return lambda: run


def _read(path: Path, **kw: object) -> str:
    from flows.reports.extract import safe_reports_from_bytes

    reports, error = safe_reports_from_bytes(path.read_bytes(), name=path.name, sha256="x", **kw)
    return f"{error.kind}: {error.message}" if error else f"{len(reports)} report(s)"


def _files(tmp: Path) -> dict[str, Callable[[], Callable[[], str]]]:
    import hostile_files as hf

    def xlsx_rows() -> Callable[[], str]:
        path = hf.xlsx(tmp / "rows.xlsx", rows=1_000_000, columns=16)
        return lambda: _read(path) + f" ({path.stat().st_size:,} bytes on disk)"

    def docx_paragraphs() -> Callable[[], str]:
        path = hf.docx(tmp / "paras.docx", hf.paragraph(TITLE), b"<w:p/>" * 1000, 17_500)
        return lambda: _read(path) + f" ({path.stat().st_size:,} bytes on disk)"

    def html_50mb() -> Callable[[], str]:
        path = tmp / "big.html"
        path.write_bytes(b"<html><body>" + b"<div>x</div>" * 4_300_000 + b"</body></html>")
        return lambda: _read(path)

    def zip_bomb() -> Callable[[], str]:
        path = hf.docx(tmp / "bomb.docx", hf.paragraph(TITLE), b"\0" * 1_000_000, 1200)  # 1.2 GB inflated
        return lambda: _read(path) + f" ({path.stat().st_size:,} bytes on disk)"

    def billion_laughs() -> str:
        return _read(hf.docx(tmp / "lol.docx", hf.paragraph("&lol9;"), prolog=hf.BILLION_LAUGHS))

    def xxe() -> str:
        return _read(hf.wordml_2003(tmp / "xxe.doc", hf.XXE, "&xxe;"))

    def fixture(name: str) -> Callable[[], str]:
        return lambda: _read(ROOT / "tests" / "fixtures" / "documents" / name)

    def greedy_reader() -> str:
        from flows.documents.budget import run_within_budget
        from flows.documents.model import ExtractError

        try:
            run_within_budget(bytearray, 8 << 30, label="greedy")
        except ExtractError as e:
            return f"{e.kind}: {e.message}"
        return "allocated"

    def slow_reader() -> str:
        from flows.documents.budget import run_within_budget
        from flows.documents.model import ExtractError

        try:
            run_within_budget(time.sleep, 600, label="slow", max_seconds=5)
        except ExtractError as e:
            return f"{e.kind}: {e.message} (budget set to 5 s here; default 120 s)"
        return "slept"

    def special(path: str) -> Callable[[], str]:
        def case() -> str:
            from expectations.extract_files import FileRefused, read_regular_file

            target = path
            if path == "fifo":
                target = str(tmp / "fifo")
                os.mkfifo(target)
            try:
                read_regular_file(Path(target), 50 << 20)
            except FileRefused as e:
                return f"{e.kind}: {e}"
            return "read"

        return case

    return {
        "xlsx_1M_rows_x16": xlsx_rows,
        "docx_17.5M_paragraphs": docx_paragraphs,
        "html_50MB": html_50mb,
        "zip_bomb_1.2GB": zip_bomb,
        "billion_laughs_docx": ready(billion_laughs),
        "xxe_wordml": ready(xxe),
        "encrypted_pdf": ready(fixture("encrypted.pdf")),
        "truncated_pdf": ready(fixture("truncated.pdf")),
        "reader_allocating_8GB": ready(greedy_reader),
        "reader_sleeping_600s": ready(slow_reader),
        "dev_zero": ready(special("/dev/zero")),
        "fifo": ready(special("fifo")),
    }


def _crawl() -> dict[str, Callable[[], Callable[[], str]]]:
    from hostile_servers import redirect, serve, status, trickle_body
    from test_hostile_crawl import get, make_source

    from flows.crawl.http import FetchFailure

    def fetch(routes: dict, path: str, **overrides: object) -> str:
        with serve(routes) as site:
            try:
                resp = get(make_source(site.base, **overrides), site.url(path))
            except FetchFailure as e:
                return f"{e.kind}: {e.message} (requests sent: {sum(site.hits.values())})"
            return f"HTTP {resp.status}"

    defaults = {"timeout_seconds": 30.0, "max_seconds_per_url": 90.0, "max_retries": 3}
    return {
        "redirect_to_169.254.169.254": ready(
            lambda: fetch({"/d": redirect("http://169.254.169.254/latest/meta-data/")}, "/d")
        ),
        "redirect_to_other_port": ready(lambda: fetch({"/d": redirect("http://127.0.0.1:1/x.pdf")}, "/d")),
        "loopback_without_permission": ready(
            lambda: fetch({"/d": status(200)}, "/d", allow_private_addresses=False)
        ),
        "trickling_url_defaults": ready(lambda: fetch({"/t": trickle_body(0.5)}, "/t", politeness=defaults)),
        "retry_after_3600_defaults": ready(
            lambda: fetch(
                {"/r": status(429, {"Retry-After": "3600"})},
                "/r",
                politeness={**defaults, "max_retry_after_seconds": 120.0},
            )
        ),
    }


def _webhook() -> dict[str, Callable[[], Callable[[], str]]]:
    from hostile_servers import serve, trickle_body

    from flows.alerts.summary import RunSummary
    from flows.alerts.webhook import post_webhook

    def trickling() -> str:
        with serve({"/hook": trickle_body(0.5)}) as receiver:
            ok = post_webhook(receiver.url("/hook"), RunSummary(run_id="b", started="2026-01-01T00:00:00Z"))
        return f"delivered={ok} (default deadline 60 s)"

    return {"webhook_trickling_receiver": ready(trickling)}


def _sql(tmp: Path) -> dict[str, Callable[[], Callable[[], str]]]:
    import duckdb

    from warehouse.db import connect_for_analysts

    path = tmp / "warehouse.duckdb"

    def query(q: str) -> Callable[[], str]:
        def case() -> str:
            if not path.exists():
                duckdb.connect(str(path)).close()
            try:
                with connect_for_analysts(path) as con:
                    con.execute(q.format(path=path)).fetchall()
            except duckdb.Error as e:
                return f"{type(e).__name__}: {str(e).splitlines()[0]}"
            return "ran"

        return case

    return {
        "sql_copy_over_warehouse": ready(query("COPY (SELECT 'x') TO '{path}'")),
        "sql_read_csv_etc_passwd": ready(query("SELECT * FROM read_csv('/etc/passwd')")),
        "sql_attach": ready(query("ATTACH '/tmp/other.duckdb' AS o")),
    }


def _cases(tmp: Path) -> dict[str, Callable[[], Callable[[], str]]]:
    return {**_files(tmp), **_crawl(), **_webhook(), **_sql(tmp)}


def run_case(name: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        run = _cases(Path(tmp))[name]()  # files are built before the clock starts
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
        from flows.documents import budget

        budget._pool.close()  # reap the workers, so their peak counts below
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "case": name,
        "seconds": round(seconds, 2),
        "peak_mb": round(max(self_kb, children_kb) / 1024),
        "result": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", help="Case names (default: all).")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table.")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        names = list(_cases(Path(tmp)))
    rows = []
    for name in args.only or names:
        done = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True, timeout=900, cwd=ROOT
        )
        line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        row = (
            json.loads(line)
            if line.startswith("{")
            else {"case": name, "result": f"failed: {done.stderr[-300:]}"}
        )
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.markdown:
        print("\n| case | seconds | peak MB | result |\n|---|---|---|---|")
        for r in rows:
            print(f"| {r['case']} | {r.get('seconds', '')} | {r.get('peak_mb', '')} | {r['result']} |")


if __name__ == "__main__":
    main()
