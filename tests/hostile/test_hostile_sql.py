"""Hostile queries: an analyst's SQL reads the warehouse and touches no file; output is text.

Each case runs the real `govperf sql` command in its own process on a real DuckDB file.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.report_catalog AS SELECT '[/] 街道' AS publisher, 1 AS n")
    return tmp_path


def govperf_sql(home: Path, query: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "sql", query, "--home", str(home)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "query",
    [
        "COPY (SELECT 'x') TO '{home}/warehouse.duckdb'",
        "COPY (SELECT 'x') TO '{home}/elsewhere.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "ATTACH '{home}/other.duckdb' AS other",
        "EXPORT DATABASE '{home}/dump'",
        "SET enable_external_access = true",
        "INSTALL httpfs",
    ],
    ids=[
        "copy-over-warehouse",
        "copy-to-file",
        "read-csv",
        "read-text",
        "attach",
        "export",
        "set",
        "install",
    ],
)
def test_analyst_sql_cannot_read_or_write_files(home: Path, query: str) -> None:
    before = digest(home / "warehouse.duckdb")
    done = govperf_sql(home, query.format(home=home))
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert lines[0].startswith("error:") and "Traceback" not in done.stderr.decode()
    assert any(w in lines[0] for w in ("disabled by configuration", "locked", "Permission"))
    assert sorted(p.name for p in home.iterdir()) == ["warehouse.duckdb"]  # nothing written
    assert digest(home / "warehouse.duckdb") == before
    assert govperf_sql(home, "SELECT n FROM marts.report_catalog").returncode == 0


def test_markup_in_results_prints_as_itself(home: Path) -> None:
    done = govperf_sql(home, "SELECT publisher, '[bold]x[/bold] [/]' AS tag FROM marts.report_catalog")
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert "[/] 街道" in out and "[bold]x[/bold] [/]" in out


def test_escape_sequences_reach_the_terminal_escaped(home: Path) -> None:
    done = govperf_sql(home, "SELECT chr(27) || ']0;pwned' || chr(7) || chr(27) || '[2J' || chr(8238) AS t")
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202e" in out


def test_run_summary_with_markup_and_escapes_in_site_text_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli import _print_summary

    hostile = "http://x.gov.cn/[/]a\x1b[31m.pdf"
    summary = {
        "run_id": "r[/]1",
        "sources": [],
        "findings": [
            {
                "severity": "error",
                "check": "c",
                "department": "[/]部门",
                "fiscal_year": 2023,
                "message": "[red]m",
            }
        ],
        "district_year": [],
        "rejected": [{"kind": "not_a_report", "url": hostile, "message": "[/]"}],
        "warehouse": "w",
    }
    _print_summary(summary, 1.0)
    out, errs = capsys.readouterr()
    assert "[/]部门" in out and "[red]m" in out
    assert "http://x.gov.cn/[/]a\\x1b[31m.pdf" in errs and "\x1b" not in errs
