"""Faults: a killed run leaves no process behind; a failed build leaves no debris; an
operational failure is one line and a non-zero exit; the logs and cache keys never lie or crash.

The run tests start the real `govperf run` (real Prefect, with the temporary server this
process starts) against the bundled mirror, and kill it for real.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect_api import BIN, base_env

from flows.crawl.archive import RawArchive
from flows.mirror.server import MirrorServer, serve_mirror
from flows.reports.parse_cache import code_fingerprint
from warehouse import db

pytestmark = pytest.mark.integration
MIRROR_SOURCES = ["minhang_mirror", "donghu_mirror"]
_SERVER_LINE = re.compile(r"temporary Prefect server on (\S+) \(pid (\d+)\)")


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with serve_mirror() as m:
        yield m


def start_run(mirror: MirrorServer, home: Path, tmp: Path, **env: str) -> subprocess.Popen[str]:
    # no PREFECT_API_URL: the run starts its own temporary server, which is what must not leak
    # a loaded CI machine starts three servers at once slowly
    environment = base_env(
        tmp / "prefect-home", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="600", **env
    )
    args = [str(BIN / "govperf"), "run", "--base-url", mirror.base_url, "--home", str(home)]
    args += [a for s in MIRROR_SOURCES for a in ("--source", s)]
    return subprocess.Popen(
        args,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def server_pid(output: str) -> int:
    m = _SERVER_LINE.search(output)
    assert m, output[-3000:]
    return int(m.group(2))


def gone(pid: int, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a zombie still answers kill(0): it is dead, just not reaped by its (gone) parent
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
                return True
        except (FileNotFoundError, IndexError):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def runs(mirror: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, Path]]:
    """Three real runs at once (one each would take minutes on a loaded machine): one SIGKILLed
    while parsing, one SIGTERMed once its flow has begun, one on a damaged warehouse.
    For each: exit code, output, data folder."""
    tmp = tmp_path_factory.mktemp("runs")
    damaged = tmp / "damaged"
    damaged.mkdir()
    (damaged / "warehouse.duckdb").write_bytes(os.urandom(200_000))
    procs = {"sigkill": start_run(mirror, tmp / "sigkill", tmp, GOVPERF_KILL_AT="parse:1")}
    outputs: dict[str, list[str]] = {name: [] for name in ("sigkill", "sigterm", "damaged")}
    server_up = threading.Event()

    def collect(name: str) -> None:
        proc = procs[name]
        assert proc.stdout is not None
        for line in proc.stdout:
            outputs[name].append(line)
            if "temporary Prefect server on" in line:
                server_up.set()
            if name == "sigterm" and "Beginning flow run" in line:
                os.kill(proc.pid, signal.SIGTERM)

    readers = [threading.Thread(target=collect, args=("sigkill",))]
    readers[0].start()
    # the others once the first server has created the Prefect database they share
    server_up.wait(600)
    procs["sigterm"] = start_run(mirror, tmp / "sigterm", tmp)
    procs["damaged"] = start_run(mirror, damaged, tmp)
    readers += [threading.Thread(target=collect, args=(name,)) for name in ("sigterm", "damaged")]
    for t in readers[1:]:
        t.start()
    for t in readers:
        t.join(600)
    out = {}
    for name, proc in procs.items():
        proc.wait(60)
        out[name] = (proc.returncode, "".join(outputs[name]), tmp / name)
    return out


def test_a_sigkilled_run_leaves_no_temporary_server(runs) -> None:
    code, output, _ = runs["sigkill"]
    assert code == -signal.SIGKILL, output[-3000:]
    assert gone(server_pid(output)), "the temporary Prefect server outlived its SIGKILLed run"


def test_a_sigterm_ends_the_run_its_server_and_its_build(runs) -> None:
    code, output, home = runs["sigterm"]
    assert "Beginning flow run" in output and code != 0, output[-3000:]
    assert gone(server_pid(output))
    assert not list(home.glob("*.building*"))


def test_a_damaged_warehouse_is_one_error_line_with_how_to_recover(runs) -> None:
    code, output, home = runs["damaged"]
    assert code == 1, output[-3000:]
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "is damaged" in errors[0] and "--full-refresh" in errors[0]
    assert sorted(p.name for p in home.glob("warehouse.duckdb*")) == [
        "warehouse.duckdb",
        "warehouse.duckdb.lock",
    ]
    assert gone(server_pid(output))


# ── the build, directly ──────────────────────────────────────────────────────────────
def _build_one_table(path: str) -> None:
    with db.building(Path(path)) as con:
        con.execute("CREATE TABLE IF NOT EXISTS t AS SELECT range AS n FROM range(10)")


def test_a_build_that_fails_writing_removes_its_copy_and_keeps_the_live_file(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build_one_table(str(live))
    with duckdb.connect(str(live)) as con:  # a warehouse bigger than the file size limit below
        con.execute(
            "CREATE TABLE big AS SELECT range AS n, md5(range::VARCHAR) || md5((-range)::VARCHAR) AS s "
            "FROM range(200000)"
        )
    before = live.read_bytes()
    assert len(before) > 2 << 20
    # in a child whose files may not grow past 1 MB: the copy fails half-way, as on a full disk
    code = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from warehouse import db\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))\n"
        "try:\n"
        "    with db.building(Path(sys.argv[1])) as con:\n"
        "        con.execute('CREATE TABLE t2 AS SELECT 1 AS n')\n"
        "except OSError as e:\n"
        "    print('failed:', e)\n"
        "    sys.exit(3)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code, str(live)], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3 and "File too large" in done.stdout, (done.stdout, done.stderr)
    assert not (tmp_path / "warehouse.duckdb.building").exists()
    assert live.read_bytes() == before


def test_a_damaged_live_file_names_the_previous_good_one(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build_one_table(str(live))
    _build_one_table(str(live))  # the second build keeps the first as .previous
    previous = db.previous_path(live)
    assert previous.exists()
    live.write_bytes(os.urandom(100_000))
    with pytest.raises(db.WarehouseCorruptError) as info:
        _build_one_table(str(live))
    assert f"mv {previous} {live}" in str(info.value)
    assert not (tmp_path / "warehouse.duckdb.building").exists()
    os.replace(previous, live)  # the recovery the message gives works
    _build_one_table(str(live))


# ── logs and cache keys ──────────────────────────────────────────────────────────────
def test_a_torn_fetch_log_line_does_not_swallow_the_next_record(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    archive.append_log({"url": "http://a/1", "status": 200})
    with archive.log_path.open("a", encoding="utf-8") as f:
        f.write('{"url":"http://a/2","sta')  # a run killed mid-write
    archive.append_log({"url": "http://a/3", "status": 200})
    assert [r["url"] for r in RawArchive(tmp_path).read_log()] == ["http://a/1", "http://a/3"]


def test_code_fingerprint_ignores_bytecode_and_vanishing_files(tmp_path: Path) -> None:
    root = tmp_path / "flows"
    for d in ("documents", "reports"):
        (root / d / "__pycache__").mkdir(parents=True)
        (root / d / "a.py").write_text("x = 1\n")
    (root / "process.py").write_text("y = 2\n")
    first = code_fingerprint(root)
    # Python compiling: a half-written temp file appears, and vanishes, in __pycache__
    (root / "documents" / "__pycache__" / "a.cpython-311.pyc.140234").write_bytes(b"half")
    assert code_fingerprint(root) == first
    (root / "reports" / "a.py").write_text("x = 2\n")
    assert code_fingerprint(root) != first


def test_every_request_is_a_fetch_log_row_even_retries_within_one_second(tmp_path: Path) -> None:
    from hostile_servers import serve, status
    from test_hostile_crawl import make_source

    from flows.crawl.http import FetchFailure, PoliteClient, make_client

    archive = RawArchive(tmp_path)
    with serve({"/busy": status(503)}) as site:
        source = make_source(site.base, politeness={"max_retries": 5})
        with make_client(source) as client, pytest.raises(FetchFailure):
            PoliteClient(client, source, on_request=archive.append_log).get(site.url("/busy"))
    rows = archive.read_log()
    assert len(rows) == site.hits["/busy"] == 6
    # six requests within well under a second: six distinct (url, fetched_at) keys in raw.fetch_log
    assert len({(r["url"], r["fetched_at"]) for r in rows}) == 6
