-- Indicator rows of current reports; target/actual were parsed into op, value, unit at load.
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
    r.project_name,
    r.quarantined,
    i.seq,
    i.level1,
    i.level2,
    i.name,
    i.weight,
    i.score,
    i.score / nullif(i.weight, 0) AS score_ratio,
    i.target,
    i.actual,
    i.target_op,
    i.target_value,
    i.target_unit,
    i.actual_op,
    i.actual_value,
    i.actual_unit,
    -- comparable when both carry a number and their units agree (or one has none).
    -- A target with no operator reads as "=", except a bare time ("11月", "4季度", "10天"):
    -- that is a deadline or a time limit, met when the actual is not later or longer.
    CASE
        WHEN i.target_value IS NULL OR i.actual_value IS NULL THEN NULL
        WHEN i.target_unit IS NOT NULL AND i.actual_unit IS NOT NULL AND i.target_unit <> i.actual_unit THEN NULL
        WHEN i.target_op IS NULL AND i.target_unit IN ('月', '月份', '月底', '季度', '日', '天', '个工作日', '工作日', '周')
            THEN i.actual_value <= i.target_value
        WHEN i.target_op = '>=' THEN i.actual_value >= i.target_value
        WHEN i.target_op = '>' THEN i.actual_value > i.target_value
        WHEN i.target_op = '<=' THEN i.actual_value <= i.target_value
        WHEN i.target_op = '<' THEN i.actual_value < i.target_value
        ELSE abs(i.actual_value - i.target_value) < 1e-9
    END AS met,
    i.reason,
    i.evidence
FROM core.indicators AS i
JOIN staging.stg_current_reports AS r USING (report_id)
