"""The real-report corpus (../shared/real) scored in-process, and the pins of what it gets right.

    .venv/bin/python -m tests.real.pins --write    # after an improvement: pin the new right fields

tests/test_real_reports.py fails when a pinned field is lost or the share of right fields falls
below the floor (tests/real/pins.json); the measure itself is ../shared/real/score.py.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real"
PINS = Path(__file__).with_name("pins.json")
TODAY = dt.date(2026, 12, 1)


def scorer():
    spec = importlib.util.spec_from_file_location("real_score", REAL / "score.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def right_fields() -> tuple[dict[str, list[str]], int, int]:
    """file → the truth fields it gets right; and (right, total) over the corpus."""
    from flows.extract_command import extract_files

    score = scorer()
    truth = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))
    names = list(truth)
    outputs = extract_files([str(REAL / "docs" / n) for n in names], today=TODAY)
    by_file: dict[str, list[dict]] = {}
    for out in outputs:
        by_file.setdefault(Path(str(out.get("file"))).name, []).append(out)
    right: dict[str, list[str]] = {}
    ok_all = total_all = 0
    for name in names:
        wants = truth[name] if isinstance(truth[name], list) else [truth[name]]
        got = by_file.get(name, [])
        fields: list[str] = []
        for i, (want, out) in enumerate(zip(wants, score.match_reports(wants, got), strict=True)):
            ok, total, misses = score.score_doc(out or {}, want)
            ok_all, total_all = ok_all + ok, total_all + total
            missed = {m.split(":")[0] for m in misses}
            fields += [f"{i}:{path}" for path, _ in score.flatten(_scored(want)) if path not in missed]
        right[name] = sorted(fields)
    return right, ok_all, total_all


def _scored(want: dict) -> dict:
    """The scorer's field paths, indicator samples as indicator[name].key like its miss lines."""
    skip = ("indicators_sample", "dq_expect", "dq_must_flag")
    out = {k: v for k, v in want.items() if k not in skip and not str(k).startswith("_")}
    if "dq_expect" in want:  # the scorer names these misses "dq.status" and "dq must flag '…'"
        out["dq.status"] = want["dq_expect"]
        for word in want.get("dq_must_flag", []):
            out[f"dq must flag '{word}'"] = word
    for sample in want.get("indicators_sample", []):
        for key, value in sample.items():
            out[f"indicator[{sample['name']}].{key}"] = value
    return out


def main() -> int:
    right, ok, total = right_fields()
    print(f"real: {ok}/{total} fields ({100 * ok / total:.1f}%)")
    if "--write" in sys.argv:
        floor = int(100 * ok / total * 10) / 10
        PINS.write_text(
            json.dumps({"floor_pct": floor, "right": right}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        print(f"pinned {sum(len(v) for v in right.values())} fields, floor {floor}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
