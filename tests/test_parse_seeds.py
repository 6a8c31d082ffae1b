"""The parse step on the five seed reports as given (plain text), field by field."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.documents import read_document
from flows.reports.parse import parse_reports

TODAY = dt.date(2026, 11, 23)


def _report(seeds_dir, stem: str):
    path = next(seeds_dir.glob(f"{stem}_*.txt"))
    doc = read_document(path.read_bytes(), path.name)
    [report] = parse_reports(doc, file=path.name, sha256="0" * 64, today=TODAY)
    return report


def _line(report, name):
    b = report.budget[name]
    return (b.initial, b.adjustment, b.adjusted, b.executed, b.rate)


def test_seed_000_budget_identity_and_staff(seeds_dir):
    r = _report(seeds_dir, "000")
    assert (r.kind, r.fiscal_year) == ("department_overall", 2023)
    assert (r.region.province, r.region.city, r.region.district, r.region.street) == (
        "上海市",
        "上海市",
        "闵行区",
        "浦锦街道",
    )
    assert r.department == "浦锦街道社区事务受理服务中心"
    assert r.department_full == "上海市闵行区浦锦街道社区事务受理服务中心"
    assert r.budget_unit == "万元"
    assert _line(r, "total") == (83_623_000.0, -1_255_000.0, 82_368_000.0, 81_775_000.0, 99.27)
    assert _line(r, "basic") == (None, None, 5_719_200.0, 5_680_000.0, 99.31)
    # the document's own mistake is kept, not smoothed: 7609.48/7664.88 is 99.28%
    assert _line(r, "project") == (None, None, 76_648_800.0, 76_094_800.0, 92.77)
    assert r.assets == {
        "total_begin": 2_487_500.0,
        "total_end": 2_587_800.0,
        "fixed_begin": 1_968_700.0,
        "fixed_end": 2_391_800.0,
    }
    assert r.staff == {"authorized": 15, "actual": 13}
    assert r.problems[0].startswith("年初预算编制不够准确。")
    assert r.measures[0].startswith("提高预算编制准确性。")
    assert "8177.5万元" in r.evidence["budget.total.executed"]
    assert r.period_years == [2021]


def test_seed_001_adjustment_sign_follows_the_numbers(seeds_dir):
    r = _report(seeds_dir, "001")
    # the text says 调减 but adds 119.76万元: 973.99 + 119.76 = 1093.75
    assert _line(r, "total") == (9_739_900.0, 1_197_600.0, 10_937_500.0, 8_995_200.0, 82.24)
    assert r.staff == {"authorized": 22, "actual": 16}
    assert len(r.problems) == 2 and len(r.measures) == 2
    assert not r.problems[0].startswith("1")


def test_seed_002_units_and_rates(seeds_dir):
    r = _report(seeds_dir, "002")
    assert r.department == "浦锦街道城市运行管理中心"
    assert _line(r, "project") == (None, None, 4_834_100.0, 4_834_100.0, 100.0)
    assert r.budget["project"].rate_text == "100.00"


def test_seed_003_donghu_unit_is_not_the_publisher(seeds_dir):
    r = _report(seeds_dir, "003")
    assert (r.region.province, r.region.city, r.region.district) == ("江西省", "南昌市", "东湖区")
    assert r.department == "公园街道办事处"
    assert r.fiscal_year == 2022  # the notice it cites is about 2021; the report evaluates 2022
    assert r.publisher == "东湖区墩子塘街道"
    assert (r.published_date, r.index_no) == ("2023-05-30", "t945037-0601-2023-0007")
    assert (r.score_total, r.score_grade) == (96.0, "优")
    assert sorted(r.score_candidates) == [94.0, 96.0]
    assert r.budget["total"].initial == 18_681_700.0 and r.budget["total"].executed == 18_681_700.0
    assert r.staff == {"authorized": 37, "actual": 30}


def test_seed_004_tables_consolidated_and_indicators(seeds_dir):
    r = _report(seeds_dir, "004")
    assert (r.fiscal_year, r.consolidated) == (2021, True)
    assert r.department == "地区工作办公室"
    assert r.department_full == "上海市闵行区地区工作办公室（汇总）"
    assert r.budget_unit == "元"
    assert _line(r, "total")[2:] == (8_485_146.0, 7_255_205.14, 85.50)
    assert _line(r, "basic")[2:] == (5_385_364.0, 4_189_693.84, 77.80)
    assert _line(r, "project")[2:] == (3_099_782.0, 3_065_511.3, 98.89)
    assert _line(r, "fiscal")[2:] == (8_485_146.0, 7_255_205.14, 85.50)
    names = [i.name for i in r.indicators]
    assert "目录" not in names and len(r.indicators) >= 50
    material = r.indicators[names.index("区级配送课程材料数")]
    assert (material.level1, material.level2, material.target, material.actual, material.score) == (
        "产出指标",
        "数量指标",
        "=9000份",
        "9000份",
        2.0,
    )
    meeting = r.indicators[
        0 if names[0] == "创新社会治理加强社会建设推进会" else names.index("创新社会治理加强社会建设推进会")
    ]
    assert meeting.reason and meeting.reason.endswith(
        "未召开推进会。"
    )  # the reason wrapped onto the next page
    assert all(i.name not in ("合计", "总分") for i in r.indicators)


@pytest.mark.parametrize("stem", ["000", "001", "002", "003", "004"])
def test_every_number_has_its_evidence(seeds_dir, stem):
    r = _report(seeds_dir, stem)
    for name, line in r.budget.items():
        for field in ("initial", "adjusted", "executed", "rate"):
            if getattr(line, field) is not None:
                assert f"budget.{name}.{field}" in r.evidence, (name, field)


def test_seed_003_prose_indicators_and_budget_score(seeds_dir):
    r = _report(seeds_dir, "003")
    first = r.indicators[0]
    assert (first.level1, first.level2, first.name, first.weight, first.score) == (
        "产出指标",
        "数量指标",
        "民生保障数量",
        2.5,
        2.5,
    )
    satisfaction = r.indicators[-1]
    assert (satisfaction.level1, satisfaction.weight, satisfaction.score) == ("社会满意度", 10.0, 6.0)
    assert len(r.indicators) == 18
    # (五)部门预算及执行情况(10分) … 得10分 scores budget execution; with it the indicators sum to 96
    assert (r.budget["total"].weight, r.budget["total"].score) == (10.0, 10.0)
    assert sum(i.score for i in r.indicators) + r.budget["total"].score == r.score_total == 96.0
