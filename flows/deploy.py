"""The nightly schedule: the deployment `nightly` (02:00 Asia/Shanghai) on a real Prefect server.

Two ways to run it, one schedule:
- `govperf serve` (serve_nightly): this process registers the deployment and runs its flow
  runs itself, each in a subprocess. One machine, nothing else to start but the server.
- prefect.yaml + `prefect deploy --all` + `prefect worker start --pool govperf`: work-pool
  deployments, for flow runs on other machines.

A flow-side file: it imports Prefect, like flows/nightly.py.
"""

from __future__ import annotations

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
