"""The nightly schedule: the deployment `nightly` (02:00 Asia/Shanghai) on a real Prefect server.

Two ways to run it, one schedule:
- `govperf serve` (serve_nightly): this process registers the deployment and runs its flow
  runs itself, each in a subprocess. One machine, nothing else to start but the server.
- prefect.yaml + `prefect deploy --all` + `prefect worker start --pool govperf`: work-pool
  deployments, for flow runs on other machines.

A flow-side file: it imports Prefect, like flows/nightly.py.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

DEPLOYMENT_NAME = "nightly"
CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"
TAGS = ["govperf", "nightly"]


class NoServerError(RuntimeError):
    """PREFECT_API_URL names no server: a schedule needs one that outlives this process."""


def api_url() -> str | None:
    """The Prefect API this process talks to (environment or active profile), None for none."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def deployment_parameters(
    sources: list[str] | None = None,
    base_url: str | None = None,
    home: str | None = None,
    full_refresh: bool = False,
    sources_dirs: list[str] | None = None,
) -> dict[str, Any]:
    """The nightly flow's parameters that differ from its defaults (the rest come from settings)."""
    out: dict[str, Any] = {}
    if sources:
        out["sources"] = list(sources)
    if sources_dirs:
        out["sources_dirs"] = list(sources_dirs)
    if base_url:
        out["base_url"] = base_url
    if home:
        out["home"] = home
    if full_refresh:
        out["full_refresh"] = True
    return out


def nightly_deployment(
    parameters: dict[str, Any] | None = None, cron: str = CRON, timezone: str = TIMEZONE
) -> Any:
    """The RunnerDeployment `nightly`: one run at a time, the flow found by module path so a run
    works from any working directory."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.nightly import nightly

    return nightly.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters or {},
        # a run that overruns a day waits for the previous one instead of crawling beside it
        concurrency_limit=1,
        tags=TAGS,
        description="Fetch every enabled source, parse and check its reports, load the warehouse.",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve_nightly(
    parameters: dict[str, Any] | None = None, cron: str = CRON, timezone: str = TIMEZONE
) -> None:
    """Register `nightly` on the server at PREFECT_API_URL and run its flow runs until stopped."""
    if not api_url():
        raise NoServerError(
            "no Prefect server: start one (`prefect server start`) and set PREFECT_API_URL, "
            "e.g. http://127.0.0.1:4200/api"
        )
    from prefect import serve

    # limit=1: this process runs one flow run at a time, whatever the server asks
    serve(nightly_deployment(parameters, cron, timezone), limit=1)


# ── a temporary server for one run ──────────────────────────────────────────────────
# Prefect starts its own temporary server when PREFECT_API_URL is unset, but that child
# outlives a SIGKILLed run (about 230 MB left running per kill). This one is started through
# a trampoline that asks Linux to SIGKILL it when its parent dies, whatever kills the parent.
_TRAMPOLINE = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG\n"
    "if os.getppid() != int(sys.argv[1]): sys.exit(1)  # the parent died before prctl\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


@contextlib.contextmanager
def temporary_server(startup_seconds: float | None = None) -> Iterator[tuple[str, int] | None]:
    """A Prefect API for this process only, when PREFECT_API_URL names none; yields its URL and
    pid (None when a server is configured). Ends with the block, and with this process if killed.
    It has Prefect's startup timeout (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS), 90 s at least."""
    if api_url() or not sys.platform.startswith("linux"):
        yield None
        return
    import prefect
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    if startup_seconds is None:
        startup_seconds = max(90.0, float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))

    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    proc: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + startup_seconds
        # exit 3 is uvicorn's failed startup: a port taken meanwhile, or the database busy with
        # another run's server migrating it; like Prefect's own, try again on another port
        for _attempt in range(5):
            port = _free_port()
            uvicorn = [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent)]
            uvicorn += ["--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1"]
            uvicorn += ["--port", str(port), "--log-level", "error", "--lifespan", "on"]
            proc = subprocess.Popen([sys.executable, "-c", _TRAMPOLINE, str(os.getpid()), *uvicorn], env=env)
            url = f"http://127.0.0.1:{port}/api"
            if _wait_healthy(proc, url, deadline):
                break
        else:
            raise NoServerError("the temporary Prefect server failed to start 5 times (exit 3)")
        with temporary_settings({PREFECT_API_URL: url}):
            try:
                yield url, proc.pid
            finally:
                _drain_to(url)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, deadline: float) -> bool:
    """True once the server answers; False when it exited 3 (try another); raises otherwise."""
    import httpx

    while True:
        code = proc.poll()
        if code == 3:
            return False
        if code is not None:
            raise NoServerError(f"the temporary Prefect server exited ({code}) while starting")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return True
        if time.monotonic() > deadline:
            proc.kill()
            raise NoServerError("the temporary Prefect server did not answer in time")
        time.sleep(0.1)


def _drain_to(url: str) -> None:
    """Send the logs and events still queued while the server is up: after it stops, Prefect's
    workers would retry them against a closed port for a minute and more."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=10)
