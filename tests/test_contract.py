"""The contract declared once (flows/contract/fields.py): what `govperf extract --json` prints obeys
the JSON Schema derived from it, the types and the warehouse columns follow it, the parse cache
round-trips a report exactly."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from expectations.extract_files import extract_files
from flows.contract import fields
from flows.contract.report import BudgetLine, Finding, Indicator, Region, Report, report_from_dict
from warehouse import schema

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
GOVPERF = str(Path(sys.executable).parent / "govperf")


def _validator() -> jsonschema.Draft202012Validator:
    schema_ = fields.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema_)
    return jsonschema.Draft202012Validator(schema_)


def test_every_line_extract_prints_obeys_the_schema() -> None:
    # one file per reader family, a rejected one, a missing one
    names = (
        "report.docx",
        "report.pdf",
        "gbk_nometa.html",
        "table.xlsx",
        "encrypted.pdf",
        "no-such-file.pdf",
    )
    lines = extract_files([str(FIXTURES / n) for n in names])
    reports = [o for o in lines if "error" not in o]
    assert reports and any("error" in o for o in lines)
    validator = _validator()
    for line in lines:
        errors = [e.message for e in validator.iter_errors(line)]
        assert not errors, (line["file"], errors[:3])


def test_the_schema_catches_a_renamed_or_missing_field() -> None:
    validator = _validator()
    (line,) = [o for o in extract_files([str(FIXTURES / "report.docx")]) if "error" not in o]
    renamed = dict(line)
    renamed["year"] = renamed.pop("fiscal_year")
    assert not validator.is_valid(renamed)
    bad_line = json.loads(json.dumps(line))
    bad_line["budget"]["total"]["rate"] = "99%"
    assert not validator.is_valid(bad_line)


def test_govperf_extract_schema_prints_it() -> None:
    done = subprocess.run([GOVPERF, "extract", "--schema"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == fields.json_schema()


@pytest.mark.parametrize(
    ("cls", "declared"),
    [
        (Region, fields.REGION),
        (Indicator, fields.INDICATOR),
        (Finding, fields.FINDING),
    ],
)
def test_the_types_hold_exactly_the_declared_fields(cls: type, declared: tuple[fields.Field, ...]) -> None:
    assert [f.name for f in dataclasses.fields(cls)] == [f.name for f in declared]


def test_a_budget_line_holds_every_declared_field() -> None:
    names = {f.name for f in dataclasses.fields(BudgetLine)}
    assert {f.name for f in fields.BUDGET_LINE_FIELDS} <= names


def test_the_parse_cache_round_trips_a_report_exactly() -> None:
    report = Report(file="a.pdf", sha256="0" * 64, format="pdf", fiscal_year=2023, department="某单位")
    report.region = Region("上海市", "上海市", "闵行区", "浦锦街道")
    report.budget["total"] = BudgetLine(adjusted=1.5, executed=1.0, rate=66.67, decimals={"adjusted": 2})
    report.indicators.append(Indicator("产出指标", "数量指标", "完成数", weight=10.0, score=9.5))
    back = report_from_dict(json.loads(json.dumps(dataclasses.asdict(report), ensure_ascii=False)))
    assert back == report and back.to_contract() == report.to_contract()


@pytest.mark.parametrize(
    ("table", "column", "path"),
    [
        (schema.REPORTS, "fiscal_year", "fiscal_year"),
        (schema.REPORTS, "district", "region.district"),
        (schema.REPORTS, "assets_fixed_end", "assets.fixed_end"),
        (schema.REPORTS, "score_grade", "score.grade"),
        (schema.BUDGET_LINES, "adjusted", "budget.total.adjusted"),
        (schema.BUDGET_LINES, "score", "budget.total.score"),
        (schema.INDICATORS, "target", "indicators.target"),
        (schema.DQ_FINDINGS, "evidence", "dq.issues.evidence"),
    ],
)
def test_warehouse_columns_take_the_contracts_words(table: schema.Table, column: str, path: str) -> None:
    (col,) = [c for c in table.columns if c.name == column]
    declared = fields.field_at(path)
    assert (col.type, col.description, col.label_zh) == (
        fields.SQL_TYPES[declared.type],
        declared.description,
        declared.label_zh,
    )


def test_python_and_sql_compute_the_execution_rate_by_the_same_rule() -> None:
    """The rule is flows/contract/rules.py; the staging model writes it in SQL. Run the model's own
    expression over the same lines (a zero adjusted budget among them: no rate, no fallback)."""
    import re

    import duckdb

    from dbt_like_sql.project import DEFAULT_MODELS_DIR
    from flows.contract.rules import execution_rate

    sql = (DEFAULT_MODELS_DIR / "staging" / "stg_budget_lines.sql").read_text(encoding="utf-8")
    (expression,) = re.findall(r"^\s*(.+?)\s+AS rate_computed,", sql, re.M)
    lines = [
        (90.0, 100.0, 80.0),
        (90.0, None, 80.0),
        (90.0, 0.0, 80.0),
        (0.0, 0.0, None),
        (90.0, None, None),
        (None, 100.0, 80.0),
        (90.0, None, 0.0),
    ]
    with duckdb.connect() as con:
        got = con.execute(
            f"SELECT {expression} FROM (VALUES {', '.join('(?, ?, ?)' for _ in lines)}) "
            "AS b(executed, adjusted, initial)",
            [v for line in lines for v in line],
        ).fetchall()
    assert [row[0] for row in got] == [execution_rate(*line) for line in lines]
    assert execution_rate(90.0, 0.0, 80.0) is None and execution_rate(90.0, None, 80.0) == 112.5
