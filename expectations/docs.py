"""GX Data Docs for a run's validation results: a static site in <GOVPERF_HOME>/docs/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

SITE_NAME = "govperf"


def site_config(docs_dir: Path) -> dict[str, dict[str, Any]]:
    """The data_docs_sites entry of a GX context that renders into docs_dir."""
    return {
        SITE_NAME: {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(Path(docs_dir).resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    }


def clear_old_runs(docs_dir: Path) -> None:
    """The site shows the latest run (its index lists only the results it was built from);
    earlier runs' pages would pile up unlisted, so they go. Findings history is in the warehouse."""
    for sub in ("validations", "expectations"):
        shutil.rmtree(Path(docs_dir) / sub, ignore_errors=True)


def index_path(docs_dir: Path) -> Path:
    return Path(docs_dir) / "index.html"
