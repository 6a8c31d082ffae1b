"""The schedule on a real Prefect server: `govperf serve`, prefect.yaml with a process worker, and
the Dask task runner chosen by settings. Every run targets the mirror served on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect_api import BIN, base_env, start, stop

from flows.mirror.server import MirrorServer, serve_mirror
from tests.warehouse_rows import warehouse_rows

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
MIRROR_SOURCES = ["minhang_mirror", "donghu_mirror"]


@pytest.fixture(scope="module")
def server(prefect_api_server: tuple[Path, str]) -> tuple[Path, str]:
    return prefect_api_server  # one server start for the session (conftest.py)


@pytest.fixture(scope="module")
def mirror(warm_ocr_cache: None) -> Iterator[MirrorServer]:
    # the served flow runs have 150 s: its scanned report comes from the warmed OCR cache
    with serve_mirror() as m:
        yield m


def _client_settings(url: str):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    return temporary_settings({PREFECT_API_URL: url})


def _deployment(url: str, name: str = "nightly/nightly", timeout: float = 60.0):
    """The deployment once the server has it (serve registers it a few seconds after starting)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    with _client_settings(url), get_client(sync_client=True) as client:
        while True:
            try:
                return client.read_deployment_by_name(name)
            except ObjectNotFound:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def _wait_for_run(url: str, run_id, timeout: float = 150.0):
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with _client_settings(url), get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(run_id)
            if run.state is not None and run.state.is_final():
                return run
            assert time.monotonic() < deadline, f"flow run still {run.state} after {timeout} s"
            time.sleep(1)


def _current_departments(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            r[0]
            for r in con.execute("SELECT department FROM marts.report_catalog WHERE is_current").fetchall()
        }


def _assert_schedule(deployment) -> None:
    (schedule,) = deployment.schedules
    assert schedule.active
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "Asia/Shanghai"


def test_serve_registers_nightly_and_runs_a_run_triggered_through_the_api(server, mirror, tmp_path):
    from prefect.deployments import run_deployment

    prefect_home, url = server
    data = tmp_path / "data"
    log = tmp_path / "serve.log"
    env = base_env(prefect_home, url, PREFECT_RUNNER_POLL_FREQUENCY="1")
    args = [str(BIN / "govperf"), "serve", "--base-url", mirror.base_url, "--home", str(data)]
    args += [a for s in MIRROR_SOURCES for a in ("--source", s)]
    proc = start(args, env, log, cwd=tmp_path)
    try:
        deployment = _deployment(url)
        _assert_schedule(deployment)
        assert deployment.parameters == {
            "sources": MIRROR_SOURCES,
            "base_url": mirror.base_url,
            "home": str(data.resolve()),
        }
        with _client_settings(url):
            run = run_deployment("nightly/nightly", timeout=0)
        run = _wait_for_run(url, run.id)
        assert run.state.is_completed(), (run.state, log.read_text()[-3000:])
        assert proc.poll() is None  # serving goes on after the run
    finally:
        stop(proc)
    assert _current_departments(data / "warehouse.duckdb") == {
        "浦锦街道社区事务受理服务中心",
        "浦锦街道社区党群服务中心",
        "浦锦街道城市运行管理中心",
        "公园街道办事处",
        "地区工作办公室",
    }
    # the run's structured log lines reached the serving process's console
    text = log.read_text()
    assert "crawled source=minhang_mirror" in text and "bodies_downloaded=10" in text
    assert "loaded run_id=" in text and "reports_new=5" in text


def test_serve_without_a_server_says_how_to_start_one(server, tmp_path):
    prefect_home, _ = server
    done = subprocess.run(
        [str(BIN / "govperf"), "serve"],
        env=base_env(prefect_home),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "prefect server start" in done.stderr and "PREFECT_API_URL" in done.stderr


def test_prefect_yaml_deploys_nightly_to_a_process_work_pool_that_a_worker_runs(server, mirror, tmp_path):
    from prefect.deployments import run_deployment

    prefect_home, url = server
    env = base_env(prefect_home, url)
    for args in (
        ["work-pool", "create", "govperf", "--type", "process", "--overwrite"],
        ["--no-prompt", "deploy", "--all"],
    ):
        done = subprocess.run(
            [str(BIN / "prefect"), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
    deployment = _deployment(url)
    assert deployment.work_pool_name == "govperf"
    assert deployment.entrypoint == "flows/nightly.py:nightly"
    _assert_schedule(deployment)

    data = tmp_path / "data"
    with _client_settings(url):
        run = run_deployment(
            "nightly/nightly",
            timeout=0,
            parameters={"sources": ["donghu_mirror"], "base_url": mirror.base_url, "home": str(data)},
        )
    # one poll: the worker starts the scheduled run in a subprocess of its own and exits
    worker = subprocess.run(
        [str(BIN / "prefect"), "worker", "start", "--pool", "govperf", "--run-once"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    run = _wait_for_run(url, run.id)
    assert run.state.is_completed(), run.state
    assert _current_departments(data / "warehouse.duckdb") == {"公园街道办事处"}


def _task_run_names(url: str) -> list[str]:
    """The server's latest task runs, newest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import TaskRunSort

    with _client_settings(url), get_client(sync_client=True) as client:
        return [t.name for t in client.read_task_runs(limit=200, sort=TaskRunSort.EXPECTED_START_TIME_DESC)]


def test_the_dask_task_runner_runs_the_flow_on_a_cluster_of_worker_processes(
    server, mirror, tmp_path, monkeypatch
):
    import psutil
    from distributed import Client, LocalCluster

    prefect_home, url = server
    data = tmp_path / "data"
    # the workers are started by this test: they talk to the same Prefect server as the run
    monkeypatch.setenv("PREFECT_API_URL", url)
    monkeypatch.setenv("PREFECT_HOME", str(prefect_home))
    before = set(_task_run_names(url))
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = client.run(lambda: __import__("os").getpid())
        assert len(set(workers.values())) == 2
        env = base_env(
            prefect_home,
            url,
            GOVPERF_TASK_RUNNER="dask",
            GOVPERF_DASK_ADDRESS=cluster.scheduler_address,
            GOVPERF_HOME=str(data),
            GOVPERF_CONCURRENCY="2",
        )
        done = subprocess.run(
            [
                str(BIN / "govperf"),
                "run",
                "--source",
                "donghu_mirror",
                "--source",
                "nanshan_mirror",
                "--base-url",
                mirror.base_url,
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        ran_on_cluster = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
        # no worker started a Prefect server of its own: every task run went to the shared one
        spawned = client.run(
            lambda: [" ".join(c.cmdline()) for c in psutil.Process().children(recursive=True)]
        )
    assert not [c for cmds in spawned.values() for c in cmds if "uvicorn" in c or "prefect" in c]
    # the batches (crawl and read) ran on the cluster's workers, not in the run's process
    assert "batch_task" in set(ran_on_cluster)
    assert "Connecting to an existing Dask cluster" in done.stdout + done.stderr
    departments = _current_departments(data / "warehouse.duckdb")
    assert "公园街道办事处" in departments and len(departments) == 2, departments
    # the same night on threads gives the same rows
    threads = subprocess.run(
        [str(BIN / "govperf"), "run", "--source", "donghu_mirror", "--source", "nanshan_mirror",
         "--base-url", mirror.base_url],
        env={**env, "GOVPERF_TASK_RUNNER": "threads", "GOVPERF_HOME": str(tmp_path / "threads")},
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert threads.returncode == 0, threads.stdout[-3000:] + threads.stderr[-3000:]
    on_dask, on_threads = (warehouse_rows(d / "warehouse.duckdb") for d in (data, tmp_path / "threads"))
    assert on_dask["core.reports"] and on_dask == on_threads
    new_runs = [n for n in _task_run_names(url) if n not in before]
    assert any(n.startswith("crawl-and-read") for n in new_runs), new_runs
    assert any(n.startswith("check-and-load") for n in new_runs), new_runs
    # nothing left running: the workers and every reader process they started are gone
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in workers.values()):
        time.sleep(0.2)
    assert not any(psutil.pid_exists(p) for p in workers.values())
    readers = [
        p
        for p in psutil.process_iter(["cmdline"])
        if "flows.documents.budget" in " ".join(p.info["cmdline"] or []) and p.ppid() in workers.values()
    ]
    assert not readers


def test_a_dask_cluster_started_for_the_run_shares_the_runs_temporary_server(tmp_path):
    import json

    # a run without PREFECT_API_URL: Prefect's temporary server in the run's process, and a
    # local cluster of worker processes started by the task runner
    env = base_env(tmp_path / "prefect", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "dask_probe.py")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    probe = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("PROBE "))[6:])
    workers = {pid for pid, _, _ in probe["tasks"]}
    assert probe["flow_pid"] not in workers and len(workers) >= 2, probe  # the tasks ran on workers
    # every worker recorded its task runs on the run's server and started none of its own
    assert {api for _, api, _ in probe["tasks"]} == {probe["flow_api"]}
    assert not any(own for _, _, own in probe["tasks"])


def test_a_dask_run_on_an_existing_cluster_without_a_shared_prefect_server_is_refused(tmp_path):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.dask_runner import NoSharedApiError, SharedApiDaskTaskRunner

    with temporary_settings(restore_defaults={PREFECT_API_URL}), pytest.raises(NoSharedApiError) as info:
        SharedApiDaskTaskRunner(address="tcp://127.0.0.1:1").__enter__()
    assert "PREFECT_API_URL" in str(info.value) and "tcp://127.0.0.1:1" in str(info.value)


def test_threads_are_the_default_task_runner_sized_by_concurrency():
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.nightly import make_task_runner
    from flows.settings import Settings

    runner = make_task_runner(Settings(concurrency=3))
    assert isinstance(runner, ThreadPoolTaskRunner) and runner._max_workers == 3


def test_settings_come_from_govperf_toml_and_the_environment_overrides_it(tmp_path, monkeypatch):
    from flows.settings import get_settings

    for name in ("GOVPERF_HOME", "GOVPERF_TASK_RUNNER", "GOVPERF_CONCURRENCY", "GOVPERF_DASK_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "govperf.toml").write_text(
        'home = "/srv/govperf"\ntask_runner = "dask"\ndask_address = "tcp://10.0.0.5:8786"\nconcurrency = 4\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    s = get_settings()
    assert (s.home, s.task_runner, s.dask_address, s.concurrency) == (
        Path("/srv/govperf"),
        "dask",
        "tcp://10.0.0.5:8786",
        4,
    )
    monkeypatch.setenv("GOVPERF_CONCURRENCY", "3")
    monkeypatch.setenv("GOVPERF_TASK_RUNNER", "threads")
    s = get_settings(home=tmp_path / "data")  # a --home option beats both
    assert (s.home, s.task_runner, s.concurrency) == (tmp_path / "data", "threads", 3)
