"""Rules of the contract that more than one step applies: each is written here once.

The SQL models apply the execution rate too (dbt_like_sql/staging/stg_budget_lines.sql,
rate_computed); tests/test_contract.py runs both over the same budget lines, so the two cannot
drift apart.
"""

from __future__ import annotations

from typing import Literal


def rate_base(adjusted: float | None, initial: float | None) -> Literal["adjusted", "initial"]:
    """The budget a stated execution rate is measured against: the adjusted (full-year) budget when
    the document gives one, else the initial budget (contract.md, rate_matches_amounts)."""
    return "adjusted" if adjusted is not None else "initial"


def execution_rate(executed: float | None, adjusted: float | None, initial: float | None) -> float | None:
    """executed / base × 100, in percent, base as rate_base says; None when executed or the base is
    missing, or the base is 0: a budget adjusted to nothing has no rate (it does not fall back to
    the initial budget, which the adjustment replaced)."""
    base = adjusted if adjusted is not None else initial
    if executed is None or not base:
        return None
    return executed / base * 100
