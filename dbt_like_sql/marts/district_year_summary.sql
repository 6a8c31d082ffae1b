-- Districts by fiscal year. Every district-year with a current report has a row, so one
-- whose reports are all quarantined still shows its quarantined_reports.
WITH reports AS (
    SELECT
        province,
        city,
        district,
        fiscal_year,
        count(*) FILTER (WHERE NOT quarantined) AS reports,
        count(DISTINCT department_key) FILTER (WHERE NOT quarantined) AS departments,
        count(*) FILTER (WHERE NOT quarantined AND kind = 'project') AS project_reports,
        count(*) FILTER (WHERE quarantined) AS quarantined_reports
    FROM staging.stg_current_reports
    GROUP BY province, city, district, fiscal_year
),

money AS (
    -- only lines that give both amounts, so execution_rate = executed_total / adjusted_total exactly
    SELECT
        province,
        city,
        district,
        fiscal_year,
        count(*) AS reports_in_totals,
        sum(budget) AS adjusted_total,
        sum(executed) AS executed_total,
        median(rate) AS median_rate,
        min(rate) AS min_rate,
        max(rate) AS max_rate
    FROM staging.stg_department_years
    WHERE budget IS NOT NULL AND executed IS NOT NULL
    GROUP BY province, city, district, fiscal_year
)

SELECT
    r.province,
    r.city,
    r.district,
    r.fiscal_year,
    r.reports,
    r.departments,
    m.adjusted_total,
    m.executed_total,
    m.executed_total / nullif(m.adjusted_total, 0) * 100 AS execution_rate,
    m.median_rate,
    m.min_rate,
    m.max_rate,
    r.quarantined_reports,
    coalesce(m.reports_in_totals, 0) AS reports_in_totals,
    r.project_reports
FROM reports AS r
LEFT JOIN money AS m
    ON r.province IS NOT DISTINCT FROM m.province
    AND r.city IS NOT DISTINCT FROM m.city
    AND r.district IS NOT DISTINCT FROM m.district
    AND r.fiscal_year IS NOT DISTINCT FROM m.fiscal_year
