"""A report's `department`: the unit's name as written, without region prefix or 汇总 suffix.

The one place this is done: the parser (identity.py, parse.py) imports it; the natural key
(flows/contract/keys.py) folds widths and spaces on top of its result.
"""

from __future__ import annotations

from flows.contract.names import strip_consolidated
from flows.contract.report import Region
from flows.reports.places import strip_region_prefix


def department_name(full: str, region: Region) -> str:
    name = strip_region_prefix(full, region)
    return strip_consolidated(name).strip() or name
