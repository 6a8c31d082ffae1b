"""A small dbt-like runner for the SQL models in this folder: SQL files become views in dependency order, with tests and docs.

- staging/<name>.sql and marts/<name>.sql: one SELECT each, built as view <folder>.<name>.
- Dependencies are the schema-qualified tables the SQL reads (parsed with sqlglot).
- schema.yml: descriptions (and label_zh, the original Chinese label) for views and their
  columns, and generic tests: unique, not_null, accepted_values, relationships.
- tests/<name>.sql: custom tests; each returns the rows that violate it.
"""

from __future__ import annotations

import functools
import graphlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
import yaml
from sqlglot import exp

from warehouse import db, schema

# the SQL models travel inside this package (a wheel installs them beside this file)
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent
MODEL_SCHEMAS = ("staging", "marts")
# libyaml's loader when PyYAML was built with it: the pure-Python one takes ~0.2 s per read
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SEVERITY_HEADER = re.compile(r"^\s*--\s*severity\s*:\s*(warn|error)\b", re.IGNORECASE | re.MULTILINE)


class ModelError(ValueError):
    """A model file that cannot be built; the message names the file."""


@dataclass(frozen=True, slots=True)
class Model:
    schema: str
    name: str
    path: Path
    sql: str
    depends_on: frozenset[str]  # qualified names of other models
    reads: frozenset[str]  # qualified names of core/raw tables

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class ColumnDoc:
    name: str
    description: str = ""
    label_zh: str = ""


@dataclass(frozen=True, slots=True)
class ModelDoc:
    qualified: str
    description: str = ""
    label_zh: str = ""
    columns: tuple[ColumnDoc, ...] = ()


@dataclass(frozen=True, slots=True)
class TestSpec:
    name: str
    severity: str  # warn | error
    sql: str  # returns the failing rows
    origin: str  # file it was declared in


@dataclass(slots=True)
class TestResult:
    name: str
    severity: str
    failures: int
    sample: list[tuple[Any, ...]] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        if self.failures == 0:
            return "pass"
        return "warn" if self.severity == "warn" else "fail"


# ---------------------------------------------------------------- discovery and order


def _strip_sql(text: str) -> str:
    return text.strip().rstrip(";").strip()


def _references(sql: str, path: Path) -> tuple[set[str], set[str]]:
    """(qualified tables read, unqualified names that are not CTEs)."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as e:
        raise ModelError(f"{path}: cannot parse SQL: {e}") from e
    if not isinstance(tree, exp.Query):
        raise ModelError(f"{path}: a model must be a single SELECT")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    qualified, bare = set(), set()
    for t in tree.find_all(exp.Table):
        if not isinstance(t.this, exp.Identifier):
            continue  # table functions: range(), read_csv() …
        if t.catalog:
            raise ModelError(
                f"{path}: {t.sql()} names a database; write schema.table so the view works under any alias"
            )
        if t.db:
            qualified.add(f"{t.db}.{t.name}")
        elif t.name not in ctes:
            bare.add(t.name)
    return qualified, bare


def _signature(models_dir: Path) -> tuple[tuple[str, int, int], ...]:
    files = [
        models_dir / "schema.yml",
        *(p for s in (*MODEL_SCHEMAS, "tests") for p in (models_dir / s).glob("*.sql")),
    ]
    return tuple(
        sorted((str(p), st.st_mtime_ns, st.st_size) for p in files if p.exists() for st in [p.stat()])
    )


def discover(models_dir: Path = DEFAULT_MODELS_DIR) -> list[Model]:
    """Every model file, with its dependencies checked; sorted so each comes after what it reads."""
    # parsed once per version of the files: every load rebuilds the views
    return list(_discover(Path(models_dir), _signature(Path(models_dir))))


@functools.lru_cache(maxsize=16)
def _discover(models_dir: Path, _signature: tuple) -> tuple[Model, ...]:
    files = [(s, p) for s in MODEL_SCHEMAS for p in sorted((models_dir / s).glob("*.sql"))]
    names = {f"{s}.{p.stem}": p for s, p in files}
    tables = {t.qualified for t in schema.TABLES}
    models: dict[str, Model] = {}
    for s, path in files:
        sql = _strip_sql(path.read_text(encoding="utf-8"))
        refs, bare = _references(sql, path)
        if bare:
            raise ModelError(
                f"{path}: unqualified table reference(s) {', '.join(sorted(bare))}; write schema.name"
            )
        missing = sorted(r for r in refs if r not in names and r not in tables)
        if missing:
            raise ModelError(f"{path}: references {', '.join(missing)}, which is neither a model nor a table")
        deps = frozenset(r for r in refs if r in names)
        models[f"{s}.{path.stem}"] = Model(s, path.stem, path, sql, deps, frozenset(refs & tables))
    return tuple(models[q] for q in _toposort(models))


def _toposort(models: Mapping[str, Model]) -> list[str]:
    sorter = graphlib.TopologicalSorter({q: set(m.depends_on) for q, m in models.items()})
    try:
        sorter.prepare()
    except graphlib.CycleError as e:
        cycle = e.args[1]
        files = " -> ".join(str(models[q].path) for q in cycle)
        raise ModelError(f"dependency cycle: {files}") from e
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())  # sorted: the same order every run
        order.extend(ready)
        sorter.done(*ready)
    return order


# ---------------------------------------------------------------- schema.yml


def _load_yaml(models_dir: Path) -> dict[str, Any]:
    return _read_yaml(Path(models_dir) / "schema.yml", _signature(Path(models_dir)))


@functools.lru_cache(maxsize=16)
def _read_yaml(path: Path, _signature: tuple) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as e:
        raise ModelError(f"{path}: {e}") from e
    if not isinstance(data, dict):
        raise ModelError(f"{path}: expected a mapping at the top")
    return data


def _qualify(name: str, models: Iterable[Model], origin: Path) -> str:
    if "." in name:
        return name
    matches = [m.qualified for m in models if m.name == name]
    if len(matches) != 1:
        raise ModelError(f"{origin}: {name!r} matches {len(matches)} models; write schema.name")
    return matches[0]


def model_docs(
    models_dir: Path = DEFAULT_MODELS_DIR, models: list[Model] | None = None
) -> dict[str, ModelDoc]:
    """Descriptions of the views and their columns, from schema.yml."""
    models = discover(models_dir) if models is None else models
    origin = models_dir / "schema.yml"
    out: dict[str, ModelDoc] = {}
    for entry in _load_yaml(models_dir).get("models") or []:
        q = _qualify(entry["name"], models, origin)
        cols = tuple(
            ColumnDoc(c["name"], str(c.get("description", "")).strip(), str(c.get("label_zh", "")).strip())
            for c in entry.get("columns") or []
        )
        out[q] = ModelDoc(
            q, str(entry.get("description", "")).strip(), str(entry.get("label_zh", "")).strip(), cols
        )
    return out


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return db.sql_str(str(value))


def _generic_sql(kind: str, relation: str, column: str, args: Mapping[str, Any], origin: str) -> str:
    col = f'"{column}"'
    where = f" AND ({args['where']})" if args.get("where") else ""
    if kind == "unique":
        return f"SELECT {col}, count(*) AS n FROM {relation} WHERE {col} IS NOT NULL{where} GROUP BY {col} HAVING count(*) > 1"
    if kind == "not_null":
        return f"SELECT * FROM {relation} WHERE {col} IS NULL{where}"
    if kind == "accepted_values":
        values = args.get("values")
        if not values:
            raise ModelError(f"{origin}: accepted_values on {relation}.{column} needs values")
        listed = ", ".join(_literal(v) for v in values)
        return (
            f"SELECT {col}, count(*) AS n FROM {relation} WHERE {col} IS NOT NULL AND {col} NOT IN ({listed}){where} "
            f"GROUP BY {col}"
        )
    if kind == "relationships":
        to, to_field = args.get("to"), args.get("field")
        if not to or not to_field:
            raise ModelError(f"{origin}: relationships on {relation}.{column} needs to and field")
        return (
            f"SELECT c.{col} FROM {relation} AS c WHERE c.{col} IS NOT NULL{where} "
            f'AND NOT EXISTS (SELECT 1 FROM {to} AS p WHERE p."{to_field}" = c.{col})'
        )
    raise ModelError(f"{origin}: unknown test {kind!r} on {relation}.{column}")


def _generic_tests(models_dir: Path, models: list[Model]) -> list[TestSpec]:
    origin = models_dir / "schema.yml"
    data = _load_yaml(models_dir)
    specs: list[TestSpec] = []
    # "models" are views built here; "tables" are core/raw tables (documented in warehouse/schema.py)
    entries = [(_qualify(e["name"], models, origin), e) for e in data.get("models") or []]
    entries += [(e["name"], e) for e in data.get("tables") or []]
    for relation, entry in entries:
        for col in entry.get("columns") or []:
            for test in col.get("tests") or col.get("data_tests") or []:
                kind, args = (test, {}) if isinstance(test, str) else next(iter(test.items()))
                args = dict(args or {})
                args.update(args.pop("config", None) or {})
                severity = str(args.pop("severity", "error")).lower()
                if severity not in ("warn", "error"):
                    raise ModelError(f"{origin}: severity must be warn or error, not {severity!r}")
                if kind == "relationships" and "." not in str(args.get("to", "")):
                    args["to"] = _qualify(str(args.get("to", "")), models, origin)
                sql = _generic_sql(kind, relation, col["name"], args, str(origin))
                specs.append(TestSpec(f"{kind}:{relation}.{col['name']}", severity, sql, str(origin)))
    return specs


def _custom_tests(models_dir: Path) -> list[TestSpec]:
    specs = []
    for path in sorted((models_dir / "tests").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        m = _SEVERITY_HEADER.search(text)
        specs.append(
            TestSpec(f"test:{path.stem}", (m.group(1).lower() if m else "error"), _strip_sql(text), str(path))
        )
    return specs


def test_specs(models_dir: Path = DEFAULT_MODELS_DIR) -> list[TestSpec]:
    models = discover(models_dir)
    return _generic_tests(models_dir, models) + _custom_tests(models_dir)


# ---------------------------------------------------------------- building


def build_models(con: duckdb.DuckDBPyConnection, models_dir: Path = DEFAULT_MODELS_DIR) -> list[str]:
    """Create every view in dependency order, drop views no file declares any more, write comments.

    Returns the views created, in order. Runs inside the caller's transaction, if any.
    """
    models = discover(models_dir)
    docs = model_docs(models_dir, models)
    wanted = {m.qualified for m in models}
    for s in MODEL_SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
    for s, name in con.execute(
        "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = current_database() "
        f"AND schema_name IN ({', '.join(db.sql_str(s) for s in MODEL_SCHEMAS)})"
    ).fetchall():
        if f"{s}.{name}" not in wanted:
            con.execute(f"DROP VIEW IF EXISTS {s}.{name} CASCADE")
    for m in models:
        try:
            con.execute(f"CREATE OR REPLACE VIEW {m.qualified} AS\n{m.sql}")
        except duckdb.Error as e:
            raise ModelError(f"{m.path}: {e}") from e
    _write_view_comments(con, models, docs)
    return [m.qualified for m in models]


def _inherited_docs() -> dict[str, tuple[str, str]]:
    # a view column named like a core column means the same thing unless schema.yml says otherwise
    out: dict[str, tuple[str, str]] = {}
    for table in (schema.REPORTS, schema.BUDGET_LINES, schema.INDICATORS, schema.DQ_FINDINGS, schema.RUNS):
        for c in table.columns:
            out.setdefault(c.name, (c.description, c.label_zh))
    return out


def column_doc(model_doc: ModelDoc | None, column: str) -> tuple[str, str]:
    """(description, label_zh) of a view column: schema.yml first, then the core column of that name."""
    if model_doc is not None:
        for c in model_doc.columns:
            if c.name == column and c.description:
                fallback = _inherited_docs().get(column, ("", ""))
                return c.description, c.label_zh or fallback[1]
    return _inherited_docs().get(column, ("", ""))


def _write_view_comments(
    con: duckdb.DuckDBPyConnection, models: list[Model], docs: Mapping[str, ModelDoc]
) -> None:
    columns: dict[str, list[str]] = {}
    for s, t, c in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
        f"AND schema_name IN ({', '.join(db.sql_str(s) for s in MODEL_SCHEMAS)}) ORDER BY column_index"
    ).fetchall():
        columns.setdefault(f"{s}.{t}", []).append(c)
    for m in models:
        doc = docs.get(m.qualified)
        if doc is not None and doc.description:
            text = db.comment_text(doc.description, doc.label_zh)
            con.execute(f"COMMENT ON VIEW {m.qualified} IS {db.sql_str(text)}")
        declared = {c.name for c in doc.columns} if doc else set()
        unknown = declared - set(columns.get(m.qualified, []))
        if unknown:
            raise ModelError(
                f"schema.yml documents column(s) {', '.join(sorted(unknown))} that {m.qualified} lacks"
            )
        for col in columns.get(m.qualified, []):
            description, label = column_doc(doc, col)
            if description:
                con.execute(
                    f'COMMENT ON COLUMN {m.qualified}."{col}" IS {db.sql_str(db.comment_text(description, label))}'
                )


def run_tests(con: duckdb.DuckDBPyConnection, models_dir: Path = DEFAULT_MODELS_DIR) -> list[TestResult]:
    """Run every generic and custom test; a test's failures are the rows its query returns."""
    results = []
    for spec in test_specs(models_dir):
        try:
            n = con.execute(f"SELECT count(*) FROM ({spec.sql}) AS failing").fetchall()[0][0]
            sample = con.execute(f"SELECT * FROM ({spec.sql}) AS failing LIMIT 5").fetchall() if n else []
            results.append(TestResult(spec.name, spec.severity, int(n), sample))
        except duckdb.Error as e:
            results.append(TestResult(spec.name, spec.severity, 0, error=f"{spec.origin}: {e}"))
    return results


class ModelTestError(RuntimeError):
    def __init__(self, failed: list[TestResult]):
        lines = [
            f"{r.name}: {r.error or f'{r.failures} failing row(s), e.g. {r.sample[:2]}'}" for r in failed
        ]
        super().__init__("warehouse tests failed:\n  " + "\n  ".join(lines))
        self.failed = failed


def failed_tests(results: Iterable[TestResult]) -> list[TestResult]:
    return [r for r in results if r.status in ("fail", "error")]
