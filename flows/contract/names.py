"""The 汇总 rule, shared by the parser's department name (flows/reports/names.py) and the
natural key's normalisation (flows/contract/keys.py)."""

from __future__ import annotations

import re

# 汇总 marks the consolidated report of a unit and its subordinates; it is the same department
_CONSOLIDATED = re.compile(r"[（(]?汇总[)）]?$")


def strip_consolidated(name: str) -> str:
    """The name without its 汇总 suffix (either bracket width)."""
    return _CONSOLIDATED.sub("", name)
