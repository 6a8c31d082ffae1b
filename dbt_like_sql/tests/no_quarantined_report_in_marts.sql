-- Reports with data-quality errors stay out of the analysis marts.
SELECT 'budget_execution' AS mart, b.report_id
FROM marts.budget_execution AS b
JOIN core.reports AS r USING (report_id)
WHERE r.dq_status = 'fail' OR NOT r.is_current
UNION ALL
SELECT 'indicator_results' AS mart, i.report_id
FROM marts.indicator_results AS i
JOIN core.reports AS r USING (report_id)
WHERE r.dq_status = 'fail' OR NOT r.is_current
