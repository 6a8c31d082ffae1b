"""What analysts touch beside the warehouse file: govperf sql's formats, `import govperf`, export."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from flows.analyst.output import layout, print_table, render, to_markdown
from flows.cli import app

HOSTILE = "[bold red]alarm[/] | <script>x</script>\nline two"


@pytest.fixture(scope="module")
def home(seed_home) -> Path:
    return seed_home


def _printed(columns, rows, width: int) -> str:
    buf = io.StringIO()
    print_table(Console(file=buf, width=width, color_system=None), columns, rows)
    return buf.getvalue()


def test_a_table_wraps_long_values_instead_of_cutting_them():
    long = "项目支出7664.88万元，执行金额7609.48万元，预算执行率92.77%。" * 3
    out = _printed(["check", "evidence"], [("rate_matches_amounts", long)], width=60)
    assert "…" not in out
    # every character is printed, spread over wrapped lines of its column
    flat = "".join(out.replace("│", " ").split())
    assert "".join(long.split()) in flat
    assert max(len(line) for line in out.splitlines()) <= 60


def test_too_many_columns_for_the_width_print_one_record_per_block():
    columns = [f"column_{i}" for i in range(12)]
    rows = [tuple(f"value {i}-{j}" for j in range(12)) for i in range(2)]
    assert layout(columns, [list(r) for r in rows], 80) == "records"
    out = _printed(columns, rows, width=80)
    assert "record 1" in out and "record 2" in out
    assert all(f"column_{j}" in out and f"value 1-{j}" in out for j in range(12))
    # the same rows fit side by side on a wide screen
    assert layout(columns, [list(r) for r in rows], 300) == "table"


def test_values_are_printed_as_text_never_as_markup():
    out = _printed(["message"], [(HOSTILE,)], width=120)
    assert "[bold red]alarm[/]" in out
    md = to_markdown(["message"], [(HOSTILE,)])
    assert "<script>" not in md and "\\<script\\>" in md and "\\|" in md and "<br>line two" in md
    assert md.count("\n") == 3  # header, rule, one row: the newline inside stayed in its cell


def test_csv_and_json_round_trip_the_values():
    columns, rows = ["name", "rate", "note"], [("公园街道", 99.5, None), ("a,b", 1, HOSTILE)]
    back = list(csv.reader(io.StringIO(render("csv", columns, rows, width=None))))
    assert back == [columns, ["公园街道", "99.5", ""], ["a,b", "1", HOSTILE.replace("\n", "\n")]]
    assert json.loads(render("json", columns, rows, width=None)) == [
        {"name": "公园街道", "rate": 99.5, "note": None},
        {"name": "a,b", "rate": 1, "note": HOSTILE},
    ]


def test_govperf_sql_formats_and_output_file(home, tmp_path):
    runner = CliRunner()
    q = "SELECT district, fiscal_year, execution_rate FROM marts.district_year_summary ORDER BY 1, 2"
    shown = runner.invoke(app, ["sql", q, "--home", str(home), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    got = json.loads(shown.output)
    assert {(r["district"], r["fiscal_year"]) for r in got} == {
        ("东湖区", 2022),
        ("闵行区", 2021),
        ("闵行区", 2023),
    }
    md = runner.invoke(app, ["sql", q, "--home", str(home), "-f", "markdown"])
    assert md.output.startswith("| district | fiscal\\_year | execution\\_rate |")
    out = tmp_path / "summary.csv"
    written = runner.invoke(app, ["sql", q, "--home", str(home), "-f", "csv", "-o", str(out)])
    assert written.exit_code == 0 and "3 rows" in written.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "闵行区".encode() in raw
    bad = runner.invoke(app, ["sql", q, "--home", str(home), "-f", "xml"])
    assert bad.exit_code == 2 and "table, csv, json, markdown" in bad.output


def test_import_govperf_reads_marts_as_polars_read_only(home):
    # the installed package, in a fresh interpreter, as a notebook would use it
    script = """
import govperf, duckdb
df = govperf.read("marts.district_year_summary")
print(type(df).__name__, df.height, sorted(df["district"].unique().to_list()))
print(govperf.read("quarantine")["department"].to_list())
con = govperf.connect()
try:
    con.execute("CREATE TABLE marts.x (a INT)")
except duckdb.Error:
    print("read-only")
try:
    govperf.read("marts.report_catalog; DROP TABLE core.reports")
except ValueError as e:
    print("refused")
"""
    env = {**os.environ, "GOVPERF_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "DataFrame 3 ['东湖区', '闵行区']"
    assert lines[1] == "['浦锦街道社区事务受理服务中心']"
    assert lines[2:] == ["read-only", "refused"]


def test_export_writes_csv_with_a_bom_beside_parquet(home, tmp_path):
    runner = CliRunner()
    done = runner.invoke(app, ["export", "--parquet", str(tmp_path), "--home", str(home)])
    assert done.exit_code == 0, done.output
    for name in ("district_year_summary", "quarantine", "dq_issues"):
        raw = (tmp_path / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        from_csv = pl.read_csv(tmp_path / f"{name}.csv", encoding="utf8-lossy", infer_schema=False)
        from_parquet = pl.read_parquet(tmp_path / f"{name}.parquet")
        assert from_csv.columns == from_parquet.columns and from_csv.height == from_parquet.height
    text = (tmp_path / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("report_id,") and "浦锦街道社区事务受理服务中心" in text


def test_the_docs_example_runs_against_a_warehouse(home):
    example = Path(__file__).parents[1] / "docs" / "notebook_example.py"
    env = {**os.environ, "GOVPERF_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, str(example)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "stated 92.77% but 7609.48/7664.88 = 99.28%" in done.stdout
    assert "项目支出7664.88万元，执行金额7609.48万元，预算执行率92.77%。" in done.stdout


def test_the_run_summary_prints_document_text_as_text(capsys):
    from flows.cli import _print_summary

    summary = {
        "run_id": "r1",
        "sources": [],
        "findings": [
            {
                "severity": "error",
                "check": "c",
                "department": "[bold]单位[/bold]",
                "fiscal_year": 2023,
                "message": HOSTILE,
            }
        ],
        "district_year": [],
        "health": [{"severity": "warning", "check": "empty_source", "message": "[red]gone[/red]"}],
        "rejected": [{"kind": "not_a_report", "url": "http://x/[y]", "message": "[blink]no[/blink]"}],
        "warehouse": "w[1].duckdb",
    }
    _print_summary(summary, 1.0)
    out = capsys.readouterr()
    flat = "".join((out.out + out.err).split())
    for literal in (
        "[bold]单位[/bold]",
        "[bold red]alarm[/]",
        "[red]gone[/red]",
        "http://x/[y]",
        "[blink]no[/blink]",
        "w[1].duckdb",
    ):
        assert "".join(literal.split()) in flat, literal
