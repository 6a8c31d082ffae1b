"""Shared fixtures: one Prefect test harness for the few flow tests, the mirror site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS_DIR.exists():  # a clone elsewhere: shared/ sits beside the project's root
    SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


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

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS_DIR
