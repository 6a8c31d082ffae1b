"""Kill points: GOVPERF_KILL_AT makes a run SIGKILL itself at a named step, for the recovery tests
(a crash nobody cleans up after, exactly as a power cut or OOM kill)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# a fetch-log entry hook, as flows.crawl.http.OnRequest
OnRequest = Callable[[dict[str, Any]], None]

KILL_ENV = "GOVPERF_KILL_AT"


def _kill_spec() -> tuple[str, int] | None:
    spec = os.environ.get(KILL_ENV, "").strip()
    if not spec:
        return None
    step, _, n = spec.partition(":")
    return step, int(n or 0)


def kill_point(step: str, count: int = 0) -> None:
    """SIGKILL this process at `step` once `count` reaches N, when GOVPERF_KILL_AT is `step:N`."""
    spec = _kill_spec()
    if spec and spec[0] == step and count >= spec[1]:
        os.kill(os.getpid(), signal.SIGKILL)


def killing_on_request(on_request: OnRequest) -> OnRequest:
    """on_request, and with GOVPERF_KILL_AT=fetch:N a SIGKILL once N requests are in the fetch log."""
    spec = _kill_spec()
    if not spec or spec[0] != "fetch":
        return on_request
    lock = threading.Lock()
    seen = [0]

    def hook(entry: dict[str, Any]) -> None:
        on_request(entry)
        with lock:
            seen[0] += 1
            kill_point("fetch", seen[0])

    return hook


def kill_while_loading(db_path: Path, poll: float = 0.002) -> None:
    """With GOVPERF_KILL_AT=load, SIGKILL this process while it writes the warehouse's new copy."""
    spec = _kill_spec()
    if not spec or spec[0] != "load":
        return
    building = Path(db_path).with_name(Path(db_path).name + ".building")

    def watch() -> None:
        while not building.exists():
            time.sleep(poll)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="kill-while-loading", daemon=True).start()
