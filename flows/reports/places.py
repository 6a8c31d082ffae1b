"""Places from China's division table (cpca's adcodes): district → city → province."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

import ahocorasick

from flows.contract.report import Region
from flows.reports.vocabulary import vocabulary

_MUNICIPALITIES = {"11", "12", "31", "50"}
_STREET = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:街道|镇|乡))")
# division names that are also ordinary words in report prose ("老城区", "矿区治理")
_GENERIC = {
    "城区",
    "郊区",
    "矿区",
    "新区",
    "市中区",
    "城中区",
    "城关区",
    "老城区",
    "新城区",
    "城东区",
    "城西区",
    "城北区",
    "县",
}
_SUFFIX = re.compile(r"(省|市|自治区|特别行政区|区|县|旗|自治州|地区|盟)$")


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    province: str
    city: str | None
    level: int  # 1 province, 2 city, 3 district/county


def _adcodes_path() -> Path:
    # read the table without importing cpca: its import needs pkg_resources and builds matchers we do not use
    spec = find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("the cpca package (division table) is not installed")
    return Path(spec.origin).parent / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    rows: dict[str, str] = {}
    with _adcodes_path().open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["adcode"][:6]] = row["name"]
    out: list[Division] = []
    for code, name in rows.items():
        prov_code, city_code = code[:2] + "0000", code[:4] + "00"
        province = rows.get(prov_code)
        if province is None:
            continue
        if code == prov_code:
            out.append(Division(code, name, province, province if code[:2] in _MUNICIPALITIES else None, 1))
        elif code == city_code:
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            out.append(Division(code, name, province, name, 2))
        else:
            city = province if code[:2] in _MUNICIPALITIES else rows.get(city_code)
            if city in (None, "省直辖县级行政区划", "自治区直辖县级行政区划"):
                city = None
            out.append(Division(code, name, province, city, 3))
    return tuple(out)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, list[Division]]:
    index: dict[str, list[Division]] = {}
    for d in divisions():
        index.setdefault(d.name, []).append(d)
    for d in divisions():
        for alias in _county_aliases(d):
            if alias not in index:
                index.setdefault(alias, []).append(d)
    return index


def _county_aliases(d: Division) -> tuple[str, ...]:
    """'彭水苗族土家族自治县' is written '彭水自治县' or '彭水县' in running text."""
    if d.level != 3 or not d.name.endswith(("自治县", "自治旗")):
        return ()
    groups = "|".join(sorted(vocabulary().ethnic_groups, key=len, reverse=True))
    m = re.match(rf"^(.+?)(?:(?:{groups})族)+自治(县|旗)$", d.name)
    if not m or len(m.group(1)) < 2:
        return ()
    return (m.group(1) + "自治" + m.group(2), m.group(1) + m.group(2))


def _short(name: str) -> str:
    """'闵行区' → '闵行', '上海市' → '上海': how texts abbreviate."""
    return _SUFFIX.sub("", name)


@lru_cache(maxsize=1)
def _district_matcher() -> ahocorasick.Automaton:
    """One automaton over every district name (and county alias) of two or more characters: a
    text is read once instead of searched once per name."""
    matcher = ahocorasick.Automaton()
    for name, divs in _by_name().items():
        if len(name) >= 2 and divs[0].level == 3:
            matcher.add_word(name, name)
    matcher.make_automaton()
    return matcher


@lru_cache(maxsize=1)
def _prefecture_matcher() -> ahocorasick.Automaton:
    """The same for prefecture-level cities, by full name and by 自治州 short form."""
    matcher = ahocorasick.Automaton()
    for d in divisions():
        if d.level == 2:
            for form in filter(None, (d.name, _prefecture_alias(d.name))):
                matcher.add_word(form, form)
    matcher.make_automaton()
    return matcher


def _names_in(matcher: ahocorasick.Automaton, text: str) -> set[str]:
    return {name for _, name in matcher.iter(text)}


def find_region(*texts: str) -> Region:
    """The district (and its city and province) named in the first text that names one.

    Texts are tried in order (unit name, title, body); a city or province also named there
    decides between districts of the same name.
    """
    index = _by_name()
    context = " ".join(t for t in texts if t)  # any text may name the city that tells 西湖区 from 西湖区
    for text in texts:
        if not text:
            continue
        found: list[tuple[int, Division]] = []
        for name in _names_in(_district_matcher(), text):
            divs = index[name]
            if name in _GENERIC:
                # an everyday word alone; a division only right after its city ("兰州市城关区")
                divs = [
                    d for d in divs if d.city and (d.city + name in text or _short(d.city) + name in text)
                ]
            pos = _whole_word(text, name) if divs else -1
            if pos != -1:
                found.extend((pos, d) for d in divs)
        if not found:
            continue
        # (position, longest name first) is a total order between names: a name's divisions keep
        # the table's order, so the set's order does not matter
        found.sort(key=lambda pd: (pd[0], -len(pd[1].name)))
        candidates = [d for _, d in found if d.name == found[0][1].name]
        best = next(
            (d for d in candidates if d.city and (d.city in context or _short(d.city) + d.name in context)),
            None,
        ) or next(
            (d for d in candidates if d.province in context or _short(d.province) in context), candidates[0]
        )
        return Region(best.province, best.city, best.name, find_street(text))
    for text in texts:  # a city-level unit names no district
        named = _names_in(_prefecture_matcher(), text) if text else set()
        if not named:
            continue
        for d in divisions():
            if d.level == 2 and (d.name in named or _prefecture_alias(d.name) in named):
                return Region(d.province, d.city, None, find_street(text))
    return Region()


_DIVISION_END = "省市区县州旗盟"


def _whole_word(text: str, name: str) -> int:
    """Where `name` stands as a place name in `text`, or -1. A short name inside a longer word is
    not one ("个人缴费县级": 费县): it must start the text or follow a non-Chinese character, a
    division (…市费县) or a year (2021年费县); a name followed by 级 is an adjective (县级)."""
    start = text.find(name)
    while start != -1:
        before = text[start - 1] if start > 0 else ""
        after = text[start + len(name) : start + len(name) + 1]
        bounded = (
            len(name) > 2
            or not before
            or not ("\u4e00" <= before <= "\u9fff")
            or before in _DIVISION_END
            or before in "年度我全本该"
        )
        if bounded and after != "级":
            return start
        start = text.find(name, start + 1)
    return -1


def find_street(text: str) -> str | None:
    """The 街道/镇/乡 a unit sits under, when its name holds one ('浦锦街道社区党群服务中心' → '浦锦街道')."""
    for m in _STREET.finditer(text or ""):
        name = m.group(1)
        # "区" inside the match means it swallowed a district name: keep what follows it
        name = re.split(r"[省市区县]", name)[-1]
        if len(name) >= 3:
            return name
    return None


def strip_region_prefix(name: str, region: Region) -> str:
    """A unit's own name: province, city and district prefixes removed, the street kept."""
    out = name
    for part in (region.province, region.city, region.district):
        for form in filter(None, (part, _short(part) if part else None, _prefecture_alias(part))):
            # "岳阳" is not stripped from "岳阳县…": that is the district's own name
            if (
                out.startswith(form)
                and len(out) > len(form) + 1
                and (form == part or out[len(form)] not in _DIVISION_END)
            ):
                out = out[len(form) :]
                break
    return out


@cache
def _prefecture_alias(name: str | None) -> str | None:
    """'红河哈尼族彝族自治州' → '红河州': how autonomous prefectures are written in running text."""
    if not name or not name.endswith("自治州"):
        return None
    groups = "|".join(sorted(vocabulary().ethnic_groups, key=len, reverse=True))
    m = re.match(rf"^(.+?)(?:(?:{groups})族)+自治州$", name)
    return m.group(1) + "州" if m else None
