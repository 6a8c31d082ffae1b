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
from flows.reports.placement import AMOUNT_ROLES, place_tokens
from flows.reports.vocabulary import vocabulary

_TOKEN = re.compile(r"\d[\d,.]*%?|[-—－/](?=\s|$|\|)|[^\s\d|%]+")
_FIGURE = re.compile(r"\d[\d,.]*%?$|[-—－/]$")
_STORED = ("initial", "adjustment", "adjusted", "executed")


@dataclass(slots=True)
class FormBudget:
    lines: dict[str, BudgetLine] = field(default_factory=dict)
    unit: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)


def _roles_in(word: str) -> list[str]:
    """Column roles a header word names, in the order written ("全年预算数(A)全年执行数(B)执行率")."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for role, words in vocabulary().columns:
        for w in sorted(words, key=len, reverse=True):
            for m in re.finditer(re.escape(w), word):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), role))
    ordered = [role for _, role in sorted(found)]
    # "全年预算数(A)" names one column twice
    return [r for i, r in enumerate(ordered) if i == 0 or r != ordered[i - 1]]


def _line_of(label: str) -> str | None:
    vocab = vocabulary()
    label = label.lstrip("其中:：").strip()
    if any(label.startswith(w) for w in vocab.level_words):
        return None  # one government level's share, not a line of its own
    for line, words in vocab.lines:
        if any(w in label for w in words):
            return line
    return None


def parse_form_budget(stream: str) -> FormBudget:
    """Lines of the first budget block of a flattened form; empty when there is none or it is unclear."""
    result = FormBudget()
    tokens = [m.group(0) for m in _TOKEN.finditer(_split_words(stream.replace("|", " ")))]
    for start, tok in enumerate(tokens):
        if _FIGURE.match(tok):
            continue
        roles = _roles_in(tok)
        if not {"initial", "adjusted", "executed"} & set(roles):
            continue
        i = start + 1
        header = tokens[max(0, start - 4) : start + 1]
        while i < len(tokens) and not _FIGURE.match(tokens[i]) and _line_of(tokens[i]) is None:
            more = _roles_in(tokens[i])
            roles += more[1:] if more and roles and more[0] == roles[-1] else more
            header.append(tokens[i])
            i += 1
        if len([r for r in roles if r in ("initial", "adjusted", "executed")]) < 2:
            continue
        unit = _unit(" ".join(tokens[max(0, start - 8) : i]))
        _read_rows(tokens, i, roles, unit, result)
        if result.lines:
            result.unit = unit
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


def _read_rows(tokens: list[str], i: int, roles: list[str], unit: str | None, out: FormBudget) -> None:
    while i < len(tokens):
        label_parts: list[str] = []
        while i < len(tokens) and not _FIGURE.match(tokens[i]):
            label_parts.append(tokens[i])
            i += 1
            if len(label_parts) > 4:
                return  # prose or the next part of the form: the budget block is over
        figures: list[str] = []
        while i < len(tokens) and _FIGURE.match(tokens[i]):
            figures.append(tokens[i])
            i += 1
        label = "".join(label_parts)
        line = _line_of(label)
        if line is None:
            if label_parts and not figures:
                return
            continue
        if line in out.lines or not figures:
            continue
        placed = place_tokens(list(roles), figures)
        budget = BudgetLine()
        for role, fig in placed.items():
            if role in ("rate",):
                budget.rate, budget.rate_text = fig.value, fig.text
            elif role in ("weight", "score"):
                setattr(budget, role, fig.value)
            elif role in _STORED and unit is not None:
                setattr(budget, role, to_yuan(fig.value, unit))
                budget.decimals[role] = decimals(fig.text)
        if budget.is_empty():
            continue
        # a total row of zeros beside sub-lines with money is the template's blank, not a reading
        out.lines[line] = budget
        evidence = f"{label} {' '.join(figures)}"
        for role in placed:
            if role in (*_STORED, "rate", "weight", "score"):
                key = "rate" if role == "rate" else role
                out.evidence[f"budget.{line}.{key}"] = evidence
    _ = AMOUNT_ROLES
