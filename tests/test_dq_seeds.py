"""The issue's acceptance on the seeds: as given (.txt) and as the mirror serves them (PDF,
DOCX, XLSX, GBK HTML), through `govperf extract`'s code path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from expectations.extract_files import extract_files
from flows.mirror.server import SITE_DIR

# seed → (status, {(check, field)}) the issue asks for
EXPECTED = {
    "000": (
        "fail",
        {("rate_matches_amounts", "budget.project.rate"), ("period_matches_fiscal_year", "fiscal_year")},
    ),
    "001": ("pass", set()),
    "002": ("pass", set()),
    # 003 also names 截止2021年12月31日 beside 截至2022年12月31日 in its staff sentence: a true
    # inconsistency of the document, so the period warning stands
    "003": (
        "warn",
        {
            ("score_matches_indicators", "score.total"),
            ("publisher_matches_region", "publisher"),
            ("period_matches_fiscal_year", "fiscal_year"),
        },
    ),
    "004": ("pass", set()),
}


def _verdict(obj: dict) -> tuple[str, set[tuple[str, str]]]:
    return obj["dq"]["status"], {(i["check"], i["field"]) for i in obj["dq"]["issues"]}


@pytest.fixture(scope="module")
def seed_objects(seeds_dir: Path) -> dict[str, dict]:
    paths = sorted(seeds_dir.glob("*.txt"))
    objects = extract_files([str(p) for p in paths])
    assert len(objects) == len(paths) == 5
    return {Path(o["file"]).name[:3]: o for o in objects}


def test_seed_verdicts_as_given(seed_objects):
    assert {seed: _verdict(o) for seed, o in seed_objects.items()} == EXPECTED


def test_seed_000_names_the_rate_it_states_and_the_one_its_figures_give(seed_objects):
    issue = next(i for i in seed_objects["000"]["dq"]["issues"] if i["check"] == "rate_matches_amounts")
    assert issue["severity"] == "error"
    assert "92.77" in issue["message"] and "99.28" in issue["message"]
    assert "7609.48" in issue["message"] and "7664.88" in issue["message"]
    assert "92.77%" in issue["evidence"]
    period = next(
        i for i in seed_objects["000"]["dq"]["issues"] if i["check"] == "period_matches_fiscal_year"
    )
    assert (
        period["severity"] == "warning"
        and "2021" in period["message"]
        and "2021年12月31日" in period["evidence"]
    )


def test_seed_003_warnings_say_why(seed_objects):
    issues = {i["check"]: i for i in seed_objects["003"]["dq"]["issues"]}
    assert all(i["severity"] == "warning" for i in issues.values())
    assert "94" in issues["score_matches_indicators"]["message"]
    assert "96" in issues["score_matches_indicators"]["message"]
    assert "墩子塘街道" in issues["publisher_matches_region"]["message"]


def _mirror_reports() -> list[tuple[str, str, Path]]:
    manifest = json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))
    return [
        (d["seed"][:3], d["format"], SITE_DIR / d["path"].lstrip("/"))
        for d in manifest["documents"]
        if d["role"] == "report" and d["seed"]  # the corpus-built families are checked by test_corpus
    ]


def test_seed_verdicts_on_the_mirror_renderings():
    docs = _mirror_reports()
    assert {fmt for _, fmt, _ in docs} >= {"pdf", "docx", "xlsx", "html"}
    objects = extract_files([str(p) for _, _, p in docs])
    assert len(objects) == len(docs)
    got = {(seed, fmt): _verdict(o) for (seed, fmt, _), o in zip(docs, objects, strict=True)}
    assert got == {(seed, fmt): EXPECTED[seed] for seed, fmt, _ in docs}
