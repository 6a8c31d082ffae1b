"""The one declaration of the warehouse tables: DDL, polars dtypes and the data dictionary come from here."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from flows.contract import fields as contract

_POLARS: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "DOUBLE": pl.Float64(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "BOOLEAN": pl.Boolean(),
    "VARCHAR[]": pl.List(pl.String()),
    "DATE": pl.Date(),
    "TIMESTAMP": pl.Datetime("us"),
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    description: str
    label_zh: str = ""
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.name: _POLARS[c.type] for c in self.columns}

    def empty_frame(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.polars_schema())

    def frame(self, rows: list[dict]) -> pl.DataFrame:
        """Rows as a frame with exactly this table's columns and dtypes (missing keys are null)."""
        if not rows:
            return self.empty_frame()
        return pl.DataFrame(
            [{c: r.get(c) for c in self.column_names} for r in rows],
            schema=self.polars_schema(),
            strict=False,
        )

    def ddl(self) -> str:
        cols = ",\n  ".join(f'"{c.name}" {c.type}{"" if c.nullable else " NOT NULL"}' for c in self.columns)
        quoted = ", ".join(f'"{k}"' for k in self.key)
        key = f",\n  PRIMARY KEY ({quoted})" if self.key else ""
        return f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n  {cols}{key}\n)"


def _c(name: str, type_: str, description: str, label_zh: str = "", nullable: bool = True) -> Column:
    return Column(name, type_, description, label_zh, nullable)


def _from_contract(path: str, name: str | None = None, nullable: bool = True) -> Column:
    """A column holding a contract field: its type, description and label are the contract's."""
    f = contract.field_at(path)
    return Column(name or f.name, contract.SQL_TYPES[f.type], f.description, f.label_zh, nullable)


def _budget_columns() -> tuple[Column, ...]:
    return tuple(_from_contract(f"budget.total.{f.name}") for f in contract.BUDGET_AMOUNTS)


DOCUMENTS = Table(
    "raw",
    "documents",
    "Every fetched report body, parsed or not: nothing fetched is lost.",
    (
        _c("sha256", "VARCHAR", "SHA-256 of the raw bytes; the file in the raw archive.", "文件哈希", False),
        _c("source", "VARCHAR", "Source (site family) name from flows/sources.", "来源站点", False),
        _c("url", "VARCHAR", "Where the body was fetched from.", "文件地址", False),
        _c("page_url", "VARCHAR", "The detail page that published it.", "发布页面"),
        _c("title", "VARCHAR", "Title on the publishing page.", "标题"),
        _c(
            "format",
            "VARCHAR",
            "html, pdf, docx, doc, xlsx, xls, txt or image (a scan posted as JPG/PNG/TIFF).",
            "文件格式",
        ),
        _c("publisher", "VARCHAR", "Publishing body from the page header.", "发布机构"),
        _c("published_date", "DATE", "Publication date from the page header.", "发布日期"),
        _c("index_no", "VARCHAR", "Index number from the page header.", "索引号"),
        _c("fetched_at", "TIMESTAMP", "When it was fetched (UTC).", "抓取时间"),
        _c("status", "VARCHAR", "parsed, or rejected when no report could be read.", "处理状态", False),
        _c(
            "error_kind",
            "VARCHAR",
            "corrupt, encrypted, no_text_layer, unsupported_format, not_a_report, too_large.",
            "错误类型",
        ),
        _c("error_message", "VARCHAR", "Why it was rejected.", "错误说明"),
        _c("reports", "INTEGER", "How many reports it yielded.", "报告数"),
        _c("run_id", "VARCHAR", "Run that last processed it.", "运行编号"),
    ),
    key=("sha256", "url"),
)

FETCH_LOG = Table(
    "raw",
    "fetch_log",
    "One row per HTTP request the crawler made.",
    (
        _c("url", "VARCHAR", "Requested URL.", "请求地址", False),
        _c("status", "INTEGER", "HTTP status, null when no response.", "状态码"),
        _c("etag", "VARCHAR", "ETag returned.", "ETag"),
        _c("last_modified", "VARCHAR", "Last-Modified returned.", "Last-Modified"),
        _c("sha256", "VARCHAR", "Hash of the body received.", "内容哈希"),
        _c("bytes", "BIGINT", "Body size.", "字节数"),
        _c("content_type", "VARCHAR", "Content-Type returned.", "内容类型"),
        _c("elapsed_ms", "DOUBLE", "Request time.", "耗时毫秒"),
        _c("fetched_at", "TIMESTAMP", "When (UTC).", "请求时间", False),
        _c("source", "VARCHAR", "Source name.", "来源站点"),
        _c("error", "VARCHAR", "Error, when the request failed.", "错误"),
        _c("final_url", "VARCHAR", "Where the body came from, when redirects were followed.", "最终地址"),
        _c("redirect_to", "VARCHAR", "Location of a redirect hop (a request of its own).", "重定向至"),
    ),
    # fetched_at has microseconds: two retries within one second are two rows
    key=("url", "fetched_at"),
)

REPORTS = Table(
    "core",
    "reports",
    "One row per report version. A revised report adds a version; the earlier one stays with is_current = false.",
    (
        _c(
            "report_id",
            "VARCHAR",
            "Identifies this version of the report (natural key + content).",
            "报告版本编号",
            False,
        ),
        _c(
            "report_key",
            "VARCHAR",
            "Natural key: region, department, fiscal year, kind and project.",
            "报告主键",
            False,
        ),
        _c("version", "INTEGER", "1 for the first version loaded, then 2, 3 …", "版本号", False),
        _c("is_current", "BOOLEAN", "True for the latest version of the report.", "是否当前版本", False),
        _c(
            "content_hash",
            "VARCHAR",
            "Hash of the parsed content; a change makes a new version.",
            "内容哈希",
            False,
        ),
        _c("sha256", "VARCHAR", "Raw document the version was parsed from.", "文件哈希", False),
        _c("source", "VARCHAR", "Source name.", "来源站点"),
        _c("source_url", "VARCHAR", "URL of the document.", "文件地址"),
        _c("page_url", "VARCHAR", "URL of the publishing page.", "发布页面"),
        _from_contract("file"),
        _c("format", "VARCHAR", "Document format.", "文件格式"),
        _from_contract("kind"),
        _from_contract("title"),
        _from_contract("fiscal_year"),
        _from_contract("region.province"),
        _from_contract("region.city"),
        _from_contract("region.district"),
        _from_contract("region.street"),
        _from_contract("department"),
        _from_contract("department_full"),
        _c(
            "department_norm",
            "VARCHAR",
            "Unit name normalised (region prefix, 汇总 suffix, spaces and bracket widths removed), before aliases.",
            "部门名称（规范化）",
        ),
        _c(
            "department_key",
            "VARCHAR",
            "One department across years and spellings: district + '/' + canonical name (aliases applied).",
            "部门标识",
        ),
        _from_contract("consolidated"),
        _from_contract("project_name"),
        _from_contract("supervisor"),
        _from_contract("publisher"),
        _from_contract("published_date"),
        _from_contract("index_no"),
        _from_contract("budget.unit", "budget_unit"),
        _from_contract("assets.total_begin", "assets_total_begin"),
        _from_contract("assets.total_end", "assets_total_end"),
        _from_contract("assets.fixed_begin", "assets_fixed_begin"),
        _from_contract("assets.fixed_end", "assets_fixed_end"),
        _from_contract("staff.authorized", "staff_authorized"),
        _from_contract("staff.actual", "staff_actual"),
        _from_contract("score.total", "score_total"),
        _from_contract("score.grade", "score_grade"),
        _from_contract("problems"),
        _from_contract("measures"),
        _c(
            "evidence_json",
            "VARCHAR",
            "For every number, the sentence or row it was read from (JSON).",
            "数据出处",
        ),
        _c("dq_status", "VARCHAR", "pass, warn or fail.", "质检结果"),
        _c("fetched_at", "TIMESTAMP", "When the document was fetched.", "抓取时间"),
        _c("loaded_at", "TIMESTAMP", "When this version was loaded.", "入库时间"),
        _c("superseded_at", "TIMESTAMP", "When a newer version replaced it.", "被替代时间"),
        _c("run_id", "VARCHAR", "Run that loaded this version.", "运行编号"),
    ),
    key=("report_id",),
)

BUDGET_LINES = Table(
    "core",
    "budget_lines",
    "Budget lines of every report version: total, basic, project, fiscal, other.",
    (
        _c("report_id", "VARCHAR", "Report version.", "报告版本编号", False),
        _c(
            "line",
            "VARCHAR",
            "total (部门整体/合计), basic (基本支出), project (项目支出), fiscal (财政拨款), other (其他资金).",
            "预算科目",
            False,
        ),
        *_budget_columns(),
        _c("rate_text", "VARCHAR", "The rate as printed, for its precision.", "执行率原文"),
        _from_contract("budget.total.weight"),
        _from_contract("budget.total.score"),
        _c("evidence", "VARCHAR", "Sentence or table row the line was read from.", "数据出处"),
    ),
    key=("report_id", "line"),
)

INDICATORS = Table(
    "core",
    "indicators",
    "Performance-indicator rows of every report version, in document order.",
    (
        _c("report_id", "VARCHAR", "Report version.", "报告版本编号", False),
        _c("seq", "INTEGER", "Position in the document.", "序号", False),
        _from_contract("indicators.level1"),
        _from_contract("indicators.level2"),
        _from_contract("indicators.name"),
        _from_contract("indicators.weight"),
        _from_contract("indicators.target"),
        _from_contract("indicators.actual"),
        _from_contract("indicators.score"),
        _from_contract("indicators.reason"),
        # parsed at load time (warehouse/measures.py) so the marts compare numbers, not text
        _c(
            "target_op",
            "VARCHAR",
            "Comparison the target states: >=, >, =, <=, <; null when none is written.",
            "指标值比较符",
        ),
        _c("target_value", "DOUBLE", "Number in the target.", "指标值数值"),
        _c(
            "target_unit",
            "VARCHAR",
            "Unit after the target's number (%, 个, 场, 人次, 万元 …).",
            "指标值单位",
        ),
        _c(
            "actual_op",
            "VARCHAR",
            'Comparison written in the actual value, if any (">=85%").',
            "完成值比较符",
        ),
        _c("actual_value", "DOUBLE", "Number in the actual value.", "完成值数值"),
        _c("actual_unit", "VARCHAR", "Unit after the actual's number.", "完成值单位"),
        _c("evidence", "VARCHAR", "Row or sentence it was read from.", "数据出处"),
    ),
    key=("report_id", "seq"),
)

DQ_FINDINGS = Table(
    "core",
    "dq_findings",
    "Every data-quality finding on every report version.",
    (
        _c(
            "report_id",
            "VARCHAR",
            "Report version (or the document hash when no report was read).",
            "报告版本编号",
            False,
        ),
        _from_contract("dq.issues.check", nullable=False),
        _from_contract("dq.issues.severity", nullable=False),
        _from_contract("dq.issues.field", nullable=False),
        _from_contract("dq.issues.message"),
        _from_contract("dq.issues.evidence"),
        _c("detected_at", "TIMESTAMP", "When first detected.", "发现时间"),
        _c("run_id", "VARCHAR", "Run that first detected it.", "运行编号"),
    ),
    key=("report_id", "check", "field"),
)

RUNS = Table(
    "core",
    "runs",
    "One row per nightly run and source.",
    (
        _c("run_id", "VARCHAR", "Run identifier.", "运行编号", False),
        _c("source", "VARCHAR", "Source name.", "来源站点", False),
        _c("started", "TIMESTAMP", "Start (UTC).", "开始时间"),
        _c("finished", "TIMESTAMP", "End (UTC).", "结束时间"),
        _c("requests", "INTEGER", "HTTP requests made.", "请求数"),
        _c("not_modified", "INTEGER", "Requests answered 304 Not Modified.", "未变更数"),
        _c("bodies_downloaded", "INTEGER", "Bodies downloaded (200 with content).", "下载数"),
        _c("documents", "INTEGER", "Report documents found.", "文件数"),
        _c("reports_new", "INTEGER", "Reports loaded for the first time.", "新增报告"),
        _c("reports_changed", "INTEGER", "Reports with a new version.", "变更报告"),
        _c("reports_unchanged", "INTEGER", "Reports already loaded as they are.", "未变报告"),
        _c("reports_quarantined", "INTEGER", "Reports with data-quality errors.", "隔离报告"),
        _c("errors", "INTEGER", "Documents or requests that failed.", "错误数"),
    ),
    key=("run_id", "source"),
)

DEPARTMENT_ALIASES = Table(
    "core",
    "department_aliases",
    "Renamed units: dbt_like_sql/seeds/department_aliases.csv, reloaded at every build.",
    (
        _c(
            "district",
            "VARCHAR",
            "District (or city/province for units above district level) the alias applies in.",
            "区县",
            False,
        ),
        _c(
            "alias",
            "VARCHAR",
            "Name as written in the alias file (an earlier or other spelling).",
            "别名",
            False,
        ),
        _c("canonical", "VARCHAR", "Name the unit is known by.", "规范名称", False),
        _c(
            "alias_norm",
            "VARCHAR",
            "alias, normalised like core.reports.department_norm.",
            "别名（规范化）",
            False,
        ),
        _c(
            "canonical_norm",
            "VARCHAR",
            "canonical, normalised; department_key = district/canonical_norm.",
            "规范名称（规范化）",
            False,
        ),
    ),
    key=("district", "alias_norm"),
)

TABLES: tuple[Table, ...] = (
    DOCUMENTS,
    FETCH_LOG,
    REPORTS,
    BUDGET_LINES,
    INDICATORS,
    DQ_FINDINGS,
    RUNS,
    DEPARTMENT_ALIASES,
)
SCHEMAS = ("raw", "core", "staging", "marts")
