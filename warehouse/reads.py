"""What the warehouse already holds, read before a run so the run does only what changed.

Loaded, not merely fetched: a run killed before its load must walk those pages again on the
re-run, or their reports would never arrive. Both reads give "nothing" when there is no
warehouse yet or it cannot be opened now (an analyst holding it read-write).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb


def known_page_urls_by_source(db_path: Path, sources: list[str]) -> dict[str, frozenset[str]]:
    """Per source, the report pages (and files) the warehouse already holds: one read for a
    whole batch of sources (a night of a thousand sources).

    Empty when there is no warehouse yet or it cannot be opened now (an analyst holding it
    read-write): the run then walks every list page, which is slower but never loses a report.
    """
    out: dict[str, set[str]] = {s: set() for s in sources}
    if not sources or not Path(db_path).is_file():
        return {s: frozenset() for s in sources}
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            rows = con.execute(
                "SELECT source, page_url, url FROM raw.documents WHERE list_contains(?, source)", [sources]
            ).fetchall()
    except duckdb.Error:
        return {s: frozenset() for s in sources}
    for source, *urls in rows:
        out[source].update(u for u in urls if u)
    return {s: frozenset(u) for s, u in out.items()}


def fetch_log_loaded_until(db_path: Path) -> dt.datetime | None:
    """The time of the latest request raw.fetch_log holds (None: no warehouse, or none yet)."""
    if not Path(db_path).is_file():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            row = con.execute("SELECT max(fetched_at) FROM raw.fetch_log").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None
