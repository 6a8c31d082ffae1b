"""Who reports on what: title, kind, fiscal year, unit and place."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from flows.reports.model import Kind, Region
from flows.reports.places import _short, find_region, find_street, strip_region_prefix
from flows.reports.vocabulary import vocabulary

REPORT_WORDS = vocabulary().report_words
# how a unit's name ends (vocabulary.toml [units]), as one alternation, in the listed order
ORG_SUFFIX = "|".join(re.escape(w) for w in vocabulary().unit_endings)
_ORG = re.compile(
    rf"((?:[\u4e00-\u9fff]{{2,4}}(?:省|市|自治区))?(?:[\u4e00-\u9fff]{{1,4}}(?:区|县))?[\u4e00-\u9fff（）()]{{2,24}}?(?:{ORG_SUFFIX})(?:（汇总）|\(汇总\)|汇总)?)"
)
_NAME_LABEL = re.compile(
    r"(?:部门|单位|部门（单位）|部门\(单位\)|预算单位|填报单位|实施单位)(?:名称)?\s*[:：]\s*(.+)"
)
_YEAR_IN_TITLE = re.compile(r"[（(]?\s*((?:19|20)\d{2})\s*年度?\s*[)）]?")


@dataclass(slots=True)
class Identity:
    title: str | None
    kind: Kind | None
    fiscal_year: int | None
    region: Region
    department: str | None
    department_full: str | None
    consolidated: bool


_TITLE = re.compile(
    r"^([^，。；,;]{0,60}?(?:绩效自评报告|绩效评价报告|自评报告|评价报告|自评表|绩效报告)(?:\s*[（(][^）)]{0,12}[)）])?)"
)


_HEADER_LABEL = re.compile(r"^(?:信息名称|标题|名称|文件名称)\s*[:：]\s*")


def find_title(paras: list[str], page_title: str | None = None) -> str | None:
    """The report's own heading: the first paragraph that opens with a self-evaluation title (a
    reader may have joined the title to the paragraph below it; the title is that paragraph's start)."""
    paras = [_HEADER_LABEL.sub("", p) for p in paras[:15]]
    for p in paras:
        if p.startswith(("为", "根据", "按照")):
            continue
        m = _TITLE.match(p)
        if m:
            return m.group(1).strip()
    for p in paras[:15]:
        if len(p) <= 80 and any(w in p for w in REPORT_WORDS) and not p.startswith(("为", "根据", "按照")):
            return p
    return page_title


def _kind_of(text: str) -> Kind | None:
    """The kind a title names: the whole unit's spending first (a bundle title such as
    "整体支出和…专项支出" leads with the unit), then a project, fund or transfer payment."""
    vocab = vocabulary()
    if any(w in text for w in vocab.kind_overall):
        return "department_overall"
    if any(w in text for w in vocab.kind_project):
        return "project"
    return None


def find_kind(title: str | None, paras: list[str], page_title: str | None = None) -> Kind | None:
    """The title decides; then the form's own labels (项目名称 …); then the opening lines."""
    for text in (title, page_title):
        kind = _kind_of(text or "")
        if kind:
            return kind
    head = paras[:12]
    for p in head:
        if len(p) <= 80 and any(w in p for w in vocabulary().report_words):
            kind = _kind_of(p)
            if kind:
                return kind
    joined = " ".join(head)
    if not any(w in joined for w in vocabulary().report_words):
        return None  # no self-evaluation words: a budget or a notice says nothing of the kind
    if any(w in joined for w in vocabulary().project_labels):
        return "project"
    # 项目支出 is a budget line of every department's report, not a sign of a project report
    return _kind_of(joined.replace("项目支出", "")[:400])


def find_fiscal_year(
    title: str | None, paras: list[str], page_title: str | None, max_year: int
) -> int | None:
    """From the title, the heading lines, the page title; then the year the body evaluates most."""
    for text in (title, *paras[:8], page_title):
        if not text:
            continue
        # a title line a reader joined to the paragraph below still opens that paragraph
        text = text[:60]
        m = re.search(r"((?:19|20)\d{2})\s*年度", text) or (
            re.search(r"[（(]\s*((?:19|20)\d{2})\s*年?\s*[)）]", text)
        )
        if m and any(w in text for w in (*REPORT_WORDS, "年度")):
            return int(m.group(1))
    evaluated = Counter(
        int(y)
        for y in re.findall(
            r"((?:19|20)\d{2})\s*年度?(?:部门|单位)?(?:整体支出|项目支出)?绩效(?:评价|自评)", " ".join(paras)
        )
    )
    years = Counter(
        int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", " ".join(paras)) if int(y) <= max_year
    )
    for counter in (evaluated, years):
        if counter:
            return counter.most_common(1)[0][0]
    return None


def _join_wrapped(name: str, following: str | None) -> str:
    """A unit name wrapped onto the next line ('上海市闵行区地区工作' + '办公室（汇总）')."""
    if (
        following
        and len(following) <= 16
        and not re.search(r"[，。；：:]", following)
        and not re.search(rf"(?:{ORG_SUFFIX})(?:（汇总）|\(汇总\))?$", name)
    ):
        return name + following
    return name


# a county or city government named alone is the site's owner (its banner, its breadcrumb),
# not the unit reporting
_SITE_OWNER = re.compile(r"^(?:.{0,12}(?:省|市|区|县|州|旗))?人民政府$")


def find_department_full(title: str | None, paras: list[str], page_title: str | None) -> str | None:
    # 1. labelled: 部门（单位）名称：…
    for i, p in enumerate(paras[:40]):
        m = _NAME_LABEL.match(p)
        # "单位：元" is a unit of account, not a unit of government
        if (
            m
            and len(m.group(1)) <= 40
            and not re.fullmatch(r"(?:人民币)?(?:千|万|亿)?元|%|个|人", m.group(1).strip())
        ):
            return _join_wrapped(m.group(1).strip(), paras[i + 1] if i + 1 < len(paras) else None)
    # 2. a name line above the title, or the title's own prefix
    if title and title in paras:
        i = paras.index(title)
        for p in reversed(paras[max(0, i - 2) : i]):
            if len(p) <= 40 and re.search(rf"(?:{ORG_SUFFIX})(?:（汇总）)?$", p) and not _SITE_OWNER.match(p):
                return p
    for text in (title, page_title):
        if text:
            m = re.match(
                rf"^(.{{2,40}}?(?:{ORG_SUFFIX})(?:（汇总）)?)\s*(?:关于)?\s*(?:(?:19|20)\d{{2}}|部门|单位|整体|项目)",
                text,
            )
            if m:
                return m.group(1)
    return None


# a street's own name cannot hold a division word: "依据东湖区公园街道" is not a street
_STREET_NAME = r"(?:(?![省市区县])[\u4e00-\u9fff]){2,6}?(?:街道|镇|乡)"


def _anchored_org(region: Region) -> re.Pattern[str] | None:
    """A unit name that starts at the region (district or street) it sits under."""
    parts = []
    for name in (region.province, region.city):
        if name:
            parts.append(rf"(?:{re.escape(name)}|{re.escape(_short(name))})?")
    if region.district:
        district = rf"(?:{re.escape(region.district)})"
        anchor = rf"(?:{district}{_STREET_NAME}|{district}|{_STREET_NAME})"
    else:
        anchor = _STREET_NAME
    return re.compile(
        "("
        + "".join(parts)
        + anchor
        + rf"[\u4e00-\u9fff（）()]{{0,20}}?(?:{ORG_SUFFIX})(?:（汇总）|\(汇总\)|汇总)?)"
    )


def find_department_in_body(paras: list[str], region: Region) -> str | None:
    """The unit the body names most often; a longer spelling of the same unit counts for it."""
    pattern = _anchored_org(region)
    if pattern is None:
        return None
    counts: Counter[str] = Counter(
        m.group(1) for m in pattern.finditer(" ".join(paras)) if not _SITE_OWNER.match(m.group(1))
    )
    if not counts:
        return None
    scored = {n: sum(c for m, c in counts.items() if m.endswith(n) or n.endswith(m)) for n in counts}
    top = max(scored.values())
    core = min((n for n, s in scored.items() if s == top), key=len)
    # the fullest spelling is the one that starts at a named division, not at a stray verb
    prefixes = tuple(p for p in (region.province, region.city, region.district) if p)
    spelled = [n for n in counts if n.endswith(core) and (n == core or n.startswith(prefixes))]
    return max(spelled, key=len)


_YEAR_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}\s*年度?|[:：\s])+")


def without_year(name: str | None) -> str | None:
    """'2021年度霞山区爱国街道办事处' → '霞山区爱国街道办事处': a title's year is not the unit's."""
    if not name:
        return name
    return _YEAR_PREFIX.sub("", name).strip() or None


def normalise_department(full: str, region: Region) -> str:
    name = strip_region_prefix(full, region)
    return re.sub(r"[（(]?汇总[)）]?$", "", name).strip() or name


def find_identity(paras: list[str], page_title: str | None, max_year: int) -> Identity:
    title = find_title(paras, page_title)
    body = " ".join(paras[:200])
    full = without_year(find_department_full(title, paras, page_title))
    if full is None:
        full = find_department_in_body(paras, find_region(*(t for t in (title, page_title, body) if t)))
    region = find_region(*(t for t in (full, title, page_title, body) if t))
    if full and not find_street(full):
        region.street = None
    elif full:
        region.street = find_street(strip_region_prefix(full, region))
    if region.district is None:
        region = find_region(body)
    department = normalise_department(full, region) if full else None
    consolidated = bool(full and "汇总" in full) or bool(title and "汇总" in title)
    return Identity(
        title=title,
        kind=find_kind(title, paras, page_title),
        fiscal_year=find_fiscal_year(title, paras, page_title, max_year),
        region=region,
        department=department,
        department_full=full,
        consolidated=consolidated,
    )
