-- Nightly runs per source.
SELECT
    run_id,
    source,
    started,
    finished,
    date_diff('millisecond', started, finished) / 1000.0 AS duration_s,
    requests,
    not_modified,
    bodies_downloaded,
    documents,
    reports_new,
    reports_changed,
    reports_unchanged,
    reports_quarantined,
    errors
FROM core.runs
