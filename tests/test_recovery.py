"""A run SIGKILLed during fetch, parse or load is re-run without losing or duplicating anything and
without downloading again what it already had. Real `govperf run` processes against the mirror
on loopback, reporting to a real Prefect server; GOVPERF_KILL_AT makes a run kill itself at a
named step (the kernel's SIGKILL: no cleanup runs, as after a power cut or the OOM killer)."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from prefect_api import BIN, base_env

from flows.crawl.archive import RawArchive
from flows.mirror.server import MirrorServer, serve_mirror

pytestmark = pytest.mark.integration

MIRROR_SOURCES = ["minhang_mirror", "donghu_mirror"]
TABLES = ["core.reports", "core.budget_lines", "core.indicators", "core.dq_findings", "raw.documents"]
# when and by which run a row was written differs between two histories of the same data
VOLATILE = {"run_id", "loaded_at", "fetched_at", "detected_at", "superseded_at"}


@pytest.fixture(scope="module")
def server(prefect_api_server: tuple[Path, str]) -> tuple[Path, str]:
    return prefect_api_server  # one server start for the session (conftest.py)


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with serve_mirror() as m:
        yield m


def _run(server, mirror: MirrorServer, home: Path, kill_at: str | None = None) -> subprocess.CompletedProcess:
    prefect_home, url = server
    env = base_env(prefect_home, url, **({"GOVPERF_KILL_AT": kill_at} if kill_at else {}))
    args = [str(BIN / "govperf"), "run", "--base-url", mirror.base_url, "--home", str(home)]
    args += [a for s in MIRROR_SOURCES for a in ("--source", s)]
    # no ephemeral Prefect server (PREFECT_API_URL is set): a killed run leaves no child behind
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=240, start_new_session=True)


def _killed(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])


def _ok(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])


def _snapshot(db: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table in TABLES:
            schema, name = table.split(".")
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                    "ORDER BY column_index",
                    [schema, name],
                ).fetchall()
                if r[0] not in VOLATILE
            ]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"SELECT {quoted} FROM {table}").fetchall()
            out[table] = sorted(map(repr, rows))
    return out


def _had(home: Path) -> set[str]:
    """URL paths whose body the archive holds (a 200 in the fetch log, the body on disk)."""
    archive = RawArchive(home / "raw")
    return {
        urlsplit(e["url"]).path
        for e in archive.read_log()
        if e.get("status") == 200 and e.get("sha256") and archive.has(e["sha256"])
    }


def _downloaded(mirror: MirrorServer) -> set[str]:
    return {path for _, path, status in mirror.requests if status == 200 and path != "/robots.txt"}


@pytest.fixture(scope="module")
def clean_run(server, mirror, tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """A data folder after one clean run, and its warehouse's rows."""
    home = tmp_path_factory.mktemp("clean")
    _ok(_run(server, mirror, home))
    return home, _snapshot(home / "warehouse.duckdb")


def test_a_run_killed_in_fetch_then_parse_then_load_ends_as_a_clean_run(server, mirror, clean_run, tmp_path):
    _, clean = clean_run
    home = tmp_path / "data"
    db = home / "warehouse.duckdb"
    steps = ["fetch:8", "parse:3", "load", None]
    had: set[str] = set()
    for kill_at in steps:
        mirror.reset_requests()
        done = _run(server, mirror, home, kill_at)
        if kill_at:
            _killed(done)
            assert not db.exists()  # nothing was loaded; the first load was killed mid-build
        else:
            _ok(done)
        # what an earlier run had archived is asked for conditionally and never downloaded again
        assert not _downloaded(mirror) & had, kill_at
        had = _had(home)
        if kill_at == "fetch:8":
            assert had, "the kill came before any body was archived"
            fetched_before_kill = len(had)
        if kill_at == "load":
            building = db.with_name(db.name + ".building")
            assert building.exists()  # the killed build's copy, left behind as a crash leaves it
    assert not db.with_name(db.name + ".building").exists()  # the next build cleared it
    assert fetched_before_kill < len(had)  # the kill at fetch did cut the fetch short

    # nothing lost, nothing twice: the same rows as a clean run, every report in version 1
    assert _snapshot(db) == clean
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT max(version), count(*) FROM core.reports").fetchone() == (1, 5)
        logged = con.execute("SELECT count(*) FROM raw.fetch_log").fetchone()[0]
        runs = con.execute("SELECT count(DISTINCT run_id) FROM core.runs").fetchone()[0]
    # the killed runs' requests are in the warehouse too, loaded by the run that finished
    entries = [json.loads(line) for line in (home / "raw" / "fetch_log.jsonl").read_text().splitlines()]
    assert logged == len({(e["url"], e["fetched_at"]) for e in entries})
    assert runs == 1  # only the run that finished recorded itself


def test_a_second_run_killed_while_loading_leaves_the_warehouse_as_it_was(server, mirror, clean_run):
    home, clean = clean_run
    db = home / "warehouse.duckdb"
    _killed(_run(server, mirror, home, "load"))
    # the live file was never written: it opens, and holds what it held
    assert _snapshot(db) == clean
    _ok(_run(server, mirror, home))
    assert _snapshot(db) == clean
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT run_id) FROM core.runs").fetchone()[0] == 2
