"""The warehouse-level check (duplicate_report) against a real DuckDB warehouse, read read-only
before a load, and the run's GX Data Docs."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dbt_like_sql.load import load_run
from expectations.current import read_current_reports
from expectations.runner import check_records
from flows.contract.report import ReportRecord
from tests.test_dq_corpus import CORPUS, TODAY, corpus_record
from warehouse.frames import records_to_frames

FIRST = CORPUS / "broken" / "b12_duplicate_first.txt"
SECOND = CORPUS / "broken" / "b13_duplicate_second.html"
URL_A = "https://wh.kunming.example.gov.cn/a/first.htm"
URL_B = "https://wh.kunming.example.gov.cn/b/second.htm"
URL_C = "https://wh.kunming.example.gov.cn/c/copy.htm"


def checked(records: list[ReportRecord], db: Path, **kwargs) -> list[ReportRecord]:
    current = read_current_reports(db)
    check_records(
        records,
        TODAY,
        current=current,
        fetched_locations=frozenset(r.source_url for r in records if r.source_url),
        **kwargs,
    )
    return records


def load(db: Path, records: list[ReportRecord], run_id: str) -> None:
    loaded_at = dt.datetime(2026, 6, 30, 2, 0) + dt.timedelta(minutes=len(run_id))
    load_run(db, records_to_frames(records, run_id, loaded_at), run_id)


def dup_checks(rec: ReportRecord) -> list[str]:
    return [f.message for f in rec.findings if f.check == "duplicate_report"]


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A warehouse holding the first publication (at URL_A), checked and loaded."""
    db = tmp_path / "warehouse.duckdb"
    load(db, checked([corpus_record(FIRST, URL_A)], db), "run1")
    return db


def test_no_warehouse_yet_means_no_stored_reports(tmp_path):
    db = tmp_path / "absent.duckdb"
    assert read_current_reports(db).is_empty()
    rec = checked([corpus_record(SECOND, URL_B)], db)[0]
    assert dup_checks(rec) == [] and rec.dq_status == "pass"
    assert not db.exists()  # reading never creates the file


def test_a_second_publication_under_another_url_is_a_duplicate(warehouse):
    rec = checked([corpus_record(SECOND, URL_B)], warehouse)[0]
    [message] = dup_checks(rec)
    assert URL_A in message and "the warehouse" in message
    assert "华山街道办事处" in message and "2023" in message
    assert "17390000 here, 17640000 there" in message  # total executed, yuan
    [finding] = rec.findings
    assert (finding.severity, finding.field) == ("warning", "report")
    assert finding.evidence and "1,739.00万元" in finding.evidence
    assert rec.dq_status == "warn" and rec.report.dq["status"] == "warn"


def test_the_same_document_read_again_is_not_a_duplicate(warehouse):
    rec = checked([corpus_record(FIRST, URL_A)], warehouse)[0]
    assert rec.findings == []


def test_a_revised_document_at_the_same_url_is_a_revision_not_a_duplicate(warehouse):
    rec = checked([corpus_record(SECOND, URL_A)], warehouse)[0]
    assert dup_checks(rec) == []


def test_an_identical_copy_under_another_url_is_not_a_duplicate(warehouse):
    rec = checked([corpus_record(FIRST, URL_C)], warehouse)[0]
    assert dup_checks(rec) == []


def test_two_documents_of_one_run_with_one_key_flag_each_other(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    first, second = checked([corpus_record(FIRST, URL_A), corpus_record(SECOND, URL_B)], db)
    assert URL_B in dup_checks(first)[0] and "this run" in dup_checks(first)[0]
    assert URL_A in dup_checks(second)[0]


def test_the_finding_is_stored_and_stays_while_both_are_published(warehouse):
    second = checked([corpus_record(SECOND, URL_B)], warehouse)
    load(warehouse, second, "run2")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """SELECT "check", severity, source_url, message FROM marts.dq_issues
               WHERE "check" = 'duplicate_report'"""
        ).fetchall()
        current = con.execute("SELECT source_url FROM core.reports WHERE is_current").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("duplicate_report", "warning", URL_B)]
    assert URL_A in rows[0][3]
    assert current == [(URL_B,)]  # one natural key, one current version: the later one
    # the next run reads both pages again: each is flagged against the other
    both = checked([corpus_record(FIRST, URL_A), corpus_record(SECOND, URL_B)], warehouse)
    assert all(len(dup_checks(r)) == 1 for r in both)


def test_two_projects_of_one_unit_and_year_are_not_duplicates(tmp_path):
    clean = CORPUS / "clean" / "c03_tianhe_project.txt"
    other = tmp_path / "c03_other_project.txt"
    other.write_text(
        clean.read_text(encoding="utf-8").replace("社区环境综合整治项目", "老旧小区微改造项目"),
        encoding="utf-8",
    )
    db = tmp_path / "warehouse.duckdb"
    load(db, checked([corpus_record(clean, URL_A)], db), "run1")
    rec = checked([corpus_record(other, URL_B)], db)[0]
    assert rec.report.project_name == "老旧小区微改造项目"
    assert rec.findings == []


def test_a_warehouse_held_read_write_elsewhere_skips_the_check_without_failing(warehouse):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys
                con = duckdb.connect({str(warehouse)!r})
                print("held", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert read_current_reports(warehouse) is None
        rec = checked([corpus_record(SECOND, URL_B)], warehouse)[0]
        assert rec.findings == [] and rec.dq_status == "pass"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_data_docs_are_built_for_the_latest_run(tmp_path):
    docs = tmp_path / "docs"
    db = tmp_path / "warehouse.duckdb"
    records = [corpus_record(p) for p in (FIRST, SECOND, CORPUS / "broken" / "b02_rate_wrong.html")]
    index = check_records(records, TODAY, current=read_current_reports(db), docs_dir=docs, run_name="run-one")
    assert index == docs / "index.html" and index.is_file()
    pages = sorted(p.relative_to(docs).parts[:3] for p in (docs / "validations").rglob("*.html"))
    # no indicator rows in these three: that suite had nothing to validate
    assert pages == [("validations", t, "run-one") for t in ("budget_lines", "reports", "warehouse_reports")]
    assert {p.stem for p in (docs / "expectations").glob("*.html")} == {
        "reports",
        "budget_lines",
        "warehouse_reports",
    }
    budget_page = next((docs / "validations" / "budget_lines").rglob("*.html")).read_text(encoding="utf-8")
    assert "rate_ok" in budget_page and "Failed" in budget_page
    assert "run-one" in index.read_text(encoding="utf-8")
    # the next run's site replaces this one's pages rather than piling up beside them
    check_records(records[:1], TODAY, docs_dir=docs, run_name="run-two")
    runs = {p.relative_to(docs).parts[2] for p in (docs / "validations").rglob("*.html")}
    assert runs == {"run-two"}


def test_govperf_dq_prints_findings_with_evidence_and_source(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    home = tmp_path / "home"
    home.mkdir()
    db = home / "warehouse.duckdb"
    records = [
        corpus_record(CORPUS / "broken" / n)
        for n in ("b02_rate_wrong.html", "b11_publisher_other_street.html")
    ]
    load(db, checked(records, db), "run1")
    runner = CliRunner()
    shown = runner.invoke(app, ["dq", "--home", str(home)])
    assert shown.exit_code == 0, shown.output
    # the table wraps long cells onto lines of their own column: read it without borders and spaces
    text = "".join(shown.output.replace("│", " ").split())
    assert "rate_matches_amounts" in text and "publisher_matches_region" in text
    assert "stated95.12%but1674/1860=90.00%" in text
    assert "整体预算执行率为95.12%" in text  # the evidence sentence
    assert "https://corpus.example.gov.cn/b02_rate_wrong.html" in text
    only = runner.invoke(app, ["dq", "--home", str(home), "--severity", "warning"])
    assert "publisher_matches_region" in only.output and "rate_matches_amounts" not in only.output
    none = runner.invoke(app, ["dq", "--home", str(home), "--check", "duplicate_report"])
    assert none.exit_code == 0 and "no data-quality findings" in none.output


def test_reports_that_do_not_say_whose_they_are_are_not_duplicates_of_each_other(tmp_path):
    anonymous = CORPUS / "broken" / "b09_missing_department.txt"
    other = tmp_path / "b09_other.txt"
    other.write_text(
        anonymous.read_text(encoding="utf-8").replace("640.00", "650.00").replace("627.20", "637.00"),
        encoding="utf-8",
    )
    first, second = checked(
        [corpus_record(anonymous, URL_A), corpus_record(other, URL_B)], tmp_path / "w.duckdb"
    )
    assert first.report.department is None is second.report.department
    assert [f.check for f in first.findings] == ["required_fields"] == [f.check for f in second.findings]
