"""The readers behind the real-report patterns, each on a small made-up case of its pattern."""

from __future__ import annotations

from flows.documents.model import Document, Paragraph
from flows.reports.form_budget import parse_form_budget
from flows.reports.layout import label_values, unit_name
from flows.reports.placement import place_tokens
from flows.reports.places import find_region
from flows.reports.script import simplified

ROLES = ["initial", "adjusted", "executed", "weight", "rate", "score"]


def test_a_full_row_is_read_in_header_order():
    placed = place_tokens(ROLES, ["100", "90", "81", "10", "90%", "9"])
    assert {k: f.value for k, f in placed.items()} == {
        "initial": 100,
        "adjusted": 90,
        "executed": 81,
        "weight": 10,
        "rate": 90,
        "score": 9,
    }


def test_a_lost_cell_leaves_only_what_every_placement_agrees_on():
    # three figures before the rate for four columns: which of 年初/全年 holds 65.66 is unknowable
    placed = place_tokens(ROLES, ["65.66", "65.07", "10", "99%", "9"])
    assert "initial" not in placed and "adjusted" not in placed
    assert placed["executed"].value == 65.07 and placed["rate"].value == 99


def test_glued_numbers_are_split_only_when_the_amounts_prove_the_rate():
    placed = place_tokens(["adjusted", "executed", "rate"], ["1484631.00%"])
    assert (placed["adjusted"].value, placed["executed"].value, placed["rate"].text) == (148, 46, "31.00")
    assert place_tokens(["adjusted", "executed", "rate"], ["12345.6789%"]) == {}


def test_a_bare_number_is_a_rate_only_when_proven():
    placed = place_tokens(ROLES, ["130", "130", "130", "10", "100", "10"])
    assert placed["rate"].value == 100
    assert "rate" not in place_tokens(ROLES, ["880", "880", "880", "10", "10"])


def test_flattened_form_budget_needs_its_unit_and_skips_a_blank_total():
    stream = (
        "项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 0 0 0 10 0 0 "
        "其中:本年财政拨款 90 89.974 89.974 上年结转资金 其他资金 年度总体目标"
    )
    form = parse_form_budget(stream)
    assert "total" not in form.lines
    fiscal = form.lines["fiscal"]
    assert (fiscal.initial, fiscal.adjusted, fiscal.executed) == (900000.0, 899740.0, 899740.0)
    assert parse_form_budget(stream.replace("(万元)", "")).lines.get("fiscal") is None or (
        parse_form_budget(stream.replace("(万元)", "")).lines["fiscal"].executed is None
    )


def test_traditional_script_with_pinyin_glosses_reads_as_simplified():
    doc = Document(
        "x.html",
        "html",
        [
            Paragraph(
                "臨河區(qū)2023年耕地地力保護(hù)補(bǔ)貼項(xiàng)目支出績(jī)效自評(píng)報告，預(yù)算數(shù)9765萬(wàn)元"
            )
        ],
    )
    assert (
        simplified(doc).blocks[0].text == "临河区2023年耕地地力保护补贴项目支出绩效自评报告，预算数9765万元"
    )


def test_a_place_name_inside_a_word_is_not_a_place():
    assert find_region("建档立卡个人缴费县级配套资金").district is None
    assert find_region("稷山县项目支出绩效自评表").district == "稷山县"
    assert find_region("红河州数据发展中心").city == "红河哈尼族彝族自治州"


def test_form_labels_split_a_run_on_header():
    fields = label_values(
        "项目名称 委托业务项目 主管部门 219-池州市贵池区棠溪镇人民政府 实施单位 投资促进中心 □ 3、一次性"
    )
    assert fields["project_name"][0].value == "委托业务项目"
    assert unit_name(fields["supervisor"][0].value) == "池州市贵池区棠溪镇人民政府"
    assert unit_name(fields["implementer"][0].value) == "投资促进中心"
    assert unit_name("或委托单位职责密切相关") is None


def test_flattened_indicator_rows_follow_the_header_order():
    from flows.reports.form_indicators import parse_form_indicators

    stream = (
        "绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因 "
        "产出指标(50分) 数量指标 培训人数 ≥50人 62 10 10 质量指标 合格率 ≥95% 96% 10 9.5 "
        "时效指标 指标1:按时完成 10 10 指标2: …… 总分 100 95"
    )
    rows = [(i.name, i.target, i.actual, i.weight, i.score) for i, _ in parse_form_indicators(stream)]
    assert rows == [
        ("培训人数", "≥50人", "62", 10, 10),
        ("合格率", "≥95%", "96%", 10, 9.5),
        ("指标1:按时完成", None, None, 10, 10),
    ]


def test_an_indicator_row_after_unreadable_words_is_not_stored():
    from flows.reports.form_indicators import parse_form_indicators

    # "获得目的国 (地区)受 众欢迎" wrapped over several pieces: no row may start inside it
    stream = "三级指标 年初目标值 实际完成值 得分 在岸金额 20000 23333 10 企业国际质量提升 获得目的国 (地区)受 众欢迎 受欢迎显著 10 执行率 90% 100% 10"
    names = [i.name for i, _ in parse_form_indicators(stream)]
    assert names == ["在岸金额", "执行率"]


def test_spending_phrases_never_read_allocations():
    from flows.reports.spending_prose import parse_spending_prose

    line, evidence = parse_spending_prose(
        ["上级下达资金2179万元，目前已全部到位。截止12月8日，已完成拨付2113.63万元，执行率97%。"]
    )
    assert (line.executed, line.rate, line.adjusted) == (21136300.0, 97, None)
    assert "拨付" in evidence["budget.total.executed"]
    line, _ = parse_spending_prose(["实际到位资金334.67万元，项目批复总投资61.8万元。"])
    assert line.is_empty()


def test_run_together_cells_are_read_only_when_they_prove_each_other():
    from flows.reports.form_budget import parse_budget_triple

    found = parse_budget_triple("全年执行数(B)执行率(B/A)其中中央补助300万元 259.45万元 86.5%市县资金")
    assert found is not None and (found[0].adjusted, found[0].executed, found[0].rate) == (
        3000000.0,
        2594500.0,
        86.5,
    )
    assert parse_budget_triple("全年执行数(B)执行率(B/A) 300万元 259.45万元 96.5%") is None


def test_kind_comes_from_the_title_words():
    from flows.reports.identity import find_kind

    assert find_kind("2021年度霞山区爱国街道办事处整体支出绩效自评报告", []) == "department_overall"
    assert find_kind("忠县民政局2024年度资金绩效自评报告", []) == "project"
    assert find_kind("2024年部门预算", ["2024年部门预算收入总计6210.50万元，项目支出3910.50万元。"]) is None
