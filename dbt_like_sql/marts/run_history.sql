-- What each nightly run did, per source.
SELECT
    run_id,
    started,
    finished,
    source,
    requests,
    not_modified,
    bodies_downloaded,
    reports_new,
    reports_changed,
    reports_unchanged,
    reports_quarantined,
    errors,
    documents,
    duration_s
FROM staging.stg_runs
