"""The contract (contract.md) declared once: every field of a report's JSON, its type, what it
means and its Chinese label.

Derived from here: the JSON object `govperf extract --json` prints (Report.to_contract) and its
JSON Schema (`govperf extract --schema`), the dq issues, the parse cache's round trip
(report_from_dict), the warehouse columns that hold contract fields (warehouse/schema.py: DDL,
polars dtypes, column comments) and through them the data dictionary, and the dtypes of the
frames the checks run on (expectations/derive.py). Field names are fixed by contract.md: add,
don't rename.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Type = Literal["text", "integer", "number", "boolean", "date", "text[]", "object", "object[]", "map"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: Type
    description: str
    label_zh: str = ""
    # the key is always present in the JSON (its value may still be null unless not nullable)
    required: bool = True
    nullable: bool = True
    # the fields of an object, or of each object of a list
    fields: tuple[Field, ...] = ()
    # the values a text field takes
    enum: tuple[str, ...] = ()


def _f(name: str, type_: Type, description: str, label_zh: str = "", **kw: Any) -> Field:
    return Field(name, type_, description, label_zh, **kw)


REGION = (
    _f("province", "text", "Province.", "省"),
    _f("city", "text", "City.", "市"),
    _f("district", "text", "District or county.", "区县"),
    _f("street", "text", "Street, town or township, when the unit sits under one.", "街道/镇/乡"),
)

BUDGET_AMOUNTS = (
    _f("initial", "number", "Budget at the start of the year, yuan.", "年初预算数"),
    _f("adjustment", "number", "Signed mid-year change, yuan (调增 +, 调减 −).", "预算调整数"),
    _f("adjusted", "number", "Budget after adjustment (full-year budget), yuan.", "调整后预算数/全年预算数"),
    _f("executed", "number", "Amount executed (spent), yuan.", "全年执行数/预算执行数"),
    _f("rate", "number", "Execution rate in percent, exactly as the document states it.", "预算执行率"),
)
# present on a line only when the form scores budget execution (预算执行率 分值 and 得分)
BUDGET_SCORE = (
    _f("weight", "number", "Weight of budget execution in the score, when scored.", "分值", required=False),
    _f("score", "number", "Score for budget execution, when scored.", "得分", required=False),
)
BUDGET_LINE_FIELDS = BUDGET_AMOUNTS + BUDGET_SCORE

# (line, label, always printed): total, basic and project are printed even when the document has none
BUDGET_LINES: tuple[tuple[str, str, bool], ...] = (
    ("total", "部门整体/合计", True),
    ("basic", "基本支出", True),
    ("project", "项目支出", True),
    ("fiscal", "财政拨款", False),
    ("other", "其他资金", False),
)

ASSETS = (
    _f("total_begin", "number", "Total assets at the start of the year, yuan.", "年初资产总额"),
    _f("total_end", "number", "Total assets at the end of the year, yuan.", "年末资产总额"),
    _f("fixed_begin", "number", "Fixed assets (original value) at the start, yuan.", "年初固定资产原值"),
    _f("fixed_end", "number", "Fixed assets (original value) at the end, yuan.", "年末固定资产原值"),
)

STAFF = (
    _f("authorized", "integer", "Authorised posts.", "编制人数"),
    _f("actual", "integer", "Staff in post.", "实有人数"),
)

INDICATOR = (
    _f("level1", "text", "Level-1 indicator (产出指标, 效益指标 …).", "一级指标"),
    _f("level2", "text", "Level-2 indicator (数量指标, 质量指标 …).", "二级指标"),
    _f("name", "text", "Level-3 indicator name.", "三级指标", nullable=False),
    _f("weight", "number", "Weight (分值/权重).", "分值"),
    _f("target", "text", "Target as written.", "年度指标值"),
    _f("actual", "text", "Actual as written.", "全年完成值"),
    _f("score", "number", "Score given.", "得分"),
    _f("reason", "text", "Reason for a shortfall.", "偏差原因分析"),
)

SCORE = (
    _f("total", "number", "Stated overall self-evaluation score.", "自评总得分"),
    _f("grade", "text", "Stated grade (优/良/中/差).", "评价等级"),
)

SEVERITIES = ("error", "warning")
FINDING = (
    _f("check", "text", "Check name from contract.md.", "检查项", nullable=False),
    _f("severity", "text", "error or warning.", "严重程度", nullable=False, enum=SEVERITIES),
    _f("field", "text", "Report field the finding is about.", "字段", nullable=False),
    _f("message", "text", "What is wrong, with the numbers.", "说明", nullable=False),
    _f("evidence", "text", "The sentence that proves it.", "证据"),
)
DQ_STATUSES = ("pass", "warn", "fail")

KINDS = ("department_overall", "project")
ERROR_KINDS = ("corrupt", "encrypted", "no_text_layer", "unsupported_format", "not_a_report", "too_large")

REPORT = (
    _f("file", "text", "File name or path as given.", "文件名", nullable=False),
    _f("sha256", "text", "SHA-256 of the raw bytes.", "文件哈希", nullable=False),
    _f("format", "text", "html, pdf, docx, doc, xlsx, xls or txt.", "文件格式", nullable=False),
    _f("kind", "text", "department_overall (部门整体支出) or project (项目支出).", "报告类型", enum=KINDS),
    _f("title", "text", "Report title.", "报告标题"),
    _f("fiscal_year", "integer", "Year evaluated (not the year published).", "评价年度"),
    _f("region", "object", "The administrative place of the reporting unit.", "行政区划", fields=REGION),
    _f("department", "text", "Unit name without the region prefix.", "部门（单位）名称"),
    _f("department_full", "text", "Unit name as written.", "部门（单位）全称"),
    _f("consolidated", "boolean", "True for a 汇总 (consolidated) report.", "是否汇总", nullable=False),
    _f("project_name", "text", "Project name, for project reports.", "项目名称"),
    _f("supervisor", "text", "Supervising department, for project reports.", "主管部门"),
    _f("publisher", "text", "Publishing body.", "发布机构"),
    _f("published_date", "date", "Publication date.", "发布日期"),
    _f("index_no", "text", "Index number.", "索引号"),
    _f(
        "budget",
        "object",
        "Budget lines, amounts in yuan whatever unit the document used; a value not given is null.",
        "预算执行情况",
        fields=(
            _f("unit", "text", "Unit the document printed amounts in (元/万元/亿元).", "金额单位"),
            *(
                _f(
                    line,
                    "object",
                    f"The {line} line ({label}).",
                    label,
                    required=always,
                    fields=BUDGET_LINE_FIELDS,
                )
                for line, label, always in BUDGET_LINES
            ),
        ),
    ),
    _f("assets", "object", "Assets at the start and end of the year, yuan.", "资产情况", fields=ASSETS),
    _f("staff", "object", "Posts and staff.", "人员情况", fields=STAFF),
    _f(
        "indicators",
        "object[]",
        "Every performance-indicator row, in document order.",
        "绩效指标",
        nullable=False,
        fields=INDICATOR,
    ),
    _f("score", "object", "The stated overall score and grade.", "自评结果", fields=SCORE),
    _f("problems", "text[]", "Numbered problems (存在问题).", "存在问题", nullable=False),
    _f("measures", "text[]", "Numbered measures (改进措施).", "改进措施", nullable=False),
    _f(
        "evidence",
        "map",
        "For every amount, rate and score, the sentence or table row it was read from, by field path.",
        "数据出处",
        nullable=False,
    ),
    _f(
        "dq",
        "object",
        "The data-quality checks' result.",
        "质检结果",
        fields=(
            _f(
                "status",
                "text",
                "fail if any error, warn if only warnings, else pass.",
                "质检结果",
                enum=DQ_STATUSES,
            ),
            _f("issues", "object[]", "The findings.", "质检问题", nullable=False, fields=FINDING),
        ),
    ),
)


def field_at(path: str) -> Field:
    """The declaration of a field by its JSON path: "fiscal_year", "region.district", "budget.total.rate",
    "indicators.name", "dq.issues.check"."""
    fields: tuple[Field, ...] = REPORT
    found: Field | None = None
    for part in path.split("."):
        found = next((f for f in fields if f.name == part), None)
        if found is None:
            raise KeyError(f"no contract field {path!r}")
        fields = found.fields
    assert found is not None
    return found


# ── JSON Schema ──────────────────────────────────────────────────────────────────────

_JSON_TYPES = {
    "text": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "string",
    "text[]": "array",
    "object": "object",
    "object[]": "array",
    "map": "object",
}


def _object_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: _field_schema(f) for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def _field_schema(f: Field) -> dict[str, Any]:
    if f.type == "object":
        out = _object_schema(f.fields)
    elif f.type == "object[]":
        out = {"type": "array", "items": _object_schema(f.fields)}
    elif f.type == "text[]":
        out = {"type": "array", "items": {"type": "string"}}
    elif f.type == "map":
        out = {"type": "object", "additionalProperties": {"type": "string"}}
    else:
        out = {"type": _JSON_TYPES[f.type]}
        if f.type == "date":
            out["format"] = "date"
        if f.enum:
            out["enum"] = list(f.enum) + ([None] if f.nullable else [])
    if f.nullable:
        out["type"] = [out["type"], "null"]
    out["description"] = f.description
    if f.label_zh:
        out["x-label-zh"] = f.label_zh
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one line of `govperf extract --json`: a report, or a file's error."""
    error = {
        "type": "object",
        "properties": {
            "file": {"type": "string", "description": "The file as given."},
            "sha256": {"type": "string", "description": "SHA-256 of the raw bytes, when they could be read."},
            "error": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": list(ERROR_KINDS)},
                    "message": {"type": "string", "description": "The file and the reason."},
                },
                "required": ["kind", "message"],
                "additionalProperties": False,
            },
        },
        "required": ["file", "error"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "govperf extract --json: one line",
        "oneOf": [{**_object_schema(REPORT), "title": "report"}, {**error, "title": "rejected file"}],
    }


# ── the warehouse and frame types of a field ─────────────────────────────────────────


def polars_dtype(f: Field) -> Any:
    """The polars dtype of a scalar field (polars imported only here: the types above need none)."""
    import polars as pl

    return {
        "text": pl.String,
        "integer": pl.Int64,
        "number": pl.Float64,
        "boolean": pl.Boolean,
        "date": pl.Date,
        "text[]": pl.List(pl.String),
    }[f.type]


def polars_schema(*paths: str) -> dict[str, Any]:
    """{last name of the path: dtype} for contract fields, in the order given."""
    return {p.rsplit(".", 1)[-1]: polars_dtype(field_at(p)) for p in paths}


SQL_TYPES = {
    "text": "VARCHAR",
    "integer": "INTEGER",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "text[]": "VARCHAR[]",
}
