"""Opening the warehouse file: 1.x-readable storage, the declared tables, and build-into-a-copy-then-swap.

Analysts hold read-only connections to the live file at any time; DuckDB would block them
while another process has it open read-write. So nothing opens the live file read-write:
a build copies it, writes the copy, checkpoints, and renames the copy over the live file.
Open read-only connections keep the old file (its inode) until they close.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from warehouse import schema
from warehouse.errors import WarehouseError

# the oldest storage format that DuckDB 1.4 LTS and newer read; 2.0's default is unreadable by 1.x
STORAGE_VERSION = "v1.4.0"
# the alias the build attaches the file under; no SQL may name it (views would break elsewhere)
BUILD_ALIAS = "govperf_build"


class WarehouseBusyError(WarehouseError):
    """Another process is building the warehouse."""


class WarehouseCorruptError(WarehouseError):
    """The live warehouse file cannot be opened."""


def previous_path(db_path: Path) -> Path:
    """The warehouse as it was before the last successful build (a hard link: no extra space
    until the next build replaces the live file)."""
    return db_path.with_name(db_path.name + ".previous")


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attach(path: Path, *, alias: str = BUILD_ALIAS) -> duckdb.DuckDBPyConnection:
    """A read-write connection to `path` in 1.4-compatible storage, with `alias` as the default catalog."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH {sql_str(str(path))} AS {alias} (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute(f"USE {alias}")
    except Exception:
        con.close()
        raise
    return con


def comment_text(description: str, label_zh: str) -> str:
    return f"{description} [{label_zh}]" if label_zh else description


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the declared schemas and tables, add declared columns an older file lacks, write comments."""
    for name in schema.SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {name}")
    for table in schema.TABLES:
        con.execute(table.ddl())
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = ? AND table_name = ?",
                [table.schema, table.name],
            ).fetchall()
        }
        for col in table.columns:
            if col.name not in have:
                # additive migration only: a column added to schema.py appears, null, in older files
                con.execute(f'ALTER TABLE {table.qualified} ADD COLUMN "{col.name}" {col.type}')
    write_table_comments(con)


def write_table_comments(con: duckdb.DuckDBPyConnection) -> None:
    current = {
        (r[0], r[1], r[2]): r[3]
        for r in con.execute(
            "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name IN ('raw', 'core')"
        ).fetchall()
    }
    tables = {
        (r[0], r[1]): r[2]
        for r in con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    for table in schema.TABLES:
        if tables.get((table.schema, table.name)) != table.description:
            con.execute(f"COMMENT ON TABLE {table.qualified} IS {sql_str(table.description)}")
        for col in table.columns:
            text = comment_text(col.description, col.label_zh)
            if current.get((table.schema, table.name, col.name)) != text:
                con.execute(f'COMMENT ON COLUMN {table.qualified}."{col.name}" IS {sql_str(text)}')


@contextlib.contextmanager
def build_lock(db_path: Path, timeout: float = 30.0) -> Iterator[None]:
    """One build at a time per warehouse file; the OS drops the lock if the process dies."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"{db_path}: another run is building the warehouse (lock {lock_path})"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(*paths: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def _open_read_write_elsewhere(path: Path) -> bool:
    """True when another process has the file open read-write.

    DuckDB holds a POSIX write lock on a file it opened read-write and a read lock on one it
    opened read-only, so a shared lock is refused only in the first case.
    """
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _refuse_if_open_read_write(db_path: Path) -> None:
    # its session would go on writing the replaced file, and its write-ahead log, left beside
    # the new file, would make the new file refuse to open ("WAL does not match database file")
    if _open_read_write_elsewhere(db_path):
        raise WarehouseBusyError(
            f"{db_path} is open read-write in another process; close it (analysts: open it read-only, "
            "e.g. `duckdb -readonly`) and run again"
        )


@contextlib.contextmanager
def building(db_path: Path, *, lock_timeout: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the warehouse that replaces the live file on success.

    On any exception the copy is discarded and the live file is untouched.
    """
    db_path = Path(db_path)
    live_wal = db_path.with_name(db_path.name + ".wal")
    work = db_path.with_name(db_path.name + ".building")
    wal = work.with_name(work.name + ".wal")
    with build_lock(db_path, lock_timeout):
        _refuse_if_open_read_write(db_path)
        _remove(work, wal)  # a crashed build's leftovers; we hold the lock, nobody else uses them
        stale_wal = live_wal.exists()
        try:
            if db_path.exists():
                shutil.copyfile(db_path, work)
                if stale_wal:
                    # a read-write session died before checkpointing: its log belongs to the live
                    # file, so the copy replays it and the new file holds those changes
                    shutil.copyfile(live_wal, wal)
            con = _attach_copy(work, db_path)
        except BaseException as e:
            _remove(work, wal)  # a half-written copy would keep a full disk full
            if _disk_full(e):
                raise WarehouseError(_DISK_FULL.format(folder=db_path.parent, when="copying it")) from e
            raise
        try:
            ensure_schema(con)
            yield con
            con.execute("CHECKPOINT")
        except BaseException as e:
            con.close()
            _remove(work, wal)
            if _disk_full(e):
                raise WarehouseError(_DISK_FULL.format(folder=db_path.parent, when="writing it")) from e
            raise
        con.close()
        if wal.exists():  # CHECKPOINT folds the WAL in; one left over means the copy is not whole
            _remove(work, wal)
            raise RuntimeError(f"{work}: write-ahead log left after checkpoint; live file kept")
        _fsync(work)
        try:
            _refuse_if_open_read_write(db_path)  # again: someone may have opened it meanwhile
        except WarehouseBusyError:
            _remove(work)
            raise
        if stale_wal:
            # before the rename: a reader opening the new file next to the old log would fail
            _remove(live_wal)
        _keep_previous(db_path)
        os.replace(work, db_path)
        _fsync(db_path.parent)


_DISK_FULL = (
    "{folder}: disk full while building the new warehouse ({when}); the partial copy is removed "
    "and the live file is untouched: free some space and run again"
)


def _disk_full(e: BaseException) -> bool:
    if isinstance(e, OSError):
        return e.errno == errno.ENOSPC
    return isinstance(e, duckdb.Error) and "No space left on device" in str(e)


def _attach_copy(work: Path, db_path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return attach(work)
    except duckdb.Error as e:
        if not db_path.exists():
            raise
        previous = previous_path(db_path)
        how = (
            f"the last good one is kept as {previous}: `mv {previous} {db_path}` and run again"
            if previous.exists()
            else f"move it aside (`mv {db_path} {db_path}.damaged`) and run "
            "`govperf run --full-refresh` to build a new one"
        )
        detail = " ".join(str(e).replace(str(work), str(db_path)).split())[:200]
        raise WarehouseCorruptError(f"{db_path} cannot be opened, it is damaged ({detail}); {how}") from e


def _keep_previous(db_path: Path) -> None:
    if not db_path.exists():
        return
    previous = previous_path(db_path)
    tmp = previous.with_name(previous.name + ".tmp")
    _remove(tmp)
    try:
        os.link(db_path, tmp)
        os.replace(tmp, previous)
    except OSError:  # a file system without hard links: no backup, the build still lands
        _remove(tmp)


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not Path(db_path).exists():
        raise FileNotFoundError(f"{db_path}: no warehouse yet (run a load first)")
    return duckdb.connect(str(db_path), read_only=True)


# What an analyst's query may do: read the warehouse it was opened on, nothing else. No file
# is read or written (COPY … TO, read_csv('/etc/passwd'), ATTACH, EXPORT DATABASE), no
# extension installed or loaded, and the query cannot SET any of this back.
ANALYST_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}


def connect_for_analysts(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for SQL written by people (govperf sql, dq, and any future page
    or API): it can query the warehouse and touch no file."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"{db_path}: no warehouse yet (run a load first)")
    return duckdb.connect(str(db_path), read_only=True, config=dict(ANALYST_CONFIG))
