"""Project self-evaluation tables (项目支出绩效自评表): several to a file, each its own report."""

from __future__ import annotations

import datetime as dt

from flows.reports.extract import reports_from_bytes

TODAY = dt.date(2026, 11, 23)

TABLE = """{title}
项目名称\t{name}\t\t
主管部门\t{supervisor}\t实施单位\t{unit}\t
项目资金（{unit_word}）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分
\t年度资金总额\t{initial}\t{adjusted}\t{executed}\t10\t{rate}\t{budget_score}
\t其中：当年财政拨款\t{initial}\t{adjusted}\t{executed}\t—\t—\t—
\t上年结转资金\t0\t0\t0\t—\t—\t—
年度总体目标\t预期目标\t实际完成情况
\t按计划完成项目\t已完成
绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施
\t产出指标\t数量指标\t{indicator}\t≥100次\t96次\t40\t36\t天气原因延期
\t\t时效指标\t完成及时率\t100%\t100%\t20\t20\t
\t满意度指标\t服务对象满意度指标\t群众满意度\t≥90%\t93%\t30\t30\t
总分\t\t\t\t\t\t100\t{total}\t
"""


def _doc(*blocks: dict) -> bytes:
    return "\n".join(TABLE.format(**b) for b in blocks).encode("utf-8")


def test_two_project_tables_in_one_file_give_two_reports():
    a = dict(
        title="2022年度项目支出绩效自评表", name="老旧小区微改造", supervisor="杭州市西湖区住房和城乡建设局",
        unit="西湖区北山街道办事处", unit_word="万元", initial="1,250.00", adjusted="1,180.5", executed="1,150.25",
        rate="97.44%", budget_score="9.7", indicator="改造小区数量", total="95.7",
    )  # fmt: skip
    b = dict(
        title="2022年度项目支出绩效自评表", name="垃圾分类宣传", supervisor="杭州市西湖区城市管理局",
        unit="西湖区转塘街道办事处", unit_word="元", initial="80000", adjusted="80000", executed="76000",
        rate="95%", budget_score="9.5", indicator="宣传活动场次", total="95.5",
    )  # fmt: skip
    reports = reports_from_bytes(_doc(a, b), name="projects.txt", sha256="0" * 64, today=TODAY)
    assert [r.project_name for r in reports] == ["老旧小区微改造", "垃圾分类宣传"]
    first, second = reports
    assert all(r.kind == "project" and r.fiscal_year == 2022 for r in reports)
    assert (first.region.province, first.region.city, first.region.district, first.region.street) == (
        "浙江省", "杭州市", "西湖区", "北山街道",
    )  # fmt: skip
    assert first.department == "北山街道办事处"
    assert first.supervisor == "杭州市西湖区住房和城乡建设局"
    total = first.budget["total"]
    assert (total.initial, total.adjusted, total.executed, total.rate) == (
        12_500_000.0,
        11_805_000.0,
        11_502_500.0,
        97.44,
    )
    assert (total.weight, total.score) == (10.0, 9.7)
    assert first.budget_unit == "万元" and second.budget_unit == "元"
    assert second.budget["total"].executed == 76_000.0
    assert [i.name for i in first.indicators] == ["改造小区数量", "完成及时率", "群众满意度"]
    assert first.indicators[1].level1 == "产出指标" and first.indicators[1].level2 == "时效指标"
    assert first.indicators[0].reason == "天气原因延期"
    assert (first.score_total, second.score_total) == (95.7, 95.5)


def test_a_wan_yuan_header_over_yuan_values_is_read_as_yuan():
    a = dict(
        title="2021年度项目支出绩效自评表", name="社区矫正", supervisor="北京市朝阳区司法局",
        unit="朝阳区司法局", unit_word="万元", initial="2500000.00", adjusted="2480000.00", executed="2455200.50",
        rate="99.00%", budget_score="10", indicator="矫正人数", total="96",
    )  # fmt: skip
    [report] = reports_from_bytes(_doc(a), name="p.txt", sha256="0" * 64, today=TODAY)
    assert report.budget["total"].executed == 2_455_200.5
    assert report.budget_unit == "元"
    assert (report.region.province, report.region.district) == ("北京市", "朝阳区")


def test_staff_counted_in_chinese_numerals():
    from flows.reports.details import parse_staff

    assert parse_staff("核定编制二十五人，实有人数二十三人。")[0] == {"authorized": 25, "actual": 23}


def test_a_unit_note_above_a_budget_table_sets_its_unit():
    text = """广东省深圳市南山区粤海街道办事处
2022年度部门整体支出绩效自评报告
二、预算执行情况
单位：万元
项目\t年初预算\t调整后预算数\t预算执行数\t预算执行率
合计\t12,345.67\t13,000.00\t12,870.12\t99.00%
基本支出\t5,000.00\t5,200.00\t5,180.00\t99.62%
项目支出\t7,345.67\t7,800.00\t7,690.12\t98.59%
"""
    [r] = reports_from_bytes(text.encode(), name="v.txt", sha256="0" * 64, today=TODAY)
    assert r.budget_unit == "万元"
    total = r.budget["total"]
    assert (total.initial, total.adjusted, total.executed, total.rate) == (
        123_456_700.0,
        130_000_000.0,
        128_701_200.0,
        99.0,
    )
    assert (r.region.district, r.region.street, r.department) == ("南山区", "粤海街道", "粤海街道办事处")


def test_an_everyday_word_is_a_district_only_after_its_city():
    from flows.reports.places import find_region

    r = find_region("甘肃省兰州市城关区张掖路街道办事处")
    assert (r.province, r.city, r.district, r.street) == ("甘肃省", "兰州市", "城关区", "张掖路街道")
    assert find_region("推进老城区改造").district is None


def test_a_budget_table_with_the_lines_across_is_read_transposed():
    text = """浙江省杭州市西湖区北山街道办事处2023年度部门整体支出绩效自评报告
二、预算执行情况（单位：万元）
项目\t合计\t基本支出\t项目支出
年初预算数\t1,000.00\t400.00\t600.00
全年预算数\t1,100.00\t420.00\t680.00
全年执行数\t1,045.00\t418.00\t627.00
执行率\t95.00%\t99.52%\t92.21%
"""
    [r] = reports_from_bytes(text.encode(), name="t.txt", sha256="0" * 64, today=TODAY)
    total, basic, project = (r.budget[k] for k in ("total", "basic", "project"))
    assert (total.initial, total.adjusted, total.executed, total.rate) == (
        10_000_000.0,
        11_000_000.0,
        10_450_000.0,
        95.0,
    )
    assert (basic.adjusted, basic.executed, basic.rate) == (4_200_000.0, 4_180_000.0, 99.52)
    assert (project.adjusted, project.executed, project.rate) == (6_800_000.0, 6_270_000.0, 92.21)


def test_the_contract_indicator_keys_are_the_indicator_fields():
    from dataclasses import fields

    from flows.contract.report import INDICATOR_FIELDS, Indicator

    assert tuple(f.name for f in fields(Indicator)) == INDICATOR_FIELDS
