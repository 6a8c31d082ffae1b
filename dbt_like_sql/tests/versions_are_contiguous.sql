-- Versions of a report are numbered 1, 2, 3 … without gaps or repeats.
SELECT
    report_key,
    count(*) AS versions,
    count(DISTINCT version) AS distinct_versions,
    min(version) AS first_version,
    max(version) AS last_version
FROM core.reports
GROUP BY report_key
HAVING min(version) <> 1 OR max(version) <> count(*) OR count(DISTINCT version) <> count(*)
