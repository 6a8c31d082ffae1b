"""The Dask task runner with one Prefect API for the run and all its workers.

A Dask worker runs a task with the settings the flow's process sends along. When that process
has no API server of its own (`govperf run` without PREFECT_API_URL uses Prefect's temporary
one), every worker would start a temporary server of its own: task runs recorded in several
throw-away databases, and server processes left behind. So the workers are pointed at the
run's own server: the temporary one of the flow's process, for a cluster started for the run;
an existing cluster (GOVPERF_DASK_ADDRESS) must share a real server, or the run refuses.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings
from prefect_dask import DaskTaskRunner


class NoSharedApiError(RuntimeError):
    pass


class SharedApiDaskTaskRunner(DaskTaskRunner):
    def __init__(self, address: str | None = None, **kwargs: Any) -> None:
        super().__init__(address=address, **kwargs)
        self._shared_api: AbstractContextManager[Any] | None = None

    def duplicate(self) -> SharedApiDaskTaskRunner:
        return type(self)(address=self.address)

    def __enter__(self) -> SharedApiDaskTaskRunner:
        if not get_current_settings().api.url:
            if self.address:
                raise NoSharedApiError(
                    f"the Dask cluster at {self.address} needs a Prefect server that the run and every "
                    "worker reach: set PREFECT_API_URL for both (a temporary server lives in one process)"
                )
            from prefect.server.api.server import SubprocessASGIServer

            server = SubprocessASGIServer()  # the run's temporary server, started with the flow
            if server.running:
                self._shared_api = temporary_settings(updates={PREFECT_API_URL: server.api_url})
                self._shared_api.__enter__()
        super().__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        try:
            super().__exit__(*args)
        finally:
            if self._shared_api is not None:
                self._shared_api.__exit__(None, None, None)
                self._shared_api = None
