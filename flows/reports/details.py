"""Assets, staff, overall score, problems and measures, reporting-period dates, page header facts."""

from __future__ import annotations

import re
from functools import lru_cache

from flows.reports.numbers import chinese_count, parse_number, to_yuan
from flows.reports.text import heading_level, sentence_at, strip_heading_number
from flows.reports.vocabulary import alternation, vocabulary

_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)\s*(亿元|万元|元)"
_ASSETS = {
    "total_begin": re.compile(rf"年初(?:部门)?资产总(?:额|计)(?:为|是)?\s*{_AMOUNT}"),
    "total_end": re.compile(rf"年末(?:部门)?资产总(?:额|计)(?:为|是)?\s*{_AMOUNT}"),
    "fixed_begin": re.compile(rf"年初固定资产(?:原值)?(?:总额)?(?:为|是)?\s*{_AMOUNT}"),
    "fixed_end": re.compile(rf"年末固定资产(?:原值)?(?:总额)?(?:为|是)?\s*{_AMOUNT}"),
}


def parse_assets(text: str) -> tuple[dict[str, float | None], dict[str, str]]:
    values: dict[str, float | None] = dict.fromkeys(_ASSETS)
    evidence: dict[str, str] = {}
    for key, pattern in _ASSETS.items():
        m = pattern.search(text)
        if m:
            values[key] = to_yuan(parse_number(m.group(1)), m.group(2))
            evidence[f"assets.{key}"] = sentence_at(text, m.start())
    return values, evidence


_COUNT = r"(\d+|[零〇一二两三四五六七八九十百]+)"  # staff are counted in digits or in Chinese numerals
_AUTHORIZED = (
    re.compile(rf"(?:核定)?编制(?:人数|数)?(?:为|共)?\s*{_COUNT}\s*(?:人|个|名)"),
    re.compile(rf"(?:事业|行政)编制\s*{_COUNT}\s*(?:人|个|名)"),
)
_ACTUAL = (
    re.compile(rf"实有(?:在编)?(?:人员|人数)?(?:为|共)?\s*{_COUNT}\s*(?:人|名)"),
    re.compile(rf"在编人员\s*{_COUNT}\s*(?:人|名)"),
)
_POSTS = re.compile(r"(行政|事业)编\s*(\d+|□)\s*人")  # □: a number OCR could not read
_YEAR_END_STAFF = re.compile(r"年末在职([^。；]*)")
_ESTABLISHED = re.compile(r"(\d+)\s*名(?:事业编|行政编|公务员|参公)")


def parse_staff(text: str) -> tuple[dict[str, int | None], dict[str, str]]:
    staff: dict[str, int | None] = {"authorized": None, "actual": None}
    evidence: dict[str, str] = {}
    posts = _POSTS.findall(text)
    if posts:  # "核定编制人数为行政编0人，事业编15人"
        staff["authorized"] = None if any(n == "□" for _, n in posts) else sum(int(n) for _, n in posts)
        evidence["staff.authorized"] = sentence_at(text, text.find(posts[0][0] + "编"))
    else:
        for pattern in _AUTHORIZED:
            m = pattern.search(text)
            if m:
                staff["authorized"] = chinese_count(m.group(1))
                evidence["staff.authorized"] = sentence_at(text, m.start())
                break
    for pattern in _ACTUAL:
        m = pattern.search(text)
        if m:
            staff["actual"] = chinese_count(m.group(1))
            evidence["staff.actual"] = sentence_at(text, m.start())
            break
    else:
        m = _YEAR_END_STAFF.search(text)
        if m and _ESTABLISHED.search(m.group(1)):  # established posts only, not contract social workers
            staff["actual"] = sum(int(n) for n in _ESTABLISHED.findall(m.group(1)))
            evidence["staff.actual"] = sentence_at(text, m.start())
    return staff, evidence


# an overall score; the first family is strongest: "自评得分" alone may be one indicator's score
_SCORES = vocabulary().score_labels
_TOTAL_SCORE = re.compile(rf"(?:{alternation(_SCORES['total'])})(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)\s*分")
_SCORE = re.compile(rf"(?:{alternation(_SCORES['plain'])})(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)\s*分")
_INDICATOR_CONTEXT = re.compile(r"分值|权重|该项|该指标|本项|指标得")
_GRADE = re.compile(
    rf"(?:{alternation(_SCORES['grade'])})(?:为|是|:|：)?\s*[“\"「『]?(优秀|优|良好|良|中等|中|合格|差|不合格)"
)


def _sentence_before(text: str, pos: int) -> str:
    """The sentence up to `pos`: what says whose score it is comes before it ("该指标分值10分，自评得分8分")."""
    start = max(text.rfind(ch, 0, pos) for ch in "。；;！？!?")
    return text[start + 1 : pos]


def parse_score(text: str) -> tuple[float | None, list[float], str | None, dict[str, str]]:
    """(stated total, every total stated, grade, evidence). A 总分-type phrase wins over a bare 自评得分,
    and a score inside an indicator's sentence (分值…得分) is not an overall score."""
    evidence: dict[str, str] = {}
    strong = [(m, float(m.group(1))) for m in _TOTAL_SCORE.finditer(text)]
    weak = [
        (m, float(m.group(1)))
        for m in _SCORE.finditer(text)
        if not _INDICATOR_CONTEXT.search(_sentence_before(text, m.start()))
    ]
    found = [(m, v) for m, v in (strong or weak) if v <= 1000]
    candidates = list(
        dict.fromkeys(v for _, v in sorted(strong + weak, key=lambda mv: mv[0].start()) if v <= 1000)
    )
    total = None
    if found:
        m, total = found[-1]
        evidence["score.total"] = sentence_at(text, m.start())
    g = _GRADE.search(text)
    grade = None
    if g:
        grade = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "不合格": "差"}.get(
            g.group(1), g.group(1)
        )
        evidence["score.grade"] = sentence_at(text, g.start())
    return total, candidates, grade, evidence


_PROBLEM_HEAD = re.compile(r"存在(?:的)?(?:主要)?问题|主要问题|问题及原因|问题分析")
_MEASURE_HEAD = re.compile(
    r"改进(?:的)?(?:方向|措施|建议)|整改措施|下一步(?:工作)?(?:计划|打算|措施)|具体措施|改进意见"
)
_ITEM = re.compile(
    r"^\s*(?:\d+(?:、|[.．](?!\d))|[（(]\d+[)）]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+是|[①-⑳])"
)


def _items(paras: list[str]) -> list[str]:
    """Numbered items; unnumbered paragraphs continue the item above."""
    items: list[str] = []
    for p in paras:
        if _ITEM.match(p):
            items.append(strip_heading_number(p))
        elif items:
            items[-1] += p
        else:
            items.append(p)
    return [i for i in items if i]


def parse_problems_and_measures(paras: list[str]) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    measures: list[str] = []
    target: list[str] | None = None
    buffer: list[str] = []
    level_open: int | None = None

    def flush() -> None:
        if target is not None:
            target.extend(_items(buffer))
        buffer.clear()

    for p in paras:
        level = heading_level(p)
        is_heading = (level is not None and len(p) <= 40 and not _ITEM.match(p)) or (
            level is not None and len(p) <= 40 and (_PROBLEM_HEAD.search(p) or _MEASURE_HEAD.search(p))
        )
        if is_heading and _MEASURE_HEAD.search(p) and level is not None and level <= 2:
            flush()
            target, level_open = measures, level
            continue
        if (
            is_heading
            and _PROBLEM_HEAD.search(p)
            and not _MEASURE_HEAD.search(p)
            and level is not None
            and level <= 2
        ):
            flush()
            target, level_open = problems, level
            continue
        if target is not None and level is not None and level_open is not None and level < level_open:
            flush()
            target, level_open = None, None
            continue
        if target is not None and level == 1:
            flush()
            target, level_open = None, None
            continue
        if target is not None:
            buffer.append(p)
    flush()
    return problems, measures


_PERIOD = re.compile(r"(?:截至|截止至|截止到|截止|至)\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日")


def parse_period_years(text: str) -> list[tuple[int, str]]:
    """Years named as the end of the reporting period ('截至2023年12月31日'), with their sentences."""
    return [(int(m.group(1)), sentence_at(text, m.start())) for m in _PERIOD.finditer(text)]


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_DATE = r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
_SEP = r"\s*\]?\s*[:：|]?\s*\|?\s*"


@lru_cache(maxsize=1)
def _meta_patterns() -> dict[str, re.Pattern[str]]:
    vocab = vocabulary()
    publisher = _alternatives(vocab.publisher_labels)
    return {
        "publisher": re.compile(rf"(?:{publisher})\s*\]?\s*[:：|]\s*\|?\s*([^\s|:：\]\[]{{2,30}})"),
        "index_no": re.compile(r"索引号\s*\]?\s*[:：|]?\s*\|?\s*([A-Za-z0-9\-/_]{4,40})"),
        # "日期" alone must not be a form's 报告日期/填报日期/截止日期
        "published_date": re.compile(
            rf"(?<![告报填截止])(?:{_alternatives(vocab.published_labels)}){_SEP}{_DATE}"
            rf"|(?:{publisher})\s*[:：]\s*[^\s|:：]{{2,20}}\s+{_DATE}"
        ),
    }


def parse_header_meta(text: str) -> dict[str, str]:
    """Publisher, date and index number from a page header or metadata table, when the text holds one."""
    out: dict[str, str] = {}
    head = text[:1500]
    for key, pattern in _meta_patterns().items():
        m = pattern.search(head)
        if not m:
            continue
        if key == "published_date":
            y, mo, d = (g for g in m.groups() if g is not None)
            out[key] = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        else:
            out[key] = m.group(1).strip()
    return out
