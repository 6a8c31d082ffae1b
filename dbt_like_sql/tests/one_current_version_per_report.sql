-- Every report has exactly one current version, and it is the latest.
SELECT
    report_key,
    count(*) FILTER (WHERE is_current) AS current_versions,
    max(version) AS latest_version,
    max(version) FILTER (WHERE is_current) AS current_version
FROM core.reports
GROUP BY report_key
HAVING count(*) FILTER (WHERE is_current) <> 1
    OR max(version) IS DISTINCT FROM max(version) FILTER (WHERE is_current)
