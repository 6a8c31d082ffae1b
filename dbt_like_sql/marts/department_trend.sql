-- Each department's total budget by fiscal year, against the previous fiscal year it reported.
SELECT
    department_key,
    department,
    district,
    street,
    fiscal_year,
    budget AS adjusted,
    executed,
    rate,
    (budget - lag(budget) OVER w) / nullif(lag(budget) OVER w, 0) * 100 AS adjusted_yoy_pct,
    (executed - lag(executed) OVER w) / nullif(lag(executed) OVER w, 0) * 100 AS executed_yoy_pct,
    rate - lag(rate) OVER w AS rate_change_pp,
    lag(fiscal_year) OVER w AS previous_fiscal_year,
    province,
    city,
    consolidated,
    report_id
FROM staging.stg_department_years
WHERE department_key IS NOT NULL
WINDOW w AS (PARTITION BY department_key ORDER BY fiscal_year)
