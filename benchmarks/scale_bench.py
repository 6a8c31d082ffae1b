"""A night at scale: the Prefect flow against the same steps called plainly, on a local site.

    .venv/bin/python benchmarks/scale_bench.py [--documents 1000 10000] [--sources 2]
        [--thousand-sources] [--out /tmp/govperf-scale] [--runner threads|dask]

For each N: a site of N distinct documents in mixed formats (benchmarks/scale_site.py) is
served by the mirror server in a process of its own; then, each in a fresh process with an
empty data folder,
  - plain: the night's steps (flows/night: batches of sources crawled and read, check and
    load, the report site) called without Prefect,
  - flow:  the nightly flow (Prefect's temporary API server started in the run and counted),
  - again: the flow once more on the flow's folder, nothing changed (incremental night).
Printed per run: wall seconds, documents/s, CPU seconds (the run and its readers) and CPU use
(CPU/wall: 2.0 is both cores busy), peak RSS of the run's process and of its whole process
tree (readers and Prefect's server included, sampled every 0.1 s), reports loaded, bodies
downloaded; then flow/plain. The warehouses of plain and flow must hold the same rows.

--thousand-sources adds a night over 1,000 sources of 2 documents each: first run, then the
no-change night (seconds in all and per source).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import scale_site  # noqa: E402

ENV = {
    "GX_ANALYTICS_ENABLED": "False",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # a loaded machine starts the temporary API server slowly; its start is measured, not fatal
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ── the child: one night, plainly or as the flow ─────────────────────────────────────
def child(mode: str, home: Path, sources_dir: Path) -> None:
    import resource

    started = time.perf_counter()
    names = sorted(p.stem for p in sources_dir.glob("*.toml"))
    phases: dict[str, float] = {}
    if mode == "plain":
        import flows.night.finish  # noqa: F401 (the same imports as the flow's steps)

        phases["imports"] = time.perf_counter() - started
        t = time.perf_counter()
        result = plain_night(names, home, sources_dir)
    else:
        from flows.nightly import nightly

        phases["imports"] = time.perf_counter() - started
        t = time.perf_counter()
        if not os.environ.get("PREFECT_API_URL"):
            from prefect.client.orchestration import get_client

            with get_client(sync_client=True) as client:  # the temporary API server starts here
                client.api_healthcheck()
            phases["server start"] = time.perf_counter() - t
            t = time.perf_counter()
        result = nightly(sources=names, home=str(home), sources_dirs=[str(sources_dir)])
    phases["night"] = time.perf_counter() - t
    from flows.documents.budget import _pool

    _pool.close()  # the readers are waited for, so their CPU time is counted below
    wall = time.perf_counter() - started
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        "RESULT "
        + json.dumps(
            {
                "wall": wall,
                "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                "rss_mb": me.ru_maxrss / 1024,
                "reports": sum(s.get("reports", 0) for s in result["sources"]),
                "documents": sum(s.get("documents", 0) for s in result["sources"]),
                "bodies": sum(s.get("bodies_downloaded", 0) for s in result["sources"]),
                "sources": len(result["sources"]),
                "phases": phases,
            }
        ),
        flush=True,
    )


def plain_night(names: list[str], home: Path, sources_dir: Path) -> dict:
    """The flow's steps, in the flow's order, without Prefect."""
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor

    from flows.crawl.run import utc_now
    from flows.night.batches import collect_batch, plan_batches
    from flows.night.finish import check_and_load, clear_old_run_dirs, clear_run_dir
    from flows.nightly import new_run_id
    from flows.report_site.build import build_site
    from flows.reports.parse_cache import ParseCache
    from flows.settings import get_settings
    from flows.sources.model import select_sources

    settings = get_settings(home=home)
    home.mkdir(parents=True, exist_ok=True)
    started, run_id = utc_now(), new_run_id()
    chosen = select_sources(names, None, extra_dirs=[str(sources_dir)])
    ParseCache(settings.parse_cache_dir).prune()
    clear_old_run_dirs(home / "runs", older_than=dt.timedelta(days=2))
    run_dir = home / "runs" / run_id
    batches = plan_batches(chosen, settings.concurrency)
    with ThreadPoolExecutor(settings.concurrency) as pool:
        refs = list(
            pool.map(
                lambda ib: collect_batch(
                    ib[1],
                    ib[0],
                    run_dir,
                    settings.raw_dir,
                    settings.parse_cache_dir,
                    settings.warehouse_path,
                    workers=settings.workers,
                ),
                enumerate(batches),
            )
        )
    finished = check_and_load(
        refs, run_id, started, settings.warehouse_path, settings.docs_dir, settings.raw_dir
    )
    clear_run_dir(run_dir)
    build_site(
        settings.warehouse_path,
        settings.site_dir,
        docs_index=settings.docs_dir / "index.html",
        health=finished.health,
        chart_cache=settings.chart_cache_dir,
    )
    return finished.summary.to_dict()


# ── the parent: site, server, runs, table ───────────────────────────────────────────
def run_child(mode: str, home: Path, sources_dir: Path, extra_env: dict[str, str]) -> dict:
    env = {**os.environ, **ENV, **extra_env, "GOVPERF_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, "--home", str(home), "--sources-dir", str(sources_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=home.parent,
    )
    peak = 0
    cpu: dict[int, float] = {}  # per process of the tree, its CPU time when last seen
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        rss = 0
        for p in tree:
            try:
                rss += p.memory_info().rss
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        peak = max(peak, rss)
        time.sleep(0.1)
    out, err = proc.communicate()
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"{mode} run failed ({proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
    result = json.loads(line[len("RESULT ") :])
    result["tree_mb"] = peak / 2**20
    # the tree's CPU: readers and Prefect's server included (sampled: the last 0.1 s of a
    # process that ended may be missed; the run's own count is taken at its end)
    result["cpu"] = max(result["cpu"], sum(cpu.values()))
    return result


def warehouse_rows(db: Path) -> dict[str, object]:
    """What must not depend on how the night ran: rows per table and their figures."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "reports": con.execute(
                "SELECT count(*), count(DISTINCT report_key) FROM core.reports"
            ).fetchone(),
            "budget_lines": con.execute(
                "SELECT count(*), round(sum(coalesce(adjusted, 0) + coalesce(executed, 0)), 2) "
                "FROM core.budget_lines"
            ).fetchone(),
            "indicators": con.execute("SELECT count(*) FROM core.indicators").fetchone(),
            "findings": con.execute(
                'SELECT "check", count(*) FROM core.dq_findings GROUP BY 1 ORDER BY 1'
            ).fetchall(),
            "documents": con.execute(
                "SELECT status, count(*) FROM raw.documents GROUP BY 1 ORDER BY 1"
            ).fetchall(),
        }


def row(label: str, r: dict) -> str:
    docs = r["documents"] or 1
    return (
        f"| {label} | {r['wall']:.1f} | {docs / r['wall']:.1f} | {r['cpu']:.1f} | {r['cpu'] / r['wall']:.2f} | "
        f"{r['rss_mb']:.0f} | {r['tree_mb']:.0f} | {r['reports']} | {r['bodies']} |"
    )


HEADER = (
    "| run | wall s | docs/s | CPU s | CPU use | run RSS MB | tree RSS MB | reports | bodies |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def bench(n: int, sources: int, out: Path, env: dict[str, str], *, plain: bool = True) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = out / f"site-{n}-{sources}"
    print(f"\n## N = {n} documents, {sources} source(s) — building the site …", flush=True)
    t = time.perf_counter()
    sources_dir = scale_site.build(folder, n, sources, base_url=base)
    print(f"site ready in {time.perf_counter() - t:.0f} s", flush=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "flows.mirror.server", "--root", str(folder / "site"), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            results = {}
            if plain:
                results["plain"] = run_child("plain", Path(tmp) / "plain", sources_dir, env)
            results["flow"] = run_child("flow", Path(tmp) / "flow", sources_dir, env)
            results["again"] = run_child("flow", Path(tmp) / "flow", sources_dir, env)
            print(HEADER)
            for k, r in results.items():
                print(row(k if k != "again" else "flow, nothing changed", r))
            for k, r in results.items():
                print(f"{k}: " + ", ".join(f"{name} {s:.2f} s" for name, s in r["phases"].items()))
            if plain:
                p, f = results["plain"], results["flow"]
                print(f"\nflow/plain wall: {f['wall'] / p['wall']:.3f}  CPU: {f['cpu'] / p['cpu']:.3f}")
                same = warehouse_rows(Path(tmp) / "plain" / "warehouse.duckdb") == warehouse_rows(
                    Path(tmp) / "flow" / "warehouse.duckdb"
                )
                print(f"same rows in both warehouses: {same}")
            a = results["again"]
            print(f"no-change night: {a['wall']:.2f} s, bodies downloaded {a['bodies']}")
    finally:
        server.terminate()
        server.wait(10)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("the site server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--sources", type=int, default=2)
    ap.add_argument("--thousand-sources", action="store_true")
    ap.add_argument("--no-plain", action="store_true", help="the flow only")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "govperf-scale")
    ap.add_argument("--runner", choices=("threads", "dask"), default="threads")
    ap.add_argument("--child", choices=("plain", "flow"))
    ap.add_argument("--home", type=Path)
    ap.add_argument("--sources-dir", type=Path)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.home, a.sources_dir)
        return
    a.out.mkdir(parents=True, exist_ok=True)
    env = {"GOVPERF_TASK_RUNNER": a.runner}
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    for n in a.documents:
        bench(n, a.sources, a.out, env, plain=not a.no_plain)
    if a.thousand_sources:
        bench(2000, 1000, a.out, env, plain=not a.no_plain)


if __name__ == "__main__":
    main()
