"""Which figure belongs to which column, when a row's cells are no longer where the header is.

Flattened and re-hosted forms lose blank cells and glue neighbouring numbers together
("194.9194.9100%" is 194.9 | 194.9 | 100%). A row's figures are still in the header's order, so
every order-keeping placement of the figures into the header's roles is tried; placements that
break a role's type (a percentage outside a rate column, a weight over 100, a score over its
weight) are dropped, placements whose stated rate agrees with their own amounts rank first, and
a role is read only where every top-ranked placement puts the same figure there. Anything
ambiguous stays unread: a missing number is visible, a wrong one misleads.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

AMOUNT_ROLES = ("initial", "adjustment", "adjusted", "executed", "received", "other_amount")
PERCENT_ROLES = ("rate", "received_rate")
_PIECE = re.compile(r"(?:0|[1-9]\d*)(?:\.\d{1,6})?")


@dataclass(frozen=True, slots=True)
class Figure:
    text: str  # as printed, without the percent sign
    value: float | None  # None for a blank cell ("-", "—", "/")
    percent: bool = False


BLANK = Figure("", None)


def figures_of(token: str) -> list[list[Figure]]:
    """The readings of one printed token: one for a plain number, several for glued numbers."""
    token = token.replace(",", "")
    if token in ("-", "—", "/", "--", "——", "－"):
        return [[BLANK]]
    percent = token.endswith("%")
    body = token.rstrip("%")
    plain = re.fullmatch(r"-?\d+(?:\.\d+)?", body) and len(body.replace(".", "")) <= 12
    if plain and not (percent and float(body) > 200):  # "1484631.00%" is three cells glued
        return [[Figure(body, float(body), percent)]]
    return [reading for n in (2, 3, 4) for reading in _splits(body, n, percent)]


def _splits(body: str, n: int, percent: bool) -> list[list[Figure]]:
    out: list[list[Figure]] = []
    for cuts in itertools.combinations(range(1, len(body)), n - 1):
        pieces = [body[a:b] for a, b in zip((0, *cuts), (*cuts, len(body)), strict=True)]
        if all(_PIECE.fullmatch(p) for p in pieces):
            out.append([Figure(p, float(p), percent and i == n - 1) for i, p in enumerate(pieces)])
    return out


def _fits(role: str | None, f: Figure) -> bool:
    if f.value is None:
        return True
    if role is None:
        return False
    if f.percent:
        return role in PERCENT_ROLES
    if role in PERCENT_ROLES:
        return 0 <= f.value <= 150  # a rate printed without its % sign ("100"): proven below
    if role in ("weight", "score"):  # points: at most 100, at most two decimals
        return 0 <= f.value <= 100 and decimals_of(f) <= 2 and (role == "score" or f.value > 0)
    if role == "row_no":
        return f.value == int(f.value) and f.value < 100
    return role in AMOUNT_ROLES


def decimals_of(f: Figure) -> int:
    return len(f.text.split(".", 1)[1]) if "." in f.text else 0


def _consistent(placed: dict[str, Figure]) -> bool:
    weight, score = placed.get("weight"), placed.get("score")
    if weight and score and weight.value is not None and score.value is not None:
        return score.value <= weight.value + 1e-9
    return True


def _verified(placed: dict[str, Figure]) -> bool:
    rate = placed.get("rate")
    base = placed.get("adjusted") or placed.get("initial")
    spent = placed.get("executed")
    if not (rate and base and spent) or None in (rate.value, base.value, spent.value):
        return False
    if base.value == 0:
        return spent.value == 0
    # within the rounding of a printed rate, relative to its size: 31.00 for 46/148 = 31.08 holds,
    # 4.91 for 9/194.91 = 4.62 does not
    stated = rate.value  # type: ignore[assignment]
    if stated == 0 or spent.value == 0:
        return stated == spent.value == 0
    return abs(spent.value / base.value * 100 - stated) <= max(0.006 * stated, 0.06)  # type: ignore[operator]


def place(
    roles: list[str | None], readings: list[list[Figure]], *, need_proof: bool = False
) -> dict[str, Figure]:
    """Role → figure for the roles every best placement agrees on (see the module doc)."""
    best: list[dict[str, Figure]] = []
    best_rank = -1
    for figures in readings:
        k, n = len(figures), len(roles)
        if k == 0 or k > n:
            continue
        for slots in itertools.combinations(range(n), k):
            if not all(_fits(roles[s], f) for s, f in zip(slots, figures, strict=True)):
                continue
            placed = {
                roles[s]: f for s, f in zip(slots, figures, strict=True) if roles[s] and f.value is not None
            }
            if not _consistent(placed):
                continue
            rank = 1 if _verified(placed) else 0
            rate = placed.get("rate")
            if rate is not None and not rate.percent and rank == 0:
                continue  # a bare number is a rate only when the amounts prove it
            if need_proof and rank == 0:
                continue
            if rank > best_rank:
                best, best_rank = [placed], rank
            elif rank == best_rank:
                best.append(placed)
    if not best:
        return {}
    agreed = {}
    for role in {r for p in best for r in p}:
        values = {(p[role].text, p[role].percent) if role in p else None for p in best}
        if len(values) == 1 and None not in values:
            agreed[role] = best[0][role]
    return agreed


def place_tokens(roles: list[str | None], tokens: list[str], *, prove: bool = False) -> dict[str, Figure]:
    """Place a row's printed tokens; glued tokens are read only when the amounts prove them."""
    per_token = [figures_of(t) for t in tokens]
    if any(not r for r in per_token):
        return {}
    glued = any(len(r) > 1 or len(r[0]) > 1 for r in per_token)
    readings = [
        [f for part in combo for f in part] for combo in itertools.islice(itertools.product(*per_token), 2000)
    ]
    return place(roles, readings, need_proof=glued or prove)
