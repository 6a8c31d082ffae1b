"""The words and numbers of the corpus documents, and the labels they imply.

Every function here returns the blocks of one part of a report together with the label of
what that part states, so a label can never claim more than the text says: a line whose
initial budget is not written has `initial: null`, an adjustment the text does not give is
null (never computed), a rate is the one printed.

Money is held in fen (integer cents) so that 万元 and 元 renderings are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.corpus.writers import Block, Grid, Para

# ── places and units ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Unit:
    """A reporting unit as the report writes it, and where it sits."""

    full: str  # as written in the report
    province: str
    city: str
    district: str
    street: str | None
    department: str  # the name without province/city/district

    @property
    def region(self) -> dict[str, str | None]:
        return {
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "street": self.street,
        }


# ── money ─────────────────────────────────────────────────────────────────────────────


def yuan(fen: int) -> float:
    return float(Decimal(fen) / 100)


def rate_of(executed: int, budget: int) -> str:
    """A rate as a report prints it: two decimals, half up."""
    if budget == 0:
        return "0.00"
    return str((Decimal(executed) * 100 / Decimal(budget)).quantize(Decimal("0.01"), ROUND_HALF_UP))


_FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def money(fen: int, unit: str, *, sep: bool = False, decimals: int = 2, fullwidth: bool = False) -> str:
    """An amount in the document's unit ('万元' or '元'), as written (no unit word)."""
    value = Decimal(fen) / (1_000_000 if unit == "万元" else 100)
    q = value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{q:,.{decimals}f}" if sep else f"{q:.{decimals}f}"
    return text.translate(_FULL) if fullwidth else text


@dataclass(frozen=True, slots=True)
class Line:
    """One budget line's true figures in fen; what a rendering states is decided by the renderer."""

    initial: int
    adjusted: int
    executed: int

    @property
    def adjustment(self) -> int:
        return self.adjusted - self.initial

    @property
    def rate(self) -> str:
        return rate_of(self.executed, self.adjusted)


@dataclass(frozen=True, slots=True)
class Budget:
    basic: Line
    project: Line
    fiscal: Line | None = None
    other: Line | None = None

    @property
    def total(self) -> Line:
        b, p = self.basic, self.project
        return Line(b.initial + p.initial, b.adjusted + p.adjusted, b.executed + p.executed)


def label_line(
    line: Line,
    *,
    initial: bool,
    adjustment: bool,
    adjusted: bool = True,
    executed: bool = True,
    rate: bool = True,
) -> dict[str, float | None]:
    """The label of a line: the figures the text states, null for the others."""
    return {
        "initial": yuan(line.initial) if initial else None,
        "adjustment": yuan(line.adjustment) if adjustment else None,
        "adjusted": yuan(line.adjusted) if adjusted else None,
        "executed": yuan(line.executed) if executed else None,
        "rate": float(line.rate) if rate else None,
    }


# ── budget in prose ───────────────────────────────────────────────────────────────────


def budget_prose(b: Budget, unit: str, style: str, year: int, who: str) -> tuple[list[Block], dict[str, Any]]:
    """One paragraph (or two) stating the budget, in one of several phrasings."""
    t, ba, pr = b.total, b.basic, b.project
    m = lambda fen, **kw: money(fen, unit, **kw)  # noqa: E731
    u = unit
    lines: dict[str, Any]
    if style == "seed":  # the Minhang phrasing: 年初 → 调整 → 执行, then basic and project
        word = "调增" if t.adjustment > 0 else "调减"
        text = (
            f"{who}预算资金来源于区级财政资金，{year}年部门全年年初预算金额{m(t.initial)}{u}，包括基本支出和项目支出。"
            f"年中根据各子项目实际支付情况{word}预算，合计{word}资金{m(abs(t.adjustment))}{u}，"
            f"调整后预算金额为{m(t.adjusted)}{u}，截至{year}年12月31日，预算执行金额为{m(t.executed)}{u}，"
            f"整体预算执行率为{t.rate}%。其中基本支出年度预算{m(ba.adjusted)}{u}，预算执行金额{m(ba.executed)}{u}，"
            f"预算执行率{ba.rate}%；项目支出预算{m(pr.adjusted)}{u}，执行金额{m(pr.executed)}{u}，预算执行率{pr.rate}%。"
        )
        lines = {
            "total": label_line(t, initial=True, adjustment=True),
            "basic": label_line(ba, initial=False, adjustment=False),
            "project": label_line(pr, initial=False, adjustment=False),
        }
        return [Para(text)], lines
    if style == "append":  # 元 with thousands separators; 追加 instead of 调增
        assert t.adjustment > 0
        text = (
            f"{year}年度，本单位年初预算数为{m(t.initial, sep=True)}{u}，年度中期追加预算{m(t.adjustment, sep=True)}{u}，"
            f"全年预算数为{m(t.adjusted, sep=True)}{u}；全年实际支出{m(t.executed, sep=True)}{u}，"
            f"预算执行率为{t.rate}%。"
        )
        text2 = (
            f"从支出结构看，基本支出全年预算{m(ba.adjusted, sep=True)}{u}，实际支出{m(ba.executed, sep=True)}{u}，"
            f"执行率{ba.rate}%；项目支出全年预算{m(pr.adjusted, sep=True)}{u}，实际支出{m(pr.executed, sep=True)}{u}，"
            f"执行率{pr.rate}%。"
        )
        lines = {
            "total": label_line(t, initial=True, adjustment=True),
            "basic": label_line(ba, initial=False, adjustment=False),
            "project": label_line(pr, initial=False, adjustment=False),
        }
        return [Para(text), Para(text2)], lines
    if style == "contradict":  # says 调减 while the figures add: the sign follows the numbers
        assert t.adjustment > 0
        text = (
            f"{year}年初部门预算为{m(t.initial)}{u}，年中调减预算{m(t.adjustment)}{u}后，调整后预算为{m(t.adjusted)}{u}。"
            f"全年共支出{m(t.executed)}{u}，预算执行率{t.rate}%。"
            f"基本支出调整后预算{m(ba.adjusted)}{u}，支出{m(ba.executed)}{u}，执行率{ba.rate}%；"
            f"项目支出调整后预算{m(pr.adjusted)}{u}，支出{m(pr.executed)}{u}，执行率{pr.rate}%。"
        )
        lines = {
            "total": label_line(t, initial=True, adjustment=True),
            "basic": label_line(ba, initial=False, adjustment=False),
            "project": label_line(pr, initial=False, adjustment=False),
        }
        return [Para(text)], lines
    if style == "total_only":  # no initial budget, no split; rate first
        text = (
            f"截至{year}年底，{who}部门预算执行率为{t.rate}%：全年预算总额{m(t.adjusted)}{u}（含年中调整），"
            f"实际支出{m(t.executed)}{u}。"
        )
        return [Para(text)], {"total": label_line(t, initial=False, adjustment=False)}
    if style == "sources":  # by source of funds: 财政拨款 and 其他资金, no initial budget
        f, o = b.fiscal, b.other
        assert f is not None and o is not None
        text = (
            f"{year}年{who}全年预算{m(t.adjusted)}{u}，其中财政拨款{m(f.adjusted)}{u}，其他资金{m(o.adjusted)}{u}；"
            f"全年执行{m(t.executed)}{u}，其中财政拨款支出{m(f.executed)}{u}，其他资金支出{m(o.executed)}{u}，"
            f"总体执行率{t.rate}%。按支出功能分，基本支出执行{m(ba.executed)}{u}，项目支出执行{m(pr.executed)}{u}。"
        )
        lines = {
            "total": label_line(t, initial=False, adjustment=False),
            "fiscal": label_line(f, initial=False, adjustment=False, rate=False),
            "other": label_line(o, initial=False, adjustment=False, rate=False),
            "basic": label_line(ba, initial=False, adjustment=False, adjusted=False, rate=False),
            "project": label_line(pr, initial=False, adjustment=False, adjusted=False, rate=False),
        }
        return [Para(text)], lines
    if style == "fullwidth":  # full-width digits and separators, as some word processors type them
        word = "调增" if t.adjustment > 0 else "调减"
        fw = lambda fen: m(fen, sep=True, fullwidth=True)  # noqa: E731
        rate = lambda s: s.translate(_FULL)  # noqa: E731
        text = (
            f"本年度年初预算数为{fw(t.initial)}{u}，年中{word}{fw(abs(t.adjustment))}{u}，调整后预算数为{fw(t.adjusted)}{u}，"
            f"实际执行数为{fw(t.executed)}{u}，执行率为{rate(t.rate)}％。其中：基本支出调整后预算{fw(ba.adjusted)}{u}，"
            f"执行{fw(ba.executed)}{u}，执行率{rate(ba.rate)}％；项目支出调整后预算{fw(pr.adjusted)}{u}，"
            f"执行{fw(pr.executed)}{u}，执行率{rate(pr.rate)}％。"
        )
        lines = {
            "total": label_line(t, initial=True, adjustment=True),
            "basic": label_line(ba, initial=False, adjustment=False),
            "project": label_line(pr, initial=False, adjustment=False),
        }
        return [Para(text)], lines
    if style == "final_account":  # 决算数 wording, rate before the amounts, initial after
        assert t.adjustment < 0
        text = (
            f"{year}年度部门预算执行率为{t.rate}%，全年调整预算数{m(t.adjusted)}{u}，决算数{m(t.executed)}{u}。"
            f"年初预算数{m(t.initial)}{u}，年中共调减{m(-t.adjustment)}{u}，主要是部分项目因政策调整未实施。"
            f"基本支出决算数{m(ba.executed)}{u}，调整预算数{m(ba.adjusted)}{u}，执行率{ba.rate}%；"
            f"项目支出决算数{m(pr.executed)}{u}，调整预算数{m(pr.adjusted)}{u}，执行率{pr.rate}%。"
        )
        lines = {
            "total": label_line(t, initial=True, adjustment=True),
            "basic": label_line(ba, initial=False, adjustment=False),
            "project": label_line(pr, initial=False, adjustment=False),
        }
        return [Para(text)], lines
    raise ValueError(style)


# ── budget tables ─────────────────────────────────────────────────────────────────────


def budget_table(b: Budget, unit: str, style: str) -> tuple[list[Block], dict[str, Any]]:
    """A budget-execution table with its unit note; labels give what the table's columns give."""
    m = lambda fen: money(fen, unit)  # noqa: E731
    t, ba, pr = b.total, b.basic, b.project
    note = Para(f"单位：{unit}", "note")
    if style == "annual":  # 年初预算数/全年预算数/全年执行数/执行率, by source and by kind (seed 004)
        f = b.fiscal or t
        o = b.other or Line(0, 0, 0)
        rows = [
            ["内容", "年初预算数", "全年预算数", "全年执行数", "执行率"],
            [f"部门整体预算总额（{unit}）", m(t.initial), m(t.adjusted), m(t.executed), t.rate],
            ["1、资金来源", "", "", "", ""],
            ["（1）财政拨款", m(f.initial), m(f.adjusted), m(f.executed), f.rate],
            ["（2）其他资金", m(o.initial), m(o.adjusted), m(o.executed), o.rate],
            ["2、资金结构", "", "", "", ""],
            ["（1）基本支出", m(ba.initial), m(ba.adjusted), m(ba.executed), ba.rate],
            ["（2）项目支出", m(pr.initial), m(pr.adjusted), m(pr.executed), pr.rate],
        ]
        lines = {
            "total": label_line(t, initial=True, adjustment=False),
            "fiscal": label_line(f, initial=True, adjustment=False),
            "other": label_line(o, initial=True, adjustment=False),
            "basic": label_line(ba, initial=True, adjustment=False),
            "project": label_line(pr, initial=True, adjustment=False),
        }
        return [Grid(rows, widths=[3, 2, 2, 2, 1.5])], lines
    if style == "adjusted":  # 年初预算/调整后预算数/预算执行数/预算执行率, rates with %
        rows = [
            ["项目", "年初预算", "调整后预算数", "预算执行数", "预算执行率"],
            ["合计", m(t.initial), m(t.adjusted), m(t.executed), f"{t.rate}%"],
            ["基本支出", m(ba.initial), m(ba.adjusted), m(ba.executed), f"{ba.rate}%"],
            ["项目支出", m(pr.initial), m(pr.adjusted), m(pr.executed), f"{pr.rate}%"],
        ]
        lines = {
            name: label_line(line, initial=True, adjustment=False)
            for name, line in (("total", t), ("basic", ba), ("project", pr))
        }
        return [note, Grid(rows)], lines
    if style == "ab":  # (A)/(B)/执行率(B/A), the unit in the header instead of a note
        rows = [
            ["支出类别", f"年初预算数（{unit}）", "全年预算数（A）", "全年执行数（B）", "执行率（B/A）"],
            ["部门整体支出", m(t.initial), m(t.adjusted), m(t.executed), f"{t.rate}%"],
            ["其中：基本支出", m(ba.initial), m(ba.adjusted), m(ba.executed), f"{ba.rate}%"],
            ["项目支出", m(pr.initial), m(pr.adjusted), m(pr.executed), f"{pr.rate}%"],
        ]
        lines = {
            name: label_line(line, initial=True, adjustment=False)
            for name, line in (("total", t), ("basic", ba), ("project", pr))
        }
        return [Grid(rows)], lines
    if style == "signed":  # a signed 年中调整 column
        sign = lambda fen: ("+" if fen > 0 else "") + m(fen)  # noqa: E731
        rows = [
            ["项目", "年初预算", "年中调整", "调整后预算", "实际支出", "执行率（%）"],
            ["部门预算合计", m(t.initial), sign(t.adjustment), m(t.adjusted), m(t.executed), t.rate],
            ["基本支出", m(ba.initial), sign(ba.adjustment), m(ba.adjusted), m(ba.executed), ba.rate],
            ["项目支出", m(pr.initial), sign(pr.adjustment), m(pr.adjusted), m(pr.executed), pr.rate],
        ]
        lines = {
            name: label_line(line, initial=True, adjustment=True)
            for name, line in (("total", t), ("basic", ba), ("project", pr))
        }
        return [note, Grid(rows)], lines
    raise ValueError(style)


# ── indicators ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Ind:
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: float
    score: float
    reason: str | None = None


def num(x: float) -> str:
    return f"{x:g}"


def ind_label(
    i: Ind, *, weight: bool = True, target: str | None = "same", actual: str | None = "same"
) -> dict:
    return {
        "level1": i.level1,
        "level2": i.level2,
        "name": i.name,
        "weight": i.weight if weight else None,
        "target": i.target if target == "same" else target,
        "actual": i.actual if actual == "same" else actual,
        "score": i.score,
    }


def sample_indexes(n: int) -> list[int]:
    """First, second, a middle row, the row after the middle (often past a page cut) and the last."""
    return sorted({0, 1, n // 2, n // 2 + 1, n - 1} & set(range(n)))


def merged_levels(inds: list[Ind], first_row: int, col1: int, col2: int) -> list[tuple[int, int, int, int]]:
    """Vertical merges of runs of equal level-1 and level-2 cells."""
    spans: list[tuple[int, int, int, int]] = []
    for col, key in ((col1, lambda i: i.level1), (col2, lambda i: (i.level1, i.level2))):
        start = 0
        for k in range(1, len(inds) + 1):
            if k == len(inds) or key(inds[k]) != key(inds[start]):
                if k - 1 > start:
                    spans.append((first_row + start, col, first_row + k - 1, col))
                start = k
    return spans


def level_cells(inds: list[Ind], k: int) -> tuple[str, str]:
    """The level cells of row k as a merged table shows them: only the first of a run is written."""
    i = inds[k]
    first1 = k == 0 or inds[k - 1].level1 != i.level1
    first2 = first1 or inds[k - 1].level2 != i.level2
    return (i.level1 if first1 else "", i.level2 if first2 else "")


def indicator_table(inds: list[Ind], style: str, total_row: bool = True) -> tuple[Grid, dict[str, Any]]:
    """An indicator table with merged level cells; labels: count and sampled rows."""
    if style == "standard":
        header = [
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ]
        body = [
            [*level_cells(inds, k), i.name, i.target, i.actual, num(i.weight), num(i.score), i.reason or ""]
            for k, i in enumerate(inds)
        ]
        labels = [ind_label(i) for i in inds]
        widths = [1.3, 1.5, 2.6, 1.4, 1.4, 0.8, 0.8, 2.4]
    elif style == "weights":  # 指标值/完成值/权重/自评得分/未完成原因
        header = ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "权重", "自评得分", "未完成原因"]
        body = [
            [*level_cells(inds, k), i.name, i.target, i.actual, num(i.weight), num(i.score), i.reason or ""]
            for k, i in enumerate(inds)
        ]
        labels = [ind_label(i) for i in inds]
        widths = [1.3, 1.5, 2.6, 1.4, 1.4, 0.8, 0.8, 2.4]
    elif style == "split":  # 指标性质/指标值/度量单位 in their own columns
        header = [
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标值",
            "度量单位",
            "实际完成值",
            "分值",
            "得分",
        ]
        body, labels = [], []
        for k, i in enumerate(inds):
            op, value, unit = split_target(i.target)
            body.append(
                [*level_cells(inds, k), i.name, op, value, unit, i.actual, num(i.weight), num(i.score)]
            )
            # the target is the three cells read together; a 定性 target is its value alone
            labels.append(ind_label(i, target=(value if op == "定性" else f"{op}{value}{unit}")))
        widths = [1.3, 1.5, 2.6, 0.9, 1.0, 0.9, 1.4, 0.8, 0.8]
    else:
        raise ValueError(style)
    rows = [header, *body]
    spans = merged_levels(inds, 1, 0, 1)
    if total_row:  # a 合计 row is not an indicator
        row = ["合计", "", "", "", "", num(sum(i.weight for i in inds)), num(sum(i.score for i in inds))]
        row += [""] * (len(header) - len(row))
        rows.append(row)
        spans.append((len(rows) - 1, 0, len(rows) - 1, 4 if style != "split" else 6))
    label = {
        "indicators_count": len(inds),
        "indicators_sample": {str(k): labels[k] for k in sample_indexes(len(inds))},
    }
    return Grid(rows, spans, widths=widths), label


_OPS = (">=", "<=", "≥", "≤", "=", ">", "<")


def split_target(target: str) -> tuple[str, str, str]:
    """'≥95%' → ('≥', '95', '%'); '有效提升' → ('定性', '有效提升', '')."""
    op = next((o for o in _OPS if target.startswith(o)), "")
    rest = target[len(op) :]
    digits = len(rest) - len(rest.lstrip("0123456789."))
    if not op or digits == 0:
        return "定性", target, ""
    return op, rest[:digits], rest[digits:]


CN_NUM = "一二三四五六七八九十"
# body sentences of prose indicators: what was done, never the target or the actual value
NARRATIVE = [
    "全年围绕年度工作计划，明确责任分工，按月调度推进，",
    "通过建立工作台账、定期督查通报等方式，压实工作责任，",
    "坚持问题导向，会同相关职能部门联合推进，",
    "结合辖区实际，细化实施方案并组织开展专项行动，",
]


def indicator_prose(
    inds: list[Ind], style: str, level1_weights: dict[str, float]
) -> tuple[list[Block], dict]:
    """Scored indicators written as headings and sentences, as some reports do instead of a table."""
    blocks: list[Block] = []
    labels: list[dict] = []
    level1s = list(dict.fromkeys(i.level1 for i in inds))
    for a, l1 in enumerate(level1s):
        group = [i for i in inds if i.level1 == l1]
        if style == "seed":
            blocks.append(Para(f"({CN_NUM[a]}){l1}({num(level1_weights[l1])}分)", "heading"))
        else:
            blocks.append(Para(f"（{CN_NUM[a]}）{l1}（权重{num(level1_weights[l1])}分）", "heading"))
        level2s = list(dict.fromkeys(i.level2 for i in group))
        for b, l2 in enumerate(level2s):
            items = [i for i in group if i.level2 == l2]
            w2 = sum(i.weight for i in items)
            blocks.append(
                Para(f"({b + 1}){l2}({num(w2)}分)" if style == "seed" else f"{b + 1}.{l2}", "heading")
            )
            for c, i in enumerate(items):
                if style == "seed":
                    blocks.append(Para(f"{c + 1}、{i.name}({num(i.weight)}分)", "heading"))
                    story = NARRATIVE[(a + b + c) % len(NARRATIVE)]
                    tail = (
                        "很好地完成了绩效目标" if i.score == i.weight else (i.reason or "未完全达到绩效目标")
                    )
                    blocks.append(Para(f"{story}{tail}。依据评分标准，该项指标得{num(i.score)}分。"))
                    labels.append(ind_label(i, target=None, actual=None))
                else:
                    blocks.append(
                        Para(
                            f"（{c + 1}）{i.name}：年度指标值{i.target}，实际完成值{i.actual}，"
                            f"该指标分值{num(i.weight)}分，自评得分{num(i.score)}分。"
                        )
                    )
                    labels.append(ind_label(i))
    label = {
        "indicators_count": len(inds),
        "indicators_sample": {str(k): labels[k] for k in sample_indexes(len(inds))},
    }
    return blocks, label


# ── problems and measures ─────────────────────────────────────────────────────────────


def numbered(items: list[str], style: str) -> list[Block]:
    marks = {
        "dun": lambda k: f"{k + 1}、",
        "dot": lambda k: f"{k + 1}.",
        "paren": lambda k: f"（{CN_NUM[k]}）",
        "arabic_paren": lambda k: f"（{k + 1}）",
        "shi": lambda k: f"{CN_NUM[k]}是",
    }[style]
    return [Para(marks(k) + text) for k, text in enumerate(items)]


PROBLEMS = [
    "预算编制的精细化程度不够，年中调整频繁，部分项目资金年底集中支付。",
    "绩效目标设置不够科学，个别指标难以量化，与年度工作任务的关联度不高。",
    "项目实施进度不均衡，部分工程类项目受招投标周期影响，未能按计划完工。",
    "绩效运行监控流于形式，对偏离目标的情况未能及时纠偏。",
    "资产管理基础工作薄弱，固定资产账实核对不够及时。",
]
MEASURES = [
    "加强预算编制的前期论证，结合历年执行情况科学测算，减少年中调整。",
    "完善绩效目标设置，细化量化指标，使目标与任务、资金相匹配。",
    "加快项目实施进度，提前做好招投标准备，按月跟踪支付进度。",
    "强化绩效运行监控，发现偏差及时分析原因并采取整改措施。",
    "定期开展资产清查盘点，做到账实相符、账账相符。",
]


# ── project tables (项目支出绩效自评表) ────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    supervisor: str  # 主管部门 as written
    implementer: str | None  # 实施单位 as written
    unit_of: Unit  # the unit the report belongs to (implementer, else supervisor)
    year: int
    total: Line
    fiscal: Line
    other: Line | None
    carried: Line | None  # 上年结转资金 (no contract line)
    goal: str
    achieved: str
    inds: list[Ind]
    grade: str | None = None
    budget_weight: float = 10.0

    @property
    def budget_score(self) -> float:
        r = Decimal(self.total.rate) / 100
        s = min(Decimal(1), r) * Decimal(str(self.budget_weight))
        return float(s.quantize(Decimal("0.01"), ROUND_HALF_UP))

    @property
    def total_score(self) -> float:
        return round(self.budget_score + sum(i.score for i in self.inds), 2)


def project_grid(p: Project, unit: str, style: str = "standard", money_unit: str | None = None) -> Grid:
    """The national template: identity rows, 项目资金 block, 年度总体目标, 绩效指标 block, 总分.

    `money_unit` is the unit the values are written in when it differs from the header's
    (a 万元 header over 元 values)."""
    mu = money_unit or unit
    m = lambda fen: money(fen, mu)  # noqa: E731
    W = 9
    rows: list[list[str]] = []
    spans: list[tuple[int, int, int, int]] = []

    def add(cells: list[str], merges: list[tuple[int, int]] = ()) -> int:
        r = len(rows)
        rows.append(cells + [""] * (W - len(cells)))
        spans.extend((r, a, r, b) for a, b in merges)
        return r

    add(["项目名称", p.name], [(1, 8)])
    if p.implementer:
        add(["主管部门", p.supervisor, "", "", "", "实施单位", p.implementer], [(1, 4), (6, 8)])
    else:
        add(["主管部门", p.supervisor], [(1, 8)])
    first = add(
        [f"项目资金（{unit}）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    )
    t, f = p.total, p.fiscal
    add(["", "年度资金总额", m(t.initial), m(t.adjusted), m(t.executed), num(p.budget_weight), f"{t.rate}%",
         num(p.budget_score)])  # fmt: skip
    add(["", "其中：当年财政拨款", m(f.initial), m(f.adjusted), m(f.executed), "—", f"{f.rate}%", "—"])
    if p.carried:
        c = p.carried
        add(["", "上年结转资金", m(c.initial), m(c.adjusted), m(c.executed), "—", f"{c.rate}%", "—"])
    if p.other:
        o = p.other
        add(["", "其他资金", m(o.initial), m(o.adjusted), m(o.executed), "—", f"{o.rate}%", "—"])
    spans.append((first, 0, len(rows) - 1, 0))
    g = add(["年度总体目标", "预期目标", "", "", "", "实际完成情况"], [(1, 4), (5, 8)])
    add(["", p.goal, "", "", "", p.achieved], [(1, 4), (5, 8)])
    spans.append((g, 0, g + 1, 0))
    h = add(
        [
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ]
    )
    for k, i in enumerate(p.inds):
        add(
            [
                "",
                *level_cells(p.inds, k),
                i.name,
                i.target,
                i.actual,
                num(i.weight),
                num(i.score),
                i.reason or "",
            ]
        )
    spans.extend(merged_levels(p.inds, h + 1, 1, 2))
    spans.append((h, 0, len(rows) - 1, 0))
    add(["总分", "", "", "", "", "", "100", num(p.total_score), ""], [(0, 5)])
    if p.grade:
        add(["自评等级", p.grade], [(1, 8)])
    return Grid(
        rows, spans, header_rows=0, repeat_header=False, widths=[1.1, 1.3, 1.4, 2.2, 1.3, 1.3, 0.8, 0.8, 2.0]
    )


def project_label(p: Project, unit: str | None, *, grade: str | None = None) -> dict[str, Any]:
    u = p.unit_of
    lines: dict[str, Any] = {
        "total": {
            **label_line(p.total, initial=True, adjustment=False),
            "weight": p.budget_weight,
            "score": p.budget_score,
        },
        "fiscal": label_line(p.fiscal, initial=True, adjustment=False),
    }
    if p.other:
        lines["other"] = label_line(p.other, initial=True, adjustment=False)
    budget: dict[str, Any] = dict(lines)
    if unit:
        budget["unit"] = unit
    return {
        "kind": "project",
        "fiscal_year": p.year,
        "region": u.region,
        "department": u.department,
        "project_name": p.name,
        "supervisor": p.supervisor,
        "budget": budget,
        "budget_lines": sorted(lines),
        "indicators_count": len(p.inds),
        "indicators_sample": {
            str(k): {**ind_label(p.inds[k]), "reason": p.inds[k].reason} for k in sample_indexes(len(p.inds))
        },
        "score": {"total": p.total_score, "grade": grade if grade is not None else p.grade},
    }


# ── a department report assembled ─────────────────────────────────────────────────────


@dataclass
class Report:
    """Blocks and label of one 部门整体 report as it is being written."""

    blocks: list[Block] = field(default_factory=list)
    label: dict[str, Any] = field(default_factory=dict)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


# ── the 部门整体支出绩效自评表 form (the national template for department-wide reports) ───────


def dept_form_grid(
    unit_full: str,
    year: int,
    b: Budget,
    inds: list[Ind],
    unit: str,
    *,
    goal: str,
    achieved: str,
    weight: float = 10.0,
) -> tuple[Grid, dict[str, Any]]:
    """One table: unit, 年度预算执行情况 by source and by kind (分值/执行率/得分 on the total),
    年度总体目标, the indicator block and 总分. Returns the grid and the label of what it states."""
    m = lambda fen: money(fen, unit)  # noqa: E731
    t = b.total
    f = b.fiscal or t
    o = b.other or Line(0, 0, 0)
    score = float((min(Decimal(1), Decimal(t.rate) / 100) * Decimal(str(weight))).quantize(Decimal("0.01")))
    W = 9
    rows: list[list[str]] = []
    spans: list[tuple[int, int, int, int]] = []

    def add(cells: list[str], merges: list[tuple[int, int]] = ()) -> int:
        r = len(rows)
        rows.append(cells + [""] * (W - len(cells)))
        spans.extend((r, a, r, c) for a, c in merges)
        return r

    add(["部门（单位）名称", unit_full], [(1, 8)])
    first = add(
        [
            f"年度预算执行情况（{unit}）",
            "",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ]
    )
    add(
        [
            "",
            "年度资金总额",
            m(t.initial),
            m(t.adjusted),
            m(t.executed),
            num(weight),
            f"{t.rate}%",
            num(score),
        ]
    )
    add(["", "其中：财政拨款", m(f.initial), m(f.adjusted), m(f.executed), "—", f"{f.rate}%", "—"])
    add(["", "其他资金", m(o.initial), m(o.adjusted), m(o.executed), "—", f"{o.rate}%", "—"])
    add(
        [
            "",
            "基本支出",
            m(b.basic.initial),
            m(b.basic.adjusted),
            m(b.basic.executed),
            "—",
            f"{b.basic.rate}%",
            "—",
        ]
    )
    add(["", "项目支出", m(b.project.initial), m(b.project.adjusted), m(b.project.executed), "—", f"{b.project.rate}%",
         "—"])  # fmt: skip
    spans.append((first, 0, len(rows) - 1, 0))
    g = add(["年度总体目标", "预期目标", "", "", "", "实际完成情况"], [(1, 4), (5, 8)])
    add(["", goal, "", "", "", achieved], [(1, 4), (5, 8)])
    spans.append((g, 0, g + 1, 0))
    h = add(
        [
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ]
    )
    for k, i in enumerate(inds):
        add(
            [
                "",
                *level_cells(inds, k),
                i.name,
                i.target,
                i.actual,
                num(i.weight),
                num(i.score),
                i.reason or "",
            ]
        )
    spans.extend(merged_levels(inds, h + 1, 1, 2))
    spans.append((h, 0, len(rows) - 1, 0))
    total = round(score + sum(i.score for i in inds), 2)
    add(["总分", "", "", "", "", "", num(weight + sum(i.weight for i in inds)), num(total), ""], [(0, 5)])
    line = lambda x: label_line(x, initial=True, adjustment=False)  # noqa: E731
    lines = {
        "total": {**line(t), "weight": weight, "score": score},
        "fiscal": line(f),
        "other": line(o),
        "basic": line(b.basic),
        "project": line(b.project),
    }
    label = {
        "budget": {"unit": unit, **lines},
        "budget_lines": sorted(lines),
        "indicators_count": len(inds),
        "indicators_sample": {
            str(k): {**ind_label(inds[k]), "reason": inds[k].reason} for k in sample_indexes(len(inds))
        },
        "score": {"total": total, "grade": None},
    }
    grid = Grid(
        rows, spans, header_rows=0, repeat_header=False, widths=[1.1, 1.3, 1.4, 2.2, 1.3, 1.3, 0.8, 0.8, 2.0]
    )
    return grid, label
