"""Department names: the one normalisation of a unit's name, for the report's `department` (the
parser) and under the natural key (flows/contract/keys.py)."""

from __future__ import annotations

import re

from flows.contract.report import Region

_PLACE_SUFFIX = re.compile(r"(省|市|自治区|特别行政区|区|县|旗|自治州|地区|盟)$")
# 汇总 marks the consolidated report of a unit and its subordinates; it is the same department
_CONSOLIDATED = re.compile(r"[（(]?汇总[)）]?$")


def short_place_name(name: str) -> str:
    """'闵行区' → '闵行', '上海市' → '上海': how texts abbreviate."""
    return _PLACE_SUFFIX.sub("", name)


def strip_region_prefix(name: str, region: Region) -> str:
    """A unit's own name: province, city and district prefixes removed, the street kept."""
    out = name
    for part in (region.province, region.city, region.district):
        for form in filter(None, (part, short_place_name(part) if part else None)):
            if out.startswith(form) and len(out) > len(form) + 1:
                out = out[len(form) :]
                break
    return out


def strip_consolidated(name: str) -> str:
    """The name without its 汇总 suffix (either bracket width)."""
    return _CONSOLIDATED.sub("", name)


def department_name(full: str, region: Region) -> str:
    """The report's `department`: the unit's name as written, without region prefix or 汇总 suffix."""
    name = strip_region_prefix(full, region)
    return strip_consolidated(name).strip() or name
