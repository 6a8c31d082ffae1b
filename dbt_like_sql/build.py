"""The build step after a load: department aliases, department keys, views, comments, SQL tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dbt_like_sql.project import (
    DEFAULT_MODELS_DIR,
    ModelTestError,
    TestResult,
    build_models,
    failed_tests,
    run_tests,
)
from warehouse import db, keys, schema
from warehouse.arrow import registered

ALIASES_CSV = Path("seeds") / "department_aliases.csv"


def load_aliases(con: duckdb.DuckDBPyConnection, models_dir: Path = DEFAULT_MODELS_DIR) -> int:
    """Make core.department_aliases equal the alias file; returns rows changed (0 when it already was)."""
    table = schema.DEPARTMENT_ALIASES
    rows = [
        {
            "district": a.district,
            "alias": a.alias,
            "canonical": a.canonical,
            "alias_norm": a.alias_norm,
            "canonical_norm": a.canonical_norm,
        }
        for a in keys.read_aliases(models_dir / ALIASES_CSV)
    ]
    # one row per (district, alias_norm): the file's last word wins
    frame = table.frame(rows).unique(subset=list(table.key), keep="last", maintain_order=True)
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    with registered(con, "_in_aliases", frame):
        different = con.execute(
            f"SELECT count(*) FROM ((SELECT {cols} FROM {table.qualified} EXCEPT ALL SELECT {cols} FROM _in_aliases) "
            f"UNION ALL (SELECT {cols} FROM _in_aliases EXCEPT ALL SELECT {cols} FROM {table.qualified}))"
        ).fetchall()[0][0]
        if different:
            con.execute(f"DELETE FROM {table.qualified}")
            con.execute(f"INSERT INTO {table.qualified} ({cols}) SELECT {cols} FROM _in_aliases")
    return int(different)


def apply_aliases(con: duckdb.DuckDBPyConnection) -> int:
    """Re-derive core.reports.department_key from department_norm and the alias table; rows changed.

    The same rule as keys.department_key: scope (the key's part before '/') + '/' + canonical name.
    """
    return con.execute(
        """
        UPDATE core.reports AS r
        SET department_key = n.new_key
        FROM (
            SELECT r2.report_id,
                   split_part(r2.department_key, '/', 1) || '/' || coalesce(a.canonical_norm, r2.department_norm)
                       AS new_key
            FROM core.reports AS r2
            LEFT JOIN core.department_aliases AS a
              ON a.district = split_part(r2.department_key, '/', 1) AND a.alias_norm = r2.department_norm
            WHERE r2.department_key IS NOT NULL AND r2.department_norm IS NOT NULL
        ) AS n
        WHERE r.report_id = n.report_id AND r.department_key IS DISTINCT FROM n.new_key
        """
    ).fetchall()[0][0]


def build(
    con: duckdb.DuckDBPyConnection, models_dir: Path = DEFAULT_MODELS_DIR, *, run_tests_too: bool = True
) -> tuple[list[str], list[TestResult]]:
    """Aliases, keys, views and comments, then the SQL tests; inside the caller's transaction."""
    load_aliases(con, models_dir)
    apply_aliases(con)
    views = build_models(con, models_dir)
    return views, (run_tests(con, models_dir) if run_tests_too else [])


def run_models(db_path: Path, models_dir: Path = DEFAULT_MODELS_DIR) -> list[str]:
    """Rebuild aliases, views and comments of an existing warehouse (copy and swap); raises on failed tests."""
    with db.building(Path(db_path)) as con:
        con.execute("BEGIN")
        views, results = build(con, models_dir)
        failed = failed_tests(results)
        if failed:
            con.execute("ROLLBACK")
            raise ModelTestError(failed)
        con.execute("COMMIT")
    return views
