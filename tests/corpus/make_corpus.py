"""Write the labelled corpus: report documents in real layouts, each with <name>.expected.json.

    .venv/bin/python -m tests.corpus.make_corpus

The documents are committed, so tests and CI need none of the writers' tools (LibreOffice for
the .doc files). Rebuilding gives the same bytes, except the .doc files, which are only
rewritten when a converter is installed and `--doc` is given.

Each document is described once (unit, year, figures, which phrasing or table layout for each
part) and written in one format; its label is built from the same description by the content
functions, which state exactly what the text states. See README.md for what each file covers.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tests.corpus import pools
from tests.corpus.content import (
    MEASURES,
    PROBLEMS,
    Budget,
    Ind,
    Line,
    Project,
    Unit,
    budget_prose,
    budget_table,
    dept_form_grid,
    indicator_prose,
    indicator_table,
    num,
    numbered,
    project_grid,
    project_label,
)
from tests.corpus.writers import (
    Block,
    Grid,
    PageBreak,
    Para,
    Sheet,
    docx_to_doc,
    write_docx,
    write_html,
    write_pdf,
    write_txt,
    write_xls,
    write_xlsx,
)

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

# ── units (real districts, streets and towns) ─────────────────────────────────────────

U = {
    "yuehai": Unit("深圳市南山区粤海街道办事处", "广东省", "深圳市", "南山区", "粤海街道", "粤海街道办事处"),
    "jianwai": Unit("北京市朝阳区建外街道办事处", "北京市", "北京市", "朝阳区", "建外街道", "建外街道办事处"),
    "lingyin": Unit("杭州市西湖区灵隐街道办事处", "浙江省", "杭州市", "西湖区", "灵隐街道", "灵隐街道办事处"),
    "chaoyangzhou": Unit(
        "南昌市西湖区朝阳洲街道办事处", "江西省", "南昌市", "西湖区", "朝阳洲街道", "朝阳洲街道办事处"
    ),
    "jiefang": Unit("赣州市章贡区解放街道办事处", "江西省", "赣州市", "章贡区", "解放街道", "解放街道办事处"),
    "shili": Unit("九江市濂溪区十里街道办事处", "江西省", "九江市", "濂溪区", "十里街道", "十里街道办事处"),
    "yulin": Unit("成都市武侯区玉林街道办事处", "四川省", "成都市", "武侯区", "玉林街道", "玉林街道办事处"),
    "minzu": Unit("武汉市江汉区民族街道办事处", "湖北省", "武汉市", "江汉区", "民族街道", "民族街道办事处"),
    "ninghailu": Unit(
        "南京市鼓楼区宁海路街道办事处", "江苏省", "南京市", "鼓楼区", "宁海路街道", "宁海路街道办事处"
    ),
    "quanyechang": Unit(
        "天津市和平区劝业场街道办事处", "天津市", "天津市", "和平区", "劝业场街道", "劝业场街道办事处"
    ),
    "jiefangbei": Unit(
        "重庆市渝中区解放碑街道办事处", "重庆市", "重庆市", "渝中区", "解放碑街道", "解放碑街道办事处"
    ),
    "tangjiang": Unit("赣州市南康区唐江镇人民政府", "江西省", "赣州市", "南康区", "唐江镇", "唐江镇人民政府"),
    "dazhangshan": Unit(
        "婺源县大鄣山乡人民政府", "江西省", "上饶市", "婺源县", "大鄣山乡", "大鄣山乡人民政府"
    ),
    "shipai": Unit("广州市天河区石牌街道办事处", "广东省", "广州市", "天河区", "石牌街道", "石牌街道办事处"),
    "zhushan_edu": Unit("景德镇市珠山区教育体育局", "江西省", "景德镇市", "珠山区", None, "教育体育局"),
    "tianlin": Unit(
        "上海市徐汇区田林街道社区卫生服务中心",
        "上海市",
        "上海市",
        "徐汇区",
        "田林街道",
        "田林街道社区卫生服务中心",
    ),
    "juzizhou": Unit(
        "长沙市岳麓区橘子洲街道办事处", "湖南省", "长沙市", "岳麓区", "橘子洲街道", "橘子洲街道办事处"
    ),
    "shinan_civil": Unit("青岛市市南区民政局（汇总）", "山东省", "青岛市", "市南区", None, "民政局"),
    "lujiazui": Unit(
        "上海市浦东新区陆家嘴街道社区卫生服务中心",
        "上海市",
        "上海市",
        "浦东新区",
        "陆家嘴街道",
        "陆家嘴街道社区卫生服务中心",
    ),
    "yuzhang": Unit("东湖区豫章街道办事处", "江西省", "南昌市", "东湖区", "豫章街道", "豫章街道办事处"),
    "yuanzhou_edu": Unit("宜春市袁州区教育体育局", "江西省", "宜春市", "袁州区", None, "教育体育局"),
    "xinzhuang": Unit("上海市闵行区莘庄镇人民政府", "上海市", "上海市", "闵行区", "莘庄镇", "莘庄镇人民政府"),
    "jiangwan": Unit("婺源县江湾镇人民政府", "江西省", "上饶市", "婺源县", "江湾镇", "江湾镇人民政府"),
    "xiaozhai": Unit(
        "西安市雁塔区小寨路街道办事处", "陕西省", "西安市", "雁塔区", "小寨路街道", "小寨路街道办事处"
    ),
    "zhongguancun": Unit(
        "北京市海淀区中关村街道办事处", "北京市", "北京市", "海淀区", "中关村街道", "中关村街道办事处"
    ),
    "lujiang": Unit("厦门市思明区鹭江街道办事处", "福建省", "厦门市", "思明区", "鹭江街道", "鹭江街道办事处"),
    "wenshan": Unit("吉安市吉州区文山街道办事处", "江西省", "吉安市", "吉州区", "文山街道", "文山街道办事处"),
    "daliang": Unit("佛山市顺德区大良街道办事处", "广东省", "佛山市", "顺德区", "大良街道", "大良街道办事处"),
    "badaguan": Unit(
        "青岛市市南区八大关街道办事处", "山东省", "青岛市", "市南区", "八大关街道", "八大关街道办事处"
    ),
}


def implementer(full: str, parent: Unit, department: str, street: str | None) -> Unit:
    """A unit under `parent` (same district), as a project's 实施单位."""
    return Unit(full, parent.province, parent.city, parent.district, street, department)


# ── figures ───────────────────────────────────────────────────────────────────────────


def wan(x: float) -> int:
    """Fen from 万元 with two decimals (e.g. 973.99 → 97399 × 10000 fen / 100)."""
    return round(x * 100) * 10_000


def fen(x: float) -> int:
    return round(x * 100)


def budget(
    basic: tuple[float, float, float], project: tuple[float, float, float], unit: str = "万元", **sources: Any
) -> Budget:
    conv = wan if unit == "万元" else fen
    b = Line(*(conv(v) for v in basic))
    p = Line(*(conv(v) for v in project))
    extra = {k: Line(*(conv(v) for v in t)) for k, t in sources.items()}
    return Budget(b, p, **extra)


def grade_of(score: float) -> str:
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


# ── a department-wide report ──────────────────────────────────────────────────────────


@dataclass
class Dept:
    """How one 部门整体 report is written: each field picks a real variant."""

    unit: Unit
    year: int
    figures: Budget
    money_unit: str = "万元"
    title: str = "inline"  # inline | cover | generic
    toc: bool = False
    budget_style: str = "prose:seed"  # prose:<style> or table:<style>
    indicators: str | None = "table:standard"  # table:<style>, prose:<style> or None
    pool: list[Ind] = field(default_factory=list)
    budget_scored: bool = False  # the budget section carries 10 points (seed 003)
    score_style: str | None = "total"  # see SCORE_SENTENCES, or 'row' for a 总分 row, or None
    staff: tuple[int, int] | None = None
    problems: int = 2
    measures: int = 2
    marks: str = "dun"
    headings: int = 0  # which set of section headings
    traps: bool = True  # sentences naming other years and scores that are not the total
    stated_score: tuple[str, float, str] | None = None  # (sentence, total, grade) written as is
    narrative: int = 0  # paragraphs on the year's work before the indicators (pushes a table over a page)
    repeat_header: bool = True  # a PDF continuation page repeats the indicator table's header
    layout: str = "plain"  # plain | score_first | annex (see dept_report)


# what a unit did in the year: long paragraphs, as real reports have before their tables
WORK = [
    "聚焦民生保障，全年走访困难家庭1200余户，落实各类救助政策，确保应保尽保、应救尽救；"
    "建立困难群众动态监测台账，对因病、因灾等突发困难家庭及时实施临时救助，兜住兜牢民生底线。",
    "深化基层治理，完善“网格+”工作机制，将辖区划分为若干基础网格，配备专兼职网格员，"
    "推动矛盾纠纷排查化解在基层，全年受理各类诉求件办结率保持在较高水平。",
    "推进城市更新，实施老旧小区综合改造、背街小巷整治和口袋公园建设，同步完善停车、"
    "充电、无障碍等配套设施，居民居住环境持续改善。",
    "加强安全生产监管，开展燃气、消防、自建房等专项检查，发现隐患即查即改，"
    "组织应急演练和安全宣传进社区活动，全年未发生较大及以上安全生产事故。",
    "优化营商环境，落实“一企一策”服务机制，走访辖区重点企业，协调解决用工、"
    "融资、场地等实际困难，推动新引进企业落地投产。",
]

SCORE_SENTENCES: dict[str, Callable[[str, int, str, str], str]] = {
    "total": lambda who, y, s, g: f"综上，{who}{y}年度部门整体支出绩效自评总得分为{s}分，自评等级为“{g}”。",
    "composite": lambda who, y, s, g: f"经综合评价，本单位{y}年度部门整体支出综合评分{s}分，评价等级为{g}。",
    "colon": lambda who, y, s, g: f"自评得分：{s}分；自评等级：{g}。",
    "excellent": lambda who, y, s, g: (
        f"根据评分标准，{y}年度部门整体支出绩效评价总分为{s}分，绩效评级为“{'优秀' if g == '优' else '良好' if g == '良' else g}”。"
    ),
}

HEADINGS = [
    (
        "一、部门基本情况",
        "二、部门预算及执行情况",
        "三、部门整体支出绩效实现情况",
        "四、自评结论",
        "五、存在的问题",
        "六、改进措施",
        "七、绩效自评结果应用",
    ),
    (
        "一、部门（单位）概况",
        "二、当年部门（单位）预算及执行情况",
        "三、绩效指标完成情况",
        "四、绩效自评得分情况",
        "五、主要问题及原因分析",
        "六、改进的方向和具体措施",
        "七、自评结果拟应用和公开情况",
    ),
    (
        "第一部分 基本情况",
        "第二部分 预算执行情况",
        "第三部分 绩效目标实现情况",
        "第四部分 综合评价结论",
        "第五部分 存在问题",
        "第六部分 下一步改进措施",
        "第七部分 结果应用",
    ),
    (  # problems and measures as two parts of one section
        "一、部门概况",
        "二、预算执行情况",
        "三、绩效目标完成情况",
        "四、评价结论",
        ("五、存在的问题及改进措施", "（一）存在的问题"),
        "（二）下一步改进措施",
        "六、自评结果应用",
    ),
    (  # for the score_first layout: the conclusion is section 一
        "二、部门基本情况",
        "三、预算收支及执行情况",
        "四、绩效指标完成情况",
        "一、总体评价结论",
        "五、存在的主要问题",
        "六、改进建议",
        "七、结果应用及公开",
    ),
]


def dept_report(d: Dept) -> tuple[list[Block], dict[str, Any]]:
    """The blocks of one report and its label. Sections are written apart and then ordered by
    `d.layout`: plain, score_first (the conclusion opens the report) or annex (the indicator
    table follows everything else as 附件)."""
    u, y = d.unit, d.year
    h = HEADINGS[d.headings]
    label: dict[str, Any] = {
        "kind": "department_overall",
        "fiscal_year": y,
        "region": u.region,
        "department": u.department,
        "consolidated": "汇总" in u.full,
    }
    head: list[Block] = []
    if d.title == "inline":
        head.append(Para(f"{u.full}{y}年度部门整体支出绩效自评报告", "title"))
    elif d.title == "cover":
        head += [
            Para(u.full, "cover"),
            Para(f"{y}年度部门整体支出绩效自评报告", "cover"),
            Para(f"{y + 1}年5月", "cover"),
            PageBreak(),
        ]
    else:
        head += [Para("部门（单位）整体支出绩效自评报告", "title"), Para(f"（{y}年度）", "title")]
        head.append(Para(f"部门（单位）名称：{u.full}"))
    if d.toc:  # a table of contents names every section: never content
        head.append(Para("目录", "heading"))
        head += [Para(f"{t if isinstance(t, str) else t[0]}{'.' * 12}{k + 1}") for k, t in enumerate(h)]
        head.append(PageBreak())
    head.append(
        Para(
            f"根据{u.district}财政局《关于开展{y}年度预算绩效自评工作的通知》要求，我单位对{y}年度部门整体支出"
            f"开展了绩效自评，现将有关情况报告如下。"
        )
    )
    sec: dict[str, list[Block]] = {}
    sec["basic"] = [
        Para(h[0], "heading"),
        Para(
            f"{u.department}主要负责辖区内经济社会发展的统筹协调、公共服务、社会治理和民生保障等工作，"
            f"下设综合办公室、公共服务办公室、平安建设办公室等内设机构。"
        ),
    ]
    if d.staff:
        a, b = d.staff
        sec["basic"].append(Para(f"截至{y}年12月31日，本单位核定编制{a}人，实有在编人员{b}人。"))
        label["staff"] = {"authorized": a, "actual": b}
    # budget
    sec["budget"] = [Para(h[1] + ("（10分）" if d.budget_scored else ""), "heading")]
    kind, style = d.budget_style.split(":")
    if kind == "prose":
        part, lines = budget_prose(d.figures, d.money_unit, style, y, u.department)
    else:
        part, lines = budget_table(d.figures, d.money_unit, style)
        sec["budget"].append(Para(f"{y}年度部门预算执行情况如下表："))
    sec["budget"] += part
    budget_score = 0.0
    t = d.figures.total
    if d.budget_scored:
        budget_score = 10.0 if float(t.rate) >= 95 else 8.0
        sec["budget"].append(Para(f"预算执行情况良好，依据评分标准，该项得{num(budget_score)}分。"))
        lines["total"] = {**lines["total"], "weight": 10.0, "score": budget_score}
    label["budget"] = {"unit": d.money_unit, **lines}
    label["budget_lines"] = sorted(lines)
    # indicators
    inds = list(d.pool)
    if d.indicators and not d.budget_scored:
        rate = float(t.rate)
        s = 10.0 if rate >= 95 else 8.0 if rate >= 85 else 6.0
        inds.insert(0, Ind("投入指标", "预算执行", "预算执行率", ">=90%", f"{t.rate}%", 10, s))
    sec["indicators"] = []
    if d.indicators:
        if d.layout == "annex":
            sec["indicators"].append(Para(f"附件：{u.department}{y}年度部门整体支出绩效自评表", "heading"))
        else:
            sec["indicators"].append(Para(h[2], "heading"))
        sec["indicators"] += [Para(f"{k + 1}. {WORK[k % len(WORK)]}") for k in range(d.narrative)]
        kind, style = d.indicators.split(":")
        if kind == "table":
            if d.layout != "annex":
                sec["indicators"].append(Para(f"{y}年度部门整体支出绩效指标完成情况见下表。"))
            grid, ilabel = indicator_table(inds, style)
            sec["indicators"].append(replace(grid, repeat_header=d.repeat_header))
        else:
            weights: dict[str, float] = {}
            for i in inds:
                weights[i.level1] = weights.get(i.level1, 0) + i.weight
            part, ilabel = indicator_prose(inds, style, weights)
            sec["indicators"] += part
        label.update(ilabel)
    else:
        label["indicators_count"] = 0
    total = round(sum(i.score for i in inds) + budget_score, 2) if d.indicators else None
    # score
    sec["score"] = []
    if d.score_style and total is not None:
        g = grade_of(total)
        sec["score"].append(Para(h[3], "heading"))
        if d.traps:  # the previous year's score is not this year's total
            sec["score"].append(
                Para(
                    f"对照部门整体支出绩效评价指标体系，逐项进行了打分。{y - 1}年度本单位自评得分较低，本年度有所改进。"
                )
            )
        sec["score"].append(Para(SCORE_SENTENCES[d.score_style](u.department, y, num(total), g)))
        label["score"] = {"total": total, "grade": g}
    elif d.stated_score:
        sentence, total, g = d.stated_score
        sec["score"] += [Para(h[3], "heading"), Para(sentence)]
        label["score"] = {"total": total, "grade": g}
    else:
        label["score"] = {"total": None, "grade": None}
    # problems and measures: two sections, or two parts of one
    top = h[4] if isinstance(h[4], tuple) else (h[4],)
    sec["problems"] = [*(Para(t, "heading") for t in top), *numbered(PROBLEMS[: d.problems], d.marks)]
    sec["measures"] = [Para(h[5], "heading"), *numbered(MEASURES[: d.measures], d.marks)]
    label["problems_count"] = d.problems
    label["measures_count"] = d.measures
    sec["apply"] = [
        Para(h[6], "heading"),
        Para("自评结果将作为以后年度预算安排的重要参考，并按规定在政府门户网站予以公开。"),
    ]
    order = {
        "plain": ("basic", "budget", "indicators", "score", "problems", "measures", "apply"),
        "score_first": ("score", "basic", "budget", "indicators", "problems", "measures", "apply"),
        "annex": ("basic", "budget", "score", "problems", "measures", "apply", "indicators"),
    }[d.layout]
    blocks = head + [b for key in order for b in sec[key]]
    return blocks, label


# ── project reports ───────────────────────────────────────────────────────────────────


def project_blocks(
    p: Project, unit: str, *, heading: bool = True, money_unit: str | None = None
) -> list[Block]:
    out: list[Block] = []
    if heading:
        out += [Para("项目支出绩效自评表", "title"), Para(f"（{p.year}年度）", "title")]
    out.append(project_grid(p, unit, money_unit=money_unit))
    return out


def proj(
    name: str,
    supervisor: Unit,
    year: int,
    amounts: tuple[float, float, float],
    pool: list[Ind],
    *,
    unit: str = "万元",
    impl: Unit | None = None,
    other: tuple[float, float, float] | None = None,
    carried: tuple[float, float, float] | None = None,
    grade: str | None = None,
    goal: str = "",
    achieved: str = "",
    supervisor_text: str | None = None,
) -> Project:
    conv = wan if unit == "万元" else fen
    o = Line(*(conv(v) for v in other)) if other else None
    c = Line(*(conv(v) for v in carried)) if carried else None
    fiscal = Line(*(conv(v) for v in amounts))
    total = Line(
        fiscal.initial + (o.initial if o else 0) + (c.initial if c else 0),
        fiscal.adjusted + (o.adjusted if o else 0) + (c.adjusted if c else 0),
        fiscal.executed + (o.executed if o else 0) + (c.executed if c else 0),
    )
    return Project(
        name=name,
        supervisor=supervisor_text or supervisor.full,
        implementer=impl.full if impl else None,
        unit_of=impl or supervisor,
        year=year,
        total=total,
        fiscal=fiscal,
        other=o,
        carried=c,
        goal=goal or f"按计划完成{name}各项任务，资金使用规范，服务对象满意度达到90%以上。",
        achieved=achieved or "项目按计划实施，年度目标基本完成，资金支付进度符合要求。",
        inds=pool,
        grade=grade,
    )


# ── HTML page headers (the two real styles) ──────────────────────────────────────────


def minhang_header(publisher: str, date: str) -> str:
    y, m, d = (int(x) for x in date.split("-"))
    return f'<div class="xxgk_detail_info">来源：{publisher} 发布时间：{y}年{m}月{d}日</div>\n'


def donghu_header(index_no: str, publisher: str, date: str) -> str:
    rows = [
        ("索引号:", index_no, "主题分类:", "综合政务"),
        ("发布机构:", publisher, "生成日期:", f"{date} 09:30"),
        ("文件编号:", "", "有效性:", "有效"),
        ("公开范围:", "面向全社会", "公开方式:", "主动公开"),
    ]
    cells = "\n".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in rows)
    return f'<table class="xxgk_table">\n{cells}\n</table>\n'


# ── the corpus ────────────────────────────────────────────────────────────────────────


@dataclass
class Doc:
    name: str  # file name with extension
    covers: list[str]
    data: bytes | Callable[[], bytes]  # a callable for .doc: converted only when asked to
    label: dict[str, Any]

    def bytes(self) -> bytes:
        return self.data() if callable(self.data) else self.data


def _pdf(blocks: list[Block], header: str = "", **kw: Any) -> bytes:
    return write_pdf(blocks, running_header=header, **kw)


def dept_docs() -> list[Doc]:
    docs: list[Doc] = []

    def add(
        name: str, covers: list[str], data: bytes | Callable[[], bytes], label: dict[str, Any], **page: Any
    ) -> None:
        rep = dict(label)
        rep.update(page)
        docs.append(Doc(name, covers, data, {"reports": [rep]}))

    # 1. Shenzhen street, PDF: 目录, cover page, table budget (调整后预算数), long indicator table over a page
    d = Dept(
        U["yuehai"],
        2023,
        budget((1523.4, 1498.62, 1490.1), (3210.5, 3506.28, 3311.77)),
        title="cover",
        toc=True,
        budget_style="table:adjusted",
        indicators="table:standard",
        pool=pools.STREET,
        score_style="composite",
        staff=(58, 52),
        problems=3,
        measures=3,
        marks="dun",
        headings=1,
        narrative=5,
    )
    b, lab = dept_report(d)
    add(
        "d01_nanshan_yuehai_2023.pdf",
        ["pdf", "toc", "cover", "table-budget:调整后预算数", "indicator-table-over-page", "综合评分", "万元"],
        _pdf(b, f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告"),
        lab,
    )

    # 2. Beijing street, DOCX: 元 table with 年初/全年预算数/全年执行数 and sources, merged level cells, 优秀
    d = Dept(
        U["jianwai"],
        2021,
        budget(
            (12653000.5, 12871240.36, 12640390.12),
            (8356000, 9150000, 8874120.5),
            unit="元",
            fiscal=(19809000.5, 20821240.36, 20335389.62),
            other=(1200000, 1200000, 1179121),
        ),
        money_unit="元",
        title="generic",
        budget_style="table:annual",
        indicators="table:standard",
        pool=pools.STREET_GE,
        score_style="excellent",
        staff=(64, 61),
        problems=2,
        measures=2,
        marks="dot",
        layout="annex",
    )
    b, lab = dept_report(d)
    add(
        "d02_chaoyang_jianwai_2021.docx",
        [
            "docx",
            "indicator table in an annex after problems and measures",
            "merged-cells",
            "table-budget:年初预算数/全年预算数/全年执行数",
            "元",
            "财政拨款/其他资金",
            "≥ targets",
            "优秀",
        ],
        write_docx(b, title=f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告"),
        lab,
    )

    # 3. Hangzhou 西湖区 street, XLSX: (A)/(B) budget sheet and split 指标性质/指标值/度量单位 sheet
    d = Dept(
        U["lingyin"],
        2022,
        budget((5235000, 5235000, 5180022.35), (9870000, 9420000, 9015880.6), unit="元"),
        money_unit="元",
        budget_style="table:ab",
        indicators="table:split",
        pool=pools.STREET,
        score_style=None,
    )
    b, lab = dept_report(d)
    bud, ind = (x for x in b if isinstance(x, Grid))
    title = f"{d.unit.full}{d.year}年度部门整体支出绩效自评表"
    sheets = [
        Sheet("预算执行", [Para(title, "title"), Para("单位：元"), bud]),
        Sheet("绩效指标", [Para(title, "title"), ind]),
    ]
    lab = {k: v for k, v in lab.items() if k not in ("problems_count", "measures_count")}
    lab["problems_count"] = lab["measures_count"] = 0
    add(
        "d03_xihu_lingyin_2022.xlsx",
        [
            "xlsx",
            "merged-cells",
            "budget (A)/(B)/执行率(B/A)",
            "指标性质/指标值/度量单位",
            "元",
            "two sheets",
            "杭州 西湖区",
        ],
        write_xlsx(sheets),
        lab,
    )

    # 4. Nanchang 西湖区 street (same district name as Hangzhou's), XLS: signed adjustment column
    d = Dept(
        U["chaoyangzhou"],
        2020,
        budget((862.15, 845.3, 840.12), (1320.4, 1406.77, 1350.08)),
        budget_style="table:signed",
        indicators="table:weights",
        pool=pools.STREET,
        score_style=None,
    )
    b, lab = dept_report(d)
    grids = [x for x in b if isinstance(x, Grid)]
    title = f"{d.unit.full}{d.year}年度部门整体支出绩效自评表"
    sheets = [
        Sheet(
            "Sheet1", [Para(title, "title"), Para("单位：万元"), grids[0], Para("绩效指标完成情况"), grids[1]]
        )
    ]
    lab["problems_count"] = lab["measures_count"] = 0
    add(
        "d04_nanchang_xihu_chaoyangzhou_2020.xls",
        ["xls", "merged-cells", "年中调整 column (signed)", "权重/自评得分 header", "南昌 西湖区"],
        write_xls(sheets),
        lab,
    )

    # 5. Ganzhou street, TXT: prose budget in 元 with thousands separators (追加), prose indicators (seed 003 style)
    d = Dept(
        U["jiefang"],
        2022,
        budget((6012000, 6012000, 5988210.4), (11540000, 13125500, 12650333.25), unit="元"),
        money_unit="元",
        budget_style="prose:append",
        indicators="prose:seed",
        pool=pools.STREET,
        budget_scored=True,
        score_style="total",
        staff=(45, 41),
        problems=2,
        measures=2,
        marks="dun",
        headings=1,
    )
    b, lab = dept_report(d)
    add(
        "d05_zhanggong_jiefang_2022.txt",
        [
            "txt",
            "prose-budget 元 thousands separators",
            "追加",
            "prose indicators (N分/该项指标得N分)",
            "scored budget section",
        ],
        write_txt(b),
        lab,
    )

    # 6. Jiujiang street, GBK HTML with no charset, Donghu header table: 调减 said, figures add
    d = Dept(
        U["shili"],
        2021,
        budget((655.2, 700.2, 698.11), (980.4, 1080.4, 1012.56)),
        budget_style="prose:contradict",
        indicators="prose:alt",
        pool=pools.TOWN,
        score_style="composite",
        staff=(32, 30),
        problems=2,
        measures=1,
        marks="paren",
        headings=0,
    )
    b, lab = dept_report(d)
    page = {
        "publisher": "濂溪区十里街道",
        "published_date": "2022-06-15",
        "index_no": "t1360402-0601-2022-0031",
    }
    add(
        "d06_lianxi_shili_2021.html",
        [
            "html GBK, no charset",
            "donghu header",
            "调减 word, figures add",
            "prose indicators with target/actual",
        ],
        write_html(
            b,
            title=f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告",
            encoding="gbk",
            declare=False,
            header_html=donghu_header(page["index_no"], page["publisher"], page["published_date"]),
        ),
        lab,
        **page,
    )

    # 7. Chengdu street, GB18030 HTML with meta: budget table (A)/(B), indicator table, 总分 sentence
    d = Dept(
        U["yulin"],
        2024,
        budget((2210.5, 2190.5, 2185.44), (1850.0, 2105.66, 2088.1)),
        budget_style="table:ab",
        indicators="table:standard",
        pool=pools.HEALTH,
        score_style="excellent",
        problems=2,
        measures=2,
        marks="dot",
    )
    b, lab = dept_report(d)
    b.insert(3, Para("（本报告中“𠮷”等字以GB18030编码保存。）"))
    add(
        "d07_wuhou_yulin_2024.html",
        ["html GB18030 with meta", "4-byte GB18030 character", "(A)/(B) table", "万元"],
        write_html(b, title=f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告", encoding="gb18030"),
        lab,
    )

    # 8. Wuhan street, DOC (Word 97): total-only prose budget, indicator table
    d = Dept(
        U["minzu"],
        2019,
        budget((900.0, 905.3, 901.0), (1500.0, 1422.2, 1315.77)),
        budget_style="prose:total_only",
        indicators="table:standard",
        pool=pools.STREET,
        score_style="total",
        staff=(40, 37),
        problems=2,
        measures=2,
        marks="dun",
        headings=2,
    )
    b, lab = dept_report(d)
    add(
        "d08_jianghan_minzu_2019.doc",
        ["doc (LibreOffice Word 97)", "merged cells", "total-only prose budget", "2019"],
        _doc_from(b),
        lab,
    )

    # 9. Nanjing street, PDF prose-only: sources of funds, prose indicators, 目录
    d = Dept(
        U["ninghailu"],
        2022,
        budget(
            (1710.0, 1688.8, 1650.7),
            (2400.0, 2611.2, 2480.45),
            fiscal=(3800.0, 3900.0, 3760.05),
            other=(310.0, 400.0, 371.1),
        ),
        toc=True,
        budget_style="prose:sources",
        indicators="prose:seed",
        pool=pools.STREET,
        budget_scored=True,
        score_style="colon",
        problems=3,
        measures=3,
        marks="arabic_paren",
        headings=0,
    )
    b, lab = dept_report(d)
    add(
        "d09_gulou_ninghailu_2022.pdf",
        ["pdf", "toc", "prose-only", "财政拨款/其他资金 in prose", "prose indicators", "自评得分：N分"],
        _pdf(b, f"{d.unit.department}部门整体支出绩效自评报告"),
        lab,
    )

    # 10. Tianjin street, DOCX: (A)/(B) in 万元, split target columns, 综合评分
    d = Dept(
        U["quanyechang"],
        2023,
        budget((1320.0, 1301.45, 1296.6), (760.8, 802.0, 745.35)),
        budget_style="table:ab",
        indicators="table:split",
        pool=pools.STREET_GE,
        score_style="composite",
        staff=(36, 33),
        problems=2,
        measures=2,
        marks="dun",
        headings=3,
    )
    b, lab = dept_report(d)
    add(
        "d10_heping_quanyechang_2023.docx",
        [
            "docx",
            "split 指标性质 columns with ≥",
            "(A)/(B) 万元",
            "综合评分",
            "问题及改进措施 as one section",
        ],
        write_docx(b),
        lab,
    )

    # 11. Chongqing street, PDF: full-width digits in prose, indicator table with 合计 row
    d = Dept(
        U["jiefangbei"],
        2020,
        budget((1188.0, 1170.66, 1162.3), (2012.0, 2190.34, 2105.0)),
        budget_style="prose:fullwidth",
        indicators="table:standard",
        pool=pools.STREET,
        score_style="total",
        staff=(50, 47),
        problems=2,
        measures=2,
        marks="dun",
        narrative=8,
        repeat_header=False,
    )
    b, lab = dept_report(d)
    add(
        "d11_yuzhong_jiefangbei_2020.pdf",
        ["pdf", "full-width digits and separators", "合计 row", "重庆市"],
        _pdf(b, f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告"),
        lab,
    )

    # 12. Ganzhou town (镇), UTF-8 HTML with the Minhang header line: seed phrasing, 调减
    d = Dept(
        U["tangjiang"],
        2023,
        budget((2105.0, 2056.38, 2040.0), (3420.6, 3210.44, 3105.5)),
        budget_style="prose:seed",
        indicators="table:standard",
        pool=pools.TOWN,
        score_style="colon",
        staff=(85, 79),
        problems=2,
        measures=2,
        marks="dun",
        headings=4,
        layout="score_first",
    )
    b, lab = dept_report(d)
    page = {"publisher": "南康区唐江镇", "published_date": "2024-06-20"}
    add(
        "d12_nankang_tangjiang_2023.html",
        ["html UTF-8", "minhang header line", "镇", "rowspan level cells", "conclusion first"],
        write_html(
            b,
            title=f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告",
            header_html=minhang_header(page["publisher"], page["published_date"]),
        ),
        lab,
        **page,
    )

    # 13. Wuyuan township (乡), DOCX: prose budget only, no indicators, grade 中
    d = Dept(
        U["dazhangshan"],
        2022,
        budget((420.0, 436.5, 410.2), (615.5, 690.0, 520.36)),
        budget_style="prose:seed",
        indicators=None,
        pool=[],
        score_style=None,
        staff=(28, 26),
        problems=3,
        measures=2,
        marks="dot",
        stated_score=("经综合评价，本乡部门整体支出绩效自评得分78分，等级为“中”。", 78.0, "中"),
    )
    b, lab = dept_report(d)
    add(
        "d13_wuyuan_dazhangshan_2022.docx",
        ["docx", "乡", "county (婺源县) fills 江西省 上饶市", "no indicator table", "grade 中"],
        write_docx(b),
        lab,
    )

    # 14. Guangzhou street, XLSX one sheet: annual budget table in 万元 and indicator table
    d = Dept(
        U["shipai"],
        2021,
        budget(
            (1802.0, 1790.0, 1785.2),
            (2260.0, 2490.0, 2300.66),
            fiscal=(3962.0, 4180.0, 4016.32),
            other=(100.0, 100.0, 69.54),
        ),
        budget_style="table:annual",
        indicators="table:standard",
        pool=pools.STREET,
        score_style=None,
    )
    b, lab = dept_report(d)
    grids = [x for x in b if isinstance(x, Grid)]
    title = f"{d.unit.full}{d.year}年度部门整体支出绩效自评表"
    sheets = [
        Sheet("自评表", [Para(title, "title"), Para("单位：万元"), grids[0], Para("二、绩效指标"), grids[1]])
    ]
    lab["problems_count"] = lab["measures_count"] = 0
    add(
        "d14_tianhe_shipai_2021.xlsx",
        ["xlsx", "annual table 万元 (unit note)", "one sheet, two tables"],
        write_xlsx(sheets),
        lab,
    )

    # 15. Jingdezhen district bureau: no street although the city's name ends in 镇
    d = Dept(
        U["zhushan_edu"],
        2022,
        budget((3560.0, 3602.4, 3590.01), (12800.0, 13950.5, 13380.25)),
        title="generic",
        budget_style="table:adjusted",
        indicators="table:standard",
        pool=pools.EDU,
        score_style="total",
        staff=(120, 112),
        problems=2,
        measures=2,
        marks="dun",
        headings=3,
        narrative=6,
    )
    b, lab = dept_report(d)
    add(
        "d15_jingdezhen_zhushan_edu_2022.pdf",
        [
            "pdf",
            "district bureau (no street)",
            "景德镇市 is a city, not a 镇",
            "generic title + 名称 line",
            "问题及改进措施 as one section",
        ],
        _pdf(b, "部门整体支出绩效自评报告"),
        lab,
    )

    # 16. Shanghai Xuhui health centre, TXT: budget table as text, no score
    d = Dept(
        U["tianlin"],
        2024,
        budget((2650.33, 2650.33, 2600.05), (812.0, 905.7, 870.12)),
        budget_style="table:signed",
        indicators="table:weights",
        pool=pools.HEALTH,
        score_style=None,
        staff=(96, 90),
        problems=2,
        measures=2,
        marks="dot",
    )
    b, lab = dept_report(d)
    add(
        "d16_xuhui_tianlin_2024.txt",
        ["txt", "tab-separated tables", "signed 年中调整", "no overall score", "2024"],
        write_txt(b),
        lab,
    )

    # 17. Changsha street, GBK HTML with meta: seed-phrasing budget in 元 (调减)
    d = Dept(
        U["juzizhou"],
        2023,
        budget((4250000, 4100000, 4092210.38), (7321000, 6980000, 6802255.1), unit="元"),
        money_unit="元",
        budget_style="prose:final_account",
        indicators="table:standard",
        pool=pools.STREET,
        score_style="total",
        problems=2,
        measures=2,
        marks="dun",
        headings=3,
    )
    b, lab = dept_report(d)
    add(
        "d17_yuelu_juzizhou_2023.html",
        ["html GBK with meta", "决算数 wording, rate first", "调减", "元", "问题及改进措施 as one section"],
        write_html(b, title=f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告", encoding="gbk"),
        lab,
    )

    # 18. Qingdao district bureau, consolidated (汇总), DOCX
    d = Dept(
        U["shinan_civil"],
        2022,
        budget((2310.0, 2288.6, 2270.4), (15600.0, 17120.0, 16650.33)),
        title="generic",
        budget_style="table:adjusted",
        indicators="table:standard",
        pool=pools.CIVIL,
        score_style="composite",
        staff=(78, 75),
        problems=2,
        measures=2,
        marks="paren",
        headings=4,
        layout="score_first",
    )
    b, lab = dept_report(d)
    add(
        "d18_shinan_civil_2022.docx",
        ["docx", "consolidated (汇总)", "district bureau", "conclusion first"],
        write_docx(b),
        lab,
    )

    # 19. Pudong health centre, PDF: seed phrasing with 调增, indicator table with ≥
    d = Dept(
        U["lujiazui"],
        2022,
        budget((3012.5, 3100.0, 3088.64), (1500.0, 1612.5, 1590.0)),
        title="generic",
        budget_style="prose:seed",
        indicators="table:standard",
        pool=pools.HEALTH_GE,
        score_style="total",
        staff=(110, 104),
        problems=1,
        measures=1,
        marks="dun",
        headings=1,
        layout="annex",
    )
    b, lab = dept_report(d)
    add(
        "d19_pudong_lujiazui_2022.pdf",
        ["pdf", "调增", "≥ targets", "浦东新区", "indicator table in an annex"],
        _pdf(b, f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告"),
        lab,
    )

    # 20. Nanchang 东湖区 street, UTF-8 HTML with Donghu header; unit written without the city
    d = Dept(
        U["yuzhang"],
        2021,
        budget((610.0, 640.0, 633.7), (1120.0, 1180.6, 1105.22)),
        budget_style="prose:seed",
        indicators="prose:seed",
        pool=pools.STREET,
        budget_scored=True,
        score_style="total",
        staff=(34, 31),
        problems=2,
        measures=2,
        marks="dun",
        headings=1,
    )
    b, lab = dept_report(d)
    page = {
        "publisher": "东湖区豫章街道",
        "published_date": "2022-05-26",
        "index_no": "t945037-0603-2022-0012",
    }
    add(
        "d20_donghu_yuzhang_2021.html",
        ["html UTF-8", "donghu header", "district without city (gazetteer)", "prose indicators"],
        write_html(
            b,
            title=f"{d.unit.full}{d.year}年度部门整体支出绩效自评报告",
            header_html=donghu_header(page["index_no"], page["publisher"], page["published_date"]),
        ),
        lab,
        **page,
    )

    # 21. Xi'an street, XLS: annual table in 元 and weights header
    d = Dept(
        U["xiaozhai"],
        2024,
        budget(
            (3850200, 3850200, 3822150.66),
            (6610000, 7012500, 6804332.4),
            unit="元",
            fiscal=(10460200, 10862700, 10626483.06),
            other=(0, 0, 0),
        ),
        money_unit="元",
        budget_style="table:annual",
        indicators="table:weights",
        pool=pools.STREET,
        score_style=None,
    )
    b, lab = dept_report(d)
    grids = [x for x in b if isinstance(x, Grid)]
    sheets = [
        Sheet("预算执行情况", [Para(f"{d.unit.full}{d.year}年度部门整体支出绩效自评表", "title"), grids[0]]),
        Sheet("绩效指标", [grids[1]]),
    ]
    lab["problems_count"] = lab["measures_count"] = 0
    add("d21_yanta_xiaozhai_2024.xls", ["xls", "annual table 元", "two sheets"], write_xls(sheets), lab)

    # 22. Haidian street, DOC: seed phrasing, split target columns
    d = Dept(
        U["zhongguancun"],
        2021,
        budget((2450.0, 2390.2, 2380.0), (5100.0, 4820.3, 4700.12)),
        budget_style="prose:seed",
        indicators="table:split",
        pool=pools.STREET,
        score_style="composite",
        staff=(66, 60),
        problems=2,
        measures=2,
        marks="dot",
    )
    b, lab = dept_report(d)
    add(
        "d22_haidian_zhongguancun_2021.doc",
        ["doc (LibreOffice Word 97)", "split target columns"],
        _doc_from(b),
        lab,
    )
    return docs


def dept_form_docs() -> list[Doc]:
    """The national 部门整体支出绩效自评表: budget, goals and indicators in one form."""
    docs: list[Doc] = []
    for name, key, year, fig, pool, fmt in (
        ("d23_jizhou_wenshan_2022.docx", "wenshan", 2022, budget((520.0, 535.5, 530.2), (880.0, 1020.4, 990.66), fiscal=(1300.0, 1455.9, 1420.86),
                                 other=(100.0, 100.0, 100.0)), pools.STREET, "docx"),
        ("d24_shunde_daliang_2023.xlsx", "daliang", 2023, budget((2630.0, 2601.2, 2580.0), (5400.0, 5980.0, 5870.45), fiscal=(7630.0, 8181.2, 8050.45),
                                 other=(400.0, 400.0, 400.0)), pools.HEALTH, "xlsx"),
    ):  # fmt: skip
        u = U[key]
        title = f"{year}年度部门整体支出绩效自评表"
        grid, lab = dept_form_grid(
            u.full, year, fig, pool, "万元",
            goal="围绕年度重点工作任务，保障机构正常运转，提升公共服务和社会治理水平。",
            achieved="年度重点任务全面完成，预算执行总体良好，群众满意度较高。",
        )  # fmt: skip
        label = {"kind": "department_overall", "fiscal_year": year, "region": u.region, "department": u.department,
                 "consolidated": False, **lab, "problems_count": 0, "measures_count": 0}  # fmt: skip
        blocks: list[Block] = [Para(title, "title"), grid, Para("填表人：李某某    联系电话：0000-0000000")]
        data = write_docx(blocks) if fmt == "docx" else write_xlsx([Sheet("部门整体自评表", blocks)])
        docs.append(Doc(name, [fmt, "national 部门整体支出绩效自评表 form", "分值/执行率/得分 on 年度资金总额",
                               "budget, goals and indicators in one table"], data, {"reports": [label]}))  # fmt: skip
    return docs


def _doc_from(blocks: list[Block]) -> Callable[[], bytes]:
    return lambda: docx_to_doc(write_docx(blocks)) or b""


# ── project documents ─────────────────────────────────────────────────────────────────


def project_docs() -> list[Doc]:
    docs: list[Doc] = []

    def add(
        name: str, covers: list[str], data: bytes | Callable[[], bytes], reports: list[dict[str, Any]]
    ) -> None:
        docs.append(Doc(name, covers, data, {"reports": reports}))

    # P1. Xiamen street: three project tables in one PDF, one per page, the last cut over a page
    lj = U["lujiang"]
    center = implementer("鹭江街道社区服务中心", lj, "鹭江街道社区服务中心", "鹭江街道")
    ps = [
        proj("社区居家养老服务补贴项目", lj, 2023, (180.0, 196.5, 193.2), pools.ELDER, impl=center),
        proj(
            "生活垃圾分类运营项目",
            lj,
            2023,
            (240.0, 240.0, 236.88),
            pools.GARBAGE,
            impl=center,
            other=(20.0, 20.0, 18.5),
        ),
        proj(
            "平安社区建设（视频监控运维）项目",
            lj,
            2023,
            (96.0, 102.4, 101.9),
            pools.SECURITY,
            carried=(12.0, 12.0, 12.0),
        ),
    ]
    blocks: list[Block] = []
    for k, p in enumerate(ps):
        if k == 1:  # the third table follows the second on its page and runs over onto the next
            blocks.append(PageBreak())
        blocks += project_blocks(p, "万元")
    blocks.insert(-1, Para("注：本表金额单位为万元，执行率为全年执行数除以全年预算数。"))
    add(
        "p01_siming_lujiang_2023.pdf",
        ["pdf", "3 project tables in one file", "万元", "上年结转资金 row", "other funds"],
        _pdf(blocks, "思明区鹭江街道2023年度项目支出绩效自评表"),
        [project_label(p, "万元") for p in ps],
    )

    # P2. Xi'an street: a page with two project tables inline, 元
    xz = U["xiaozhai"]
    ps = [
        proj("老旧小区综合改造项目", xz, 2022, (4860000, 5230000, 5102315.6), pools.RENOV, unit="元"),
        proj("社区文化活动项目", xz, 2022, (320000, 300000, 296820.5), pools.CULTURE, unit="元", grade="优"),
    ]
    blocks = [
        Para(f"{xz.full}2022年度项目支出绩效自评结果公开", "title"),
        Para("根据区财政局要求，现将我街道2022年度项目支出绩效自评情况公开如下："),
    ]
    for p in ps:
        blocks += project_blocks(p, "元")
    add(
        "p02_yanta_xiaozhai_2022.html",
        ["html UTF-8", "2 project tables on one page", "元", "自评等级 row"],
        write_html(blocks, title=f"{xz.full}2022年度项目支出绩效自评结果公开"),
        [project_label(p, "元") for p in ps],
    )

    # P3. Haidian street: one project table in DOCX with merged cells, 实施单位 named
    zg = U["zhongguancun"]
    impl = implementer("海淀区中关村街道城市管理办公室", zg, "中关村街道城市管理办公室", "中关村街道")
    p = proj("背街小巷环境精细化整治提升项目", zg, 2021, (560.0, 612.0, 598.76), pools.ROAD, impl=impl)
    add(
        "p03_haidian_zhongguancun_2021.docx",
        ["docx", "merged cells", "实施单位 with district prefix"],
        write_docx(project_blocks(p, "万元")),
        [project_label(p, "万元")],
    )

    # P4. Yichun district bureau: three projects, one per sheet, implementers are towns/schools
    yz = U["yuanzhou_edu"]
    ps = [
        proj("义务教育学校校舍维修改造项目", yz, 2023, (1200.0, 1350.0, 1302.5), pools.RENOV),
        proj(
            "学生营养改善计划项目",
            yz,
            2023,
            (860.0, 860.0, 859.2),
            pools.ELDER,
            impl=implementer("袁州区第一中学", yz, "第一中学", None),
        ),
        proj("乡村教师培训项目", yz, 2023, (95.0, 88.0, 80.3), pools.EMPLOY, grade="良"),
    ]
    sheets = [Sheet(f"项目{k + 1}", project_blocks(p, "万元")) for k, p in enumerate(ps)]
    add(
        "p04_yuanzhou_edu_2023.xlsx",
        ["xlsx", "3 projects, one per sheet", "merged cells"],
        write_xlsx(sheets),
        [project_label(p, "万元") for p in ps],
    )

    # P5. Shanghai town: two project tables on one sheet of an .xls
    xzz = U["xinzhuang"]
    ps = [
        proj("莘庄镇河道养护项目", xzz, 2022, (385.0, 410.6, 405.22), pools.ROAD),
        proj("莘庄镇就业援助项目", xzz, 2022, (120.0, 120.0, 112.35), pools.EMPLOY),
    ]
    blocks = []
    for p in ps:
        blocks += project_blocks(p, "万元")
    add(
        "p05_minhang_xinzhuang_2022.xls",
        ["xls", "2 projects on one sheet", "镇"],
        write_xls([Sheet("自评表", blocks)]),
        [project_label(p, "万元") for p in ps],
    )

    # P6. Nanchang street: a 万元 header over values written in 元
    yu = U["yuzhang"]
    p = proj("社区网格化管理项目", yu, 2023, (1250000, 1318000, 1296540.5), pools.SECURITY, unit="元")
    add(
        "p06_donghu_yuzhang_2023.pdf",
        ["pdf", "万元 header over 元 values"],
        _pdf(project_blocks(p, "万元", money_unit="元")),
        [project_label(p, None)],
    )

    # P7. Wuhan street: two project tables exported as plain text; the second went badly (差)
    mz = U["minzu"]
    ps = [
        proj("社区卫生环境整治项目", mz, 2020, (66.0, 72.5, 70.1), pools.GARBAGE),
        proj("智慧社区平台建设项目", mz, 2020, (150.0, 150.0, 67.5), pools.POOR, grade="差"),
    ]
    blocks = []
    for p in ps:
        blocks += project_blocks(p, "万元")
    add(
        "p07_jianghan_minzu_2020.txt",
        ["txt", "project tables as tab-separated text", "grade 差"],
        write_txt(blocks),
        [project_label(p, "万元") for p in ps],
    )

    # P8. Jiujiang street: two projects in a GBK page without charset
    sl = U["shili"]
    ps = [
        proj("十里街道社区养老服务项目", sl, 2021, (88.0, 96.0, 95.12), pools.ELDER),
        proj("十里街道平安建设项目", sl, 2021, (45.5, 45.5, 40.02), pools.SECURITY),
    ]
    blocks = [Para("九江市濂溪区十里街道2021年度项目支出绩效自评表", "title")]
    for p in ps:
        blocks += project_blocks(p, "万元", heading=False)
    add(
        "p08_lianxi_shili_2021.html",
        ["html GBK, no charset", "2 projects", "no per-table heading"],
        write_html(blocks, title="十里街道2021年度项目支出绩效自评表", encoding="gbk", declare=False),
        [project_label(p, "万元") for p in ps],
    )

    # P9. Shenzhen street: one project in a .doc
    yh = U["yuehai"]
    p = proj(
        "粤海街道社区文化活动项目",
        yh,
        2024,
        (150.0, 168.0, 166.4),
        pools.CULTURE,
        impl=implementer("粤海街道公共服务办公室", yh, "粤海街道公共服务办公室", "粤海街道"),
    )
    add(
        "p09_nanshan_yuehai_2024.doc",
        ["doc (LibreOffice Word 97)", "project table, merged cells"],
        _doc_from(project_blocks(p, "万元")),
        [project_label(p, "万元")],
    )

    # P10. Hangzhou street: a 部门决算 document whose annex holds two project self-evaluation tables
    ly = U["lingyin"]
    ps = [
        proj("灵隐街道景区周边环境提升项目", ly, 2022, (310.0, 342.0, 338.6), pools.RENOV),
        proj("灵隐街道居家养老服务项目", ly, 2022, (205.0, 205.0, 199.88), pools.ELDER),
    ]
    blocks = [
        Para(f"{ly.full}2022年度部门决算", "cover"),
        PageBreak(),
        Para("第一部分 部门概况", "heading"),
        Para("灵隐街道办事处是西湖区人民政府的派出机关，负责辖区内的社会管理和公共服务。"),
        Para("第二部分 2022年度部门决算表", "heading"),
        Grid(
            [
                ["项目", "年初预算数", "决算数"],
                ["一般公共预算财政拨款收入", "5120.00", "5388.60"],
                ["一般公共服务支出", "2100.00", "2236.10"],
                ["社会保障和就业支出", "1800.00", "1850.55"],
            ]
        ),
        Para("第三部分 2022年度重点项目绩效自评情况", "heading"),
        PageBreak(),
    ]
    for p in ps:
        blocks += project_blocks(p, "万元")
    add(
        "p10_xihu_lingyin_juesuan_2022.pdf",
        ["pdf", "project tables inside a 部门决算 document"],
        _pdf(blocks, f"{ly.full}2022年度部门决算"),
        [project_label(p, "万元") for p in ps],
    )

    # P11. Qingdao street: no 实施单位 (the 主管部门 is the unit), grade row
    bd = U["badaguan"]
    p = proj("八大关历史街区保护性修缮项目", bd, 2022, (720.0, 690.0, 676.2), pools.RENOV, grade="良")
    add(
        "p11_shinan_badaguan_2022.docx",
        ["docx", "no 实施单位", "自评等级 row"],
        write_docx(project_blocks(p, "万元")),
        [project_label(p, "万元")],
    )

    # P12. Tianjin street: a GB18030 page, one project, 2019
    qy = U["quanyechang"]
    p = proj(
        "劝业场街道就业服务项目",
        qy,
        2019,
        (58.0, 58.0, 57.45),
        pools.EMPLOY,
        impl=implementer(
            "劝业场街道社区事务受理服务中心", qy, "劝业场街道社区事务受理服务中心", "劝业场街道"
        ),
    )
    add(
        "p12_heping_quanyechang_2019.html",
        ["html GB18030 with meta", "2019"],
        write_html(
            project_blocks(p, "万元"), title="劝业场街道2019年度项目支出绩效自评表", encoding="gb18030"
        ),
        [project_label(p, "万元")],
    )

    # P13. Wuyuan town: one project in XLSX, 元, with other funds
    jw = U["jiangwan"]
    p = proj(
        "江湾镇美丽乡村建设项目",
        jw,
        2024,
        (2350000, 2600000, 2488360.75),
        pools.RENOV,
        unit="元",
        other=(300000, 300000, 300000),
    )
    add(
        "p13_wuyuan_jiangwan_2024.xlsx",
        ["xlsx", "元", "county town", "other funds"],
        write_xlsx([Sheet("Sheet1", project_blocks(p, "元"))]),
        [project_label(p, "元")],
    )
    return docs


# ── files that are not reports, each with the error kind the extractor must give ───────


def bad_docs(good_pdf: bytes) -> list[Doc]:
    docs: list[Doc] = []
    u = U["yuehai"]
    d = Dept(u, 2023, budget((100.0, 100.0, 99.0), (200.0, 210.0, 205.0)), indicators=None, score_style=None)
    blocks, _ = dept_report(d)
    docs.append(
        Doc(
            "b01_encrypted.pdf",
            ["encrypted PDF (user password)"],
            write_pdf(blocks, encrypt_password="gov2023"),
            {"error": "encrypted"},
        )
    )
    docs.append(
        Doc(
            "b02_truncated.pdf",
            ["PDF cut off mid-file"],
            good_pdf[: len(good_pdf) * 2 // 5],
            {"error": "corrupt"},
        )
    )
    docs.append(
        Doc(
            "b03_scanned.pdf",
            ["image-only PDF (a scan) of no report: OCR finds no text"],
            _scanned_pdf(),
            {"error": "not_a_report"},
        )
    )
    news = [
        Para("鹭江街道开展“邻里守望”志愿服务活动", "title"),
        Para(
            "3月5日，鹭江街道组织辖区志愿者走进社区，开展义诊、理发、家电维修等志愿服务活动，共服务居民300余人次。"
        ),
        Para(
            "活动现场，志愿者们耐心为居民测量血压、讲解健康知识。街道相关负责人表示，将持续推进志愿服务常态化。"
        ),
    ]
    docs.append(
        Doc(
            "b04_news.html",
            ["unrelated news page"],
            write_html(news, title="鹭江街道开展志愿服务活动"),
            {"error": "not_a_report"},
        )
    )
    docs.append(Doc("b05_empty.docx", ["empty DOCX"], write_docx([]), {"error": "not_a_report"}))
    juesuan = [
        Para("收入支出决算总表", "title"),
        Para("公开01表"),
        Para("单位：万元"),
        Grid(
            [
                ["收入", "", "支出", ""],
                ["项目", "决算数", "项目", "决算数"],
                ["一般公共预算财政拨款收入", "5388.60", "一般公共服务支出", "2236.10"],
                ["政府性基金预算财政拨款收入", "0.00", "社会保障和就业支出", "1850.55"],
                ["其他收入", "120.50", "卫生健康支出", "1422.45"],
                ["本年收入合计", "5509.10", "本年支出合计", "5509.10"],
            ]
        ),
    ]
    docs.append(
        Doc(
            "b06_juesuan.xlsx",
            ["部门决算 table (收入支出决算总表)"],
            write_xlsx([Sheet("收入支出决算总表", juesuan)]),
            {"error": "not_a_report"},
        )
    )
    notice = [
        Para("关于开展2023年度部门整体支出绩效自评工作的通知", "title"),
        Para("各街道、各部门："),
        Para(
            "为全面实施预算绩效管理，现就开展2023年度部门整体支出绩效自评工作通知如下：各单位应于2024年4月30日前"
            "完成部门整体支出绩效自评，形成自评报告，并于5月15日前报送区财政局。"
        ),
        Para("附件：部门整体支出绩效自评报告（参考格式）"),
    ]
    docs.append(
        Doc(
            "b07_notice.pdf",
            ["a notice about self-evaluations (title names 绩效自评)"],
            write_pdf(notice),
            {"error": "not_a_report"},
        )
    )
    budget_page = [
        Para("灵隐街道办事处2024年部门预算", "title"),
        Para(
            "2024年部门预算收入总计6210.50万元，其中一般公共预算拨款收入6010.50万元，其他收入200.00万元。"
            "支出总计6210.50万元，其中基本支出2300.00万元，项目支出3910.50万元。"
        ),
    ]
    docs.append(
        Doc(
            "b08_budget.html",
            ["部门预算 page (no execution)"],
            write_html(budget_page, title="2024年部门预算"),
            {"error": "not_a_report"},
        )
    )
    docs.append(
        Doc("b09_broken.docx", ["random bytes named .docx"], bytes(range(256)) * 8, {"error": "corrupt"})
    )
    return docs


def _scanned_pdf() -> bytes:
    """A page that is one picture of text, as a scanner produces: no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(img)
    for k in range(30):  # lines of "text" as a scan shows them
        draw.rectangle([60, 60 + 22 * k, 60 + (480 if k % 5 else 300), 72 + 22 * k], fill=30)
    png = io.BytesIO()
    img.save(png, format="PNG")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return buf.getvalue()


# ── writing ───────────────────────────────────────────────────────────────────────────


def all_docs() -> list[Doc]:
    dept = dept_docs() + dept_form_docs()
    projects = project_docs()
    good_pdf = next(d.bytes() for d in dept if d.name.endswith(".pdf"))
    return dept + projects + bad_docs(good_pdf)


def write(docs: list[Doc], rebuild_doc: bool) -> None:
    FILES.mkdir(exist_ok=True)
    for d in docs:
        path = FILES / d.name
        if d.name.endswith(".doc") and not (rebuild_doc and (data := d.bytes())):
            if not path.exists():
                raise SystemExit(
                    f"{d.name}: no committed copy and no converter (install LibreOffice, pass --doc)"
                )
        else:
            path.write_bytes(d.bytes() if not d.name.endswith(".doc") else data)
        label = {"file": d.name, "format": d.name.rsplit(".", 1)[1], "covers": d.covers, **d.label}
        (FILES / f"{d.name}.expected.json").write_text(
            json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--doc", action="store_true", help="also rewrite the .doc files (needs LibreOffice)")
    args = ap.parse_args()
    docs = all_docs()
    write(docs, args.doc)
    print(f"{len(docs)} documents written to {FILES}")


if __name__ == "__main__":
    main()
