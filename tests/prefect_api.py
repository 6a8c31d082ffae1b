"""A real `prefect server start` on a free loopback port, in its own PREFECT_HOME, for the tests
that need a server outliving one process (serve, workers, killed runs); and process helpers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(prefect_home: Path, api_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a process that talks to the test server (none of the caller's Prefect profile)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GOVPERF_"))}
    if (
        "GOVPERF_OCR_CACHE" in os.environ
    ):  # the session's OCR cache (tests/conftest.py): same pages, same results
        env["GOVPERF_OCR_CACHE"] = os.environ["GOVPERF_OCR_CACHE"]
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_LOGGING_LEVEL="INFO",
        GX_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.update(extra)
    return env


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def start(args: list[str], env: Mapping[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    """A process in its own group (so stop() ends its children too), output to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            args, env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )


@contextlib.contextmanager
def prefect_server(home: Path, startup_timeout: float = 90.0) -> Iterator[str]:
    """`prefect server start` (SQLite under `home`) until the block ends; yields its API URL."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = home / "server.log"
    proc = start(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        base_env(home),
        log,
    )
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"prefect server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"prefect server not up in {startup_timeout} s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.25)
        yield url
    finally:
        stop(proc)
