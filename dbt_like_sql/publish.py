"""Publishing the marts outside DuckDB: one Parquet file and one CSV file per mart."""

from __future__ import annotations

import shutil
from pathlib import Path

from dbt_like_sql.project import DEFAULT_MODELS_DIR, discover
from warehouse import db


def mart_names(models_dir: Path = DEFAULT_MODELS_DIR) -> tuple[str, ...]:
    return tuple(sorted(m.name for m in discover(models_dir) if m.schema == "marts"))


MARTS = mart_names()


def export_parquet(db_path: Path, out_dir: Path, models_dir: Path = DEFAULT_MODELS_DIR) -> list[Path]:
    """Write marts.<name> to out_dir/<name>.parquet for every mart; returns the files written.

    Reads the live file read-only, like any analyst, so it runs beside a nightly build.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    con = db.connect_read_only(Path(db_path))
    try:
        for name in mart_names(models_dir):
            target = out_dir / f"{name}.parquet"
            tmp = target.with_name(target.name + ".tmp")
            con.execute(
                f"COPY (SELECT * FROM marts.{name}) TO {db.sql_str(str(tmp))} (FORMAT parquet, COMPRESSION zstd)"
            )
            tmp.replace(target)  # a reader of the old file never sees half a new one
            written.append(target)
    finally:
        con.close()
    return written


UTF8_BOM = b"\xef\xbb\xbf"


def export_csv(db_path: Path, out_dir: Path, models_dir: Path = DEFAULT_MODELS_DIR) -> list[Path]:
    """Write marts.<name> to out_dir/<name>.csv for every mart: UTF-8 with a byte-order mark,
    which Excel and WPS need to read Chinese text as UTF-8 rather than GBK."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    con = db.connect_read_only(Path(db_path))
    try:
        for name in mart_names(models_dir):
            target = out_dir / f"{name}.csv"
            body = target.with_name(target.name + ".body")
            tmp = target.with_name(target.name + ".tmp")
            con.execute(
                f"COPY (SELECT * FROM marts.{name}) TO {db.sql_str(str(body))} (FORMAT csv, HEADER true)"
            )
            with tmp.open("wb") as out, body.open("rb") as src:
                out.write(UTF8_BOM)
                shutil.copyfileobj(src, out, 1 << 20)
            body.unlink()
            tmp.replace(target)
            written.append(target)
    finally:
        con.close()
    return written
