"""The suites: one declaration, the JSON files GX reads, every contract check present."""

from __future__ import annotations

import json

import pytest

from expectations.suites import (
    RULES,
    SUITES_DIR,
    TABLES,
    checks,
    checks_by_id,
    load_suite_dicts,
    suite_dicts,
    suite_json,
)

# contract.md's data-quality table, by name and severity
CONTRACT_CHECKS = {
    "required_fields": "error",
    "fiscal_year_range": "error",
    "rate_matches_amounts": "error",
    "parts_sum_to_total": "error",
    "adjustment_consistent": "error",
    "executed_within_budget": "warning",
    "score_range": "error",
    "score_matches_indicators": "warning",
    "period_matches_fiscal_year": "warning",
    "publisher_matches_region": "warning",
    "duplicate_report": "warning",
}


def test_every_contract_check_is_declared_with_its_severity():
    declared = {c.name: c.severity for c in checks()}
    assert declared == CONTRACT_CHECKS
    assert set(RULES) == set(CONTRACT_CHECKS)


def test_check_ids_are_unique():
    assert len(checks_by_id()) == len(checks())


@pytest.mark.parametrize("table", TABLES)
def test_the_suite_files_are_the_declaration(table):
    """`python -m expectations.suites` regenerates them; edit suites.py, not the JSON."""
    path = SUITES_DIR / f"{table}.json"
    assert path.read_text(encoding="utf-8") == suite_json(suite_dicts()[table]), (
        f"{path} is out of date: run python -m expectations.suites"
    )


@pytest.mark.parametrize("table", TABLES)
def test_the_suite_files_round_trip_through_gx(table):
    import great_expectations as gx

    on_disk = load_suite_dicts()[table]
    suite = gx.ExpectationSuite(**json.loads(json.dumps(on_disk)))
    assert suite.name == table
    back = suite.to_json_dict()
    assert [(e["type"], e["kwargs"], e["meta"], e["severity"], e["notes"]) for e in back["expectations"]] == [
        (e["type"], e["kwargs"], e["meta"], e["severity"], e["notes"]) for e in on_disk["expectations"]
    ]
    # and once more through GX's own JSON
    again = gx.ExpectationSuite(**json.loads(json.dumps(back, default=str)))
    assert again == suite


def test_the_current_year_is_a_suite_parameter_not_a_constant():
    year_check = next(c for c in checks() if c.id == "fiscal_year_range.fiscal_year")
    assert year_check.kwargs["max_value"] == {"$PARAMETER": "max_year"}


def test_meta_maps_every_expectation_back_to_its_check():
    by_id = checks_by_id()
    for table, suite in load_suite_dicts().items():
        for e in suite["expectations"]:
            check = by_id[e["meta"]["id"]]
            assert (check.table, check.name, check.severity) == (
                table,
                e["meta"]["check"],
                e["meta"]["severity"],
            )
            assert e["severity"] == {"error": "critical", "warning": "warning"}[check.severity]
