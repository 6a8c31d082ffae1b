-- Every data-quality finding on a current report, quarantined or not.
SELECT
    report_id,
    source_url,
    district,
    department,
    fiscal_year,
    "check",
    severity,
    field,
    message,
    evidence,
    detected_at,
    province,
    city,
    street,
    department_key,
    kind,
    project_name,
    page_url,
    dq_status
FROM staging.stg_dq_findings
WHERE is_current
