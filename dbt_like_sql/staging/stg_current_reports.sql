-- The current version of every report, quarantined or not.
SELECT *
FROM staging.stg_reports
WHERE is_current
