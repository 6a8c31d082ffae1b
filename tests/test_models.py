"""The dbt-like model runner: discovery and order, errors naming files, generic and custom tests, docs."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dbt_like_sql.build import build
from dbt_like_sql.dictionary import write_data_dictionary
from dbt_like_sql.project import (
    DEFAULT_MODELS_DIR,
    ModelError,
    build_models,
    discover,
    run_tests,
)
from warehouse import db, schema

REPO = Path(__file__).resolve().parent.parent


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(":memory:")
    db.ensure_schema(c)
    yield c
    c.close()


def insert_report(con: duckdb.DuckDBPyConnection, report_id: str, **values: object) -> None:
    row = {
        "report_id": report_id,
        "report_key": report_id,
        "version": 1,
        "is_current": True,
        "content_hash": "c",
        "sha256": "s",
        "dq_status": "pass",
        "kind": "department_overall",
        "fiscal_year": 2023,
        "district": "闵行区",
        **values,
    }
    cols = ", ".join(f'"{c}"' for c in row)
    con.execute(f"INSERT INTO core.reports ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


# ---------------------------------------------------------------- discovery


def test_models_are_ordered_by_what_they_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "marts/c.sql": "SELECT * FROM marts.b",
            "marts/b.sql": "WITH x AS (SELECT * FROM staging.a) SELECT * FROM x",
            "staging/a.sql": "SELECT report_id FROM core.reports;",
        },
    )
    models = discover(tmp_path)
    assert [m.qualified for m in models] == ["staging.a", "marts.b", "marts.c"]
    assert models[1].depends_on == {"staging.a"} and models[0].reads == {"core.reports"}


def test_cycle_names_the_files(tmp_path: Path) -> None:
    write(tmp_path, {"marts/a.sql": "SELECT * FROM marts.b", "marts/b.sql": "SELECT * FROM marts.a"})
    with pytest.raises(ModelError, match=r"cycle: .*marts/(a|b)\.sql -> .*marts/(a|b)\.sql"):
        discover(tmp_path)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM staging.nope", r"bad\.sql: references staging\.nope"),
        ("SELECT * FROM reports", r"bad\.sql: unqualified table reference\(s\) reports"),
        ("SELECT * FROM wh.core.reports", r"bad\.sql: .*names a database"),
        ("SELECT (1 FROM core.reports", r"bad\.sql: cannot parse"),
        ("DELETE FROM core.reports", r"bad\.sql: a model must be a single SELECT"),
    ],
)
def test_bad_model_is_named(tmp_path: Path, sql: str, message: str) -> None:
    write(tmp_path, {"marts/bad.sql": sql})
    with pytest.raises(ModelError, match=message):
        discover(tmp_path)


def test_sql_that_fails_to_bind_names_the_file(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(tmp_path, {"marts/bad.sql": "SELECT no_such_column FROM core.reports"})
    with pytest.raises(ModelError, match=r"bad\.sql: .*no_such_column"):
        build_models(con, tmp_path)


def test_removed_model_file_drops_its_view(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(tmp_path, {"marts/a.sql": "SELECT 1 AS x", "marts/b.sql": "SELECT * FROM marts.a"})
    assert build_models(con, tmp_path) == ["marts.a", "marts.b"]
    (tmp_path / "marts" / "b.sql").unlink()
    build_models(con, tmp_path)
    assert con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'").fetchall() == [
        ("a",)
    ]


# ---------------------------------------------------------------- tests


def test_generic_and_custom_tests_catch_planted_violations(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    write(
        tmp_path,
        {
            "staging/reports.sql": "SELECT report_id, kind, title, dq_status, district FROM core.reports",
            "tests/no_2019.sql": "SELECT * FROM core.reports WHERE fiscal_year = 2019",
            "tests/few_titles.sql": "-- severity: warn\nSELECT * FROM core.reports WHERE title IS NULL",
            "schema.yml": """
                models:
                  - name: reports
                    columns:
                      - name: report_id
                        tests: [unique, not_null]
                      - name: district
                        tests:
                          - unique:
                              severity: warn
                      - name: title
                        tests:
                          - not_null:
                              config: {severity: error}
                              where: "kind = 'project'"
                      - name: dq_status
                        tests:
                          - accepted_values: {values: [pass, warn, fail]}
                tables:
                  - name: core.budget_lines
                    columns:
                      - name: report_id
                        tests:
                          - relationships: {to: staging.reports, field: report_id}
            """,
        },
    )
    insert_report(con, "r1", title="t")
    insert_report(con, "r2", title="t")
    build_models(con, tmp_path)
    results = {r.name: r for r in run_tests(con, tmp_path)}
    assert {n: r.status for n, r in results.items()} == {
        "unique:staging.reports.report_id": "pass",
        "not_null:staging.reports.report_id": "pass",
        "unique:staging.reports.district": "warn",  # both in 闵行区, and only a warning
        "not_null:staging.reports.title": "pass",
        "accepted_values:staging.reports.dq_status": "pass",
        "relationships:core.budget_lines.report_id": "pass",
        "test:no_2019": "pass",
        "test:few_titles": "pass",
    }
    # plant one violation of each
    insert_report(con, "r3", kind="project", title=None, dq_status="unknown", fiscal_year=2019)
    con.execute("INSERT INTO core.budget_lines (report_id, line) VALUES ('orphan', 'total')")
    results = {r.name: r for r in run_tests(con, tmp_path)}
    assert results["not_null:staging.reports.title"].status == "fail"
    assert results["accepted_values:staging.reports.dq_status"].sample == [("unknown", 1)]
    assert results["relationships:core.budget_lines.report_id"].failures == 1
    assert results["test:no_2019"].status == "fail" and results["test:no_2019"].failures == 1
    assert results["test:few_titles"].status == "warn"
    assert results["unique:staging.reports.report_id"].status == "pass"


def test_real_sql_tests_catch_two_current_versions(con: duckdb.DuckDBPyConnection) -> None:
    insert_report(con, "a1", report_key="k")
    _, results = build(con)
    assert [r.name for r in results if r.status != "pass"] == []
    insert_report(con, "a2", report_key="k", version=2)  # the old version was never marked superseded
    _, results = build(con)
    failing = {r.name: r for r in results if r.status != "pass"}
    assert set(failing) == {"test:one_current_version_per_report"}
    assert failing["test:one_current_version_per_report"].sample == [("k", 2, 2, 2)]


def test_bad_test_declaration_is_named(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(
        tmp_path,
        {
            "marts/a.sql": "SELECT 1 AS x",
            "schema.yml": "models:\n  - name: a\n    columns:\n      - name: x\n        tests: [is_prime]\n",
        },
    )
    with pytest.raises(ModelError, match=r"schema\.yml: unknown test 'is_prime' on marts\.a\.x"):
        run_tests(con, tmp_path)


# ---------------------------------------------------------------- docs


def test_schema_yml_descriptions_become_comments(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    write(
        tmp_path,
        {
            "marts/a.sql": "SELECT report_id, 1 AS n FROM core.reports",
            "schema.yml": """
                models:
                  - name: a
                    description: A test view.
                    label_zh: 测试
                    columns:
                      - name: n
                        description: A number.
                        label_zh: 数字
            """,
        },
    )
    build_models(con, tmp_path)
    assert con.execute("SELECT comment FROM duckdb_views() WHERE view_name = 'a'").fetchall() == [
        ("A test view. [测试]",)
    ]
    cols = dict(
        con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'a'").fetchall()
    )
    assert cols == {
        "n": "A number. [数字]",
        "report_id": "Identifies this version of the report (natural key + content). [报告版本编号]",
    }
    (tmp_path / "schema.yml").write_text(
        "models:\n  - name: a\n    columns:\n      - name: missing\n", encoding="utf-8"
    )
    with pytest.raises(ModelError, match="missing"):
        build_models(con, tmp_path)


def test_every_view_column_of_the_project_is_documented(con: duckdb.DuckDBPyConnection) -> None:
    build(con, run_tests_too=False)
    rows = con.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('staging', 'marts') AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert rows == []
    views = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' AND comment IS NULL"
    ).fetchall()
    assert views == []


def test_data_dictionary_lists_everything_and_is_committed_current(tmp_path: Path) -> None:
    out = write_data_dictionary(tmp_path / "dd.md")
    text = out.read_text(encoding="utf-8")
    for table in schema.TABLES:
        assert f"### {table.qualified}" in text
        for c in table.columns:
            assert f"| {c.name} | {c.type} |" in text
    for m in discover():
        assert f"### {m.qualified}" in text
    assert "| execution_rate | DOUBLE | executed_total / adjusted_total × 100. | 预算执行率 |" in text
    committed = REPO / "docs" / "data-dictionary.md"
    assert committed.read_text(encoding="utf-8") == text, (
        "docs/data-dictionary.md is stale: run `python -m dbt_like_sql.dictionary docs` to regenerate"
    )


def test_project_models_cover_the_contract_views() -> None:
    # names and columns analysts' saved queries use (contract.md)
    contract = {
        "report_catalog": "report_id, kind, fiscal_year, province, city, district, street, department, department_key, project_name, title, source_url, format, published_date, fetched_at, dq_status, is_current",
        "budget_execution": "report_id, fiscal_year, province, city, district, street, department, department_key, line, initial, adjustment, adjusted, executed, rate_stated, rate_computed, rate_gap_pp",
        "district_year_summary": "province, city, district, fiscal_year, reports, departments, adjusted_total, executed_total, execution_rate, median_rate, min_rate, max_rate, quarantined_reports",
        "department_trend": "department_key, department, district, street, fiscal_year, adjusted, executed, rate, adjusted_yoy_pct, executed_yoy_pct, rate_change_pp",
        "indicator_results": "report_id, fiscal_year, district, street, department, level1, level2, name, weight, score, score_ratio, target, actual, target_op, target_value, target_unit, actual_value, met",
        "run_history": "run_id, started, finished, source, requests, not_modified, bodies_downloaded, reports_new, reports_changed, reports_unchanged, reports_quarantined, errors",
        "dq_issues": "report_id, source_url, district, department, fiscal_year, check, severity, field, message, evidence, detected_at",
    }
    c = duckdb.connect(":memory:")
    try:
        db.ensure_schema(c)
        build(c, run_tests_too=False)
        for view, columns in contract.items():
            have = [r[0] for r in c.execute(f"DESCRIBE marts.{view}").fetchall()]
            want = [x.strip() for x in columns.split(",")]
            assert have[: len(want)] == want, view
    finally:
        c.close()


def test_copied_models_dir_builds(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    models = tmp_path / "m"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    assert build_models(con, models) == build_models(con)
