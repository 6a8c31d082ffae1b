-- Districts ranked within each fiscal year by execution rate (1 = highest).
SELECT
    province,
    city,
    district,
    fiscal_year,
    rank() OVER (PARTITION BY fiscal_year ORDER BY execution_rate DESC) AS execution_rank,
    count(*) OVER (PARTITION BY fiscal_year) AS districts_ranked,
    execution_rate,
    adjusted_total,
    executed_total,
    reports,
    departments
FROM marts.district_year_summary
WHERE execution_rate IS NOT NULL
