-- Data-quality findings with the report version they are about.
SELECT
    f.report_id,
    r.is_current,
    r.kind,
    r.fiscal_year,
    r.province,
    r.city,
    r.district,
    r.street,
    r.department,
    r.department_key,
    r.project_name,
    r.source_url,
    r.page_url,
    r.dq_status,
    f."check",
    f.severity,
    f.field,
    f.message,
    f.evidence,
    f.detected_at,
    f.run_id
FROM core.dq_findings AS f
JOIN staging.stg_reports AS r USING (report_id)
