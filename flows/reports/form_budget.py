"""Budget lines from a self-evaluation form that arrives as one run of text.

Re-hosted, copied and OCR'd forms lose their grid: "项目资金(万元) 年初预算数 全年预算数 全年执行数
分值 执行率 得分 年度资金总额: 880 880 880 10 10 其中:本年财政拨款 880 880 880 - -". The header's
column roles are read in order from the vocabulary ([columns]); each row label ([lines]) takes the
figures that follow it, and flows.reports.placement decides which figure is which column. The
money unit must be stated in the form's header (万元/元); without it no amount is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from flows.reports.model import BudgetLine
from flows.reports.numbers import decimals, to_yuan
from flows.reports.placement import place_tokens
from flows.reports.vocabulary import vocabulary

_TOKEN = re.compile(r"\d[\d,.]*%?|[-—－/](?=\s|$|\|)|[^\s\d|%]+")
_FIGURE = re.compile(r"\d[\d,.]*%?$|[-—－/]$")
_STORED = ("initial", "adjustment", "adjusted", "executed")
_LETTER = re.compile(r"[（(][A-Z][）)]")
# header formulas and point markers: "(E/C×100%)", "(20 分*执行率)", "(10分)"
_FORMULA = re.compile(r"[×x*]\s*100\s*%|[(（]\s*\d+\s*分[^)）]{0,8}[)）]")


@dataclass(slots=True)
class FormBudget:
    lines: dict[str, BudgetLine] = field(default_factory=dict)
    unit: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _column_words() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern of every column word, longest first, and each word's role (the first role
    of the vocabulary that lists it)."""
    role_of: dict[str, str] = {}
    for role, words in vocabulary().columns:
        for w in words:
            role_of.setdefault(w, role)
    words = sorted(role_of, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)), role_of


def _roles_in(word: str) -> list[str]:
    return list(_cached_roles(word))


@lru_cache(maxsize=4096)
def _cached_roles(word: str) -> tuple[str, ...]:
    """Column roles a header word names, in the order written ("全年预算数(A)全年执行数(B)执行率")."""
    if _LETTER.fullmatch(word):
        return ()  # "(B)" alone labels the column before it, whatever that column is
    pattern, role_of = _column_words()
    ordered = [role_of[m.group(0)] for m in pattern.finditer(word)]
    # "全年预算数(A)" names one column twice
    return tuple(r for i, r in enumerate(ordered) if i == 0 or r != ordered[i - 1])


@lru_cache(maxsize=4096)
def _line_of(label: str) -> str | None:
    vocab = vocabulary()
    label = re.sub(r"^其中\s*[:：]?", "", label).strip()
    if any(label.startswith(w) for w in vocab.level_words):
        return None  # one government level's share, not a line of its own
    for line, words in vocab.lines:
        if any(w in label for w in words):
            return line
    return None


def parse_form_budget(stream: str) -> FormBudget:
    """Lines of the first budget block of a flattened form; empty when there is none or it is unclear."""
    result = FormBudget()
    # "预算执行(E/C×100%)" is a formula in a header, not a figure
    text = _FORMULA.sub("", stream.replace("|", " "))
    tokens = [m.group(0) for m in _TOKEN.finditer(_split_words(text))]
    for start, tok in enumerate(tokens):
        if _FIGURE.match(tok):
            continue
        roles = _roles_in(tok)
        if not {"initial", "adjusted", "executed"} & set(roles):
            continue
        while start > 0 and not _FIGURE.match(tokens[start - 1]) and _roles_in(tokens[start - 1]):
            start -= 1  # a 行次 column before the first amount column
            roles = _roles_in(tokens[start]) + roles
        i = tokens.index(tok, start) + 1
        header = tokens[max(0, start - 4) : start + 1]
        while i < len(tokens) and not _FIGURE.match(tokens[i]) and _line_of(tokens[i]) is None:
            more = _roles_in(tokens[i])
            roles += more[1:] if more and roles and more[0] == roles[-1] else more
            header.append(tokens[i])
            i += 1
        if len([r for r in roles if r in ("initial", "adjusted", "executed")]) < 2:
            continue
        unit = _unit(" ".join(tokens[max(0, start - 8) : i])) or _unit(
            " ".join(tokens[max(0, start - 15) : i])
        )
        before = _Before.of(tokens[max(0, start - 15) : start])
        _read_rows(tokens, i, roles, unit, result, before)
        if result.lines:
            result.unit = result.unit or unit
            _drop_blank_total(result)
            return result
    return result


def _drop_blank_total(result: FormBudget) -> None:
    """A total row of zeros beside sub-lines with money is the template's blank, not a reading."""
    total = result.lines.get("total")
    amounts = lambda b: [getattr(b, a) for a in _STORED if getattr(b, a) is not None]  # noqa: E731
    if total is None or any(amounts(total)):
        return
    if any(any(amounts(b)) for name, b in result.lines.items() if name != "total"):
        del result.lines["total"]
        for key in [k for k in result.evidence if k.startswith("budget.total.")]:
            del result.evidence[key]


@lru_cache(maxsize=1)
def _word_pattern() -> re.Pattern[str]:
    vocab = vocabulary()
    words = {w for _, ws in vocab.columns for w in ws} | {w for _, ws in vocab.lines for w in ws}
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def _split_words(text: str) -> str:
    """A space before every column and line word, so a run-on header ("全年预算数(A)全年执行数(B)
    执行率(B/A)年度资金总额") falls into its cells."""
    return _word_pattern().sub(lambda m: " " + m.group(0), text)


def _unit(header: str) -> str | None:
    if "万元" in header:
        return "万元"
    if re.search(r"[（(]元[）)]|单位[:：]?元", header):
        return "元"
    return None


@dataclass(frozen=True, slots=True)
class _Before:
    """What the form says just before a header: a total label whose figures come after the header
    (XLSX copies flattened out of order), and amount columns the header lost to those labels."""

    total_label: bool
    roles: tuple[str, ...]

    @staticmethod
    def of(tokens: list[str]) -> _Before:
        words = [(k, t) for k, t in enumerate(tokens) if not _FIGURE.match(t)]
        roles = tuple(r for _, t in words for r in _roles_in(t) if r in _STORED)
        # line labels count from the first amount column named here (a title's 项目支出 does not)
        first_role = next((k for k, t in words if _roles_in(t)), 0)
        total_at = next((k for k, t in words if k >= first_role and _line_of(t) is not None), None)
        if total_at is None or _line_of(tokens[total_at]) != "total":
            return _Before(False, roles)
        # a figure after the label is its own, unless it numbers a list ("3、一次性项目")
        own = [
            t
            for k, t in enumerate(tokens[total_at + 1 :], total_at + 1)
            if _FIGURE.match(t) and not (k + 1 < len(tokens) and tokens[k + 1].startswith("、"))
        ]
        return _Before(not own, roles)


def _read_rows(
    tokens: list[str],
    i: int,
    roles: list[str],
    unit: str | None,
    out: FormBudget,
    before: _Before | None = None,
) -> None:
    """Rows after the header: a label, then its figures. XLSX copies flattened out of row order
    put the first row's figures before any label and the 年度资金总额 label after the block: such
    leading figures are the total's only when a total label with no figures of its own follows."""
    rows: list[tuple[str, str, list[str]]] = []  # (line, label, figures)
    leading: list[str] = []
    bare_total = False
    end = first_row = i
    while i < len(tokens):
        label_parts: list[str] = []
        while i < len(tokens) and not _FIGURE.match(tokens[i]):
            label_parts.append(tokens[i])
            i += 1
            if len(label_parts) > 4:
                break
        figures: list[str] = []
        while i < len(tokens) and _FIGURE.match(tokens[i]):
            figures.append(tokens[i])
            i += 1
        end = i
        label = "".join(label_parts)
        line = _line_of(label)
        if not label_parts and not rows:
            leading = figures
            continue
        if line is None:
            if len(label_parts) > 4 or (label_parts and not figures):
                # the block is over, but a trailing total label may still close it
                bare_total = bare_total or any(_line_of(p) == "total" for p in label_parts)
                break
            continue
        if not figures:
            bare_total = bare_total or line == "total"
            continue
        rows.append((line, label, figures))
    unit = unit or _unit(" ".join(tokens[first_row:end]))
    if leading and not any(line == "total" for line, _, _ in rows):
        if bare_total:
            rows.insert(0, ("total", "年度资金总额", leading))
        elif before is not None and before.total_label:
            # the total's label stands before the header: its figures are the total's only when the
            # amounts prove the stated rate, read with every amount column the form names
            extra = [r for r in before.roles if r not in roles]
            if len(leading) > len(roles) and len(leading) % len(roles) == 0:
                leading = leading[: len(roles)]  # rows run together: the first is the total's
            _store(out, "total", "年度资金总额", leading, [*extra, *roles], unit, prove=True)
    for line, label, figures in rows:
        if line not in out.lines:
            _store(out, line, label, figures, roles, unit)


def _store(
    out: FormBudget,
    line: str,
    label: str,
    figures: list[str],
    roles: list[str],
    unit: str | None,
    *,
    prove: bool = False,
) -> None:
    placed = place_tokens(list(roles), figures, prove=prove)
    budget = BudgetLine()
    for role, fig in placed.items():
        if role == "rate":
            budget.rate, budget.rate_text = fig.value, fig.text
        elif role in ("weight", "score"):
            setattr(budget, role, fig.value)
        elif role in _STORED and unit is not None:
            setattr(budget, role, to_yuan(fig.value, unit))
            budget.decimals[role] = decimals(fig.text)
    if budget.is_empty():
        return
    out.lines[line] = budget
    out.unit = out.unit or unit
    evidence = f"{label} {' '.join(figures)}"
    for role in ("rate", "weight", "score", *_STORED):
        if getattr(budget, role) is not None:
            out.evidence[f"budget.{line}.{role}"] = evidence


_TRIPLE = re.compile(
    r"(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<ua>万元|元)\s*(?P<b>\d[\d,]*(?:\.\d+)?)\s*(?P<ub>万元|元)\s*"
    r"(?P<r>\d{1,3}(?:\.\d{1,2})?)\s*%"
)


def parse_budget_triple(stream: str) -> tuple[BudgetLine, str] | None:
    """(budget, spending and rate, evidence) from three cells an OCR'd form ran together under its
    执行数/执行率 header: "300万元 259.45万元 86.5%". Read only when the rate is the ratio of the
    two amounts as printed, so the three prove each other."""
    for m in _TRIPLE.finditer(stream):
        if m.group("ua") != m.group("ub") or "执行数" not in stream[max(0, m.start() - 60) : m.start()]:
            continue
        a, b, r = (float(m.group(k).replace(",", "")) for k in ("a", "b", "r"))
        if a <= 0 or abs(b / a * 100 - r) > max(0.006 * r, 0.06):
            continue
        line = BudgetLine()
        line.adjusted, line.executed = to_yuan(a, m.group("ua")), to_yuan(b, m.group("ub"))
        line.decimals.update(adjusted=decimals(m.group("a")), executed=decimals(m.group("b")))
        line.rate, line.rate_text = r, m.group("r")
        return line, m.group(0)
    return None
