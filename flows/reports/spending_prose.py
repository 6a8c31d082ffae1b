"""The whole budget's figures as a project or fund report states them in prose.

"项目资金共2179万元，截止2022年12月8日，已完成拨付2113.63万元，执行率97%": a phrase of the
vocabulary ([prose]) names the figure, and the first money amount after it in the same clause is
its value. Amounts that were only allocated, received or approved (下达/到位/批复) are never read
as spending; the first statement of each figure in the document is kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows.reports.model import BudgetLine
from flows.reports.numbers import AMOUNT_RE, clean_number_text, decimals, parse_number, to_yuan
from flows.reports.text import sentence_at
from flows.reports.vocabulary import vocabulary

_CLAUSE_END = re.compile(r"[，,。；;：:]")
_REACH = 16  # characters between a phrase and its amount


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[str, re.Pattern[str]], ...]:
    prose = vocabulary().prose
    return tuple(
        (role, re.compile("|".join(re.escape(w) for w in sorted(prose[role], key=len, reverse=True))))
        for role in ("rate", "executed", "adjusted", "initial")
    )


def parse_spending_prose(paras: list[str]) -> tuple[BudgetLine, dict[str, str]]:
    """(the total line, evidence) from prose; fields not stated stay None."""
    line = BudgetLine()
    evidence: dict[str, str] = {}
    not_between = vocabulary().prose["not_between"]
    for text in paras:
        for role, pattern in _phrases():
            for m in pattern.finditer(text):
                if _already(line, role):
                    break
                amount = AMOUNT_RE.search(text, m.end(), min(len(text), m.end() + _REACH + 12))
                if amount is None:
                    continue
                if amount.start() > 0 and (
                    text[amount.start() - 1].isdigit() or text[amount.start() - 1] == "."
                ):
                    continue  # the tail of glued figures ("64.864.8100%"), not an amount
                between = text[m.end() : amount.start()]
                if len(between) > _REACH or _CLAUSE_END.search(between):
                    continue
                if role == "rate":
                    if amount.group("unit") != "%" or any(w in between for w in ("到位", "完成")):
                        continue
                    if (parse_number(amount.group("num")) or 0) > 200:
                        continue
                    line.rate = parse_number(amount.group("num"))
                    line.rate_text = clean_number_text(amount.group("num"))
                else:
                    if amount.group("unit") == "%" or any(w in between for w in not_between):
                        continue
                    value = to_yuan(parse_number(amount.group("num")), amount.group("unit"))
                    setattr(line, role, value)
                    line.decimals[role] = decimals(amount.group("num"))
                evidence[f"budget.total.{role}"] = sentence_at(text, m.start())
    return line, evidence


def _already(line: BudgetLine, role: str) -> bool:
    return getattr(line, role) is not None
