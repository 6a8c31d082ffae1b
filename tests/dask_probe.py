"""A flow whose tasks report which Prefect API their Dask worker talks to (tests/test_serve.py)."""

from __future__ import annotations

import os

from prefect import flow, task

from flows.dask_runner import SharedApiDaskTaskRunner


@task
def where_am_i() -> tuple[int, str | None, bool]:
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    # (process, API the task run was recorded on, whether this process runs a temporary server)
    return os.getpid(), get_current_settings().api.url, SubprocessASGIServer().running


@flow(task_runner=SharedApiDaskTaskRunner())
def probe() -> dict:
    from prefect.server.api.server import SubprocessASGIServer

    seen = [f.result() for f in [where_am_i.submit() for _ in range(6)]]
    return {"flow_pid": os.getpid(), "flow_api": SubprocessASGIServer().api_url, "tasks": seen}


if __name__ == "__main__":
    import json

    print("PROBE " + json.dumps(probe()))
