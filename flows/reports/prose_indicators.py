"""Scored indicators written as prose (a heading per indicator with its weight, then a paragraph
that ends 该项指标得N分), and a scored budget-execution heading such as 预算及执行情况(10分)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.contract.report import Indicator
from flows.reports.text import heading_level, strip_heading_number

_WEIGHTED = re.compile(
    r"^(?P<name>.+?)\s*[（(]\s*(?:权重|分值|满分)?\s*(?P<weight>\d+(?:\.\d+)?)\s*分\s*[)）]\s*[。:：]?$"
)
# one indicator in one sentence: "（1）name：年度指标值>=90%，实际完成值96.07%，该指标分值10分，自评得分10分。"
_INLINE = re.compile(r"^(?P<name>[^：:，。]{2,40})[：:](?P<rest>.*(?:分值|权重|满分).*得\s*分?\s*\d.*)$")
_INLINE_TARGET = re.compile(r"(?:年度)?(?:指标值|目标值)(?:为|是)?\s*(?P<v>[^，,；;。]+)")
_INLINE_ACTUAL = re.compile(r"(?:实际完成值|实际值|完成值|实际完成)(?:为|是)?\s*(?P<v>[^，,；;。]+)")
_INLINE_WEIGHT = re.compile(r"(?:分值|权重|满分)(?:为|是)?\s*(?P<v>\d+(?:\.\d+)?)\s*分")
_INLINE_SCORE = re.compile(r"(?:自评得分|得分|得)(?:为|是)?\s*(?P<v>\d+(?:\.\d+)?)\s*分")
_SCORE = re.compile(r"得\s*(?P<score>\d+(?:\.\d+)?)\s*分")
_NAME_LINE_MAX = 24


@dataclass(slots=True)
class ProseScores:
    indicators: list[tuple[Indicator, str]] = field(default_factory=list)
    budget_weight: float | None = None
    budget_score: float | None = None
    budget_evidence: str | None = None


@dataclass(slots=True)
class _Open:
    name: str
    weight: float | None
    level1: str | None
    level2: str | None
    body: list[str] = field(default_factory=list)


def _weighted(paragraph: str) -> tuple[str, float] | None:
    m = _WEIGHTED.match(strip_heading_number(paragraph))
    if not m or len(paragraph) > 60:
        return None
    return m.group("name").strip(), float(m.group("weight"))


def _inline(paragraph: str, level1: str | None, level2: str | None) -> Indicator | None:
    m = _INLINE.match(strip_heading_number(paragraph))
    if not m:
        return None
    rest = m.group("rest")

    def grab(pattern: re.Pattern[str]) -> str | None:
        found = pattern.search(rest)
        return found.group("v").strip() if found else None

    weight, score = grab(_INLINE_WEIGHT), None
    scores = list(_INLINE_SCORE.finditer(rest))
    if scores:
        score = scores[-1].group("v")
    return Indicator(
        level1,
        level2,
        m.group("name").strip(),
        float(weight) if weight else None,
        grab(_INLINE_TARGET),
        grab(_INLINE_ACTUAL),
        float(score) if score else None,
        None,
    )


def _score(body: list[str]) -> tuple[float | None, str | None]:
    for paragraph in reversed(body):
        found = list(_SCORE.finditer(paragraph))
        if found:
            return float(found[-1].group("score")), paragraph
    return None, None


def _is_name_line(p: str) -> bool:
    return len(p) <= _NAME_LINE_MAX and not re.search(r"[，。,；;：:]", p) and heading_level(p) is None


def parse_prose_scores(paras: list[str]) -> ProseScores:
    out = ProseScores()
    level1: str | None = None
    level2: str | None = None
    pending: _Open | None = None  # a level-2 heading that may turn out to be scored itself
    current: _Open | None = None
    in_scope = False

    def close(item: _Open | None) -> None:
        if item is None:
            return
        score, evidence = _score(item.body)
        if score is None and item.weight is None:
            return
        indicator = Indicator(item.level1, item.level2, item.name, item.weight, None, None, score, None)
        out.indicators.append((indicator, evidence or item.name))

    for p in paras:
        level = heading_level(p)
        weighted = _weighted(p)
        if weighted and not in_scope and "预算" in weighted[0] and "执行" in weighted[0]:
            current = _Open(weighted[0], weighted[1], None, None)
            out.budget_weight = weighted[1]
            continue
        if current is not None and current.level1 is None and current.level2 is None and not in_scope:
            if weighted or (level is not None and level <= 2):
                out.budget_score, out.budget_evidence = _score(current.body)
                current = None
            else:
                current.body.append(p)
                continue
        if (weighted and level == 2) or (
            weighted and level is None and not in_scope and "指标" in weighted[0]
        ):
            close(current)
            close(pending)
            current = pending = None
            if "指标" in weighted[0] or "满意" in weighted[0] or in_scope:
                in_scope = True
                level1, level2 = weighted[0], None
            continue
        if not in_scope:
            continue
        if level == 1 and not weighted:
            break  # the next part of the report (problems, measures)
        inline = _inline(p, level1, level2) if level in (3, 4, None) else None
        if inline is not None:
            close(current)
            close(pending)
            current = pending = None
            out.indicators.append((inline, p))
            continue
        if level is not None and not weighted and len(p) <= 16 and not re.search(r"[，。,；;：:]", p):
            close(current)
            close(pending)
            current = pending = None
            level2 = strip_heading_number(p)  # an unweighted group heading such as "1.数量指标"
            continue
        if weighted and level == 4:
            close(current)
            close(pending)
            current = None
            level2 = weighted[0]
            pending = _Open(weighted[0], weighted[1], level1, level2)
            continue
        if weighted:
            close(current)
            pending = None
            current = _Open(weighted[0], weighted[1], level1, level2)
            continue
        if pending is not None and current is None:
            if _is_name_line(p) and not pending.body:
                pending.name = p  # the scored item's own title under its level-2 heading
                continue
            pending.body.append(p)
            continue
        if current is not None:
            current.body.append(p)
    if current is not None and current.level1 is None and current.level2 is None and not in_scope:
        out.budget_score, out.budget_evidence = _score(current.body)
    else:
        close(current)
    close(pending)
    return out
