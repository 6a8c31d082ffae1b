"""Shared fixtures: one Prefect test harness for the few flow tests, the mirror site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from tests.mirror.build import DEFAULT_SEEDS as SEEDS_DIR


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    # ~10 s to start: shared by every flow test of the session
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    # the seed reports are shared data beside the repository, not part of it: a clone without
    # them runs every other test
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the shared seed reports are not here ({SEEDS_DIR})")
    return SEEDS_DIR
