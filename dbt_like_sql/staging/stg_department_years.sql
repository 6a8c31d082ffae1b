-- One total budget line per department and fiscal year, from the department's own
-- (department_overall, non-quarantined, current) report. When a unit published both its
-- 汇总 (consolidated) report and its own, the two share a department_key: the consolidated
-- one is kept, so money is not counted twice.
SELECT
    b.report_id,
    b.fiscal_year,
    b.province,
    b.city,
    b.district,
    b.street,
    b.department,
    b.department_key,
    b.consolidated,
    coalesce(b.adjusted, b.initial) AS budget,
    b.executed,
    b.rate_stated,
    b.rate_computed,
    coalesce(b.rate_computed, b.rate_stated) AS rate
FROM staging.stg_budget_lines AS b
WHERE b.line = 'total' AND b.kind = 'department_overall' AND NOT b.quarantined
QUALIFY row_number() OVER (
    PARTITION BY coalesce(b.department_key, b.report_id), b.fiscal_year
    ORDER BY b.consolidated DESC NULLS LAST, b.fetched_at DESC NULLS LAST, b.report_id
) = 1
