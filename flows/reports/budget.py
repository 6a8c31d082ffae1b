"""Budget lines (total/basic/project/fiscal/other) from budget tables and from prose."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.documents.model import Document, Table
from flows.reports.form_budget import parse_form_budget
from flows.reports.model import BudgetLine
from flows.reports.numbers import AMOUNT_RE, UNIT, clean_number_text, decimals, parse_number, to_yuan
from flows.reports.text import merged_tables, paragraphs, section, sentence_at, table_rows
from flows.reports.vocabulary import vocabulary

# Row labels, column headers, the budget section's headings and the sub-budgets that are not the
# department's lines all come from vocabulary.toml ([lines], [columns], [sections]).
_VOCAB = vocabulary()
LINE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = _VOCAB.lines
# the table reader stores these roles; the others ([columns] received, row_no …) only hold a place
_TABLE_ROLES = ("rate", "weight", "score", "initial", "adjustment", "adjusted", "executed")
HEADER_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (role, words) for role, words in _VOCAB.columns if role in _TABLE_ROLES
)
SECTION_WORDS = _VOCAB.sections["budget"]
OFF_TOPIC = _VOCAB.sections["off_topic"]


@dataclass(slots=True)
class BudgetParse:
    lines: dict[str, BudgetLine] = field(default_factory=dict)
    unit: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)


def parse_budget_lines(doc: Document, stream: str | None = None, *, prose: bool = True) -> BudgetParse:
    """Budget lines from the document's budget table, completed from its prose.

    Without a readable table, a form whose grid is lost (`stream`: the layout's run of cells) is
    read by column role and figure placement (flows/reports/form_budget.py).
    """
    result = BudgetParse()
    notes = unit_notes(doc)
    for table in merged_tables(doc):
        parsed = parse_budget_table(table, notes.get(table.rows[0] if table.rows else ()))
        if parsed is not None and parsed.lines:
            result = parsed
            break
    form = parse_form_budget(stream) if stream and not result.lines else None
    if form is not None and form.lines:
        result = BudgetParse(form.lines, form.unit, form.evidence)
    written = parse_budget_prose(paragraphs(doc)) if prose else BudgetParse()
    for name, line in written.lines.items():
        mine = result.lines.setdefault(name, BudgetLine())
        for attr in ("initial", "adjustment", "adjusted", "executed", "rate", "rate_text"):
            if getattr(mine, attr) is None and getattr(line, attr) is not None:
                setattr(mine, attr, getattr(line, attr))
                if attr in line.decimals:
                    mine.decimals[attr] = line.decimals[attr]
                key = f"budget.{name}.{'rate' if attr == 'rate_text' else attr}"
                if key in written.evidence:
                    result.evidence.setdefault(key, written.evidence[key])
    result.unit = result.unit or written.unit
    for line in result.lines.values():
        _sign_follows_numbers(line)
    result.lines = {k: v for k, v in result.lines.items() if not v.is_empty() or v.score is not None}
    return result


def _sign_follows_numbers(line: BudgetLine) -> None:
    if None in (line.initial, line.adjustment, line.adjusted):
        return
    assert line.initial is not None and line.adjustment is not None and line.adjusted is not None
    if abs(line.initial - line.adjustment - line.adjusted) < abs(
        line.initial + line.adjustment - line.adjusted
    ):
        line.adjustment = -line.adjustment


# --- tables -----------------------------------------------------------------------------------


def _header_roles(row: list[str]) -> dict[int, str]:
    """Column → role. When two columns name one role ("年度预算数(万元)" over the row labels, then
    "调整后预算数"), the first is a group heading spanning the label column: the later one is the
    column."""
    roles: dict[int, str] = {}
    for i, cell in enumerate(row):
        compact = cell.replace(" ", "")
        for role, words in HEADER_ROLES:
            if any(w in compact for w in words):
                earlier = next((j for j, r in roles.items() if r == role), None)
                if earlier is not None and role in ("adjusted",) and _is_group_heading(row[earlier]):
                    del roles[earlier]
                if role not in roles.values():
                    roles[i] = role
                break
    return roles


def _is_group_heading(cell: str) -> bool:
    return bool(re.search(r"年度|情况|[（(](?:万元|元)[）)]", cell))


def _cells_by_role(row: list[str], roles: dict[int, str]) -> dict[str, str]:
    """Each role's cell. Values follow the row's label in the header's order: where a reader
    dropped or merged the label column the row is shifted against the header, and reading by
    position would put a rate into an amount."""
    label = next((i for i, c in enumerate(row) if re.search(r"[\u4e00-\u9fff]", c)), None)
    first = min(roles)
    shift = first - (label + 1) if label is not None and label + 1 <= first else 0
    out: dict[str, str] = {}
    for i, role in roles.items():
        j = i - shift
        if 0 <= j < len(row) and row[j]:
            cell = row[j]
            if role in ("rate",) or "%" not in cell:
                out[role] = cell
    return out


def _line_of(label: str) -> str | None:
    compact = re.sub(r"\s", "", label)
    for name, words in LINE_WORDS:
        if any(w in compact for w in words):
            return name
    return None


def _unit_in(text: str) -> str | None:
    m = re.search(rf"({UNIT})", text)
    return m.group(1) if m else None


_UNIT_NOTE = re.compile(rf"(?:单位|金额单位)\s*[:：]\s*({UNIT})")


def unit_notes(doc: Document) -> dict[tuple[str, ...], str]:
    """First row of a table → the unit a note just above it gives ("单位：万元")."""
    notes: dict[tuple[str, ...], str] = {}
    pending: str | None = None
    for block in doc.blocks:
        if isinstance(block, Table):
            if pending and block.rows:
                notes[block.rows[0]] = pending
            pending = None
        else:
            m = _UNIT_NOTE.search(block.text)
            pending = m.group(1) if m else (pending if len(block.text.strip()) < 40 else None)
    return notes


def parse_budget_table(table: Table, unit_note: str | None = None) -> BudgetParse | None:
    """A table whose header names budget and execution columns; None when it is not one.

    A table laid out the other way round (lines as columns: 合计/基本支出/项目支出; roles as rows:
    年初预算/调整后预算/执行数) is read transposed.
    """
    parsed = _parse_budget_rows(table_rows(table), unit_note)
    if parsed is None and _lines_across(table_rows(table)):
        rows = table_rows(table)
        width = max(len(r) for r in rows)
        transposed = [[r[c] if c < len(r) else "" for r in rows] for c in range(width)]
        parsed = _parse_budget_rows(transposed, unit_note)
    return parsed


def _lines_across(rows: list[list[str]]) -> bool:
    """Whether one of the first rows names two or more budget lines (the lines run across)."""
    return any(sum(_line_of(c) is not None for c in row if c) >= 2 for row in rows[:3])


def _parse_budget_rows(rows: list[list[str]], unit_note: str | None) -> BudgetParse | None:
    for h, header in enumerate(rows[:8]):
        roles = _header_roles(header)
        amount_roles = {r for r in roles.values() if r in ("initial", "adjusted", "executed")}
        if len(amount_roles) < 2 and not ({"executed", "rate"} <= set(roles.values())):
            continue
        result = BudgetParse()
        header_text = " ".join(" ".join(r) for r in rows[: h + 1])
        result.unit = _unit_in(header_text) or unit_note
        for row in rows[h + 1 :]:
            if _ends_budget_rows(row):
                break
            label = next((c for c in row if re.search(r"[\u4e00-\u9fff]", c)), "")
            name = _line_of(label)
            if name is None or name in result.lines:
                continue
            result.unit = result.unit or _unit_in(label)
            line = BudgetLine()
            for role, cell in _cells_by_role(row, roles).items():
                value = parse_number(cell)
                if value is None:
                    continue
                if role == "rate":
                    line.rate, line.rate_text = value, clean_number_text(cell)
                elif role in ("weight", "score"):
                    setattr(line, role, value)
                else:
                    setattr(line, role, value)
                    line.decimals[role] = decimals(clean_number_text(cell))
            if line.is_empty() and line.score is None:
                continue
            result.lines[name] = line
            evidence = "\t".join(c for c in row if c)
            for attr in ("initial", "adjustment", "adjusted", "executed", "rate", "weight", "score"):
                if getattr(line, attr) is not None:
                    result.evidence[f"budget.{name}.{attr}"] = evidence
        unit = _unit_of_values(result.unit or "元", result.lines)
        for line in result.lines.values():
            for attr in ("initial", "adjustment", "adjusted", "executed"):
                setattr(line, attr, to_yuan(getattr(line, attr), unit))
        result.unit = unit
        return result
    return None


def _unit_of_values(header_unit: str, lines: dict[str, BudgetLine]) -> str:
    """A 万元 header over values written in 元 (fen decimals, ten-billion-scale sums): trust the values."""
    if header_unit != "万元":
        return header_unit
    amounts = [getattr(x, f) for x in lines.values() for f in ("initial", "adjusted", "executed")]
    amounts = [a for a in amounts if a]
    fen = any(x.decimals.get(f, 0) == 2 for x in lines.values() for f in ("adjusted", "executed"))
    if amounts and max(amounts) >= 1_000_000 and fen:
        return "元"
    return header_unit


def _ends_budget_rows(row: list[str]) -> bool:
    """The goals or indicator part of a project table follows its budget rows."""
    text = "".join(row)
    return any(w in text for w in ("总体目标", "一级指标", "绩效指标", "三级指标"))


# --- prose ------------------------------------------------------------------------------------

# 财政拨款 alone often names the whole budget ("财政拨款本年支出…"): a sub-line only after 其中
_SUBLINE = re.compile(r"基本支出|项目支出|其他资金|(?<=其中)[:：]?\s*财政拨款")
_SUBLINE_NAMES = {"基本支出": "basic", "项目支出": "project", "财政拨款": "fiscal", "其他资金": "other"}
_AMOUNT_ROLE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("adjustment", re.compile(r"调[增减]|调整(?:资金|金额|数)|追加|追减")),
    ("adjusted", re.compile(r"调整后|全年预算|预算调整为|调整为")),
    ("initial", re.compile(r"年初")),
    # bare 支出 is spending, but 基本支出/项目支出 name lines and 支出预算 is a budget
    ("executed", re.compile(r"执行|决算|实际使用|完成|(?<![本目])支出(?!预算)")),
    ("adjusted", re.compile(r"预算")),
)


def _role_for_amount(context: str, unit: str) -> str | None:
    if unit == "%":
        return "rate" if re.search(r"执行率|完成率|完成.{0,8}的|执行进度", context) else None
    for role, pattern in _AMOUNT_ROLE_WORDS:
        if pattern.search(context):
            return role
    return None


def _segments(text: str) -> list[tuple[str, int, int]]:
    """(line name, start, end) spans: the text before the first sub-line is the total."""
    starts: list[tuple[int, str]] = []
    for m in _SUBLINE.finditer(text):
        nxt = AMOUNT_RE.search(text, m.end())
        if nxt and nxt.start() - m.end() < 24 and not re.search(r"[。，,；;]", text[m.end() : nxt.start()]):
            starts.append((m.start(), _SUBLINE_NAMES[m.group(0).lstrip(":：").strip()]))
    # a sub-line runs to the end of its clause (；。) or the next sub-line; text after it that
    # names no sub-line speaks of the whole budget again ("…；全年执行3800万元")
    spans: list[tuple[str, int, int]] = []
    cursor = 0
    for i, (pos, name) in enumerate(starts):
        if pos > cursor:
            spans.append(("total", cursor, pos))
        nxt = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        stop = re.compile(r"[；;。]").search(text, pos, nxt)
        end = stop.end() if stop else nxt
        spans.append((name, pos, end))
        cursor = end
    if cursor < len(text) or not spans:
        spans.append(("total", cursor, len(text)))
    return spans


def parse_budget_prose(paras: list[str]) -> BudgetParse:
    result = BudgetParse()
    body = section(paras, SECTION_WORDS)[1:] or [p for p in paras if _looks_budgetary(p)]
    kept = [s for p in body for s in re.split(r"(?<=[。；;])", p) if s and not any(w in s for w in OFF_TOPIC)]
    text = "".join(kept)
    for name, start, end in _segments(text):
        line = result.lines.get(name) or BudgetLine()
        cursor = start
        first = True
        for m in AMOUNT_RE.finditer(text, start, end):
            context = text[cursor : m.start()]
            cursor = m.end()
            unit = m.group("unit")
            role = _role_for_amount(context, unit)
            if role is None and first and name != "total" and unit != "%":
                role = "adjusted"  # "项目支出 7664.88 万元": a sub-line's bare amount is its budget
            first = False
            if role == "rate" and name != "total" and re.search(r"总体|整体|总执行率|部门执行率", context):
                # "…其他资金支出371.10万元，总体执行率96.07%": the whole budget's rate, said in passing
                total = result.lines.setdefault("total", BudgetLine())
                if total.rate is None:
                    total.rate, total.rate_text = (
                        parse_number(m.group("num")),
                        clean_number_text(m.group("num")),
                    )
                    result.evidence["budget.total.rate"] = sentence_at(text, m.start())
                continue
            if role is None or (role == "rate" and line.rate is not None):
                continue
            value = parse_number(m.group("num"))
            if role == "rate":
                line.rate, line.rate_text = value, clean_number_text(m.group("num"))
            else:
                if getattr(line, role) is not None:
                    continue
                if role == "adjustment" and value is not None:
                    signs = re.findall(r"[增减]", context)
                    value = -value if signs and signs[-1] == "减" else value
                setattr(line, role, to_yuan(value, unit))
                line.decimals[role] = decimals(m.group("num"))
                result.unit = result.unit or unit
            result.evidence[f"budget.{name}.{role}"] = sentence_at(text, m.start())
        if not line.is_empty():
            result.lines[name] = line
    return result


def _looks_budgetary(paragraph: str) -> bool:
    return (
        len(AMOUNT_RE.findall(paragraph)) >= 2 and bool(re.search(r"预算", paragraph)) and "执行" in paragraph
    )
