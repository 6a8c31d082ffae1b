-- Budget lines of current reports with the rate recomputed from the amounts, by the one rule of
-- flows/contract/rules.py (execution_rate): executed over the adjusted budget when given, else the
-- initial one; NULL when that base is 0 or missing (tests/test_contract.py holds the two together).
-- nullif on every denominator: DuckDB 2.0 gives inf for x/0 where 1.x gives NULL.
SELECT
    r.report_id,
    r.kind,
    r.fiscal_year,
    r.province,
    r.city,
    r.district,
    r.street,
    r.department,
    r.department_key,
    r.consolidated,
    r.project_name,
    r.quarantined,
    r.fetched_at,
    b.line,
    b.initial,
    b.adjustment,
    b.adjusted,
    b.executed,
    b.rate AS rate_stated,
    b.rate_text,
    b.executed / nullif(coalesce(b.adjusted, b.initial), 0) * 100 AS rate_computed,
    b.weight,
    b.score,
    b.evidence
FROM core.budget_lines AS b
JOIN staging.stg_current_reports AS r USING (report_id)
