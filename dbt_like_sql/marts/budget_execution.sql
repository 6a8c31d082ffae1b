-- Budget lines of current reports without data-quality errors.
SELECT
    report_id,
    fiscal_year,
    province,
    city,
    district,
    street,
    department,
    department_key,
    line,
    initial,
    adjustment,
    adjusted,
    executed,
    rate_stated,
    rate_computed,
    rate_stated - rate_computed AS rate_gap_pp,
    kind,
    project_name,
    consolidated,
    weight,
    score,
    evidence
FROM staging.stg_budget_lines
WHERE NOT quarantined
