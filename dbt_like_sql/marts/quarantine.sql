-- Current reports held out of the analysis marts, with the errors that put them there.
WITH findings AS (
    SELECT
        report_id,
        list("check" || ': ' || message ORDER BY "check", field) FILTER (WHERE severity = 'error') AS errors,
        string_agg("check" || ': ' || message, '; ' ORDER BY "check", field)
            FILTER (WHERE severity = 'error') AS error_summary,
        count(*) FILTER (WHERE severity = 'error') AS error_count,
        count(*) FILTER (WHERE severity <> 'error') AS warning_count
    FROM core.dq_findings
    GROUP BY report_id
)

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
    r.title,
    r.source_url,
    r.page_url,
    r.format,
    r.fetched_at,
    r.loaded_at,
    coalesce(f.error_count, 0) AS error_count,
    coalesce(f.warning_count, 0) AS warning_count,
    f.error_summary,
    f.errors
FROM staging.stg_current_reports AS r
LEFT JOIN findings AS f USING (report_id)
WHERE r.quarantined
