"""Department keys: a department's normalised name under the alias file's renamed units.

The alias file is dbt_like_sql/seeds/department_aliases.csv (columns district, alias, canonical);
the build loads it into core.department_aliases and re-derives every department_key from it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flows.contract.keys import normalise_department, normalise_name


@dataclass(frozen=True, slots=True)
class Alias:
    district: str
    alias: str
    canonical: str
    alias_norm: str
    canonical_norm: str


def read_aliases(path: Path) -> list[Alias]:
    """The alias file (columns district, alias, canonical), normalised, chains resolved (A→B, B→C gives A→C)."""
    if not path.exists():
        return []
    rows: list[Alias] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"district", "alias", "canonical"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for lineno, raw in enumerate(reader, start=2):
            district = normalise_name(raw["district"])
            alias = normalise_department(raw["alias"], [district])
            canonical = normalise_department(raw["canonical"], [district])
            if not (district and alias and canonical):
                raise ValueError(f"{path}:{lineno}: district, alias and canonical must all be given")
            rows.append(Alias(district, raw["alias"].strip(), raw["canonical"].strip(), alias, canonical))
    return _resolve_chains(rows, path)


def _resolve_chains(rows: list[Alias], path: Path) -> list[Alias]:
    mapping = {(a.district, a.alias_norm): a.canonical_norm for a in rows if a.alias_norm != a.canonical_norm}
    out: list[Alias] = []
    for a in rows:
        target, seen = a.canonical_norm, {a.alias_norm}
        while (a.district, target) in mapping:
            if target in seen:
                raise ValueError(f"{path}: alias cycle in {a.district} through {target}")
            seen.add(target)
            target = mapping[(a.district, target)]
        out.append(Alias(a.district, a.alias, a.canonical, a.alias_norm, target))
    return out


AliasMap = Mapping[tuple[str, str], str]


def alias_map(aliases: Iterable[Alias]) -> dict[tuple[str, str], str]:
    return {(a.district, a.alias_norm): a.canonical_norm for a in aliases}


def department_key(scope: str, department_norm: str | None, aliases: AliasMap) -> str | None:
    """scope + '/' + canonical name; must agree with the UPDATE in dbt_like_sql/build.py."""
    if department_norm is None:
        return None
    return f"{scope}/{aliases.get((scope, department_norm), department_norm)}"
