"""Shared fixtures: one Prefect test harness for the few flow tests, the mirror site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from tests.mirror.build import DEFAULT_SEEDS as SEEDS_DIR


@pytest.fixture(scope="session", autouse=True)
def shared_ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The mirror's scanned report is OCR'd once per session, not once per flow test's data folder
    (the cache is keyed by page pixels, so sharing it changes no result)."""
    before = os.environ.get("GOVPERF_OCR_CACHE")
    os.environ["GOVPERF_OCR_CACHE"] = str(tmp_path_factory.mktemp("ocr-cache"))
    yield
    if before is None:
        os.environ.pop("GOVPERF_OCR_CACHE", None)
    else:
        os.environ["GOVPERF_OCR_CACHE"] = before


@pytest.fixture(scope="session")
def warm_ocr_cache(shared_ocr_cache: None) -> None:
    """The mirror's scanned reports OCR'd into the session's cache before a timed flow run needs them."""
    import json

    from flows.documents.read import read_document

    site = Path(__file__).resolve().parents[1] / "flows" / "mirror" / "site"
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    for doc in manifest["documents"]:
        if doc.get("scanned"):
            path = site / doc["path"].lstrip("/")
            read_document(path.read_bytes(), path.name)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    # ~10 s to start: shared by every flow test of the session
    from prefect.testing.utilities import prefect_test_harness

    # under load (six test suites on two cores) a cold start has taken over 60 s
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def prefect_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A real `prefect server start` for the tests whose processes need a server outliving them
    (serve, workers, killed runs): one for the session, (its PREFECT_HOME, its API URL)."""
    from prefect_api import prefect_server

    home = tmp_path_factory.mktemp("prefect-home")
    with prefect_server(home) as url:
        yield home, url


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    # the seed reports are shared data beside the repository, not part of it: a clone without
    # them runs every other test
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the shared seed reports are not here ({SEEDS_DIR})")
    return SEEDS_DIR


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory, seeds_dir) -> Path:
    """A data folder holding a real warehouse of the five seed reports, checked (GX, Data Docs)
    and loaded as one run: shared by the tests that only read it."""
    from expectations.current import read_current_reports
    from expectations.runner import check_records
    from tests.seed_warehouse import RUN, TODAY, load_seeds, seed_records

    home = tmp_path_factory.mktemp("seed_home")
    db = home / "warehouse.duckdb"
    records = seed_records(seeds_dir)
    check_records(records, TODAY, current=read_current_reports(db), docs_dir=home / "docs", run_name=RUN)
    load_seeds(db, records)
    return home
